"""Load the sample app by file path (the `tests` package name is shadowed by azure-functions-durable's own)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

APP_FILE = Path(__file__).with_name("function_app.py")
_MODULE = "devhost_durable_sample_app"
_functions: list[Any] = []


def load_module() -> ModuleType:
    if _MODULE not in sys.modules:
        spec = importlib.util.spec_from_file_location(_MODULE, APP_FILE)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_MODULE] = module
        spec.loader.exec_module(module)
    return sys.modules[_MODULE]


def functions() -> list[Any]:
    """`app.get_functions()`, called once per process (a second call raises)."""
    if not _functions:
        _functions.extend(load_module().app.get_functions())
    return _functions
