"""swr: linear-recurrence kernels compiled by the SWR compiler.

Pure Python over libswr's C API (ctypes). The core imports neither torch
nor cupy.
"""

from .compiler import (Buffer, HostKernel, PtxKernel, build_id, compile_ptx,
                       derive_backward)
from .dsl import (JitFunction, abs, cast, exp, expm1, jit, log, log1p,
                  maximum, minimum, scan, sigmoid, softplus, tanh)
from .errors import (ArgumentError, CompileError, LibraryNotFoundError,
                     SwrError)
from .spec import ScanSpec

__all__ = ["ArgumentError", "Buffer", "CompileError", "HostKernel",
           "LibraryNotFoundError", "PtxKernel", "ScanSpec", "SwrError",
           "build_id", "compile_ptx", "derive_backward", "JitFunction", "abs",
           "cast", "exp", "expm1", "jit", "log", "log1p", "maximum",
           "minimum", "scan", "sigmoid", "softplus", "tanh"]
