"""Compiling specs: PTX + launch description for GPUs, host kernels for CPUs."""

from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import pathlib
import tempfile
from dataclasses import dataclass

from . import _capi, backend, cache
from .errors import ArgumentError, CompileError
from .spec import ScanSpec

_NUMPY_DTYPES = {"float32": "f32", "float16": "f16", "int32": "i32"}


@dataclass(frozen=True)
class PtxKernel:
    """PTX text and the launch description the Phalanx runtime reads."""

    ptx: str
    launch: dict


def build_id() -> str:
    """The compiler's build id; with the runtime-only library, that of the
    compiler that filled the kernel cache."""
    if _capi.has_compiler():
        return _capi.library().swr_build_id().decode()
    return _cache_build_id()


def _cache_build_id() -> str:
    """What cache keys record of the compiler: its build id and the
    library's fingerprint (a rebuild invalidates entries), or, with the
    runtime-only library, what the compiler that filled the cache
    recorded."""
    if _capi.has_compiler():
        return f"{build_id()} lib {_capi.fingerprint()}"
    recorded = cache.recorded_build_id()
    if recorded is None:
        raise CompileError(
            "the loaded library is runtime-only (libswr-runtime) and the "
            f"kernel cache {cache.cache_dir()} holds no compiled kernels")
    return recorded


def _check_compile(status: int, what: str, text: str, pipeline: str) -> None:
    """Raises CompileError with libswr's diagnostics and a one-line command
    that reproduces the failure on the spec (saved to a temporary file)."""
    if status == 0:
        return
    message = _capi.library().swr_last_error().decode(errors="replace")
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    path = pathlib.Path(tempfile.gettempdir()) / f"swr-spec-{digest}.mlir"
    try:
        path.write_text(text)
        reproduce = f"\nreproduce: swr-opt {path} {pipeline}"
    except OSError:
        reproduce = ""
    raise CompileError(f"{what}: {message}{reproduce}")


def derive_backward(spec: ScanSpec | str) -> str:
    """The spec with the compiler-derived backward of each scan function
    added (@<name>_backward, an swr.scan_grad), as MLIR text."""
    text = spec.mlir() if isinstance(spec, ScanSpec) else spec
    data = text.encode()
    out = ctypes.c_void_p()
    _check_compile(_capi.library().swr_derive_backward(
        data, len(data), ctypes.byref(out)), "deriving the backward", text,
        "--swr-derive-backward")
    return _capi.take_string(out)


STRATEGIES = ("fma", "mma", "wmma", "matrix")


def check_strategy(strategy: object) -> None:
    """Raises ArgumentError unless `strategy` names a local-solve strategy
    of GPU kernels."""
    if strategy not in STRATEGIES:
        raise ArgumentError(f"strategy: expected one of {STRATEGIES}, got "
                            f"{strategy!r}")


def check_time_lanes(time_lanes: object) -> None:
    """Raises ArgumentError unless `time_lanes` is 0 (the compiler's
    choice) or a power of 2 in [1, 32]."""
    if time_lanes not in (0, 1, 2, 4, 8, 16, 32):
        raise ArgumentError("time_lanes: expected 0 (the compiler's choice) "
                            f"or a power of 2 in [1, 32], got {time_lanes!r}")


def check_channel_tile(channel_tile: object,
                       name: str = "channel_tile") -> None:
    """Raises ArgumentError (naming the argument `name`) unless
    `channel_tile` is 0 (the compiler's choice) or an int in [1, 64]."""
    if not isinstance(channel_tile, int) or isinstance(channel_tile, bool) \
            or not 0 <= channel_tile <= 64:
        raise ArgumentError(f"{name}: expected 0 (the compiler's "
                            "choice) or an int in [1, 64], got "
                            f"{channel_tile!r}")


def check_full_window_options(time_warps: object, full_block: object,
                              grid_carries: object,
                              time_ctas: object = 0) -> None:
    """Raises ArgumentError unless `time_warps` is 0 or an int in [1, 32],
    `full_block` 0 or an int in [1, 256], `grid_carries` a bool and
    `time_ctas` 0 or an int in [1, 16], above 1 only without grid
    carries."""
    def is_int(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)
    if not is_int(time_warps) or not 0 <= time_warps <= 32:
        raise ArgumentError("time_warps: expected 0 (the compiler's choice) "
                            f"or an int in [1, 32], got {time_warps!r}")
    if not is_int(full_block) or not 0 <= full_block <= 256:
        raise ArgumentError("full_block: expected 0 (the compiler's choice) "
                            f"or an int in [1, 256], got {full_block!r}")
    if not isinstance(grid_carries, bool):
        raise ArgumentError("grid_carries: expected a bool, got "
                            f"{grid_carries!r}")
    if not is_int(time_ctas) or not 0 <= time_ctas <= 16:
        raise ArgumentError("time_ctas: expected 0 (the compiler's choice) "
                            f"or an int in [1, 16], got {time_ctas!r}")
    if grid_carries and time_ctas > 1:
        raise ArgumentError(f"time_ctas: expected 0 or 1 with grid_carries "
                            f"(both spread a sequence over CTAs), got "
                            f"{time_ctas!r}")


