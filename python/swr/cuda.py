"""Launching compiled kernels on CUDA devices through the Phalanx runtime.

The runtime (libswr or libswr-runtime) loads the CUDA driver itself, uses
the device's primary context (the one PyTorch and CuPy use) and enqueues on
the caller's stream without synchronising.
"""

from __future__ import annotations

import ctypes
import functools
import json

from . import _capi
from .compiler import Buffer, PtxKernel
from .errors import SwrError


@functools.lru_cache(maxsize=None)
def _init_device(device: int) -> None:
    _capi.check(_capi.library().swr_runtime_init(device),
                f"initialising CUDA device {device}")


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
        # A fresh array per launch: kernels are shared (cached per spec), so
        # two threads may launch one at once.
        memrefs = (_capi.Memref * len(buffers))()
        for memref, buffer in zip(memrefs, buffers):
            rank = len(buffer.shape)
            memref.data = buffer.data
            memref.rank = rank
            memref.sizes[:rank] = buffer.shape
            memref.strides[:rank] = buffer.strides
        status = self._launch(self._handle, memrefs, len(buffers),
                              stream or None)
        if status:
            _capi.check(status, "launching the kernel")
