"""swr.jit: recurrence kernels written as Python functions.

    @swr.jit(layout="bthd")
    def mix(za, zb, v, c):                 # za: [B, T, H], the rest [B, T, H, D]
        a = swr.sigmoid(za)                # prologue: computes (a, x) ...
        x = swr.sigmoid(zb) * v
        y = swr.scan(a, x, window="bands<2>")
        return y * c + v                   # ... epilogue: the stored output

    out = mix(za, zb, v, c)                # one fused kernel: reads 4, writes 1

The function is traced once per argument signature (ranks, dtypes, output
dtype) on symbolic values into one `swr.scan` whose prologue and epilogue
regions hold the element-wise work; shapes stay runtime values, so one
compile serves every length. The same function runs unfused on concrete
arrays: `mix.reference(...)` in float64 numpy (the check), `mix.eager(...)`
on torch tensors (torch ops around the compiled scan). When a torch
argument requires grad, the call runs the fused forward (also saving the
state y when there is an epilogue) and its backward is the compiler-derived
fused backward (swr-derive-backward differentiates the regions); calls
with `out=` fall back to `eager`.

Element-wise operations: + - * / and unary -, Python numbers, and
`sigmoid`, `exp`, `log`, `log1p`, `expm1`, `tanh`, `abs`, `maximum`,
`minimum`, `softplus`, `cast` (round through bf16 or f16). GPU kernels
evaluate exp/log/tanh/... with MLIR's f32 polynomial approximations (a few
ulp), so they need no libdevice.
"""

from __future__ import annotations

import functools
import math
import struct
import threading
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

from . import autotune, backend, reference
from .dlpack import DLPackArray, adopt, is_foreign
from .compiler import (Buffer, HostKernel, check_channel_tile,
                       check_full_window_options,
                       check_time_lanes, compile_ptx)
from .errors import ArgumentError, SwrError
from .spec import DTYPES, LAYOUTS, ScanSpec

# ---------------------------------------------------------------------------
# Symbolic values
# ---------------------------------------------------------------------------


class Value:
    """A symbolic f32 tensor in a trace: an argument, a constant, the result
    of an element-wise op, or the scan's state y."""

    def __init__(self, trace: "_Trace", kind: str, *operands: "Value",
                 op: str = "", text: str = "", arg: int = -1) -> None:
        self.trace, self.kind, self.operands = trace, kind, operands
        self.op, self.text, self.arg = op, text, arg

    def _binary(self, other: Any, op: str, swap: bool = False) -> "Value":
        other = self.trace.lift(other)
        lhs, rhs = (other, self) if swap else (self, other)
        return Value(self.trace, "op", lhs, rhs, op=op)

    def __add__(self, other: Any) -> "Value":
        return self._binary(other, "arith.addf")

    def __radd__(self, other: Any) -> "Value":
        return self._binary(other, "arith.addf", swap=True)

    def __sub__(self, other: Any) -> "Value":
        return self._binary(other, "arith.subf")

    def __rsub__(self, other: Any) -> "Value":
        return self._binary(other, "arith.subf", swap=True)

    def __mul__(self, other: Any) -> "Value":
        return self._binary(other, "arith.mulf")

    def __rmul__(self, other: Any) -> "Value":
        return self._binary(other, "arith.mulf", swap=True)

    def __truediv__(self, other: Any) -> "Value":
        return self._binary(other, "arith.divf")

    def __rtruediv__(self, other: Any) -> "Value":
        return self._binary(other, "arith.divf", swap=True)

    def __neg__(self) -> "Value":
        return Value(self.trace, "op", self, op="arith.negf")

    def __bool__(self) -> bool:
        raise SwrError("a traced value has no truth value: swr.jit functions "
                       "are traced once, so Python control flow cannot "
                       "depend on tensor values")


@dataclass
class _ScanCall:
    a: Value
    x: Value
    window: str
    reverse: bool
    h0: Optional[Value]
    y: Value


class _Trace:
    def __init__(self) -> None:
        self.scan: Optional[_ScanCall] = None

    def lift(self, value: Any) -> Value:
        if isinstance(value, Value):
            if value.trace is not self:
                raise SwrError("a value from another trace was used")
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            bits = struct.pack(">f", float(value)).hex().upper()
            return Value(self, "const", text=f"0x{bits}")
        raise ArgumentError("operand: expected a traced tensor or a Python "
                            f"number, got {type(value).__name__}")


# ---------------------------------------------------------------------------
# Element-wise functions: symbolic, numpy or torch by their argument
# ---------------------------------------------------------------------------


def _is_torch(value: Any) -> bool:
    return type(value).__module__.startswith("torch")


def _unary(op: str, numpy_fn: Callable, torch_name: str) -> Callable:
    def apply(value: Any) -> Any:
        if isinstance(value, Value):
            return Value(value.trace, "op", value, op=op)
        if _is_torch(value):
            import torch
            return getattr(torch, torch_name)(value)
        return numpy_fn(np.asarray(value, dtype=np.float64)
                        if isinstance(value, (int, float)) else value)
    apply.__name__ = torch_name
    apply.__doc__ = f"Element-wise {torch_name} ({op} in the kernel)."
    return apply


exp = _unary("math.exp", np.exp, "exp")
log = _unary("math.log", np.log, "log")
log1p = _unary("math.log1p", np.log1p, "log1p")
expm1 = _unary("math.expm1", np.expm1, "expm1")
tanh = _unary("math.tanh", np.tanh, "tanh")
abs = _unary("math.absf", np.abs, "abs")  # noqa: A001 (mirrors torch.abs)


def _binary_function(op: str, numpy_fn: Callable, torch_name: str
                     ) -> Callable:
    def apply(lhs: Any, rhs: Any) -> Any:
        for value in (lhs, rhs):
            if isinstance(value, Value):
                trace = value.trace
                return Value(trace, "op", trace.lift(lhs), trace.lift(rhs),
                             op=op)
        if _is_torch(lhs) or _is_torch(rhs):
            import torch
            as_tensor = [v if _is_torch(v) else torch.tensor(v)
                         for v in (lhs, rhs)]
            return getattr(torch, torch_name)(*as_tensor)
        return numpy_fn(lhs, rhs)
    apply.__name__ = torch_name
    apply.__doc__ = f"Element-wise {torch_name} ({op} in the kernel)."
    return apply


