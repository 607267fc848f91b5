"""Builds swr.scan spec files for the integration tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScanCase:
    """One configuration of swr.scan; every shape is dynamic."""

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

    @property
    def input_rank(self) -> int:
        return 3 if self.layout == "bct" else 4

    def _memref(self, rank: int, dtype: str) -> str:
        return "memref<" + "?x" * rank + dtype + ">"

    def decay_type(self) -> str:
        rank = 3 if self.sharing == "per_head" else self.input_rank
        return self._memref(rank, self.dtype_in)

    def state_type(self) -> str:
        return self._memref(self.input_rank - 1, self.dtype_state)

    def name(self) -> str:
        flags = [
            self.window.replace("<", "").replace(">", "").replace(", ", "_"),
            self.layout,
            self.sharing,
            "rev" if self.reverse else "fwd",
            "h0" if self.init else "noh0",
            self.dtype_in,
            self.dtype_out,
        ]
        if self.final:
            flags.append("final")
        if self.packed:
            flags.append("packed")
        return "-".join(flags)

    def mlir(self) -> str:
        x_in = self._memref(self.input_rank, self.dtype_in)
        x_out = self._memref(self.input_rank, self.dtype_out)
        args = [f"%a: {self.decay_type()}", f"%x: {x_in}", f"%y: {x_out}"]
        clauses = [
            f"decay(%a : {self.decay_type()})",
            f"input(%x : {x_in})",
        ]
        if self.init:
            args.append(f"%h0: {self.state_type()}")
            clauses.append(f"init(%h0 : {self.state_type()})")
        if self.packed:
            args.append("%cu: memref<?xi32>")
            clauses.append("seq_offsets(%cu : memref<?xi32>)")
        clauses.append(f"output(%y : {x_out})")
        if self.final:
            args.append(f"%hT: {self.state_type()}")
            clauses.append(f"final(%hT : {self.state_type()})")
        reverse = " reverse" if self.reverse else ""
        return (
            f"func.func @kernel({', '.join(args)}) {{\n"
            f"  swr.scan {self.window} layout {self.layout} "
            f"sharing {self.sharing}{reverse}\n"
            f"      {' '.join(clauses)}\n"
            "  return\n"
            "}\n"
        )

    def shape(self, length: int, batch: int = 2, heads: int = 2,
              channels: int = 16) -> str:
        """The --shape of swr-run for this layout."""
        if self.layout == "bhdl":
            dims = [batch, heads, channels, length]
        elif self.layout == "bthd":
            dims = [batch, length, heads, channels]
        else:
            dims = [batch, heads * channels, length]
        return "x".join(str(d) for d in dims)
