"""Arrays from any framework through the DLPack protocol (`__dlpack__`).

`adopt(obj)` turns an object with `__dlpack__` / `__dlpack_device__` (JAX,
TensorFlow, PaddlePaddle, numpy, ...) into a `DLPackArray`: the address,
shape, strides and element type of its memory, with the capsule kept alive
as long as the view. Read with ctypes from the capsule's DLTensor; no
compiled extension.
"""

from __future__ import annotations

import ctypes
from typing import Any

from .errors import ArgumentError

_CPU, _CUDA = 1, 2
_FLOAT, _BFLOAT = 2, 4
_DTYPES = {(_FLOAT, 32): "f32", (_FLOAT, 16): "f16", (_BFLOAT, 16): "bf16"}
_ITEM_BYTES = {"f32": 4, "f16": 2, "bf16": 2}


class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32),
                ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8),
                ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    """The head of DLManagedTensor (DLPack 0.x capsules named "dltensor")."""

    _fields_ = [("data", ctypes.c_void_p), ("device", _DLDevice),
                ("ndim", ctypes.c_int32), ("dtype", _DLDataType),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)),
                ("byte_offset", ctypes.c_uint64)]


_get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_get_pointer.restype = ctypes.c_void_p
_get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


class DLPackArray:
    """A view of a DLPack producer's memory: `data` (address of element 0),
    `shape`, `strides` (in elements), `dtype` ("f32", "f16", "bf16") and
    `device` ("cpu" or "cuda", with `device_id`)."""

    def __init__(self, producer: Any, name: str) -> None:
        device_type, device_id = producer.__dlpack_device__()
        if device_type not in (_CPU, _CUDA):
            raise ArgumentError(f"{name}: expected a DLPack array on the CPU "
                                f"(1) or a CUDA device (2), got device type "
                                f"{device_type}")
        # Stream 1: the legacy default stream, where swr launches for such
        # arrays; the producer orders its pending work before it.
        self._capsule = producer.__dlpack__() if device_type == _CPU else \
            producer.__dlpack__(stream=1)
        self._producer = producer
        tensor = _DLTensor.from_address(
            _get_pointer(self._capsule, b"dltensor"))
        key = (tensor.dtype.code, tensor.dtype.bits)
        if key not in _DTYPES or tensor.dtype.lanes != 1:
            raise ArgumentError(
                f"{name}: expected DLPack dtype float32, float16 or bfloat16, "
                f"got code {tensor.dtype.code} bits {tensor.dtype.bits} "
                f"lanes {tensor.dtype.lanes}")
        self.dtype = _DTYPES[key]
        item = _ITEM_BYTES[self.dtype]
        if tensor.byte_offset % item:
            raise ArgumentError(f"{name}: the DLPack byte offset "
                                f"{tensor.byte_offset} is not a whole "
                                "number of elements")
        self.shape = tuple(tensor.shape[i] for i in range(tensor.ndim))
        if tensor.strides:
            self.strides = tuple(tensor.strides[i]
                                 for i in range(tensor.ndim))
        else:  # NULL strides: compact row-major
            strides, step = [], 1
            for size in reversed(self.shape):
                strides.insert(0, step)
                step *= size
            self.strides = tuple(strides)
        self.data = (tensor.data or 0) + tensor.byte_offset
        self.device = "cpu" if device_type == _CPU else "cuda"
        self.device_id = device_id


def is_foreign(obj: Any) -> bool:
    """Whether `obj` speaks DLPack (checked after torch, numpy and CuPy,
    which swr reads directly)."""
    return hasattr(obj, "__dlpack__") and hasattr(obj, "__dlpack_device__")


def adopt(obj: Any, name: str) -> DLPackArray:
    return obj if isinstance(obj, DLPackArray) else DLPackArray(obj, name)