maximum = _binary_function("arith.maximumf", np.maximum, "maximum")
minimum = _binary_function("arith.minimumf", np.minimum, "minimum")


def sigmoid(value: Any) -> Any:
    """1 / (1 + exp(-value))."""
    if _is_torch(value):
        import torch
        return torch.sigmoid(value)
    return 1.0 / (1.0 + exp(-value))


def softplus(value: Any) -> Any:
    """log(1 + exp(value)), computed as max(v, 0) + log1p(exp(-|v|))."""
    if _is_torch(value):
        import torch
        return torch.nn.functional.softplus(value)
    return maximum(value, 0.0) + log1p(exp(-abs(value)))


def cast(value: Any, dtype: str) -> Any:
    """Rounds `value` to "bf16", "f16" or "f32" (computation stays f32)."""
    if dtype not in DTYPES:
        raise ArgumentError(f"dtype: expected one of {DTYPES}, got {dtype!r}")
    if dtype == "f32":
        return value
    if isinstance(value, Value):
        return Value(value.trace, "cast", value, text=dtype)
    if _is_torch(value):
        import torch
        target = torch.bfloat16 if dtype == "bf16" else torch.float16
        return value.to(target).to(value.dtype)
    if dtype == "f16":
        return np.asarray(value).astype(np.float16).astype(np.float64)
    bits = np.asarray(value, dtype=np.float32).view(np.uint32)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return rounded.astype(np.uint32).view(np.float32).astype(np.float64)


_EAGER = threading.local()


def scan(a: Any, x: Any, *, window: str = "full", reverse: bool = False,
         h0: Any = None) -> Any:
    """h[t] = a[t] * h[t-1] + x[t] over `window` inside an swr.jit function
    (one per function); on concrete arrays, the unfused scan."""
    if isinstance(a, Value) or isinstance(x, Value):
        trace = (a if isinstance(a, Value) else x).trace
        if trace.scan is not None:
            raise SwrError("swr.scan: an swr.jit function holds one scan, "
                           "got a second")
        if not isinstance(a, Value) or not isinstance(x, Value):
            raise ArgumentError("swr.scan: a and x must both be traced "
                                "tensors (computed from arguments)")
        if h0 is not None and (not isinstance(h0, Value) or h0.kind != "arg"):
            raise ArgumentError("h0: expected an argument of the function "
                                "(the initial state), got a computed value")
        y = Value(trace, "y")
        trace.scan = _ScanCall(a, x, window, reverse, h0, y)
        return y
    layout = getattr(_EAGER, "layout", None)
    if layout is None:
        raise SwrError("swr.scan: call it inside an swr.jit function")
    if _is_torch(x):
        import torch
        if x.dtype == torch.float64:
            return _torch_reference_scan(a, x, window, layout, reverse, h0)
        from . import torch as st
        axis = {"bhdl": 2, "bthd": 3}.get(layout)
        if axis is not None and a.dim() == x.dim() and a.shape[axis] == 1 \
                and x.shape[axis] != 1:
            # A per-head decay in the broadcastable form `eager` passes.
            a = a.squeeze(axis)
        return st.scan(a, x, window=window, layout=layout, reverse=reverse,
                       h0=h0)
    return _numpy_scan(np.asarray(a, dtype=np.float64),
                       np.asarray(x, dtype=np.float64), window, layout,
                       reverse, h0)


def _numpy_scan(a: np.ndarray, x: np.ndarray, window: str, layout: str,
                reverse: bool, h0: Any) -> np.ndarray:
    """swr.reference.scan in `layout`: time moved last, decays broadcast."""
    time = {"bhdl": 3, "bthd": 1, "bct": 2}[layout]
    if a.ndim == x.ndim - 1:  # per-head decays
        a = np.expand_dims(a, 2 if layout == "bhdl" else 3)
    a = np.broadcast_to(a, x.shape)
    a_t, x_t = np.moveaxis(a, time, -1), np.moveaxis(x, time, -1)
    if reverse:
        a_t, x_t = a_t[..., ::-1], x_t[..., ::-1]
    h = None if h0 is None else np.asarray(h0, dtype=np.float64)
    y = reference.scan(a_t, x_t, window=window, h0=h)
    if reverse:
        y = y[..., ::-1]
    return np.moveaxis(y, -1, time)


def _torch_reference_scan(a: Any, x: Any, window: str, layout: str,
                          reverse: bool, h0: Any) -> Any:
    """_numpy_scan on float64 torch tensors, differentiable: `eager` on
    float64 tensors is the gradient reference of the fused backward."""
    time = {"bhdl": 3, "bthd": 1, "bct": 2}[layout]
    if a.dim() == x.dim() - 1:  # per-head decays
        a = a.unsqueeze(2 if layout == "bhdl" else 3)
    a_t = a.expand_as(x).movedim(time, -1)
    x_t = x.movedim(time, -1)
    if reverse:
        a_t, x_t = a_t.flip(-1), x_t.flip(-1)
    y = reference.scan_torch(a_t, x_t, window=window, h0=h0)
    if reverse:
        y = y.flip(-1)
    return y.movedim(-1, time)


# ---------------------------------------------------------------------------
# From a trace to a fused ScanSpec
# ---------------------------------------------------------------------------


