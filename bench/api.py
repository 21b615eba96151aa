"""The resource API's throughput and latency through the devhost, against raw azure-data-tables doing the same storage
work, and the Table requests each API call costs. Prints one JSON document.

    .venv/bin/python bench/api.py [--requests 800] [--concurrency 16]

1. Throughput: `python -m devhost` in a subprocess over its own in-memory Azurite, driven by 16 concurrent httpx
   clients as a tenant's owner (bounded request count): get-by-id (GET endpoints/{id}), create (POST endpoints) and a
   list page (GET endpoints?top=20). Then raw azure-data-tables with 16 worker threads doing the same storage work on
   the same Azurite: get = 1 point read, create = 1 transaction (entity + name + audit rows), list = 1 query page.
2. Table requests per API call: the app's handlers run in-process through the devhost's ASGI app with the store
   built on `CountingTransport` (swapped into `functions._wiring`), cold (empty membership cache) and warm.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devhost.azurite import free_port, start_azurite  # noqa: E402
from devhost.testing import spawn  # noqa: E402
from domain.auth.dev_tokens import mint_dev_token  # noqa: E402
from domain.settings import load_settings  # noqa: E402

# no default dev secret (issue 16): the benchmark's hosts sign with this one, and so do its tokens
DEV_SECRET = os.environ.setdefault("DEV_AUTH_SECRET", secrets.token_urlsafe(48))

RARE = "0 0 0 1 1 *"  # timers that would add Table requests of their own fire once a year


def env_for(conn: str, port: int, workdir: str, tag: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    env.update(
        {
            "AzureWebJobsStorage": conn,
            "DATA_STORAGE_CONNECTION_STRING": conn,
            "DATA_TABLE_PREFIX": f"bench{tag}",
            "TASKHUB_NAME": f"hub{tag}",
            "LOCAL_AUTOML_WORKDIR": workdir,
            "LOCAL_AUTOML_EVENT_URL": f"http://127.0.0.1:{port}/runtime/webhooks/EventGrid?functionName=x",
            "RUN_COLLECTOR_SCHEDULE": RARE,
            "RECONCILE_SCHEDULE": RARE,
            "OMP_NUM_THREADS": "1",
        }
    )
    return env


def summary(latencies: list[float], wall: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rps": round(len(ordered) / wall, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    }


async def drive(n: int, concurrency: int, call: Callable[[int], Awaitable[int]], ok: int) -> dict[str, float]:
    latencies: list[float] = []
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            t0 = time.perf_counter()
            status = await call(i)
            latencies.append(time.perf_counter() - t0)
            if status != ok:
                raise RuntimeError(f"unexpected status {status}")

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return summary(latencies, time.perf_counter() - t0)


async def bench_devhost(base_url: str, n: int, concurrency: int) -> tuple[dict[str, Any], dict[str, str]]:
    settings = load_settings({"DEV_AUTH_SECRET": DEV_SECRET})
    admin = {"Authorization": f"Bearer {mint_dev_token(settings, user='bench-admin', platform_admin=True)}"}
    owner_id = f"bench-owner-{uuid.uuid4().hex[:6]}"
    owner = {"Authorization": f"Bearer {mint_dev_token(settings, user=owner_id)}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"{base_url}/api/v1", limits=limits, timeout=60) as client:
        resp = await client.post("/tenants", json={"name": "bench", "ownerUserId": owner_id}, headers=admin)
        t = resp.json()["id"]
        ep = (await client.post(f"/tenants/{t}/endpoints", json={"name": "target"}, headers=owner)).json()["id"]
        for _ in range(30):  # warm: connections, the membership cache, code paths
            await client.get(f"/tenants/{t}/endpoints/{ep}", headers=owner)
        run = uuid.uuid4().hex[:6]

        async def get(_: int) -> int:
            return (await client.get(f"/tenants/{t}/endpoints/{ep}", headers=owner)).status_code

        async def create(i: int) -> int:
            body = {"name": f"ep-{run}-{i}"}
            return (await client.post(f"/tenants/{t}/endpoints", json=body, headers=owner)).status_code

        async def page(_: int) -> int:
            return (await client.get(f"/tenants/{t}/endpoints", params={"top": 20}, headers=owner)).status_code

        out = {
            "get_by_id": await drive(n, concurrency, get, 200),
            "create": await drive(n // 2, concurrency, create, 201),
            "list_page": await drive(n // 2, concurrency, page, 200),
        }
    return out, {"tenant": t, "endpoint": ep}


def bench_raw(conn: str, n: int, concurrency: int) -> dict[str, Any]:
    from azure.data.tables import TableServiceClient

    service = TableServiceClient.from_connection_string(conn)
    table = service.create_table_if_not_exists(f"raw{uuid.uuid4().hex[:8]}")
    pk = "tenant1"
    table.create_entity({"PartitionKey": pk, "RowKey": "endpoint|target", "name": "target", "data": "{}"})
    for i in range(25):
        table.create_entity({"PartitionKey": pk, "RowKey": f"endpoint|pre{i:03d}", "name": f"p{i}", "data": "{}"})
    run = uuid.uuid4().hex[:6]

    def get(_: int) -> None:
        table.get_entity(pk, "endpoint|target")

    def create(i: int) -> None:
        ident = f"{run}{i:05d}"
        now = datetime.now(UTC).isoformat()
        table.submit_transaction(
            [
                ("create", {"PartitionKey": pk, "RowKey": f"endpoint|{ident}", "name": f"ep-{ident}", "data": "{}"}),
                ("create", {"PartitionKey": pk, "RowKey": f"name|endpoint|ep-{ident}", "id": ident}),
                ("create", {"PartitionKey": pk, "RowKey": f"audit|{now}|{ident}", "action": "create"}),
            ]
        )

    def page(_: int) -> None:
        pages = table.query_entities(
            "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
            parameters={"pk": pk, "lo": "endpoint|", "hi": "endpoint}"},
            results_per_page=20,
        ).by_page()
        list(next(pages))

    def timed(fn: Callable[[int], None], count: int) -> dict[str, float]:
        def one(i: int) -> float:
            t0 = time.perf_counter()
            fn(i)
            return time.perf_counter() - t0

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, range(concurrency)))  # warm the connection pool
            t0 = time.perf_counter()
            latencies = list(pool.map(one, range(concurrency, concurrency + count)))
            return summary(latencies, time.perf_counter() - t0)

    out = {"get_by_id": timed(get, n), "create": timed(create, n // 2), "list_page": timed(page, n // 2)}
    service.delete_table(table.table_name)
    return out


async def count_requests(env: dict[str, str]) -> dict[str, Any]:
    """Table requests per API call, the handlers run in-process with the store on a CountingTransport."""
    os.environ.update(env)
    from devhost.host import FunctionsHost
    from devhost.testing import asgi_client
    from domain.clock import SystemClock
    from domain.settings import get_settings
    from domain.storage.app_store import registry
    from domain.storage.clients import table_service
    from domain.storage.counting import CountingTransport
    from domain.storage.store import EntityStore

    counter = CountingTransport()
    settings = get_settings()
    store = EntityStore(
        table_service(settings, transport=counter),
        table=f"{settings.data_table_prefix}entities",
        schemas=registry(),
        clock=SystemClock(),
    )
    store.ensure_tables()
    host = FunctionsHost(ROOT, base_url="http://bench.local")
    from functions import _security, _wiring

    _wiring.store = lambda: store  # type: ignore[assignment]
    tokens = load_settings({"DEV_AUTH_SECRET": DEV_SECRET})
    admin = {"Authorization": f"Bearer {mint_dev_token(tokens, user='count-admin', platform_admin=True)}"}
    owner_id = f"count-owner-{uuid.uuid4().hex[:6]}"
    owner = {"Authorization": f"Bearer {mint_dev_token(tokens, user=owner_id)}"}
    result: dict[str, Any] = {}
    async with host.running(), asgi_client(host) as client:
        t = (
            await client.post("/api/v1/tenants", json={"name": "counted", "ownerUserId": owner_id}, headers=admin)
        ).json()["id"]
        ep = (await client.post(f"/api/v1/tenants/{t}/endpoints", json={"name": "c0"}, headers=owner)).json()["id"]
        calls = {
            "get_by_id": ("GET", f"/api/v1/tenants/{t}/endpoints/{ep}", None, None),
            "create": ("POST", f"/api/v1/tenants/{t}/endpoints", {"name": "c1"}, None),
            "list_page": ("GET", f"/api/v1/tenants/{t}/endpoints", None, {"top": 20}),
        }
        for label, (method, url, body, params) in calls.items():
            for cache in ("cold", "warm"):
                if cache == "cold":
                    _security.security.cache_clear()  # an empty membership cache: a new instance, or after its TTL
                if label == "create" and body is not None:
                    body = {"name": f"{body['name']}-{cache}"}
                counter.reset()
                resp = await client.request(method, url, json=body, params=params, headers=owner)
                assert resp.status_code in (200, 201), resp.text
                result.setdefault(label, {})[cache] = counter.reset()
    # the storage work of each call is one Table request; a cold membership cache adds the member row and the
    # tenant row (a tenant being deleted is gone for its members at once)
    expected = {label: {"cold": 3, "warm": 1} for label in calls}
    assert result == expected, f"Table requests per call: {result}, expected {expected}"
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    azurite = start_azurite(in_memory=True)
    host = None
    try:
        tag = uuid.uuid4().hex[:6]
        port = free_port()
        workdir = tempfile.mkdtemp(prefix="bench-api-")
        env = env_for(azurite.connection_string, port, workdir, tag)
        host = spawn(ROOT, env, os.path.join(workdir, "devhost.log"), port=port)
        devhost, _ = asyncio.run(bench_devhost(host.base_url, args.requests, args.concurrency))
        host.stop()
        host = None
        raw = bench_raw(azurite.connection_string, args.requests, args.concurrency)
        counts = asyncio.run(count_requests(env_for(azurite.connection_string, port, workdir, f"c{tag}")))
    finally:
        if host is not None:
            host.stop()
        azurite.stop()
    print(
        json.dumps(
            {
                "concurrency": args.concurrency,
                "devhost": devhost,
                "raw_tables": raw,
                "ratio_rps_devhost_over_raw": {
                    k: round(devhost[k]["rps"] / raw[k]["rps"], 3) for k in ("get_by_id", "create", "list_page")
                },
                "goal_get_by_id_ratio": 0.5,
                "table_requests_per_call": counts,
                "notes": "devhost: python -m devhost subprocess, uvicorn, dev HS256 tokens, one tenant owner; raw: the "
                "same Table work with azure-data-tables in 16 threads; both on one in-memory Azurite, 2 shared cores. "
                "Requests per call counted in-process (CountingTransport); cold = empty membership cache.",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
