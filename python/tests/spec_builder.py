"""Test helpers over swr.ScanSpec: a name per configuration and the
swr-run --shape of a layout."""

from __future__ import annotations

import pathlib
import sys
from dataclasses import dataclass

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from swr.spec import ScanSpec  # noqa: E402


@dataclass(frozen=True)
class ScanCase(ScanSpec):
    """One configuration of swr.scan; every shape is dynamic."""

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