def _arguments_of(value: Value, seen: Optional[set] = None) -> set[int]:
    """The function arguments `value` depends on (not through y)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return set()
    seen.add(id(value))
    if value.kind == "arg":
        return {value.arg}
    result: set[int] = set()
    for operand in value.operands:
        result |= _arguments_of(operand, seen)
    return result


class _RegionWriter:
    """Emits the ops `results` need as one region body of f32 scalars."""

    def __init__(self, arguments: dict[int, str], leading: list[str]) -> None:
        self.arguments = arguments  # function argument index -> block arg
        self.header = leading + [arguments[i] for i in sorted(
            arguments, key=lambda i: int(arguments[i][2:]))]
        self.lines: list[str] = []
        self.names: dict[int, str] = {}

    def name(self, value: Value) -> str:
        if id(value) in self.names:
            return self.names[id(value)]
        if value.kind == "arg":
            if value.arg not in self.arguments:
                raise ArgumentError(
                    f"argument #{value.arg} cannot be used here")
            return self.arguments[value.arg]
        if value.kind == "y":
            return "%sy"
        operands = [self.name(v) for v in value.operands]
        result = f"%v{len(self.lines)}"
        if value.kind == "const":
            self.lines.append(f"{result} = arith.constant {value.text} : f32")
        elif value.kind == "cast":
            rounded = f"%r{len(self.lines)}"
            self.lines.append(f"{rounded} = arith.truncf {operands[0]} : "
                              f"f32 to {value.text}")
            self.lines.append(f"{result} = arith.extf {rounded} : "
                              f"{value.text} to f32")
        else:
            self.lines.append(f"{result} = {value.op} {', '.join(operands)}"
                              " : f32")
        self.names[id(value)] = result
        return result

    def body(self, results: list[Value]) -> str:
        names = [self.name(v) for v in results]
        header = ", ".join(f"{arg}: f32" for arg in self.header)
        lines = [f"^bb0({header}):", *self.lines,
                 f"swr.yield {', '.join(names)} : "
                 f"{', '.join(['f32'] * len(names))}"]
        return "\n".join("        " + line for line in lines)


@dataclass(frozen=True)
class _Binding:
    """A traced function as a kernel: its spec and which argument (by
    index) feeds each kernel operand."""

    spec: ScanSpec
    decay: int
    input: int
    extras: tuple[int, ...]
    h0: Optional[int]


def _bind(fn: Callable, names: list[str], ranks: list[int],
          dtypes: list[str], layout: str, output_dtype: str,
          function: str, head_dim: Optional[int]) -> _Binding:
    trace = _Trace()
    arguments = [Value(trace, "arg", arg=i) for i in range(len(ranks))]
    result = fn(*arguments)
    call = trace.scan
    if call is None:
        raise SwrError(f"{function}: an swr.jit function must call swr.scan "
                       "once, it called it 0 times")
    if not isinstance(result, Value):
        raise SwrError(f"{function}: expected the function to return a "
                       f"traced tensor, got {type(result).__name__}")
    rank = LAYOUTS[layout]
    h0 = call.h0.arg if call.h0 is not None else None
    decay_args = _arguments_of(call.a)
    x_args = _arguments_of(call.x)
    out_args = _arguments_of(result)
    if not decay_args:
        raise SwrError("swr.scan: a must be computed from an argument of "
                       "the function, got constants only")
    per_head = ranks[min(decay_args)] == rank - 1
    if per_head:
        if len(decay_args) != 1:
            raise ArgumentError(
                "a: per-head decays must be computed from one [B, H, L] / "
                "[B, T, H] argument, got "
                + ", ".join(names[i] for i in sorted(decay_args)))
    elif any(ranks[i] != rank for i in decay_args):
        raise ArgumentError("a: computed from arguments of different ranks: "
                            + ", ".join(names[i] for i in sorted(decay_args)))
    decay = min(decay_args)
    used = decay_args | x_args | out_args
    for i, name in enumerate(names):
        if i == h0:
            continue
        if i not in used:
            raise ArgumentError(f"{name}: the argument is not used")
        if i != decay and ranks[i] != rank:
            raise ArgumentError(
                f"{name}: expected rank {rank} (the input's shape in layout "
                f"{layout}), got rank {ranks[i]}; only the argument a is "
                "computed from may have the per-head decay shape")
    inputs = [i for i in sorted(used) if i != decay and ranks[i] == rank]
    if not inputs:
        raise ArgumentError(f"arguments: expected at least one of rank {rank} "
                            f"(the input's shape in layout {layout})")
    dtype_in = dtypes[inputs[0]]
    for i in sorted(used):
        if dtypes[i] != dtype_in:
            raise ArgumentError(f"{names[i]}: expected dtype {dtype_in} like "
                                f"{names[inputs[0]]}, got {dtypes[i]}")
    block = {decay: "%s0", inputs[0]: "%s1"}
    for position, i in enumerate(inputs[1:]):
        block[i] = f"%s{position + 2}"
    raw = (call.a.kind == "arg" and call.a.arg == decay
           and call.x.kind == "arg" and call.x.arg == inputs[0])
    prologue = "" if raw else _RegionWriter(block, []).body([call.a, call.x])
    epilogue = "" if result is call.y else _RegionWriter(
        block, ["%sy"]).body([result])
    spec = ScanSpec(window=call.window, layout=layout,
                    sharing="per_head" if per_head else "per_channel",
                    reverse=call.reverse, init=h0 is not None,
                    dtype_in=dtype_in, dtype_out=output_dtype,
                    dtype_state=dtypes[h0] if h0 is not None else "f32",
                    function=function, head_dim=head_dim,
                    extra_inputs=len(inputs) - 1, prologue=prologue,
                    epilogue=epilogue)
    return _Binding(spec, decay, inputs[0], tuple(inputs[1:]), h0)


# ---------------------------------------------------------------------------
# Arrays
# ---------------------------------------------------------------------------

_NUMPY = {"float32": "f32", "float16": "f16"}
_TORCH = {"torch.float32": "f32", "torch.bfloat16": "bf16",
          "torch.float16": "f16"}
_CUPY = {"<f4": "f32", "<f2": "f16"}


def _array_kind(name: str, array: Any) -> str:
    if _is_torch(array):
        return "torch-cuda" if array.device.type == "cuda" else "torch-cpu"
    if isinstance(array, DLPackArray):
        return "dlpack-" + array.device
    if hasattr(array, "__cuda_array_interface__"):
        return "cupy"
    if isinstance(array, np.ndarray):
        return "numpy"
    raise ArgumentError(f"{name}: expected a numpy array, torch tensor, an "
                        "object with __cuda_array_interface__ or a DLPack "
                        f"array (__dlpack__), got {type(array).__name__}")


def _adopt_foreign(names: list[str], arrays: tuple) -> tuple:
    """Arrays of other frameworks as DLPack views (torch, numpy and CuPy
    are read directly)."""
    return tuple(
        adopt(a, n) if not (_is_torch(a) or isinstance(a, np.ndarray)
                            or hasattr(a, "__cuda_array_interface__"))
        and is_foreign(a) else a for n, a in zip(names, arrays))


def _compact(shape: tuple, strides: tuple) -> bool:
    """Whether `strides` (in elements) are row-major compact for `shape`
    (axes of size 1 may have any stride)."""
    step = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size != 1 and stride != step:
            return False
        step *= size
    return True


def _contiguous(name: str, array: Any) -> Any:
    """The array itself when its memory is row-major compact, else a
    compact copy (the kernels' memrefs have the identity layout). A DLPack
    array, which swr cannot copy, must already be compact."""
    if _is_torch(array):
        return array if array.is_contiguous() else array.contiguous()
    if isinstance(array, DLPackArray):
        if not _compact(array.shape, array.strides):
            raise ArgumentError(
                f"{name}: expected a row-major contiguous DLPack array, got "
                f"strides {list(array.strides)} for shape "
                f"{list(array.shape)} (copy it in its framework first)")
        return array
    if hasattr(array, "__cuda_array_interface__"):
        import cupy
        return cupy.ascontiguousarray(array)
    return np.ascontiguousarray(array)


def _dtype_of(name: str, array: Any) -> str:
    if isinstance(array, DLPackArray):
        return array.dtype
    if _is_torch(array):
        found = _TORCH.get(str(array.dtype))
    elif hasattr(array, "__cuda_array_interface__"):
        found = _CUPY.get(array.__cuda_array_interface__["typestr"])
    else:
        found = _NUMPY.get(str(array.dtype))
    if found is None:
        raise ArgumentError(f"{name}: expected dtype float32, float16 (or "
                            f"bfloat16 for torch), got {array.dtype}")
    return found


def _buffer(array: Any, dtype: str) -> Buffer:
    if _is_torch(array):  # inline: this runs on every launch
        return Buffer(array.data_ptr(), tuple(array.shape),
                      tuple(array.stride()), dtype)
    if isinstance(array, DLPackArray):
        return Buffer(array.data, array.shape, array.strides, dtype)
    if hasattr(array, "__cuda_array_interface__"):
        interface = array.__cuda_array_interface__
        item = 4 if dtype == "f32" else 2
        shape = tuple(interface["shape"])
        strides = interface.get("strides")
        if strides is None:
            strides, step = [], item
            for size in reversed(shape):
                strides.insert(0, step)
                step *= size
        return Buffer(interface["data"][0], shape,
                      tuple(s // item for s in strides), dtype)
    return Buffer(array.ctypes.data, tuple(array.shape),
                  tuple(s // array.itemsize for s in array.strides), dtype)


class JitFunction:
    """A traced recurrence kernel; see the module docstring."""

    def __init__(self, fn: Callable, layout: str,
                 output_dtype: Optional[str],
                 time_chunk: int | str = 2, time_lanes: int = 0,
                 channel_tile: int = 0, time_warps: int | str = 0,
                 full_block: int | str = 0, grid_carries: bool = False,
                 time_ctas: int | str = 0,
                 grad_channel_tile: int = 0) -> None:
        if layout not in LAYOUTS:
            raise ArgumentError(f"layout: expected one of {sorted(LAYOUTS)}, "
                                f"got {layout!r}")
        if output_dtype is not None and output_dtype not in DTYPES:
            raise ArgumentError(f"output_dtype: expected one of {DTYPES} or "
                                f"None, got {output_dtype!r}")
        self.fn, self.layout, self.output_dtype = fn, layout, output_dtype
        if time_chunk != "auto" and (not isinstance(time_chunk, int)
                                     or time_chunk < 0):
            raise ArgumentError("time_chunk: expected an int >= 0 (tiles "
                                "per GPU thread; 0: whole sequences) or "
                                f"'auto', got {time_chunk!r}")
        check_time_lanes(time_lanes)
        check_channel_tile(channel_tile)
        check_channel_tile(grad_channel_tile, "grad_channel_tile")
        # The derived backward's own channel tile: what pays in a forward
        # (4 channels per thread in the Phalanx mixing) can cost the
        # backward, whose kernels hold more per channel (2.3x slower there).
        self.grad_channel_tile = grad_channel_tile
        # "auto": the cluster size of full windows timed on the first CUDA
        # call per device and problem class (swr.autotune).
        self.auto_ctas = time_ctas == "auto"
        # The "auto" options' values chosen in this process (_tuned_choice).
        self._tuned: dict[tuple, Any] = {}
        if self.auto_ctas:
            if grid_carries:
                raise ArgumentError("time_ctas: expected 0 or 1 with "
                                    "grid_carries (both spread a sequence "
                                    "over CTAs), got 'auto'")
            time_ctas = 0
        # "auto" warps per CTA and steps per warp tile of full windows:
        # timed in pairs on the first CUDA forward call per device and
        # problem class (swr.autotune.choose_full_tiling).
        asked_warps, asked_block = time_warps, full_block
        time_warps = 0 if time_warps == "auto" else time_warps
        full_block = 0 if full_block == "auto" else full_block
        check_full_window_options(time_warps, full_block, grid_carries,
                                  time_ctas)
        self.full_tilings = autotune.full_tiling_candidates(
            asked_warps, asked_block) if "auto" in (asked_warps,
                                                    asked_block) else ()
        self.time_chunk = time_chunk
        # What compile_ptx takes besides the spec and the time chunk.
        self.compile_options = dict(
            time_lanes=time_lanes, channel_tile=channel_tile,
            time_warps=time_warps, full_block=full_block,
            grid_carries=grid_carries, time_ctas=time_ctas)
        code = getattr(fn, "__code__", None)
        self.names = list(code.co_varnames[:code.co_argcount]) if code \
            else []
        functools.update_wrapper(self, fn)

    def _names(self, count: int) -> list[str]:
        return [self.names[i] if i < len(self.names) else f"argument #{i}"
                for i in range(count)]

    def _per_head_broadcastable(self, arrays: list) -> list:
        """Per-head arguments (decay-shaped: one axis fewer than the input)
        with a size-1 channel axis, so that element-wise operations between
        them and channel values broadcast as in the kernel. The trace says
        which argument is h0 (also one axis fewer)."""
        axis = {"bhdl": 2, "bthd": 3}.get(self.layout)
        rank = LAYOUTS[self.layout]
        ranks = tuple(len(getattr(a, "shape", ())) for a in arrays)
        if axis is None or rank not in ranks or rank - 1 not in ranks:
            return arrays
        h0 = self._binding(ranks, ("f32",) * len(ranks), "f32", None).h0
        return [a[(slice(None),) * axis + (None,)]
                if r == rank - 1 and i != h0 else a
                for i, (a, r) in enumerate(zip(arrays, ranks))]

    @functools.lru_cache(maxsize=64)
    def _binding(self, ranks: tuple[int, ...], dtypes: tuple[str, ...],
                 output_dtype: str, head_dim: Optional[int]) -> _Binding:
        function = "".join(c if c.isalnum() or c == "_" else "_"
                           for c in getattr(self.fn, "__name__", "kernel"))
        return _bind(self.fn, self._names(len(ranks)), list(ranks),
                     list(dtypes), self.layout, output_dtype,
                     function or "kernel", head_dim)

    def bind(self, *arrays: Any, output_dtype: Optional[str] = None
             ) -> _Binding:
        """Traces the function for these arrays' ranks and dtypes (and the
        head dimension D of bhdl / bthd inputs, a constant of the kernel:
        static strides and index arithmetic)."""
        names = self._names(len(arrays))
        dtypes = tuple(_dtype_of(n, a) for n, a in zip(names, arrays))
        ranks = tuple(len(a.shape) for a in arrays)
        rank = LAYOUTS[self.layout]
        channel_axis = {"bhdl": 2, "bthd": 3}.get(self.layout)
        head_dims = {a.shape[channel_axis] for a, r in zip(arrays, ranks)
                     if channel_axis is not None and r == rank}
        head_dim = head_dims.pop() if len(head_dims) == 1 else None
        out = output_dtype or self.output_dtype
        if out is None:
            ranked = [d for d, r in zip(dtypes, ranks)
                      if r == LAYOUTS[self.layout]]
            out = ranked[0] if ranked else dtypes[0]
        return self._binding(ranks, dtypes, out, head_dim)

    def spec(self, *arrays: Any, output_dtype: Optional[str] = None
             ) -> ScanSpec:
        """The ScanSpec (with its fused regions) these arrays call for."""
        return self.bind(*arrays, output_dtype=output_dtype).spec

    def ir(self, *arrays: Any, stage: str = "swr",
           output_dtype: Optional[str] = None) -> str:
        """The kernel at `stage`: "swr" (the traced swr.scan) or "ptx".
        For the stages between, run `swr-opt` on the "swr" text with
        --swr-gpu-pipeline or --swr-host-pipeline."""
        spec = self.spec(*arrays, output_dtype=output_dtype)
        if stage == "swr":
            return spec.mlir()
        if stage == "ptx":
            return compile_ptx(spec, time_chunk=self._static_chunk(),
                               **self.compile_options).ptx
        raise ArgumentError(f"stage: expected 'swr' or 'ptx', got {stage!r}")

    def precompile(self, *arrays: Any, output_dtype: Optional[str] = None
                   ) -> ScanSpec:
        """Compiles the PTX a CUDA call with these arrays' ranks and dtypes
        would launch into the kernel cache (torch `meta` tensors will do),
        for a machine that has only libswr-runtime."""
        spec = self.spec(*arrays, output_dtype=output_dtype)
        chunks = autotune.CANDIDATES if self.time_chunk == "auto" else \
            (self.time_chunk,)
        for chunk in chunks:
            compile_ptx(spec, time_chunk=chunk, **self.compile_options)
        if self.auto_ctas and spec.window == "full":
            for ctas in autotune.CLUSTER_CANDIDATES:
                compile_ptx(spec, time_chunk=self._static_chunk(),
                            **{**self.compile_options, "time_ctas": ctas})
        if self.full_tilings and spec.window == "full":
            for warps, block in self.full_tilings:
                try:
                    compile_ptx(spec, time_chunk=self._static_chunk(),
                                **{**self.compile_options,
                                   "time_warps": warps, "full_block": block})
                except SwrError:  # the timing skips it the same way
                    pass
        return spec

    def _static_chunk(self) -> int:
        """The tiles per thread without timing: "auto" compiles as 2."""
        return 2 if self.time_chunk == "auto" else self.time_chunk

    def reference(self, *arrays: Any) -> np.ndarray:
        """The function on float64 numpy copies of `arrays`, unfused."""
        host = [np.asarray(_to_numpy(a), dtype=np.float64) for a in arrays]
        return self._eager(host)

    def eager(self, *arrays: Any) -> Any:
        """The function on the arrays themselves, unfused: torch ops around
        the compiled scan (differentiable), or numpy with the reference."""
        return self._eager(list(arrays))

    def _eager(self, arrays: list) -> Any:
        arrays = self._per_head_broadcastable(arrays)
        previous = getattr(_EAGER, "layout", None)
        _EAGER.layout = self.layout
        try:
            return self.fn(*arrays)
        finally:
            _EAGER.layout = previous

    def __call__(self, *arrays: Any, output_dtype: Optional[str] = None,
                 out: Any = None) -> Any:
        """Runs the fused kernel and returns its output (written to `out`
        when given: same shape as the input, dtype output_dtype)."""
        names = self._names(len(arrays))
        arrays = _adopt_foreign(names, arrays)
        if out is not None:
            (out,) = _adopt_foreign(["out"], (out,))
        kinds = {_array_kind(n, a) for n, a in zip(names, arrays)}
        if len(kinds) != 1:
            raise ArgumentError("arrays: expected all of one kind and "
                                f"device, got {sorted(kinds)}")
        kind = kinds.pop()
        arrays = tuple(_contiguous(n, a) for n, a in zip(names, arrays))
        binding = self.bind(*arrays, output_dtype=output_dtype)
        if kind.startswith("torch") and _needs_grad(arrays):
            if out is not None:
                return self.eager(*arrays)
            _check_shapes(binding, names, arrays)
            return _FusedScanFunction.apply(_Training(self, binding, kind),
                                            *arrays)
        spec = binding.spec
        _check_shapes(binding, names, arrays)
        x = arrays[binding.input]
        if kind == "dlpack-cuda" and out is None:
            raise ArgumentError(
                "out: DLPack CUDA arrays need out= (a DLPack CUDA array "
                f"of shape {list(x.shape)} and dtype {spec.dtype_out}): swr "
                "allocates no output arrays of its own")
        output = _empty_like(x, spec.dtype_out, kind) if out is None else out
        if out is not None:
            if _array_kind("out", out) != kind or \
                    tuple(out.shape) != tuple(x.shape) or \
                    _dtype_of("out", out) != spec.dtype_out:
                raise ArgumentError(
                    f"out: expected a {kind} array of shape {list(x.shape)} "
                    f"and dtype {spec.dtype_out}, got {_array_kind('out', out)}"
                    f" {list(out.shape)} {_dtype_of('out', out)}")
            if _contiguous("out", out) is not out:
                raise ArgumentError("out: expected a row-major contiguous "
                                    "array (the kernel writes it in place)")
        by_role = _primal_roles(binding, arrays)
        by_role["output"] = output
        if kind == "numpy" and spec.dtype_in == "bf16":
            raise ArgumentError("arrays: numpy has no bfloat16")
        self._run(spec, by_role, kind)
        return output

    def _run(self, spec: ScanSpec, by_role: dict[str, Any], kind: str,
             backward: bool = False) -> None:
        """Runs the kernel of `spec` (or its derived backward) on the
        arrays given by role, on the host or the arrays' CUDA device, or
        on copies for the backend $SWR_BACKEND forces."""
        target = backend.forced()
        if target is not None and (target == "host") != (
                kind in ("numpy", "torch-cpu", "dlpack-cpu")):
            return self._run_on_copies(spec, by_role, kind, backward, target)
        if kind in ("numpy", "torch-cpu", "dlpack-cpu"):
            kernel = HostKernel.cached(spec, "fma", backward)
            kernel.invoke([_buffer(by_role[r], spec.dtype_of(r))
                           for r in kernel.roles])
            return
        x = by_role["input"]
        device, stream = _device_and_stream(x, kind)

        from .cuda import cached_kernel

        def options_for(ctas: int, tiling: Optional[tuple[int, int]]
                        ) -> dict[str, Any]:
            options = dict(self.compile_options)
            if backward:
                options["channel_tile"] = self.grad_channel_tile
            if ctas:
                options["time_ctas"] = ctas
            if tiling:
                options["time_warps"], options["full_block"] = tiling
            return options

        def launch(chunk: int, ctas: int = 0,
                   tiling: Optional[tuple[int, int]] = None) -> None:
            kernel = cached_kernel(spec, device, backward, time_chunk=chunk,
                                   **options_for(ctas, tiling))
            kernel.launch([_buffer(by_role[r], spec.dtype_of(r))
                           for r in kernel.params], stream)
        chunk = self.time_chunk
        if chunk == "auto":  # timed with torch's or CuPy's events
            chunk = 2 if backward or kind == "dlpack-cuda" else \
                self._tuned_choice(
                    ("time_chunk", spec, device,
                     autotune.size_class(math.prod(x.shape))),
                    lambda: _autotuned_chunk(spec, x, kind, launch))
        tiling, ctas = None, 0
        if (self.full_tilings or self.auto_ctas) and spec.window == "full" \
                and not backward and kind != "dlpack-cuda":
            elements, sequences = _problem_size(spec, x)
            problem = (spec, device, autotune.size_class(elements),
                       autotune.size_class(sequences))
            if self.full_tilings:
                tiling = self._tuned_choice(
                    ("full_tiling", *problem),
                    lambda: _autotuned_full_tiling(
                        spec, x, kind, lambda pair: launch(chunk, 0, pair),
                        self.full_tilings,
                        lambda pair: compile_ptx(
                            spec, backward=backward, time_chunk=chunk,
                            **options_for(0, pair)).ptx))
            if self.auto_ctas:
                ctas = self._tuned_choice(
                    ("time_ctas", *problem),
                    lambda: _autotuned_clusters(
                        spec, x, kind,
                        lambda size: launch(chunk, size, tiling)))
        launch(chunk, ctas, tiling)

    def _tuned_choice(self, key: tuple, choose: Callable[[], Any]) -> Any:
        """The value of an "auto" option for `key` (the option, spec,
        device index and size classes): chosen once per process (timed,
        or read from the kernel cache, by `choose`), then from memory, so
        later launches skip the device name, the spec's text and the
        cache's hashing."""
        choice = self._tuned.get(key)
        if choice is None:
            choice = self._tuned[key] = choose()
        return choice


    def _run_on_copies(self, spec: ScanSpec, by_role: dict[str, Any],
                       kind: str, backward: bool, target: str) -> None:
        """`_run` on copies of torch or CuPy arrays on the other side
        (SWR_BACKEND); the written ones are copied back."""
        if kind.startswith("torch"):
            import torch
            if target == "cuda" and not torch.cuda.is_available():
                raise SwrError("SWR_BACKEND=cuda: torch sees no CUDA device")
            device = "cuda" if target == "cuda" else "cpu"
            copies = {r: a.to(device) for r, a in by_role.items()}
            self._run(spec, copies, "torch-" + device, backward)
            for role, array in by_role.items():
                if backend.writes(role, backward):
                    array.copy_(copies[role])
            return
        if kind == "cupy" and target == "host":
            copies = {r: a.get() for r, a in by_role.items()}
            self._run(spec, copies, "numpy", backward)
            for role, array in by_role.items():
                if backend.writes(role, backward):
                    array.set(copies[role])
            return
        raise ArgumentError(f"SWR_BACKEND={target}: {kind} arrays cannot be "
                            "moved there (torch tensors and CuPy arrays, to "
                            "the host, can)")


