"""Shared fixtures: where the built tools are."""

from __future__ import annotations

import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(pathlib.Path(__file__).parent))


@pytest.fixture(scope="session")
def bin_dir() -> pathlib.Path:
    """The directory holding swr-opt and swr-run ($SWR_BIN_DIR or build/bin)."""
    path = pathlib.Path(os.environ.get("SWR_BIN_DIR", ROOT / "build" / "bin"))
    if not (path / "swr-run").exists():
        pytest.fail(f"swr-run not found in {path}; build first or set SWR_BIN_DIR")
    return path
