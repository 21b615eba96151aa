"""One problem found in the infrastructure files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Finding:
    path: Path
    line: int  # 1-based; 0 when the problem concerns the whole file
    rule: str  # a short stable id, e.g. "undefined-symbol"
    message: str

    def render(self, root: Path | None = None) -> str:
        shown = self.path
        if root is not None:
            try:
                shown = self.path.relative_to(root)
            except ValueError:
                shown = self.path
        where = f"{shown}:{self.line}" if self.line else str(shown)
        return f"{where}: [{self.rule}] {self.message}"