def _primal_roles(binding: _Binding, arrays: tuple | list
                  ) -> dict[str, Any]:
    """The function's arguments by the kernel role they feed."""
    by_role = {"decay": arrays[binding.decay],
               "input": arrays[binding.input]}
    for role, i in zip(binding.spec.extra_roles(), binding.extras):
        by_role[role] = arrays[i]
    if binding.h0 is not None:
        by_role["init"] = arrays[binding.h0]
    return by_role


@dataclass
class _Training:
    """One differentiable call of a JitFunction on torch tensors."""

    function: "JitFunction"
    binding: _Binding
    kind: str

    def forward(self, arrays: tuple) -> tuple[Any, Any]:
        """The output, and what the backward reads of the forward (its
        state y: the output itself, or the saved state behind an epilogue,
        or None)."""
        import torch
        spec = self.binding.spec.training()
        by_role = _primal_roles(self.binding, arrays)
        x = by_role["input"]
        output = _empty_like(x, spec.dtype_out, self.kind)
        by_role["output"] = output
        if spec.save_state:
            by_role["state"] = _empty_like(x, spec.dtype_out, self.kind)
        with torch.no_grad():
            self.function._run(spec, by_role, self.kind)
        state = by_role.get("state")
        if state is None and spec.window == "full":
            state = output
        return output, state

    def backward(self, arrays: tuple, state: Any, grad_output: Any
                 ) -> list[Any]:
        """The gradients of `arrays` (None for arguments that feed no
        kernel operand) from that of the output."""
        import torch
        spec = self.binding.spec.training()
        by_role = _primal_roles(self.binding, arrays)
        if state is not None:
            by_role["state" if spec.epilogue else "output"] = state
        by_role["grad_output"] = grad_output.to(
            _torch_dtype(spec.dtype_out)).contiguous()
        _allocate_gradients(spec, by_role, lambda primal: torch.empty_like(
            primal, memory_format=torch.contiguous_format))
        self.function._run(spec, by_role, self.kind, backward=True)
        return _argument_gradients(self.binding, by_role, len(arrays))


