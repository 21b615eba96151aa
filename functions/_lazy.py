"""Modules a request needs, imported by its first request instead of when the worker indexes the app (ADR 0019).

    if TYPE_CHECKING:
        from domain.services import runs
    else:
        runs = lazy("domain.services.runs")

The type checker and import-linter see the real import; at run time `runs` is the module itself (the one in
`sys.modules`), whose code runs at its first attribute access (`importlib.util.LazyLoader`, thread-safe on 3.12+).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy(name: str) -> ModuleType:
    """`name`, imported on first use (at once if something imported it already)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
