"""Fixtures for the durable engine tests: the sample app and a DurableHost on the session Azurite."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import pytest_asyncio

from devhost.durable import DurableHost, VirtualClock, load_app

_APP = Path(__file__).resolve().parents[2] / "devhost" / "durable_app"
_LOADER = _APP / "loader.py"


def _loader() -> ModuleType:
    name = "devhost_durable_sample_loader"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _LOADER)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def durable_app() -> Iterator[tuple[list[Any], Any]]:
    """The sample app loaded into the worker library: its durable functions and the invoker the engine runs them
    with (every DurableHost of a test shares them, as hosts of one app share its code)."""
    functions, invoker = load_app(_APP)
    yield functions, invoker
    invoker.close()


@pytest.fixture
def sample_app(durable_app: tuple[list[Any], Any]) -> ModuleType:
    """The app's module as the worker imported it (tests change its module state between episodes)."""
    module: ModuleType = durable_app[1].worker.module
    return module


@pytest.fixture
def sample_functions() -> list[Any]:
    """azure.functions Function objects of a separate import of the app, for tests that call a user function
    directly (as the worker would) against the engine's HTTP API."""
    return _loader().functions()


@pytest.fixture
def hub(unique: str) -> str:
    return f"T{unique}"


@pytest_asyncio.fixture
async def make_host(
    durable_app: tuple[list[Any], Any], azurite_connection_string: str, hub: str
) -> AsyncIterator[Callable[..., Any]]:
    """Build (and later stop) DurableHosts on the shared Azurite; all share one task hub per test."""
    hosts: list[DurableHost] = []

    async def factory(clock: Any = None, base_url: str = "http://127.0.0.1:7071") -> DurableHost:
        host = DurableHost(
            *durable_app,
            hub=hub,
            storage_connection=azurite_connection_string,
            base_url=base_url,
            clock=clock or VirtualClock(),
        )
        await host.start()
        hosts.append(host)
        return host

    yield factory
    for host in hosts:
        await host.stop()