def _allocate_gradients(spec: ScanSpec, by_role: dict[str, Any],
                        like: Callable[[Any], Any]) -> None:
    """Adds to `by_role` a buffer for every gradient the backward of
    `spec` writes, `like(primal)`."""
    for role in spec.backward_roles():
        if backend.writes(role, backward=True):
            by_role[role] = like(by_role[role.removeprefix("grad_")])


def _argument_gradients(binding: _Binding, by_role: dict[str, Any],
                        count: int) -> list[Any]:
    """The gradients in `by_role` in the order of the function's `count`
    arguments (None for one that feeds no kernel operand)."""
    roles = {binding.decay: "grad_decay", binding.input: "grad_input"}
    for role, i in zip(binding.spec.extra_roles(), binding.extras):
        roles[i] = "grad_" + role
    if binding.h0 is not None:
        roles[binding.h0] = "grad_init"
    return [by_role.get(roles.get(i, "")) for i in range(count)]


def _fused_scan_function() -> Any:
    import torch

    class FusedScan(torch.autograd.Function):
        """A fused swr.jit kernel with the compiler-derived backward."""

        @staticmethod
        def forward(ctx: Any, training: _Training, *arrays: Any) -> Any:
            output, state = training.forward(arrays)
            ctx.training = training
            ctx.has_state = state is not None
            ctx.save_for_backward(*arrays, *([state] if ctx.has_state
                                             else []))
            return output

        @staticmethod
        def backward(ctx: Any, grad_output: Any) -> Any:
            saved = ctx.saved_tensors
            arrays = saved[:-1] if ctx.has_state else saved
            state = saved[-1] if ctx.has_state else None
            gradients = ctx.training.backward(arrays, state, grad_output)
            return (None, *[g if a.requires_grad else None
                            for g, a in zip(gradients, arrays)])
    return FusedScan


