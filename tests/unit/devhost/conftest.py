"""Fixtures for the devhost's tests: the sample app, an isolated environment, an in-process host and client."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from devhost.host import FunctionsHost
from devhost.keys import HostKeys
from devhost.testing import asgi_client

SAMPLE_APP = Path(__file__).resolve().parents[2] / "devhost" / "sample_app"


@pytest.fixture(autouse=True)
def _restore_imports() -> Iterator[None]:
    """Each host imports its app as `function_app`; put back whatever was there before (the project's app)."""
    saved_module, saved_path = sys.modules.get("function_app"), list(sys.path)
    yield
    sys.path[:] = saved_path
    if saved_module is None:
        sys.modules.pop("function_app", None)
    else:
        sys.modules["function_app"] = saved_module


@pytest.fixture
def sample_app() -> Path:
    return SAMPLE_APP


HostFactory = Callable[..., AbstractAsyncContextManager[tuple[FunctionsHost, httpx.AsyncClient]]]


@pytest.fixture
def sample_host() -> HostFactory:
    """`async with sample_host(**options) as (host, client)`: the sample app running in-process (durable off), keys
    of its own; the client sends the master key (tests/unit/devhost/test_keys.py checks what each path needs)."""

    @asynccontextmanager
    async def make(**options: Any) -> AsyncIterator[tuple[FunctionsHost, httpx.AsyncClient]]:
        options.setdefault("environ", {})
        options.setdefault("durable", False)
        options.setdefault("keys", HostKeys.generate())
        key = options.pop("key", options["keys"].master)
        host = FunctionsHost(options.pop("app_dir", SAMPLE_APP), **options)
        try:
            async with host.running(), asgi_client(host, key) as client:
                yield host, client
        finally:
            host.close()

    return make
