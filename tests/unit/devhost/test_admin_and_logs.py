"""Admin API (status, function list, run on demand) and Core Tools-style invocation logs."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.asyncio
HostFactory = Callable[..., Any]


async def test_host_status_and_function_list(sample_host: HostFactory) -> None:
    async with sample_host(base_url="http://127.0.0.1:7555") as (_, client):
        status = await client.get("/admin/host/status")
        assert status.status_code == 200 and status.json()["state"] == "Running"
        listed = {f["name"]: f for f in (await client.get("/admin/functions")).json()}
        one = await client.get("/admin/functions/item_by_id")
    assert {"hello", "echo", "tick", "on_event", "hello_orchestrator", "say_hello", "start_hello"} <= set(listed)
    assert listed["hello"]["invoke_url_template"] == "http://127.0.0.1:7555/api/hello/{name?}"
    assert listed["tick"]["invoke_url_template"] is None
    assert one.json()["config"]["bindings"][0] == {
        "direction": "IN",
        "type": "httpTrigger",
        "name": "req",
        "methods": ["GET"],
        "authLevel": "ANONYMOUS",
        "route": "items/{id:int}",
    }


async def test_admin_run_of_event_grid_function(sample_host: HostFactory) -> None:
    event = {"id": "a1", "topic": "t", "subject": "s", "eventType": "x", "eventTime": "2024-05-01T10:00:00Z",
             "data": {}, "dataVersion": "1"}  # fmt: skip
    async with sample_host() as (host, client):
        resp = await client.post("/admin/functions/on_event", json={"input": json.dumps(event)})
        assert resp.status_code == 202
        await host.settle()
        got = [c for c in (await client.get("/api/calls")).json() if c["fn"] == "on_event"]
        assert [c["id"] for c in got] == ["a1"]


async def test_admin_refuses_unknown_http_and_durable_functions(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        assert (await client.post("/admin/functions/nope", json={})).status_code == 404
        assert (await client.post("/admin/functions/hello", json={})).status_code == 400
        assert (await client.post("/admin/functions/say_hello", json={"input": "x"})).status_code == 400
        assert (await client.post("/admin/functions/tick", content=b"{not json")).status_code == 400


async def test_invocation_logs_like_core_tools(sample_host: HostFactory, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="devhost")
    async with sample_host() as (_, client):
        await client.get("/api/hello")
        await client.get("/api/boom")
    text = caplog.text
    ok = re.search(r"Executing 'Functions.hello' \(Reason='[^']+', Id=([0-9a-f-]{36})\)", text)
    assert ok is not None
    assert re.search(rf"Executed 'Functions.hello' \(Succeeded, Id={ok.group(1)}, Duration=\d+ms\)", text)
    failed = re.search(r"Executing 'Functions.boom' \(Reason='[^']+', Id=([0-9a-f-]{36})\)", text)
    assert failed is not None
    assert re.search(rf"Executed 'Functions.boom' \(Failed, Id={failed.group(1)}, Duration=\d+ms\)", text)
    assert "Exception while executing function: Functions.boom. RuntimeError: kaboom" in text
    assert "http://127.0.0.1:7071/api/hello/{name?}" in text  # start-up list of functions and URLs