class _LazyFunction:
    """Builds the autograd.Function on first use (the core imports no
    torch)."""

    _function: Any = None

    def apply(self, *args: Any) -> Any:
        if _LazyFunction._function is None:
            _LazyFunction._function = _fused_scan_function()
        return _LazyFunction._function.apply(*args)


_FusedScanFunction = _LazyFunction()


def _to_numpy(array: Any) -> Any:
    if _is_torch(array):
        return array.detach().float().cpu().numpy()
    if hasattr(array, "get") and hasattr(array, "__cuda_array_interface__"):
        return array.get()
    return array


def _needs_grad(arrays: tuple) -> bool:
    import torch
    return torch.is_grad_enabled() and any(a.requires_grad for a in arrays)


def _check_shapes(binding: _Binding, names: list[str], arrays: tuple) -> None:
    spec = binding.spec
    x = arrays[binding.input]
    shape = tuple(x.shape)
    for i in binding.extras:
        if tuple(arrays[i].shape) != shape:
            raise ArgumentError(f"{names[i]}: expected shape {list(shape)} "
                                f"like {names[binding.input]}, got "
                                f"{list(arrays[i].shape)}")
    if spec.sharing == "per_head":
        decay = shape[:2] + shape[3:] if spec.layout == "bhdl" else shape[:3]
        what = "per-head decays"
    else:
        decay, what = shape, "one decay per element"
    if tuple(arrays[binding.decay].shape) != decay:
        raise ArgumentError(f"{names[binding.decay]}: expected shape "
                            f"{list(decay)} ({what}), got "
                            f"{list(arrays[binding.decay].shape)}")
    if binding.h0 is not None:
        state = {"bhdl": shape[:3], "bthd": (shape[0],) + shape[2:],
                 "bct": shape[:2]}[spec.layout]
        if tuple(arrays[binding.h0].shape) != state:
            raise ArgumentError(f"{names[binding.h0]}: expected shape "
                                f"{list(state)} (the state), got "
                                f"{list(arrays[binding.h0].shape)}")
    if math.prod(shape) == 0:
        raise ArgumentError(f"{names[binding.input]}: expected a non-empty "
                            f"tensor, got shape {list(shape)}")


