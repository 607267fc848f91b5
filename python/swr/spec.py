"""ScanSpec: the explicit description of a swr.scan kernel, as MLIR text."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import ArgumentError

LAYOUTS = {"bhdl": 4, "bthd": 4, "bct": 3}
DTYPES = ("f32", "bf16", "f16")


def _check_static_size(name: str, value) -> None:
    """A static dimension of a spec: a positive int."""
    if not isinstance(value, int) or value < 1:
        raise ArgumentError(f"{name}: expected a positive int or None, got "
                            f"{value!r}")


@dataclass(frozen=True)
class ScanSpec:
    """h[t] = a[t] * h[t-1] + x[t] over a window; shapes stay runtime values.

    window: "full", "bands<k>", "bands<k, tile>" or "exact<W>".
    layout: "bhdl" ([B,H,D,L]), "bthd" ([B,T,H,D]) or "bct" ([B,C,T]).
    sharing: "per_head" (not for bct) or "per_channel".
    packed: variable-length sequences packed into batch 0, delimited by an
    i32 offsets argument (cu_seqlens).
    head_dim: a static head dimension D (bhdl, bthd), or None to leave it a
    runtime value. A backward with per-head decays sums its decay gradient
    over a head, which GPU kernels spread over lanes only when D is static.
    heads: a static head count H (bthd, with head_dim), or None: a token's
    H·D elements are then a static stride, so the kernel's per-step
    addresses are immediate offsets of one base (one instruction per access
    instead of three on the H200) and it compiles faster; the kernel then
    accepts only that H and D (the launch checks them).
    extra_inputs: more input-shaped operands (in dtype_in) for the fused
    regions. prologue / epilogue: the bodies of swr.scan's fused regions
    (MLIR text starting with their block header `^bb0(...)`), which compute
    (a, x) from (decay, input, extras...) and the output from
    (y, decay, input, extras...); see `swr.jit` for writing them in Python.
    save_state: the kernel also stores the state y before the epilogue
    (role "state", dtype_out): what the backward through an epilogue reads;
    `training()` turns it on where needed.
    """

    window: str = "full"
    layout: str = "bhdl"
    sharing: str = "per_head"
    reverse: bool = False
    init: bool = False
    final: bool = False
    packed: bool = False
    dtype_in: str = "f32"
    dtype_out: str = "f32"
    dtype_state: str = "f32"
    function: str = "kernel"
    head_dim: int | None = None
    heads: int | None = None
    extra_inputs: int = 0
    prologue: str = ""
    epilogue: str = ""
    save_state: bool = False

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ArgumentError(f"layout: expected one of {sorted(LAYOUTS)}, "
                                f"got {self.layout!r}")
        if self.sharing not in ("per_head", "per_channel"):
            raise ArgumentError("sharing: expected 'per_head' or "
                                f"'per_channel', got {self.sharing!r}")
        if self.layout == "bct" and self.sharing == "per_head":
            raise ArgumentError("sharing: layout 'bct' has no head axis; "
                                "expected 'per_channel', got 'per_head'")
        if self.head_dim is not None:
            if self.layout == "bct":
                raise ArgumentError("head_dim: layout 'bct' has no head "
                                    "axis; expected None, got "
                                    f"{self.head_dim!r}")
            _check_static_size("head_dim", self.head_dim)
        if self.heads is not None:
            if self.layout != "bthd":
                raise ArgumentError("heads: a static head count is for "
                                    "layout 'bthd'; expected None, got "
                                    f"{self.heads!r}")
            _check_static_size("heads", self.heads)
            if self.head_dim is None:
                raise ArgumentError("heads: a static head count needs a "
                                    "static head_dim; expected head_dim set, "
                                    "got None")
        if not isinstance(self.extra_inputs, int) or not \
                0 <= self.extra_inputs <= 16:
            raise ArgumentError("extra_inputs: expected an int in [0, 16], "
                                f"got {self.extra_inputs!r}")
        if self.save_state and not self.epilogue:
            raise ArgumentError("save_state: without an epilogue the output "
                                "is the state; expected False, got True")
        for field in ("dtype_in", "dtype_out", "dtype_state"):
            value = getattr(self, field)
            if value not in DTYPES:
                raise ArgumentError(f"{field}: expected one of {DTYPES}, "
                                    f"got {value!r}")

    @property
    def rank(self) -> int:
        return LAYOUTS[self.layout]

    def _sizes(self, rank: int, channel_axis: int = -1,
               head_axis: int = -1) -> list[int | None]:
        """An operand's static sizes (None: dynamic)."""
        sizes: list[int | None] = [None] * rank
        if self.head_dim is not None and channel_axis >= 0:
            sizes[channel_axis] = self.head_dim
        if self.heads is not None and head_axis >= 0:
            sizes[head_axis] = self.heads
        return sizes

    def _operand_sizes(self) -> dict[str, list[int | None]]:
        """The static sizes of every operand kind: decay "a", input-shaped
        "x", output-shaped "y" and state "s"."""
        per_head = self.sharing == "per_head"
        c = self._channel_axis
        h = 2 if self.layout == "bthd" else -1  # the head axis of [B,T,H,D]
        x = self._sizes(self.rank, c, h)
        return {
            "a": self._sizes(3, -1, h) if per_head else x,
            "x": x,
            "y": x,
            "s": self._sizes(self.rank - 1, 2 if c >= 0 else -1,
                             h - 1 if h > 0 else -1),
        }

    def _memrefs(self) -> dict[str, str]:
        """The memref type of every operand kind, in its element type."""
        dtypes = {"a": self.dtype_in, "x": self.dtype_in, "y": self.dtype_out,
                  "s": self.dtype_state}
        return {kind: "memref<" + "".join(
                    ("?" if size is None else str(size)) + "x"
                    for size in sizes) + dtypes[kind] + ">"
                for kind, sizes in self._operand_sizes().items()}

    def static_sizes(self, role: str) -> list[int | None]:
        """Per dimension of the operand `role`, the size the kernel is
        compiled for, or None where it takes the argument's."""
        primal = role.removeprefix("grad_")
        if primal == "seq_offsets":
            return [None]
        kind = {"decay": "a", "output": "y", "state": "y", "init": "s",
                "final": "s"}.get(primal, "x")
        return self._operand_sizes()[kind]

    @property
    def _channel_axis(self) -> int:
        """The channel axis of the input ([B,H,D,L] or [B,T,H,D])."""
        return {"bhdl": 2, "bthd": 3}.get(self.layout, -1)

    @property
    def fused(self) -> bool:
        """Whether a prologue or epilogue is fused into the scan."""
        return bool(self.prologue or self.epilogue)

    def extra_roles(self) -> list[str]:
        return [f"operand{i}" for i in range(self.extra_inputs)]

    def training(self) -> "ScanSpec":
        """The forward whose derived backward can run after it: with an
        epilogue it also stores the state y (save_state)."""
        if self.epilogue and not self.save_state:
            return replace(self, save_state=True)
        return self

    def operand_roles(self) -> list[str]:
        """The kernel's arguments, in order."""
        roles = ["decay", "input", *self.extra_roles(), "output"]
        if self.init:
            roles.append("init")
        if self.packed:
            roles.append("seq_offsets")
        if self.final:
            roles.append("final")
        if self.save_state:
            roles.append("state")
        return roles

    @property
    def backward_function(self) -> str:
        """The name swr-derive-backward gives the backward."""
        return self.function + "_backward"

    def backward_roles(self) -> list[str]:
        """The backward kernel's arguments, in order: the forward's operands
        (its state y for full windows and behind an epilogue: the output, or
        the saved state), the gradients of the output and final state, then
        the gradients of the input, decay, extra operands and h0. A spec
        with an epilogue must be the training() one."""
        if self.epilogue and not self.save_state:
            raise ArgumentError("backward: the backward through an epilogue "
                                "reads the state the forward saves; use "
                                "spec.training()")
        roles = ["decay", "input", *self.extra_roles()]
        if self.init:
            roles.append("init")
        if self.packed:
            roles.append("seq_offsets")
        if self.epilogue:
            roles.append("state")
        elif self.window == "full":
            roles.append("output")
        roles.append("grad_output")
        if self.final:
            roles.append("grad_final")
        roles += ["grad_input", "grad_decay"]
        roles += [f"grad_{role}" for role in self.extra_roles()]
        if self.init:
            roles.append("grad_init")
        return roles

    def dtype_of(self, role: str) -> str:
        """The element type of an operand (a gradient has its primal's)."""
        primal = role.removeprefix("grad_")
        if primal in ("decay", "input") or primal.startswith("operand"):
            return self.dtype_in
        if primal in ("output", "state"):
            return self.dtype_out
        if primal == "seq_offsets":
            return "i32"
        return self.dtype_state

    def mlir(self) -> str:
        types = self._memrefs()
        a, x, y, s = types["a"], types["x"], types["y"], types["s"]
        extras = [f"%e{i}" for i in range(self.extra_inputs)]
        args = [f"%a: {a}", f"%x: {x}", *(f"{e}: {x}" for e in extras),
                f"%y: {y}"]
        clauses = [f"decay(%a : {a})", f"input(%x : {x})"]
        if extras:
            clauses.append(f"operands({', '.join(extras)} : "
                           f"{', '.join([x] * len(extras))})")
        if self.init:
            args.append(f"%h0: {s}")
            clauses.append(f"init(%h0 : {s})")
        if self.packed:
            args.append("%cu: memref<?xi32>")
            clauses.append("seq_offsets(%cu : memref<?xi32>)")
        clauses.append(f"output(%y : {y})")
        if self.final:
            args.append(f"%hT: {s}")
            clauses.append(f"final(%hT : {s})")
        if self.save_state:
            args.append(f"%st: {y}")
            clauses.append(f"state(%st : {y})")
        regions = ""
        if self.prologue:
            regions += f" prologue {{\n{self.prologue.rstrip()}\n      }}"
        if self.epilogue:
            regions += f" epilogue {{\n{self.epilogue.rstrip()}\n      }}"
        reverse = " reverse" if self.reverse else ""
        return (f"func.func @{self.function}({', '.join(args)}) {{\n"
                f"  swr.scan {self.window} layout {self.layout} "
                f"sharing {self.sharing}{reverse}\n"
                f"      {' '.join(clauses)}{regions}\n  return\n}}\n")
