"""Compiling specs: PTX + launch description for GPUs, host kernels for CPUs."""

from __future__ import annotations

import ctypes
import json
from dataclasses import dataclass

from . import _capi
from .errors import ArgumentError, CompileError
from .spec import ScanSpec

_NUMPY_DTYPES = {"float32": "f32", "float16": "f16", "int32": "i32"}


@dataclass(frozen=True)
class PtxKernel:
    """PTX text and the launch description the Phalanx runtime reads."""

    ptx: str
    launch: dict


def build_id() -> str:
    return _capi.library().swr_build_id().decode()


def compile_ptx(spec: ScanSpec | str, *, chip: str = "sm_90a",
                strategy: str = "fma", time_chunk: int = 16) -> PtxKernel:
    """Compiles a spec to PTX through the swr passes and LLVM's NVPTX."""
    text = spec.mlir() if isinstance(spec, ScanSpec) else spec
    data = text.encode()
    options = _capi.CompileOptions(
        function=None, chip=chip.encode(), strategy=strategy.encode(),
        block_size=0, time_chunk=time_chunk if time_chunk > 0 else -1)
    ptx = ctypes.c_void_p()
    launch = ctypes.c_void_p()
    _capi.check(_capi.library().swr_compile_ptx(
        data, len(data), ctypes.byref(options), ctypes.byref(ptx),
        ctypes.byref(launch)), "compiling the spec", CompileError)
    return PtxKernel(_capi.take_string(ptx),
                     json.loads(_capi.take_string(launch)))


class HostKernel:
    """A spec compiled for the CPU; call it with numpy arrays, in the order
    of ScanSpec.operand_roles() (decay, input, output[, init][, final])."""

    def __init__(self, spec: ScanSpec, strategy: str = "matrix") -> None:
        for field in ("dtype_in", "dtype_out", "dtype_state"):
            if getattr(spec, field) == "bf16":
                raise ArgumentError(f"{field}: numpy has no bfloat16; the "
                                    "host kernel takes 'f32' or 'f16', got "
                                    "'bf16'")
        self.spec = spec
        data = spec.mlir().encode()
        handle = ctypes.c_void_p()
        _capi.check(_capi.library().swr_host_compile(
            data, len(data), None, strategy.encode(), ctypes.byref(handle)),
            "compiling the spec for the host", CompileError)
        self._handle = handle

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle:
            _capi.library().swr_host_destroy(handle)

    def _expected_dtype(self, role: str) -> str:
        if role in ("decay", "input"):
            return self.spec.dtype_in
        if role == "output":
            return self.spec.dtype_out
        if role == "seq_offsets":
            return "i32"
        return self.spec.dtype_state

    def __call__(self, *arrays) -> None:
        roles = self.spec.operand_roles()
        if len(arrays) != len(roles):
            raise ArgumentError(f"arrays: expected {len(roles)} "
                                f"({', '.join(roles)}), got {len(arrays)}")
        memrefs = (_capi.Memref * len(arrays))()
        for memref, role, array in zip(memrefs, roles, arrays):
            dtype = _NUMPY_DTYPES.get(str(getattr(array, "dtype", "")))
            if dtype != self._expected_dtype(role):
                raise ArgumentError(
                    f"{role}: expected dtype {self._expected_dtype(role)}, "
                    f"got {getattr(array, 'dtype', type(array).__name__)}")
            if role in ("output", "final") and not array.flags.writeable:
                raise ArgumentError(f"{role}: expected a writeable array")
            memref.data = array.ctypes.data
            memref.rank = array.ndim
            for d in range(array.ndim):
                memref.sizes[d] = array.shape[d]
                memref.strides[d] = array.strides[d] // array.itemsize
            if any(s % array.itemsize for s in array.strides):
                raise ArgumentError(f"{role}: strides must be whole elements")
        _capi.check(_capi.library().swr_host_invoke(
            self._handle, memrefs, len(arrays)), "running the host kernel")