def _torch_dtype(dtype: str) -> Any:
    from .torch import _TORCH
    return _TORCH[dtype]


def _empty_like(x: Any, dtype: str, kind: str) -> Any:
    if kind.startswith("torch"):
        import torch
        return torch.empty(x.shape, dtype=_torch_dtype(dtype),
                           device=x.device)
    if kind == "cupy":
        import cupy
        if dtype == "bf16":
            raise ArgumentError("output_dtype: CuPy has no bfloat16")
        return cupy.empty(x.shape, dtype="float32" if dtype == "f32"
                          else "float16")
    if dtype == "bf16":
        raise ArgumentError("output_dtype: numpy has no bfloat16")
    return np.empty(x.shape, dtype=np.float32 if dtype == "f32"
                    else np.float16)


def _device_and_stream(x: Any, kind: str) -> tuple[int, int]:
    if kind == "dlpack-cuda":  # the stream __dlpack__ was asked for
        return x.device_id, 0
    if kind == "torch-cuda":
        import torch
        index = x.device.index if x.device.index is not None else \
            torch.cuda.current_device()
        return index, torch.cuda.current_stream(index).cuda_stream
    import cupy
    return x.device.id, cupy.cuda.get_current_stream().ptr


def _autotuned_chunk(spec: ScanSpec, x: Any, kind: str,
                     launch: Callable[[int], None]) -> int:
    """Tiles per thread for `spec` at x's size on x's device, timed with
    the framework's CUDA events on its current stream (time chunks only
    matter for bands<k> windows)."""
    if not spec.window.startswith("bands"):
        return 2
    device_name, time_ms = _launch_timer(x, kind, launch)
    return autotune.choose(spec, device_name, math.prod(x.shape),
                           _build_id(), time_ms)


