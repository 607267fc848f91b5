"""The kernel cache: in this process and on disk.

Entries are keyed by everything that determines the compiled code: the
spec's MLIR text, the function, the compiler's build id, the target and
the options. On disk an entry is one JSON file under $SWR_CACHE_DIR
(default: $XDG_CACHE_HOME/swr, else ~/.cache/swr), written to a temporary
file in the same directory and renamed into place, so a process never reads
a half-written entry and concurrent compilers of the same spec just publish
the same bytes twice. SWR_ALWAYS_COMPILE=1 skips reading both caches.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import tempfile
from typing import Any

_memory: dict[str, dict[str, Any]] = {}


def cache_dir() -> pathlib.Path:
    configured = os.environ.get("SWR_CACHE_DIR")
    if configured:
        return pathlib.Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "swr"


def always_compile() -> bool:
    return os.environ.get("SWR_ALWAYS_COMPILE", "") not in ("", "0")


def key(**parts: Any) -> str:
    """A stable hash of the named parts (JSON-serialisable values)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _path(entry_key: str) -> pathlib.Path:
    return cache_dir() / entry_key[:2] / f"{entry_key}.json"


def load(entry_key: str) -> dict[str, Any] | None:
    """The entry for `entry_key`, from memory or disk, or None."""
    if always_compile():
        return None
    entry = _memory.get(entry_key)
    if entry is not None:
        return entry
    try:
        entry = json.loads(_path(entry_key).read_text())
    except (OSError, ValueError):
        return None
    if entry.get("key") != entry_key:
        return None
    _memory[entry_key] = entry
    return entry


def store(entry_key: str, entry: dict[str, Any]) -> None:
    """Publishes `entry` atomically; an unwritable cache only costs speed."""
    entry = dict(entry, key=entry_key)
    _memory[entry_key] = entry
    path = _path(entry_key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w") as file:
            json.dump(entry, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def recorded_build_id() -> str | None:
    """The build id of the compiler that last stored an entry here."""
    try:
        return (cache_dir() / "build-id").read_text().strip() or None
    except OSError:
        return None


def record_build_id(build: str) -> None:
    try:
        cache_dir().mkdir(parents=True, exist_ok=True)
        (cache_dir() / "build-id").write_text(build + "\n")
    except OSError:
        pass


def clear_memory() -> None:
    """Forgets the in-process entries (the disk cache stays)."""
    _memory.clear()
