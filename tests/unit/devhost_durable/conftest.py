from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

_LOADER = Path(__file__).resolve().parents[2] / "devhost" / "durable_app" / "loader.py"


@pytest.fixture
def orchestrators() -> dict[str, Any]:
    """The sample app's orchestrator functions by name (the app is loaded by path, get_functions() once)."""
    name = "devhost_durable_sample_loader"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _LOADER)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    functions = sys.modules[name].functions()
    return {f.get_function_name(): f for f in functions if f.get_trigger().type == "orchestrationTrigger"}
