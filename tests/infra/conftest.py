"""Fixtures for the infrastructure checks: a private copy of infra/ that a test may break."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"

Edit = Callable[[str, str, str], None]


@pytest.fixture
def infra_copy(tmp_path: Path) -> Path:
    """A copy of infra/ at <tmp>/infra (same layout as the repository, so the hook's paths resolve)."""
    target = tmp_path / "infra"
    shutil.copytree(INFRA, target)
    return target


@pytest.fixture
def edit(infra_copy: Path) -> Edit:
    """edit(relative_path, old, new): replace exactly one occurrence in the copy, failing if it is not there."""

    def _edit(relative: str, old: str, new: str) -> None:
        path = infra_copy / relative
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {relative}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return _edit