def _autotuned_clusters(spec: ScanSpec, x: Any, kind: str,
                        launch: Callable[[int], None]) -> int:
    """The cluster size of the full window `spec` for x's shape on x's
    device, timed like _autotuned_chunk; the class of the sequence count
    (the elements over the length) keys the choice besides the size."""
    device_name, time_ms = _launch_timer(x, kind, launch)
    elements, sequences = _problem_size(spec, x)
    return autotune.choose_clusters(spec, device_name, elements, sequences,
                                    _build_id(), time_ms)


def _autotuned_full_tiling(spec: ScanSpec, x: Any, kind: str,
                           launch: Callable[[tuple[int, int]], None],
                           candidates: tuple[tuple[int, int], ...],
                           ptx_of: Optional[Callable[[tuple[int, int]],
                                                     str]] = None
                           ) -> tuple[int, int]:
    """The (time_warps, full_block) pair of `candidates` for the full
    window `spec` at x's shape on x's device, timed like
    _autotuned_clusters; a pair the compiler refuses times as infinity,
    pairs of the same PTX (`ptx_of`) are timed once."""
    device_name, time_ms = _launch_timer(x, kind, launch)

    def time_or_refused(pair: tuple[int, int]) -> float:
        try:
            return time_ms(pair)
        except SwrError:
            return math.inf

    def kernel_of(pair: tuple[int, int]) -> Any:
        try:
            return ptx_of(pair) if ptx_of else pair
        except SwrError:
            return pair  # refused: timed (as infinity) on its own
    elements, sequences = _problem_size(spec, x)
    return autotune.choose_full_tiling(spec, device_name, elements,
                                       sequences, _build_id(),
                                       time_or_refused, candidates,
                                       kernel_of)


def _problem_size(spec: ScanSpec, x: Any) -> tuple[int, int]:
    """The input's elements and sequences (the elements over the length:
    batch x channels)."""
    time_axis = 1 if spec.layout == "bthd" else len(x.shape) - 1
    elements = math.prod(x.shape)
    return elements, elements // max(1, x.shape[time_axis])


def _launch_timer(x: Any, kind: str, launch: Callable[[int], None]
                  ) -> tuple[str, Callable[[int], float]]:
    """x's device name and a function timing `launch(value)` with the
    framework's CUDA events on its current stream: the median of three
    launches after one that compiles, loads and warms up."""
    if kind == "torch-cuda":
        import torch
        device_name = torch.cuda.get_device_name(x.device)
        event = functools.partial(torch.cuda.Event, enable_timing=True)
    else:
        import cupy
        device_name = cupy.cuda.runtime.getDeviceProperties(
            x.device.id)["name"].decode()
        event = cupy.cuda.Event

    def time_ms(value: int) -> float:
        launch(value)  # compile, load, warm up
        samples = []
        for _ in range(3):
            start, end = event(), event()
            start.record()
            launch(value)
            end.record()
            end.synchronize()
            samples.append(_elapsed_ms(start, end, kind))
        return sorted(samples)[1]
    return device_name, time_ms


def _elapsed_ms(start: Any, end: Any, kind: str) -> float:
    if kind == "torch-cuda":
        return start.elapsed_time(end)
    import cupy
    return cupy.cuda.get_elapsed_time(start, end)


def _build_id() -> str:
    from .compiler import _cache_build_id
    return _cache_build_id()


def jit(fn: Optional[Callable] = None, *, layout: str = "bhdl",
        output_dtype: Optional[str] = None,
        time_chunk: int | str = 2, time_lanes: int = 0,
        channel_tile: int = 0, time_warps: int | str = 0,
        full_block: int | str = 0, grid_carries: bool = False,
        time_ctas: int | str = 0, grad_channel_tile: int = 0) -> Any:
    """Decorates a recurrence kernel written in Python; see the module
    docstring. `layout` names the axes of the arguments ("bhdl", "bthd",
    "bct"); `output_dtype` defaults to the input's; `time_chunk` is the
    number of 16-step tiles a GPU thread owns (bands<k> windows), or
    "auto": timed on the first CUDA call per device and size class, the
    choice kept in the kernel cache (swr.autotune); `time_lanes` the lanes
    of a warp that share a sequence's tiles (0: the compiler's choice; 1: a
    thread per sequence; 2..32: that many, bands<k> on any layout too);
    `channel_tile` the channels of a head one GPU thread solves together
    (0: the compiler's choice); for full windows `time_warps`, `full_block`
    `grid_carries` and `time_ctas` as in swr.compile_ptx, `time_ctas` also
    "auto": the cluster size timed on the first CUDA forward call per
    device and problem class (1, 2, 4 or 8 CTAs; clusters pay off for few
    long sequences), the choice kept in the kernel cache; `time_warps`
    and `full_block` also "auto": the pair timed the same way over the
    compiler's choice and 2, 4, 8 warps of 16 or 32 steps (the option not
    "auto" keeps its value), cluster sizes then timed with that pair;
    `grad_channel_tile` the channels per thread of the derived backward's
    kernels (0: the compiler's choice; `channel_tile` is the forward's)."""
    options = dict(time_chunk=time_chunk, time_lanes=time_lanes,
                   channel_tile=channel_tile, time_warps=time_warps,
                   full_block=full_block, grid_carries=grid_carries,
                   time_ctas=time_ctas, grad_channel_tile=grad_channel_tile)
    if fn is None:
        return lambda f: JitFunction(f, layout, output_dtype, **options)
    return JitFunction(fn, layout, output_dtype, **options)
