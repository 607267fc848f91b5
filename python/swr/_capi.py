"""ctypes bindings of libswr's flat C API (swr-c/Compiler.h, swr-c/Runtime.h).

libswr is found through $SWR_LIBRARY, else next to the package in a build
tree (build/lib/libswr.so, else the runtime-only build-gpu/lib/
libswr-runtime.so). libswr-runtime has no compiler: kernels then come from
the on-disk cache. Pure Python: no compiled extension, so the same package
serves every Python version.
"""

from __future__ import annotations

import ctypes
import os
import pathlib
from functools import lru_cache

from .errors import CompileError, LibraryNotFoundError, SwrError

MAX_RANK = 8


class Memref(ctypes.Structure):
    """swr_memref: data pointer, offset, rank, sizes and strides in elements."""

    _fields_ = [
        ("data", ctypes.c_void_p),
        ("offset", ctypes.c_int64),
        ("rank", ctypes.c_int32),
        ("sizes", ctypes.c_int64 * MAX_RANK),
        ("strides", ctypes.c_int64 * MAX_RANK),
    ]


class CompileOptions(ctypes.Structure):
    """swr_compile_options; zero fields take the compiler's defaults."""

    _fields_ = [
        ("function", ctypes.c_char_p),
        ("chip", ctypes.c_char_p),
        ("strategy", ctypes.c_char_p),
        ("block_size", ctypes.c_int64),
        ("time_chunk", ctypes.c_int64),
        ("grad_time_chunk", ctypes.c_int64),
        ("time_lanes", ctypes.c_int64),
        ("channel_tile", ctypes.c_int64),
        ("time_warps", ctypes.c_int64),
        ("full_block", ctypes.c_int64),
        ("grid_carries", ctypes.c_int64),
        ("time_ctas", ctypes.c_int64),
    ]


def _candidates() -> list[pathlib.Path]:
    env = os.environ.get("SWR_LIBRARY")
    if env:
        return [pathlib.Path(env)]
    root = pathlib.Path(__file__).resolve().parents[2]
    build = pathlib.Path(os.environ.get("SWR_BUILD_DIR", root / "build"))
    return [build / "lib" / "libswr.so",
            root / "build-gpu" / "lib" / "libswr-runtime.so"]


def fingerprint() -> str:
    """Size and modification time of the loaded library: changes with every
    rebuild, so cache entries of an older compiler build are not reused."""
    return library().swr_fingerprint


def has_compiler() -> bool:
    """Whether the loaded library holds the compiler (libswr) or only the
    runtime (libswr-runtime)."""
    return hasattr(library(), "swr_compile_ptx")


@lru_cache(maxsize=1)
def library() -> ctypes.CDLL:
    """Loads libswr once and declares the C API's signatures."""
    tried = []
    for path in _candidates():
        tried.append(str(path))
        if path.exists():
            lib = ctypes.CDLL(str(path))
            stat = path.stat()
            lib.swr_fingerprint = f"{stat.st_size}-{stat.st_mtime_ns}"
            _declare(lib)
            return lib
    raise LibraryNotFoundError(
        "libswr.so not found (tried " + ", ".join(tried) +
        "); build the project (bash scripts/setup.sh) or set SWR_LIBRARY")


def _declare(lib: ctypes.CDLL) -> None:
    lib.swr_last_error.restype = ctypes.c_char_p
    lib.swr_runtime_init.argtypes = [ctypes.c_int]
    lib.swr_kernel_load.argtypes = [ctypes.c_char_p, ctypes.c_size_t,
                                    ctypes.c_char_p, ctypes.c_size_t,
                                    ctypes.POINTER(ctypes.c_void_p)]
    lib.swr_kernel_launch.argtypes = [ctypes.c_void_p, ctypes.POINTER(Memref),
                                      ctypes.c_int32, ctypes.c_void_p]
    lib.swr_kernel_destroy.argtypes = [ctypes.c_void_p]
    lib.swr_kernel_destroy.restype = None
    if not hasattr(lib, "swr_compile_ptx"):
        return  # libswr-runtime: no compiler
    lib.swr_build_id.restype = ctypes.c_char_p
    lib.swr_compile_ptx.argtypes = [ctypes.c_char_p, ctypes.c_size_t,
                                    ctypes.POINTER(CompileOptions),
                                    ctypes.POINTER(ctypes.c_void_p),
                                    ctypes.POINTER(ctypes.c_void_p)]
    lib.swr_derive_backward.argtypes = [ctypes.c_char_p, ctypes.c_size_t,
                                        ctypes.POINTER(ctypes.c_void_p)]
    lib.swr_host_compile.argtypes = [ctypes.c_char_p, ctypes.c_size_t,
                                     ctypes.c_char_p, ctypes.c_char_p,
                                     ctypes.POINTER(ctypes.c_void_p)]
    lib.swr_host_invoke.argtypes = [ctypes.c_void_p, ctypes.POINTER(Memref),
                                    ctypes.c_int32]
    lib.swr_host_destroy.argtypes = [ctypes.c_void_p]
    lib.swr_host_destroy.restype = None
    lib.swr_free.argtypes = [ctypes.c_void_p]
    lib.swr_free.restype = None


def check(status: int, what: str, error: type[SwrError] = SwrError) -> None:
    """Raises `error` with libswr's message when `status` is a failure."""
    if status != 0:
        message = library().swr_last_error().decode(errors="replace")
        raise error(f"{what}: {message}")


def take_string(pointer: ctypes.c_void_p) -> str:
    """Copies a string libswr allocated, then frees it."""
    try:
        return ctypes.string_at(pointer).decode()
    finally:
        library().swr_free(pointer)


__all__ = ["CompileError", "CompileOptions", "Memref", "check", "library",
           "take_string"]
