"""PyTorch adapter: swr scans as differentiable torch functions.

    import swr.torch as st
    y = st.scan(a, x, window="bands<2>")          # [B, H, D, L]
    y = st.btp(coeff, x, k=2)                      # spear.ops.btp's contract
    y.sum().backward()                             # the compiler's backward

The forward and the backward are kernels the swr compiler emits: the
backward is derived by the compiler (swr-derive-backward), not written by
hand. Tensors on the CPU run through the host JIT; CUDA tensors run the PTX
through the Phalanx runtime on PyTorch's current stream (compiled here, or
taken from the kernel cache where only libswr-runtime is available).
Kernels are compiled once per (window, layout, sharing, direction, dtypes,
static head dimension) and process; shapes are runtime values.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from typing import Optional

import torch

from . import backend
from .compiler import Buffer, HostKernel, compile_ptx
from .errors import ArgumentError, SwrError
from .spec import LAYOUTS, ScanSpec

_DTYPES = {torch.float32: "f32", torch.bfloat16: "bf16",
           torch.float16: "f16"}
_TORCH = {name: dtype for dtype, name in _DTYPES.items()}
_STRATEGY = "fma"


def _dtype_name(name: str, tensor: torch.Tensor) -> str:
    dtype = _DTYPES.get(tensor.dtype)
    if dtype is None:
        raise ArgumentError(f"{name}: expected dtype float32, bfloat16 or "
                            f"float16, got {tensor.dtype}")
    return dtype


def _buffer(tensor: torch.Tensor, dtype: str) -> Buffer:
    return Buffer(tensor.data_ptr(), tuple(tensor.shape),
                  tuple(tensor.stride()), dtype)


def _state_shape(x: torch.Tensor, layout: str,
                 cu_seqlens: Optional[torch.Tensor] = None) -> tuple[int, ...]:
    """[B, H, D] or [B, C]; [N, ...] for N packed sequences."""
    if layout == "bhdl":
        shape = tuple(x.shape[:3])
    elif layout == "bthd":
        shape = (x.shape[0], x.shape[2], x.shape[3])
    else:
        shape = tuple(x.shape[:2])
    if cu_seqlens is not None:
        shape = (cu_seqlens.shape[0] - 1,) + shape[1:]
    return shape


def _decay_shape(x: torch.Tensor, layout: str, per_head: bool
                 ) -> tuple[int, ...]:
    if not per_head:
        return tuple(x.shape)
    if layout == "bhdl":
        return tuple(x.shape[:2]) + (x.shape[3],)
    return tuple(x.shape[:3])  # bthd: [B, T, H]


def _check_shape(name: str, tensor: torch.Tensor,
                 expected: tuple[int, ...], what: str) -> None:
    if tuple(tensor.shape) != expected:
        raise ArgumentError(f"{name}: expected shape {list(expected)} "
                            f"({what}), got {list(tensor.shape)}")


def _spec_for(a: torch.Tensor, x: torch.Tensor, h0: Optional[torch.Tensor],
              window: str, layout: str, reverse: bool, final: bool,
              output_dtype: Optional[torch.dtype],
              cu_seqlens: Optional[torch.Tensor] = None) -> ScanSpec:
    """Validates the operands and returns the spec they call for."""
    if layout not in LAYOUTS:
        raise ArgumentError(f"layout: expected one of {sorted(LAYOUTS)}, "
                            f"got {layout!r}")
    rank = LAYOUTS[layout]
    if x.dim() != rank:
        raise ArgumentError(f"x: expected rank {rank} for layout {layout}, "
                            f"got shape {list(x.shape)}")
    per_head = layout != "bct" and a.dim() == 3
    _check_shape("a", a, _decay_shape(x, layout, per_head),
                 "per-head decays" if per_head else "one decay per element")
    if cu_seqlens is not None:
        if cu_seqlens.dim() != 1 or cu_seqlens.dtype != torch.int32:
            raise ArgumentError("cu_seqlens: expected a 1-D int32 tensor of "
                                "N + 1 offsets, got shape "
                                f"{list(cu_seqlens.shape)} {cu_seqlens.dtype}")
        if cu_seqlens.shape[0] < 1:
            raise ArgumentError("cu_seqlens: expected at least one offset "
                                "(N + 1 for N sequences), got none")
        if x.shape[0] != 1:
            raise ArgumentError("x: packed sequences (cu_seqlens) lie in "
                                f"batch 0; expected batch size 1, got "
                                f"{x.shape[0]}")
    for name, tensor in (("a", a), ("h0", h0), ("cu_seqlens", cu_seqlens)):
        if tensor is not None and tensor.device != x.device:
            raise ArgumentError(f"{name}: expected device {x.device} like "
                                f"x, got {tensor.device}")
    dtype_in = _dtype_name("x", x)
    if _dtype_name("a", a) != dtype_in:
        raise ArgumentError(f"a: expected dtype {x.dtype} like x, got "
                            f"{a.dtype}")
    dtype_state = "f32"
    if h0 is not None:
        _check_shape("h0", h0, _state_shape(x, layout, cu_seqlens),
                     "the state, per sequence when packed")
        dtype_state = _dtype_name("h0", h0)
    dtype_out = _DTYPES.get(output_dtype or x.dtype)
    if dtype_out is None:
        raise ArgumentError("output_dtype: expected float32, bfloat16 or "
                            f"float16, got {output_dtype}")
    head_dim, heads = None, None
    if layout == "bthd" and x.shape[2] > 0 and x.shape[3] > 0:
        # Token-major rows of a static H x D: the kernel's per-step
        # addresses are immediate offsets of one base, and it compiles in
        # 0.19-0.23 s instead of 0.31-0.39 s (bf16 full windows, per
        # channel or per head); one kernel per (H, D) a model uses.
        head_dim, heads = x.shape[3], x.shape[2]
    elif per_head:
        head_dim = x.shape[2] if layout == "bhdl" else x.shape[3]
    return ScanSpec(window=window, layout=layout,
                    sharing="per_head" if per_head else "per_channel",
                    reverse=reverse, init=h0 is not None, final=final,
                    dtype_in=dtype_in, dtype_out=dtype_out,
                    dtype_state=dtype_state, head_dim=head_dim,
                    heads=heads, packed=cu_seqlens is not None)


def _require_supported(x: torch.Tensor) -> None:
    if x.device.type not in ("cpu", "cuda"):
        raise SwrError(f"x: expected a CPU or CUDA tensor, got one on "
                       f"{x.device}")


# bands<k> windows over a time-innermost layout take a warp per channel
# sequence (time lanes) by default, which leaves most of the 132 SMs idle
# when the batch has few sequences. Measured on the H200, bands<2> bf16 at
# B·H·T = 8·128·8192 (docs/benchmarks.md, session 18): time lanes / time
# chunks 99.7 / 76.5% of copy with 131072 sequences (T = 1024), 77.8 /
# 73.5% with 2048 (T = 65536), 18.6 / 73.1% with 256 (T = 524288). Below
# this many channel sequences the forward takes time chunks (a thread per 2
# tiles, each re-reading k-1 tiles), which fill the GPU whatever the batch.
_BANDS_CHUNKS_BELOW = 2048


# A [B,T,H,D] full window of 2-byte elements with per-channel decays takes
# 64 channels per CTA by default (4 warps share the sequence, a lane takes 2
# channels, 32-step tiles: 255 registers, 2 CTAs per SM). When those CTAs are
# fewer than the SMs, some SMs idle: 2 time lanes per warp (16-step tiles)
# halve the channels per CTA and double the CTAs. Measured on the H200 at
# C1536 T16384 bf16 (docs/benchmarks.md, session 22), % of copy 64- /
# 32-channel CTAs: B4 (96 / 192 CTAs) 61.8 / 78.4%, B8 (192 / 384) 85.8 /
# 77.8%, B11 (264 / 528) 91.8 / 76.6%.
_HALF_WORD_LANES = {"time_lanes": 2, "time_warps": 4, "full_block": 16}
_CHANNELS_PER_CTA = 64

# With at least one CTA per SM, 16-step tiles (149 registers: 3 CTAs per SM)
# pay where they fill the last wave better than the default's 2 CTAs per SM
# (250 registers). Measured on the H200 (docs/benchmarks.md, session 23), %
# of copy default / 16-step tiles, with the prefetched tile read again from
# its registers: B8 T16384 (192 CTAs: 73 / 48% of the slots of the last
# wave) 88.4 / 82.9%, B11 T16384 (264: 100 / 67%) 94.3 / 93.8%, B16 T16384
# (384: 73 / 97%) 84.5 / 90.1%; before that, B22 T8192 (528: 100 / 67%)
# 92.4 / 85.3%.
_SHORT_TILES = {"full_block": 16}
_CTAS_PER_SM = 2
_SHORT_TILE_CTAS_PER_SM = 3

# A time-innermost full window of 2-byte elements with per-channel decays
# takes 32-step tiles on its 32 time lanes by default (164 registers, 3 CTAs
# of 4 warps per SM); short sequences walk few of those 1024-step
# iterations, and 16-step tiles (76 registers) pay there. Measured on the
# H200 at B8 C1536 bf16 by swr-run (docs/benchmarks.md, session 24), % of
# copy 32- / 16-step tiles: T4096 89.9 / 93.1%, T16384 97.3 / 95.9%, T65536
# 95.6 / 91.2%. At most this many steps take 16-step tiles.
_SHORT_SEQUENCE_STEPS = 4096


def _forward_options(spec: ScanSpec, x: torch.Tensor,
                     sms: Optional[int] = None) -> dict:
    """cached_kernel options for the forward of `spec` on input `x`: time
    chunks for bands<k> over a time-innermost layout with few channel
    sequences (_BANDS_CHUNKS_BELOW); 16-step tiles for a 2-byte full window
    over a time-innermost layout with short sequences
    (_SHORT_SEQUENCE_STEPS); for a 2-byte [B,T,H,D] full window,
    32-channel CTAs where the 64-channel ones would leave some of the
    device's `sms` idle (default: the SMs of x's CUDA device, else of the
    current one, else an H100 / H200's 132) and 16-step tiles where their
    3 CTAs per SM fill the last wave better; else the compiler's choice."""
    if (spec.window.startswith("bands") and spec.layout in ("bhdl", "bct")
            and not spec.final and not spec.packed
            and math.prod(x.shape[:-1]) < _BANDS_CHUNKS_BELOW):
        return {"time_lanes": 1}
    if _half_word_over_time(spec) and x.shape[-1] <= _SHORT_SEQUENCE_STEPS:
        return dict(_SHORT_TILES)
    ctas = _half_word_ctas(spec, x)
    if ctas is None:
        return {}
    sms = sms if sms is not None else _sm_count(x.device)
    if ctas < sms:
        return dict(_HALF_WORD_LANES)
    if (_last_wave_fill(ctas, _SHORT_TILE_CTAS_PER_SM * sms)
            > _last_wave_fill(ctas, _CTAS_PER_SM * sms)):
        return dict(_SHORT_TILES)
    return {}


