"""The unchanged SDK `DurableOrchestrationClient`, built from the client binding JSON, talking HTTP to a real uvicorn
server on a free port that serves the durable management routes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import azure.durable_functions as df
import azure.functions as func
import httpx
import pytest
import pytest_asyncio
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from devhost.azurite import free_port
from devhost.durable import DurableHost, close_sdk_http_client, reset_sdk_http_client
from devhost.durable.api import PREFIX

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


@pytest_asyncio.fixture
async def served(make_host) -> AsyncIterator[DurableHost]:
    port = free_port()
    host = await make_host(base_url=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Mount(PREFIX, routes=host.routes())]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
        )
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.02)
    reset_sdk_http_client()  # the SDK's aiohttp session is module-global and bound to one event loop
    try:
        yield host
    finally:
        await close_sdk_http_client()
        server.should_exit = True
        await task


def client_for(host: DurableHost) -> df.DurableOrchestrationClient:
    return df.DurableOrchestrationClient(host.client_binding_json())


async def test_client_starts_queries_raises_an_event_and_purges(served, unique):
    client = client_for(served)
    instance_id = await client.start_new("approval", f"api-{unique}", {"who": "ann"})
    assert instance_id == f"api-{unique}"
    await served.run_until_idle()
    status = await client.get_status(instance_id, show_history=True, show_history_output=True)
    assert status.runtime_status == df.OrchestrationRuntimeStatus.Running
    assert status.custom_status == "waiting" and status.input_ == {"who": "ann"}
    assert [e["EventType"] for e in status.historyEvents][:2] == ["ExecutionStarted", "TimerCreated"]
    await client.raise_event(instance_id, "Approval", {"ok": True})
    await served.wait_for(instance_id, "Completed")
    status = await client.get_status(instance_id)
    assert status.runtime_status == df.OrchestrationRuntimeStatus.Completed
    assert status.output == {"approved": {"ok": True}}
    result = await client.purge_instance_history(instance_id)
    assert result.instances_deleted == 1
    missing = await client.get_status(instance_id)
    assert missing.runtime_status is None  # 404 parses to an empty status
    assert await served.store.read_history(instance_id) == []


async def test_client_terminates_and_lists_with_filters(served, unique):
    client = client_for(served)
    ids = [await client.start_new("approval", f"ls-{unique}-{i}") for i in range(3)]
    await served.run_until_idle()
    await client.terminate(ids[0], "stop it")
    await served.wait_for(ids[0], "Terminated")
    by_status = await client.get_status_by(runtime_status=[df.OrchestrationRuntimeStatus.Running])
    assert {s.instance_id for s in by_status if s.instance_id.startswith(f"ls-{unique}")} == set(ids[1:])
    everything = await client.get_status_all()
    assert {s.instance_id for s in everything} >= set(ids)
    terminated = await client.get_status(ids[0])
    assert terminated.runtime_status == df.OrchestrationRuntimeStatus.Terminated and terminated.output == "stop it"
    with pytest.raises(Exception, match="is gone: either completed or failed"):
        await client.raise_event(ids[0], "Approval", 1)


async def test_status_codes_follow_the_extension(served, unique):
    base = f"{served.base_url}{PREFIX}"
    async with httpx.AsyncClient() as http:
        assert (await http.post(f"{base}/orchestrators/nope", json=None)).status_code == 400
        started = await http.post(f"{base}/orchestrators/approval/codes-{unique}", json={"a": 1})
        assert started.status_code == 202 and started.headers["Location"].endswith("connection=Storage")
        await served.run_until_idle()
        assert (await http.get(f"{base}/instances/codes-{unique}")).status_code == 202
        assert (await http.get(f"{base}/instances/nobody-{unique}")).status_code == 404
        bad = await http.post(f"{base}/instances/codes-{unique}/raiseEvent/Approval", content=b"1")
        assert bad.status_code == 400  # not application/json
        ok = await http.post(f"{base}/instances/codes-{unique}/raiseEvent/Approval", json="yes")
        assert ok.status_code == 202
        await served.wait_for(f"codes-{unique}", "Completed")
        done = await http.get(f"{base}/instances/codes-{unique}")
        assert done.status_code == 200 and done.json()["output"] == {"approved": "yes"}
        assert (await http.post(f"{base}/instances/codes-{unique}/terminate")).status_code == 410
        assert (await http.post(f"{base}/instances/nobody-{unique}/terminate")).status_code == 404
        assert (await http.delete(f"{base}/instances/nobody-{unique}")).status_code == 404


async def test_durable_client_function_runs_unchanged(served, sample_functions):
    function = next(f for f in sample_functions if f.get_function_name() == "http_start")
    request = func.HttpRequest(
        method="POST",
        url="http://localhost:7071/api/orchestrators/chain",
        body=b'"zoe"',
        headers={"Content-Type": "application/json"},
        route_params={"name": "chain"},
    )
    response: Any = await function.get_user_function()(req=request, client=served.client_binding_json())
    assert response.status_code == 202
    payload = json.loads(response.get_body())
    assert payload["statusQueryGetUri"].startswith(f"http://localhost:7071{PREFIX}/instances/{payload['id']}")
    instance = await served.wait_for(payload["id"], "Completed")
    assert instance.output == ["Hello zoe1!", "Hello zoe2!", "Hello zoe3!"]


async def test_client_suspends_resumes_and_purges_by_filter(served, unique):
    client = client_for(served)
    instance_id = await client.start_new("approval", f"sus-{unique}")
    await served.run_until_idle()
    await client.suspend(instance_id, "hold on")
    await served.wait_for(instance_id, "Suspended")
    await client.raise_event(instance_id, "Approval", "while suspended")
    await served.run_until_idle()
    assert (await client.get_status(instance_id)).runtime_status == df.OrchestrationRuntimeStatus.Suspended
    await client.resume(instance_id, "go")
    await served.wait_for(instance_id, "Completed")  # the held event is delivered after the resume
    assert (await client.get_status(instance_id)).output == {"approved": "while suspended"}
    created_from = served.engine.instances[instance_id].created
    result = await client.purge_instance_history_by(
        created_time_from=created_from, runtime_status=[df.OrchestrationRuntimeStatus.Completed]
    )
    assert result.instances_deleted >= 1
    assert instance_id not in served.engine.instances


async def test_client_restarts_an_instance_and_create_and_wait_returns_the_output(served, unique):
    client = client_for(served)
    instance_id = await client.start_new("chain", f"rs-{unique}", "ann")
    await served.wait_for(instance_id, "Completed")
    new_id = await client.restart(instance_id)
    assert new_id != instance_id
    restarted = await served.wait_for(new_id, "Completed")
    assert restarted.output == ["Hello ann1!", "Hello ann2!", "Hello ann3!"]
    async with httpx.AsyncClient() as http:
        url = f"{served.base_url}{PREFIX}/orchestrators/fan_out/wait-{unique}?timeout=20&pollingInterval=1"
        response = await http.post(url, json=3)
    assert response.status_code == 200 and response.json() == 6


async def test_client_function_starts_queries_raises_and_terminates(served, sample_functions, unique):
    function = next(f for f in sample_functions if f.get_function_name() == "client_roundtrip")
    request = func.HttpRequest(
        method="POST",
        url=f"http://localhost:7071/api/roundtrip/rt-{unique}",
        body=b"",
        route_params={"id": f"rt-{unique}"},
    )
    response: Any = await function.get_user_function()(req=request, client=served.client_binding_json())
    body = json.loads(response.get_body())
    assert body["statuses"] == ["Running", "Terminated"] and body["output"] == "roundtrip done"
    assert "EventRaised" in body["events"] and "ExecutionTerminated" in body["events"]
    assert served.engine.instances[f"rt-{unique}"].status == "Terminated"
