"""Host keys as Azure checks them: the admin API needs the master key, each extension's webhook its system key (or
the master key), an HTTP function its authLevel; keys come as `code=` or `x-functions-key`."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devhost.durable import DurableHost
from devhost.keys import DURABLE, EVENT_GRID, load_or_create

HostFactory = Callable[..., Any]
EVENT = {"specversion": "1.0", "id": "k1", "source": "src", "type": "t", "subject": "s", "data": {}}
GRID = "/runtime/webhooks/EventGrid?functionName=on_event"


@pytest.mark.asyncio
async def test_admin_api_needs_the_master_key(sample_host: HostFactory) -> None:
    async with sample_host(key=None) as (host, client):
        keys = host.keys
        assert (await client.get("/admin/host/ping")).status_code == 200  # liveness needs no key
        for path in ("/admin/host/status", "/admin/functions", "/admin/functions/hello"):
            assert (await client.get(path)).status_code == 401
            for other in (keys.host["default"], keys.system[EVENT_GRID], keys.system[DURABLE], "nope"):
                assert (await client.get(path, headers={"x-functions-key": other})).status_code == 401
            assert (await client.get(path, params={"code": keys.master})).status_code == 200
            assert (await client.get(path, headers={"x-functions-key": keys.master})).status_code == 200
        assert (await client.post("/admin/functions/tick", json={})).status_code == 401  # nothing ran


@pytest.mark.asyncio
async def test_event_grid_webhook_needs_its_system_key(sample_host: HostFactory) -> None:
    async with sample_host(key=None) as (host, client):
        keys, headers = host.keys, {"aeg-event-type": "Notification"}
        assert (await client.post(GRID, json=EVENT, headers=headers)).status_code == 401
        wrong = await client.post(f"{GRID}&code={keys.system[DURABLE]}", json=EVENT, headers=headers)
        assert wrong.status_code == 401
        assert [c for c in (await client.get("/api/calls")).json() if c["fn"] == "on_event"] == []  # none delivered
        ok = await client.post(f"{GRID}&code={keys.system[EVENT_GRID]}", json=EVENT, headers=headers)
        assert ok.status_code == 202
        master = await client.post(GRID, json=EVENT, headers={**headers, "x-functions-key": keys.master})
        assert master.status_code == 202
        assert [c["id"] for c in (await client.get("/api/calls")).json() if c["fn"] == "on_event"] == ["k1", "k1"]


@pytest.mark.asyncio
async def test_durable_webhooks_need_the_durabletask_key(sample_host: HostFactory) -> None:
    async with sample_host(key=None) as (host, client):
        keys = host.keys
        for path in ("/runtime/webhooks/durabletask/instances", "/runtime/webhooks/other"):
            assert (await client.get(path)).status_code == 401
        assert (
            await client.get(f"/runtime/webhooks/durabletask/rpc/{keys.system[EVENT_GRID]}/instances")
        ).status_code == 401
        # with the key the request reaches the host (no durable engine in this host: 404)
        durable = await client.get("/runtime/webhooks/durabletask/instances", params={"code": keys.system[DURABLE]})
        assert durable.status_code == 404
        assert (await client.get(f"{keys.rpc_prefix()}/instances")).status_code == 404
        other = await client.get("/runtime/webhooks/other", params={"code": keys.system[DURABLE]})
        assert other.status_code == 401  # an unknown extension needs the master key


@pytest.mark.asyncio
async def test_http_functions_follow_their_auth_level(sample_host: HostFactory) -> None:
    async with sample_host(key=None) as (host, client):
        keys = host.keys
        assert (await client.get("/api/hello")).status_code == 200  # anonymous
        assert (await client.get("/api/secret")).status_code == 401  # function level
        assert (await client.get("/api/secret", params={"code": keys.system[EVENT_GRID]})).status_code == 401
        assert (await client.get("/api/secret", params={"code": keys.host["default"]})).text == "key accepted"
        assert (await client.get("/api/secret", headers={"x-functions-key": keys.master})).status_code == 200


def test_keys_are_made_once_per_checkout_readable_by_the_owner_only(tmp_path: Path) -> None:
    first = load_or_create(tmp_path)
    path = tmp_path / ".local" / "host-keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create(tmp_path) == first
    assert set(json.loads(path.read_text())) == {"masterKey", "systemKeys", "hostKeys"}
    assert len({first.master, *first.system.values(), *first.host.values()}) == 4  # all different


def test_durable_client_urls_carry_the_system_key() -> None:
    host = DurableHost(
        [],
        None,  # type: ignore[arg-type]
        hub="Hub",
        storage_connection="UseDevelopmentStorage=true",
        base_url="http://127.0.0.1:7071",
        system_key="sk",
        rpc_prefix="/runtime/webhooks/durabletask/rpc/sk",
    )
    binding = json.loads(host.client_binding_json())
    assert binding["rpcBaseUrl"] == "http://127.0.0.1:7071/runtime/webhooks/durabletask/rpc/sk/"
    assert binding["requiredQueryStringParameters"] == "code=sk"
    assert binding["managementUrls"]["statusQueryGetUri"].endswith("?taskHub=Hub&connection=Storage&code=sk")
    assert host.management_payload("i1")["terminatePostUri"].endswith("&code=sk")