def _half_word_full_window(spec: ScanSpec) -> bool:
    """Whether `spec` is an unpacked full window of 2-byte elements with
    per-channel decays (the kernels whose tiles the rules below choose)."""
    return (spec.window == "full" and spec.sharing == "per_channel"
            and spec.dtype_in != "f32" and not spec.packed)


def _half_word_over_time(spec: ScanSpec) -> bool:
    """Whether `spec` is such a window over a time-innermost layout (the
    compiler's 32-step tiles on time lanes)."""
    return _half_word_full_window(spec) and spec.layout in ("bct", "bhdl")


def _half_word_ctas(spec: ScanSpec, x: torch.Tensor) -> Optional[int]:
    """The default 64-channel CTAs of a 2-byte [B,T,H,D] full window with
    per-channel decays and more than 32 channels per head (else None: the
    other kernels keep the compiler's choice)."""
    if not (_half_word_full_window(spec) and spec.layout == "bthd"
            and not spec.reverse and x.dim() == 4):
        return None
    batch, _, heads, head_dim = x.shape
    if head_dim <= _CHANNELS_PER_CTA // 2:
        return None
    return batch * heads * -(-head_dim // _CHANNELS_PER_CTA)


def _last_wave_fill(ctas: int, slots: int) -> float:
    """The share of the slots that `ctas` CTAs fill over their waves."""
    waves = -(-ctas // slots)
    return ctas / (waves * slots)


@functools.lru_cache(maxsize=None)
def _device_sm_count(index: int) -> int:
    return torch.cuda.get_device_properties(index).multi_processor_count


def _sm_count(device: torch.device) -> int:
    """The SMs of `device` if it is a CUDA device, else of the current CUDA
    device (precompile on meta tensors), else 132 (an H100 / H200)."""
    if device.type == "cuda":
        return _device_sm_count(device.index if device.index is not None
                                else torch.cuda.current_device())
    if torch.cuda.is_available():
        return _device_sm_count(torch.cuda.current_device())
    return 132


def _cuda_kernel(spec: ScanSpec, backward: bool, device: int,
                 options: Optional[dict] = None):
    from .cuda import cached_kernel
    return cached_kernel(spec, device, backward, **(options or {}))


def _run(spec: ScanSpec, backward: bool, operands: dict,
         device: torch.device) -> None:
    """Runs the forward or backward kernel of `spec` on `operands` (by
    role): the host JIT for CPU tensors, the runtime on the current stream
    for CUDA tensors; or the backend $SWR_BACKEND forces, on copies."""
    target = backend.forced()
    if target == "host" and device.type == "cuda":
        return _run_on_copies(spec, backward, operands, torch.device("cpu"))
    if target == "cuda" and device.type != "cuda":
        if not torch.cuda.is_available():
            raise SwrError("SWR_BACKEND=cuda: torch sees no CUDA device")
        return _run_on_copies(spec, backward, operands,
                              torch.device("cuda"))
    if device.type == "cuda":
        index = device.index if device.index is not None else \
            torch.cuda.current_device()
        options = ({} if backward else
                   _forward_options(spec, operands["input"]))
        kernel = _cuda_kernel(spec, backward, index, options)
        kernel.launch([_buffer(operands[role], spec.dtype_of(role))
                       for role in kernel.params], _current_stream(index))
        return
    kernel = HostKernel.cached(spec, _STRATEGY, backward)
    kernel.invoke([_buffer(operands[role], spec.dtype_of(role))
                   for role in kernel.roles])


def _current_stream(device: int) -> int:
    """The handle of PyTorch's current stream on `device`: the raw getter
    (1 us) where this torch has it, else through a torch.cuda.Stream
    object (7 us)."""
    raw = getattr(torch._C, "_cuda_getCurrentRawStream", None)
    if raw is not None:
        return raw(device)
    return torch.cuda.current_stream(device).cuda_stream


def _run_on_copies(spec: ScanSpec, backward: bool, operands: dict,
                   device: torch.device) -> None:
    """_run on copies of `operands` on `device`; written ones copied back."""
    copies = {role: t.to(device) if isinstance(t, torch.Tensor) else t
              for role, t in operands.items()}
    _run(spec, backward, copies, device)
    for role, tensor in operands.items():
        if isinstance(tensor, torch.Tensor) and backend.writes(role,
                                                               backward):
            tensor.copy_(copies[role])


def _forward(spec: ScanSpec, a: torch.Tensor, x: torch.Tensor,
             h0: Optional[torch.Tensor], cu: Optional[torch.Tensor]):
    """Runs the compiled forward: (y, final state or an empty tensor)."""
    y = torch.empty(x.shape, dtype=_TORCH[spec.dtype_out], device=x.device)
    final = (torch.empty(_state_shape(x, spec.layout, cu),
                         dtype=_TORCH[spec.dtype_state], device=x.device)
             if spec.final else torch.empty(0, device=x.device))
    _run(spec, False, {"decay": a, "input": x, "output": y, "init": h0,
                       "seq_offsets": cu, "final": final}, x.device)
    return y, final


def _backward(spec: ScanSpec, a: torch.Tensor, x: torch.Tensor,
              h0: Optional[torch.Tensor], cu: Optional[torch.Tensor],
              y: Optional[torch.Tensor],
              grad_y: Optional[torch.Tensor],
              grad_final: Optional[torch.Tensor]):
    """Runs the derived backward: (da, dx, dh0 or None)."""
    grad_y = (torch.zeros(x.shape, dtype=_TORCH[spec.dtype_out],
                          device=x.device)
              if grad_y is None else
              grad_y.to(_TORCH[spec.dtype_out]).contiguous())
    operands = {"decay": a, "input": x, "init": h0, "seq_offsets": cu,
                "output": y, "grad_output": grad_y,
                "grad_input": torch.empty_like(x),
                "grad_decay": torch.empty_like(a)}
    if spec.final:
        operands["grad_final"] = (
            torch.zeros(_state_shape(x, spec.layout, cu),
                        dtype=_TORCH[spec.dtype_state], device=x.device)
            if grad_final is None or grad_final.numel() == 0 else
            grad_final.to(_TORCH[spec.dtype_state]).contiguous())
    if spec.init:
        operands["grad_init"] = torch.empty_like(h0)
    _run(spec, True, operands, x.device)
    return (operands["grad_decay"], operands["grad_input"],
            operands.get("grad_init"))


class _Scan(torch.autograd.Function):
    """y (and the final state) from a, x, h0; gradients from the derived
    backward kernel (torch without torch.library.custom_op)."""

    @staticmethod
    def forward(ctx, a, x, h0, cu, spec: ScanSpec):  # type: ignore[override]
        y, final = _forward(spec, a, x, h0, cu)
        ctx.spec = spec
        # An output no loss reaches (often the final state) gets None, not
        # a tensor of zeros filled for it (two launches); _backward reads
        # None as zeros.
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(a, x, h0, cu,
                              y if spec.window == "full" else None)
        return y, final

    @staticmethod
    def backward(ctx, grad_y, grad_final):  # type: ignore[override]
        spec: ScanSpec = ctx.spec
        a, x, h0, cu, y = ctx.saved_tensors
        da, dx, dh0 = _backward(spec, a, x, h0 if spec.init else None,
                                cu if spec.packed else None,
                                y if spec.window == "full" else None,
                                grad_y, grad_final)
        return da, dx, dh0, None, None


_DTYPE_NAMES = {None: "", torch.float32: "f32", torch.bfloat16: "bf16",
                torch.float16: "f16"}


def _define_custom_ops():
    """swr::scan and swr::scan_backward as torch.library custom ops (torch
    >= 2.4): opaque to torch.compile, with fake implementations for
    tracing (which also validate the operands) and autograd through the
    backward op. Returns the forward op, or None on older torch."""
    library = getattr(torch, "library", None)
    if library is None or not hasattr(library, "custom_op"):
        return None

    def spec_of(a, x, h0, cu, window, layout, reverse, final, out):
        return _spec_for(a, x, h0, window, layout, reverse, final,
                         _TORCH.get(out) if out else None, cu)

    @library.custom_op("swr::scan", mutates_args=())
    def scan_op(a: torch.Tensor, x: torch.Tensor, h0: Optional[torch.Tensor],
                cu: Optional[torch.Tensor], window: str, layout: str,
                reverse: bool, final: bool,
                out: str) -> tuple[torch.Tensor, torch.Tensor]:
        spec = spec_of(a, x, h0, cu, window, layout, reverse, final, out)
        return _forward(spec, a, x, h0, cu)

    @scan_op.register_fake
    def _(a, x, h0, cu, window, layout, reverse, final, out):
        spec = spec_of(a, x, h0, cu, window, layout, reverse, final, out)
        y = x.new_empty(x.shape, dtype=_TORCH[spec.dtype_out])
        state = (x.new_empty(_state_shape(x, layout, cu),
                             dtype=_TORCH[spec.dtype_state])
                 if final else x.new_empty(0))
        return y, state

    @library.custom_op("swr::scan_backward", mutates_args=())
    def backward_op(a: torch.Tensor, x: torch.Tensor,
                    h0: Optional[torch.Tensor], cu: Optional[torch.Tensor],
                    y: Optional[torch.Tensor],
                    grad_y: torch.Tensor, grad_final: torch.Tensor,
                    window: str, layout: str, reverse: bool, final: bool,
                    out: str) -> tuple[torch.Tensor, torch.Tensor,
                                       torch.Tensor]:
        spec = spec_of(a, x, h0, cu, window, layout, reverse, final, out)
        da, dx, dh0 = _backward(spec, a, x, h0, cu, y, grad_y, grad_final)
        return da, dx, dh0 if dh0 is not None else x.new_empty(0)

    @backward_op.register_fake
    def _(a, x, h0, cu, y, grad_y, grad_final, window, layout, reverse,
          final, out):
        return (torch.empty_like(a), torch.empty_like(x),
                torch.empty_like(h0) if h0 is not None else x.new_empty(0))

    def setup_context(ctx, inputs, output):
        a, x, h0, cu, window, layout, reverse, final, out = inputs
        ctx.args = (window, layout, reverse, final, out)
        ctx.has_h0 = h0 is not None
        ctx.save_for_backward(a, x, h0, cu, output[0] if window == "full"
                              else None)

    def backward(ctx, grad_y, grad_final):
        a, x, h0, cu, y = ctx.saved_tensors
        if grad_final is None:
            grad_final = x.new_empty(0)
        da, dx, dh0 = backward_op(a, x, h0, cu, y, grad_y.contiguous(),
                                  grad_final, *ctx.args)
        return (da, dx, dh0 if ctx.has_h0 else None, None, None, None, None,
                None, None)

    scan_op.register_autograd(backward, setup_context=setup_context)
    return scan_op


_SCAN_OP = _define_custom_ops()


def scan(a: torch.Tensor, x: torch.Tensor, *, window: str = "full",
         layout: str = "bhdl", reverse: bool = False,
         h0: Optional[torch.Tensor] = None, return_final: bool = False,
         output_dtype: Optional[torch.dtype] = None,
         cu_seqlens: Optional[torch.Tensor] = None):
    """h[t] = a[t] * h[t-1] + x[t] over `window` ("full", "bands<k>",
    "exact<W>"), differentiable in a, x and h0.

    x: [B, H, D, L] (bhdl), [B, T, H, D] (bthd) or [B, C, T] (bct).
    a: one decay per head ([B, H, L] or [B, T, H]) or per element (x's
    shape). h0: the initial state ([B, H, D] or [B, C]). Returns y (in
    `output_dtype`, default x's), and the final state with `return_final`.
    Accumulates in f32. Any length, including ones that are not multiples
    of 16. `cu_seqlens` (int32, N + 1 offsets) packs N variable-length
    sequences into batch 0: the recurrence restarts at each, no window
    reaches across, and h0 / the final state are per sequence ([N, ...]).
    """
    _require_supported(x)
    a, x = a.contiguous(), x.contiguous()
    h0 = None if h0 is None else h0.contiguous()
    cu = None if cu_seqlens is None else cu_seqlens.contiguous()
    if _SCAN_OP is not None and _compiling():
        if output_dtype not in _DTYPE_NAMES:
            raise ArgumentError("output_dtype: expected float32, bfloat16 "
                                f"or float16, got {output_dtype}")
        y, final = _SCAN_OP(a, x, h0, cu, window, layout, reverse,
                            return_final, _DTYPE_NAMES[output_dtype])
        return (y, final) if return_final else y
    # Eager: the custom op's dispatch costs ~24 us per call and the
    # autograd.Function's ~13 us more (measured on the H200 machine, torch
    # 2.11: 61.8 us per cached st.scan launch through the custom op), as
    # much as a whole kernel at small shapes; they are needed only for
    # tracing and for gradients.
    spec = _spec_for(a, x, h0, window, layout, reverse, return_final,
                     output_dtype, cu)
    if _needs_grad(a, x, h0):
        y, final = _Scan.apply(a, x, h0, cu, spec)
    else:
        y, final = _forward(spec, a, x, h0, cu)
    return (y, final) if return_final else y


def _needs_grad(*tensors: Optional[torch.Tensor]) -> bool:
    return torch.is_grad_enabled() and any(
        t is not None and t.requires_grad for t in tensors)


def precompile(a: torch.Tensor, x: torch.Tensor, *, window: str = "full",
               layout: str = "bhdl", reverse: bool = False,
               h0: Optional[torch.Tensor] = None, return_final: bool = False,
               output_dtype: Optional[torch.dtype] = None,
               cu_seqlens: Optional[torch.Tensor] = None,
               backward: bool = True) -> ScanSpec:
    """Compiles the PTX that `scan` with these operands would launch (the
    forward and, with `backward`, the derived backward) into the kernel
    cache, and returns the spec. Tensors may be on the `meta` device: only
    their shapes and dtypes count. Fills a cache for a machine that has
    only libswr-runtime."""
    spec = _spec_for(a, x, h0, window, layout, reverse, return_final,
                     output_dtype, cu_seqlens)
    compile_ptx(spec, **_forward_options(spec, x))
    if backward and spec.window.startswith(("full", "bands")):
        compile_ptx(spec, backward=True)
    return spec


def btp(coeff: torch.Tensor, x: torch.Tensor, k: int = 2,
        output_dtype: Optional[torch.dtype] = None) -> torch.Tensor:
    """spear.ops.btp.btp's contract: coeff [B, H, L], x [B, H, DH, L]; the
    sliding-window recurrence of k 16-token tiles; float32 output unless
    `output_dtype` says otherwise. Unlike spear, L need not be a multiple
    of 16."""
    if not isinstance(k, int) or k < 1:
        raise ArgumentError(f"k: expected an int >= 1, got {k!r}")
    if coeff.dim() != 3:
        raise ArgumentError("coeff: expected [B, H, L] (one decay per head "
                            f"and step), got shape {list(coeff.shape)}")
    return scan(coeff, x, window=f"bands<{k}>", layout="bhdl",
                output_dtype=output_dtype or torch.float32)


@dataclasses.dataclass
class ScanState:
    """What `scan_step` carries from one token to the next: for a window
    of k tiles, the k running sums that started at the last k tile starts
    (`sums[j]` started j tiles before the current one; the output is the
    oldest), in f32, and how many tokens were consumed. O(k) per channel,
    whatever the length."""

    sums: torch.Tensor
    position: int = 0


def _step_window(window: str) -> tuple[int, int, bool]:
    """(k, tile, resets) of a window a decode step supports."""
    if window == "full":
        return 1, 1, False
    match = re.fullmatch(r"bands<\s*(\d+)\s*(?:,\s*(\d+)\s*)?>", window)
    if not match or int(match.group(1)) < 1:
        raise ArgumentError("window: a decode step supports 'full' and "
                            f"'bands<k>' / 'bands<k, tile>', got {window!r} "
                            "(an exact<W> window needs its last W tokens)")
    return int(match.group(1)), int(match.group(2) or 16), True


def scan_step(a: torch.Tensor, x: torch.Tensor,
              state: Optional[ScanState] = None, *, window: str = "full",
              h0: Optional[torch.Tensor] = None
              ) -> tuple[torch.Tensor, ScanState]:
    """One token of `scan` for streaming decode: `x` is the token's inputs
    (any shape, e.g. [B, H, D]), `a` its decays (x's shape, or x's without
    the last axis: per head). Returns the token's output, as `scan` would
    give at this position of the sequence, and the state for the next
    token. The first call takes `state=None` and optionally `h0` (x's
    shape); later calls the returned state."""
    k, tile, resets = _step_window(window)
    if a.shape != x.shape:
        if a.shape != x.shape[:-1]:
            raise ArgumentError(f"a: expected shape {list(x.shape)} or "
                                f"{list(x.shape[:-1])} (per head), got "
                                f"{list(a.shape)}")
        a = a.unsqueeze(-1)
    if state is None:
        if h0 is not None and h0.shape != x.shape:
            raise ArgumentError(f"h0: expected shape {list(x.shape)}, got "
                                f"{list(h0.shape)}")
        # Before step 0 every sum has seen h0, the virtual tile -1.
        start = torch.zeros(x.shape, dtype=torch.float32, device=x.device) \
            if h0 is None else h0.float()
        state = ScanState(start.expand(k, *x.shape).clone(), 0)
    elif state.sums.shape[1:] != x.shape or state.sums.shape[0] != k:
        raise ArgumentError(f"state: expected sums of shape {[k, *x.shape]} "
                            f"for {window}, got {list(state.sums.shape)}")
    sums = state.sums
    if resets and state.position % tile == 0:
        # A new tile: every sum is one tile older, and a new one starts.
        sums = torch.cat([torch.zeros_like(sums[:1]), sums[:-1]])
    sums = a.float() * sums + x.float()
    return sums[-1].to(x.dtype), ScanState(sums, state.position + 1)


class Phalanx(torch.nn.Module):
    """The Phalanx layer with the seed's parametrisation (spear's
    `spear/nn/phalanx/swr.py`): for x [B, L, D], H = D / 16 heads of 16
    channels,

        a   = sigmoid(Linear_a(x))          D -> H, bias      (one decay per head)
        B   = sigmoid(Linear_b(x))          D -> kv_heads*16, bias, repeated to H
        C   =         Linear_c(x)           D -> kv_heads*16, bias, repeated to H
        V   =         Linear_v(x)           D -> H*16
        Y   = SWR_k(a, B * V) * C + V       bands<k> of 16-token tiles
        out = Linear_o(Y)                   D -> D

    The recurrence runs in the [B, T, H, 16] layout the projections produce
    (`bthd`, per-head decays [B, T, H]), so no transposes are made. Without
    gradients (inference, `torch.no_grad()`), the gates run fused into the
    scan kernel (`mixing`, an swr.jit function): it reads the projections
    once and writes Y once. With gradients, or under torch.compile, they
    are torch ops around the compiled scan's custom op (swr::scan) and its
    derived backward: on the H200 at B8 T8192 H128 bf16 that forward +
    backward takes 2.68 ms against 2.84 ms for the fused mixing with its
    compiler-derived fused backward (`mixing(k)` called on tensors that
    require grad: 0.51 forward + 2.49 backward; docs/benchmarks.md),
    so training takes the unfused form unless `fused_training=True` asks
    for the fused kernels (one kernel each way; not under torch.compile,
    which keeps the custom op).
    `length` is kept (rounded up to a multiple of 16) for the seed's
    signature; any sequence length works.
    """

    def __init__(self, dim: int, length: int = 2048, k: int = 2,
                 kv_heads: Optional[int] = None,
                 dtype: torch.dtype = torch.float32,
                 fused_training: bool = False) -> None:
        super().__init__()
        if dim % 16:
            raise ArgumentError(f"dim: expected a multiple of 16 (heads of "
                                f"16 channels), got {dim}")
        heads = dim // 16
        kv_heads = heads if kv_heads is None else kv_heads
        if kv_heads < 1 or heads % kv_heads:
            raise ArgumentError(f"kv_heads: expected a divisor of the "
                                f"{heads} heads, got {kv_heads}")
        if not isinstance(k, int) or k < 1:
            raise ArgumentError(f"k: expected an int >= 1, got {k!r}")
        self.dim, self.heads, self.kv_heads, self.k = dim, heads, kv_heads, k
        self.fused_training = bool(fused_training)
        self.length = -(-length // 16) * 16
        self.a_proj = torch.nn.Linear(dim, heads, bias=True, dtype=dtype)
        self.b_proj = torch.nn.Linear(dim, kv_heads * 16, bias=True,
                                      dtype=dtype)
        self.c_proj = torch.nn.Linear(dim, kv_heads * 16, bias=True,
                                      dtype=dtype)
        self.v_proj = torch.nn.Linear(dim, heads * 16, bias=False,
                                      dtype=dtype)
        self.o_proj = torch.nn.Linear(dim, dim, bias=False, dtype=dtype)

    def _per_head(self, t: torch.Tensor) -> torch.Tensor:
        """[B, L, kv_heads*16] -> [B, L, H, 16], kv group h * kv / H."""
        batch, length = t.shape[:2]
        t = t.view(batch, length, self.kv_heads, 16)
        if self.kv_heads == self.heads:
            return t
        return t.repeat_interleave(self.heads // self.kv_heads, dim=2)

    def step(self, x: torch.Tensor, state: Optional[ScanState] = None
             ) -> tuple[torch.Tensor, ScanState]:
        """Streaming decode: the layer's output for one token x [B, dim]
        at the next position, and the state for the token after it (k
        running sums per channel, however long the sequence; start with
        None). Equals `forward` on the whole sequence, token by token."""
        if x.dim() != 2 or x.shape[-1] != self.dim:
            raise ArgumentError(f"x: expected [B, {self.dim}] (one token), "
                                f"got shape {list(x.shape)}")
        token = x.unsqueeze(1)
        za = self.a_proj(x)                                     # [B, H]
        zb = self._per_head(self.b_proj(token))[:, 0]           # [B, H, 16]
        post = self._per_head(self.c_proj(token))[:, 0]
        value = self.v_proj(x).view(x.shape[0], self.heads, 16)
        y, state = scan_step(torch.sigmoid(za), torch.sigmoid(zb) * value,
                             state, window=f"bands<{self.k}>")
        out = y * post + value
        return self.o_proj(out.reshape(x.shape[0], self.dim)), state

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 3 or x.shape[-1] != self.dim:
            raise ArgumentError(f"x: expected [B, L, {self.dim}], got shape "
                                f"{list(x.shape)}")
        batch, length = x.shape[:2]
        za = self.a_proj(x)                                     # [B, L, H]
        zb = self._per_head(self.b_proj(x))                     # [B, L, H, 16]
        post = self._per_head(self.c_proj(x))
        value = self.v_proj(x).view(batch, length, self.heads, 16)
        if _compiling() or (_differentiating(x, self)
                            and not self.fused_training):
            mixed = scan(torch.sigmoid(za), torch.sigmoid(zb) * value,
                         window=f"bands<{self.k}>", layout="bthd")
            out = mixed * post + value
        else:
            out = mixing(self.k)(za, zb, value, post)
        return self.o_proj(out.reshape(batch, length, self.dim))


@functools.lru_cache(maxsize=None)
def mixing(k: int = 2):
    """The Phalanx mixing as one fused kernel (an swr.jit function of the
    [B, T, H, 16] projections and the [B, T, H] decay pre-activations):
    Y = SWR_k(sigmoid(za), sigmoid(zb) * v) * c + v. Four channels of a
    head and sixteen 16-step tiles per GPU thread: 0.347-0.361 ms against
    0.387-0.397 ms with the compiler's choice (two channels) and eight
    tiles at B8 T8192 H128 bf16 on the H200, 3.05-3.15x FlexAttention's
    sliding-window core (docs/benchmarks.md). Its derived backward keeps
    the compiler's choice (grad_channel_tile=0): with four channels per
    thread it ran 2.3x slower."""
    from . import dsl

    def phalanx_mixing(za, zb, v, c):
        a = dsl.sigmoid(za)
        y = dsl.scan(a, dsl.sigmoid(zb) * v, window=f"bands<{k}>")
        return y * c + v
    return dsl.jit(phalanx_mixing, layout="bthd", channel_tile=4,
                   time_chunk=16)


def _differentiating(x: torch.Tensor, module: torch.nn.Module) -> bool:
    return torch.is_grad_enabled() and (
        x.requires_grad or any(p.requires_grad for p in module.parameters()))


def _compiling() -> bool:
    """Whether torch.compile (dynamo) is tracing the caller: scan then
    hands it the custom op swr::scan, opaque to it, with its fake
    implementation."""
    compiler = getattr(torch, "compiler", None)
    return bool(compiler is not None and hasattr(compiler, "is_compiling")
                and compiler.is_compiling())


__all__ = ["Phalanx", "ScanState", "btp", "mixing", "precompile", "scan",
           "scan_step"]
