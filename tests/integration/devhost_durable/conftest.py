"""Fixtures for the durable engine tests: the sample app and a DurableHost on the session Azurite."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import pytest_asyncio

from devhost.durable import DurableHost, VirtualClock

_LOADER = Path(__file__).resolve().parents[2] / "devhost" / "durable_app" / "loader.py"


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
def sample_app() -> ModuleType:
    return _loader().load_module()


@pytest.fixture
def sample_functions() -> list[Any]:
    return _loader().functions()


@pytest.fixture
def hub(unique: str) -> str:
    return f"T{unique}"


@pytest_asyncio.fixture
async def make_host(
    sample_functions: list[Any], azurite_connection_string: str, hub: str
) -> AsyncIterator[Callable[..., Any]]:
    """Build (and later stop) DurableHosts on the shared Azurite; all share one task hub per test."""
    hosts: list[DurableHost] = []

    async def factory(clock: Any = None, base_url: str = "http://127.0.0.1:7071") -> DurableHost:
        host = DurableHost(
            sample_functions,
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