def compile_ptx(spec: ScanSpec | str, *, chip: str = "sm_90a",
                strategy: str = "fma", time_chunk: int = 2,
                grad_time_chunk: int = 16, time_lanes: int = 0,
                channel_tile: int = 0, time_warps: int = 0,
                full_block: int = 0, grid_carries: bool = False,
                time_ctas: int = 0, backward: bool = False) -> PtxKernel:
    """Compiles a spec (or its derived backward) to PTX through the swr
    passes and LLVM's NVPTX; cached in this process and on disk.
    `strategy`: how tiles are solved, "fma" (the recurrence on CUDA
    cores), "mma" (mma.sync on tensor cores where the lanes of a warp hold
    one head's channels, i.e. per-head full windows over token-major
    layouts; elsewhere as fma), "wmma" (the same with wmma) or "matrix"
    (outer products). `time_lanes`: lanes of a warp sharing a sequence's
    tiles (0: the compiler's choice; 1: a thread per sequence; 2..32 for
    bands over any layout too); `channel_tile`: channels of a head one thread solves
    together when they share a decay (0: the compiler's choice). Full
    windows: `time_warps`, the warps of a CTA sharing a sequence (0: the
    compiler's choice); `full_block`, time steps per tile (0: the
    compiler's choice); `grid_carries`, each iteration of a sequence's
    tiles its own work item, the carries through a global workspace that
    the launch allocates (measured slower than the default on the H200:
    docs/benchmarks.md); `time_ctas`, the CTAs of a thread-block cluster
    sharing a sequence, their carries through distributed shared memory
    (0: the compiler's choice, one CTA; for small batches of long
    sequences)."""
    check_strategy(strategy)
    check_time_lanes(time_lanes)
    check_channel_tile(channel_tile)
    check_full_window_options(time_warps, full_block, grid_carries,
                              time_ctas)
    text = spec.mlir() if isinstance(spec, ScanSpec) else spec
    function = None
    if backward:
        if not isinstance(spec, ScanSpec):
            raise ArgumentError("backward: needs a ScanSpec (to name the "
                                "function), got MLIR text")
        function = spec.backward_function
    entry_key = cache.key(kind="ptx", spec=text, function=function,
                          backward=backward, build=_cache_build_id(),
                          chip=chip,
                          strategy=strategy, time_chunk=time_chunk,
                          grad_time_chunk=grad_time_chunk,
                          time_lanes=time_lanes, channel_tile=channel_tile,
                          **_full_window_key(time_warps, full_block,
                                             grid_carries, time_ctas))
    entry = cache.load(entry_key)
    if entry is None:
        if not _capi.has_compiler():
            raise CompileError(
                "the loaded library is runtime-only (libswr-runtime) and "
                f"the kernel cache {cache.cache_dir()} has no entry for "
                f"{'the backward of ' if backward else ''}this spec; compile "
                "it where libswr is built (scripts/gpu-python-cache.py)")
        source = derive_backward(text) if backward else text
        entry = _compile_ptx_text(source, function, chip, strategy,
                                  time_chunk, grad_time_chunk, time_lanes,
                                  channel_tile, time_warps, full_block,
                                  grid_carries, time_ctas)
        cache.store(entry_key, entry)
        cache.record_build_id(_cache_build_id())
    return PtxKernel(entry["ptx"], entry["launch"])


def _full_window_key(time_warps: int, full_block: int,
                     grid_carries: bool, time_ctas: int = 0) -> dict:
    """The full-window options in a cache key, only where they differ from
    the defaults (so the keys of existing entries stay valid)."""
    given = {"time_warps": time_warps, "full_block": full_block,
             "grid_carries": grid_carries, "time_ctas": time_ctas}
    return {name: value for name, value in given.items() if value}


def _compile_ptx_text(text: str, function: str | None, chip: str,
                      strategy: str, time_chunk: int,
                      grad_time_chunk: int, time_lanes: int,
                      channel_tile: int, time_warps: int = 0,
                      full_block: int = 0,
                      grid_carries: bool = False,
                      time_ctas: int = 0) -> dict:
    data = text.encode()
    options = _capi.CompileOptions(
        function=function.encode() if function else None, chip=chip.encode(),
        strategy=strategy.encode(), block_size=0,
        time_chunk=time_chunk if time_chunk > 0 else -1,
        grad_time_chunk=grad_time_chunk if grad_time_chunk > 0 else -1,
        time_lanes=time_lanes, channel_tile=channel_tile,
        time_warps=time_warps, full_block=full_block,
        grid_carries=int(grid_carries), time_ctas=time_ctas)
    ptx = ctypes.c_void_p()
    launch = ctypes.c_void_p()
    _check_compile(_capi.library().swr_compile_ptx(
        data, len(data), ctypes.byref(options), ctypes.byref(ptx),
        ctypes.byref(launch)), "compiling the spec", text,
        "--swr-gpu-pipeline")
    return {"ptx": _capi.take_string(ptx),
            "launch": json.loads(_capi.take_string(launch))}


