"""Launching compiled kernels on CUDA devices through the Phalanx runtime.

The runtime (libswr or libswr-runtime) loads the CUDA driver itself, uses
the device's primary context (the one PyTorch and CuPy use) and enqueues on
the caller's stream without synchronising.
"""

from __future__ import annotations

import ctypes
import functools
import json
import struct

from . import _capi
from .compiler import Buffer, PtxKernel, compile_ptx
from .errors import SwrError


@functools.lru_cache(maxsize=None)
def _init_device(device: int) -> None:
    _capi.check(_capi.library().swr_runtime_init(device),
                f"initialising CUDA device {device}")


_MEMREF = struct.Struct("<Qqi4x%dq%dq" % (_capi.MAX_RANK, _capi.MAX_RANK))
_ZEROS = (0,) * _capi.MAX_RANK
assert _MEMREF.size == ctypes.sizeof(_capi.Memref), "swr_memref layout"


@functools.lru_cache(maxsize=256)
def _descriptors(buffers: tuple[Buffer, ...]) -> ctypes.Array:
    """The swr_memref array for `buffers`, packed in one pass (2 us for five
    operands instead of 5 us field by field) and remembered: a training
    loop launches on the same tensors again and again, and a hit costs a
    hash. The C side only reads it, so kernels shared between threads may
    launch with one array at once."""
    packed = b"".join(
        _MEMREF.pack(b.data, 0, len(b.shape), *b.shape,
                     *_ZEROS[len(b.shape):], *b.strides,
                     *_ZEROS[len(b.shape):]) for b in buffers)
    return (_capi.Memref * len(buffers)).from_buffer_copy(packed)


class CudaKernel:
    """A PTX kernel loaded on one device; `launch` takes one Buffer (device
    address, shape, strides in elements) per launch-description param."""

    def __init__(self, kernel: PtxKernel, device: int = 0) -> None:
        _init_device(device)
        self.params = [p["name"] for p in kernel.launch["params"]]
        ptx = kernel.ptx.encode()
        launch = json.dumps(kernel.launch).encode()
        handle = ctypes.c_void_p()
        _capi.check(_capi.library().swr_kernel_load(
            ptx, len(ptx), launch, len(launch), ctypes.byref(handle)),
            f"loading kernel {kernel.launch.get('entry', '?')}")
        self._handle = handle
        self._launch = _capi.library().swr_kernel_launch

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        # At interpreter shutdown the module globals may already be gone;
        # the driver then releases everything anyway.
        if handle and _capi is not None and _capi.library is not None:
            _capi.library().swr_kernel_destroy(handle)

    def launch(self, buffers: list[Buffer], stream: int = 0) -> None:
        if len(buffers) != len(self.params):
            raise SwrError(f"arrays: expected {len(self.params)} "
                           f"({', '.join(self.params)}), got {len(buffers)}")
        memrefs = _descriptors(tuple(buffers))
        status = self._launch(self._handle, memrefs, len(buffers),
                              stream or None)
        if status:
            _capi.check(status, "launching the kernel")


@functools.lru_cache(maxsize=None)
def cached_kernel(spec, device: int, backward: bool = False,
                  time_chunk: int = 2, time_lanes: int = 0,
                  channel_tile: int = 0, time_warps: int = 0,
                  full_block: int = 0,
                  grid_carries: bool = False,
                  time_ctas: int = 0) -> CudaKernel:
    """The kernel of a ScanSpec (or of its derived backward) compiled (or
    taken from the kernel cache) and loaded once per device and options
    (those of compile_ptx)."""
    return CudaKernel(compile_ptx(spec, backward=backward,
                                  time_chunk=time_chunk,
                                  time_lanes=time_lanes,
                                  channel_tile=channel_tile,
                                  time_warps=time_warps,
                                  full_block=full_block,
                                  grid_carries=grid_carries,
                                  time_ctas=time_ctas), device)
