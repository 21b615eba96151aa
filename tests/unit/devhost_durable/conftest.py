from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devhost.durable.sdk import DurableFunctions, load_app

_APP = Path(__file__).resolve().parents[2] / "devhost" / "durable_app"


@pytest.fixture
def orchestrators() -> Iterator[DurableFunctions]:
    """The sample app's durable functions, loaded into the worker library (orchestrators run there)."""
    functions, invoker = load_app(_APP)
    yield DurableFunctions(functions, invoker)
    invoker.close()
