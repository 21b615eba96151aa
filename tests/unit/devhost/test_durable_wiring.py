"""The hand-over to the durable engine (devhost.durable.DurableHost), checked against a recording stand-in.

The engine itself is tested by its own suite; here: which functions are handed over, with which hub, storage and
base URL, that its routes are mounted under /runtime/webhooks/durabletask, that it is started and stopped with the
host, and that durableClient parameters receive its binding JSON.
"""

from __future__ import annotations

import json
import logging
import sys
import types
from collections.abc import Callable
from typing import Any

import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Route

from devhost.clock import VirtualClock

HostFactory = Callable[..., Any]
BINDING = json.dumps({"taskHubName": "samplehub", "rpcBaseUrl": "http://127.0.0.1:1/durabletask/"})


class RecordingDurableHost:
    instances: list[RecordingDurableHost] = []

    def __init__(
        self,
        functions: list[Any],
        invoker: Any,
        *,
        hub: str,
        storage_connection: str,
        base_url: str,
        clock: Any = None,
        system_key: str | None = None,
        rpc_prefix: str = "",
    ):
        self.system_key, self.rpc_prefix = system_key, rpc_prefix
        self.functions, self.invoker, self.hub, self.storage, self.base_url, self.clock = (
            functions,
            invoker,
            hub,
            storage_connection,
            base_url,
            clock,
        )
        self.events: list[str] = []
        RecordingDurableHost.instances.append(self)

    async def start(self) -> None:
        self.events.append("start")

    async def stop(self) -> None:
        self.events.append("stop")

    def routes(self) -> list[BaseRoute]:
        return [Route("/ping", lambda request: PlainTextResponse("durable pong"))]

    def client_binding_json(self) -> str:
        return BINDING


@pytest.fixture
def recording_engine(monkeypatch: pytest.MonkeyPatch) -> type[RecordingDurableHost]:
    module = types.ModuleType("devhost.durable")
    module.DurableHost = RecordingDurableHost  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "devhost.durable", module)
    RecordingDurableHost.instances = []
    return RecordingDurableHost


@pytest.mark.asyncio
async def test_durable_functions_are_handed_over(sample_host: HostFactory, recording_engine: Any) -> None:
    clock = VirtualClock()
    env = {"AzureWebJobsStorage": "UseDevelopmentStorage=true;x=1"}
    async with sample_host(durable=None, environ=env, clock=clock, base_url="http://127.0.0.1:7999") as (host, client):
        engine = recording_engine.instances[0]
        assert sorted(f.name for f in engine.functions) == ["hello_orchestrator", "say_hello"]
        assert engine.invoker is host.invoker  # the engine runs them in the same worker
        assert (engine.hub, engine.storage, engine.base_url) == ("samplehub", env["AzureWebJobsStorage"], host.base_url)
        assert engine.clock is clock
        assert engine.events == ["start"]
        assert (await client.get("/runtime/webhooks/durabletask/ping")).text == "durable pong"
        starter = host.registry.get("start_hello")
        assert starter is not None
        inputs = {b.name: b.data for b in host.invoker.inputs(starter, None)}
        assert inputs["client"].string == BINDING  # the durableClient binding, as the extension sends it
    assert engine.events == ["start", "stop"]


@pytest.mark.asyncio
async def test_host_runs_without_the_durable_engine(
    sample_host: HostFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "devhost.durable", None)  # import fails as if the package were missing
    caplog.set_level(logging.WARNING, logger="devhost")
    async with sample_host(durable=None) as (host, client):
        assert host.durable is None
        assert (await client.get("/api/hello")).status_code == 200
        assert (await client.post("/api/orchestrators/hello")).status_code == 500  # needs the engine
    assert "devhost.durable is not available" in caplog.text


def test_durable_true_requires_the_engine(sample_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "devhost.durable", None)
    from devhost.host import FunctionsHost

    with pytest.raises(RuntimeError, match=r"devhost\.durable is not available"):
        FunctionsHost(sample_app, environ={}, durable=True)


def test_durable_functions_are_indexed(sample_app: Any) -> None:
    from devhost.registry import load_registry

    registry = load_registry(sample_app)
    kinds = {f.name: f.trigger_type for f in registry.by_name.values()}
    assert kinds["hello_orchestrator"] == "orchestrationTrigger"
    assert kinds["say_hello"] == "activityTrigger"
    assert registry.get("start_hello").durable_client_params == ("client",)  # type: ignore[union-attr]
    assert registry.needs_durable()