@dataclass(frozen=True)
class Buffer:
    """One kernel operand in host memory: its address, shape and strides
    (in elements) and element type ("f32", "bf16", "f16", "i32")."""

    data: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    dtype: str


def _check_static_sizes(role: str, shape, static) -> None:
    """Refuses an operand whose sizes differ from the static ones its
    kernel was compiled for (the addressing bakes them in)."""
    if len(shape) != len(static):
        return  # the rank check names it
    for d, (size, want) in enumerate(zip(shape, static)):
        if want is not None and size != want:
            raise ArgumentError(
                f"{role}: dimension {d} is {size}, but the kernel was "
                f"compiled for {want} (shape {list(shape)})")


class HostKernel:
    """A spec (or its derived backward) compiled for the CPU. Call it with
    numpy arrays in the order of `roles`: ScanSpec.operand_roles(), or
    ScanSpec.backward_roles() with backward=True; or pass Buffers to
    `invoke` (what the torch adapter does)."""

    def __init__(self, spec: ScanSpec, strategy: str = "matrix",
                 backward: bool = False) -> None:
        self.spec = spec
        self.backward = backward
        self.roles = spec.backward_roles() if backward else \
            spec.operand_roles()
        text = derive_backward(spec) if backward else spec.mlir()
        function = spec.backward_function if backward else spec.function
        data = text.encode()
        handle = ctypes.c_void_p()
        _check_compile(_capi.library().swr_host_compile(
            data, len(data), function.encode(), strategy.encode(),
            ctypes.byref(handle)),
            "compiling the spec for the host", text, "--swr-host-pipeline")
        self._handle = handle

    @classmethod
    @functools.lru_cache(maxsize=256)
    def cached(cls, spec: ScanSpec, strategy: str = "matrix",
               backward: bool = False) -> "HostKernel":
        """One compiled kernel per (spec, strategy, direction) per process."""
        return cls(spec, strategy, backward)

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle:
            _capi.library().swr_host_destroy(handle)

    def writes(self, role: str) -> bool:
        return backend.writes(role, self.backward)

    def invoke(self, buffers: list[Buffer]) -> None:
        """Runs the kernel on `buffers`, one per role, after checking their
        count and element types."""
        if len(buffers) != len(self.roles):
            raise ArgumentError(
                f"arrays: expected {len(self.roles)} "
                f"({', '.join(self.roles)}), got {len(buffers)}")
        memrefs = (_capi.Memref * len(buffers))()
        for memref, role, buffer in zip(memrefs, self.roles, buffers):
            expected = self.spec.dtype_of(role)
            if buffer.dtype != expected:
                raise ArgumentError(f"{role}: expected dtype {expected}, "
                                    f"got {buffer.dtype}")
            _check_static_sizes(role, buffer.shape,
                                self.spec.static_sizes(role))
            memref.data = buffer.data
            memref.rank = len(buffer.shape)
            for d, (size, stride) in enumerate(zip(buffer.shape,
                                                   buffer.strides)):
                memref.sizes[d] = size
                memref.strides[d] = stride
        _capi.check(_capi.library().swr_host_invoke(
            self._handle, memrefs, len(buffers)), "running the host kernel")

    def __call__(self, *arrays) -> None:
        if len(arrays) != len(self.roles):
            raise ArgumentError(
                f"arrays: expected {len(self.roles)} "
                f"({', '.join(self.roles)}), got {len(arrays)}")
        buffers = []
        for role, array in zip(self.roles, arrays):
            dtype = _NUMPY_DTYPES.get(str(getattr(array, "dtype", "")))
            expected = self.spec.dtype_of(role)
            if expected == "bf16":
                raise ArgumentError(f"{role}: numpy has no bfloat16; pass "
                                    "'f32' or 'f16' arrays (or torch "
                                    "tensors through swr.torch)")
            if dtype != expected:
                raise ArgumentError(
                    f"{role}: expected dtype {expected}, got "
                    f"{getattr(array, 'dtype', type(array).__name__)}")
            if self.writes(role) and not array.flags.writeable:
                raise ArgumentError(f"{role}: expected a writeable array")
            if any(s % array.itemsize for s in array.strides):
                raise ArgumentError(f"{role}: strides must be whole elements")
            if not array.flags.c_contiguous:
                raise ArgumentError(
                    f"{role}: expected a row-major contiguous array (the "
                    "kernel's memrefs have the identity layout), got strides "
                    f"{list(array.strides)} for shape {list(array.shape)}; "
                    "pass np.ascontiguousarray(...)")
            buffers.append(Buffer(
                array.ctypes.data, tuple(array.shape),
                tuple(s // array.itemsize for s in array.strides), dtype))
        self.invoke(buffers)
