"""Storage core benchmark: Table requests per operation, and throughput of the core vs raw azure-data-tables calls
doing the same work on the same Azurite, measured side by side in interleaved rounds. Prints one JSON document.

    .venv/bin/python bench/storage.py [--rounds 6] [--ops 150]

Raw create = the same entity group transaction the core sends (entity + unique-name row + audit row), built by
hand; raw get = `get_entity`. Ratio = core ops/s / raw ops/s (>= 0.8 is the goal).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from azure.data.tables import TableServiceClient

from devhost.azurite import start_azurite
from domain.clock import SystemClock
from domain.storage.backend import BatchOp
from domain.storage.counting import CountingTransport
from domain.storage.examples import MIGRATIONS, register
from domain.storage.keys import audit_key
from domain.storage.migrations import PartitionMigrator
from domain.storage.schemas import SchemaRegistry
from domain.storage.store import EntityStore

DATA: dict[str, Any] = {
    "display_name": "Churn model",
    "size_cm": 20,
    "description": "A benchmark entity of about 0.6 KB with a dozen properties of the usual kinds." * 3,
    "status": "Running",
    "primary_metric": "AUC_weighted",
    "best_score": 0.8731,
    "trials": 42,
    "enabled": True,
    "dataset_id": "01HZY3M5Q8R9T0V1W2X3Y4Z5A6",
    "compute": "serverless",
    "timeout_minutes": 60,
    "started_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
}


def schemas() -> SchemaRegistry:
    registry = SchemaRegistry()
    register(registry)
    return registry


def request_counts(store: EntityStore, transport: CountingTransport, tenant: str) -> dict[str, int]:
    out: dict[str, int] = {}
    transport.reset()
    rec = store.create(tenant, "widget", "w-count", DATA, actor="bench", name="Counted")
    out["create_with_unique_name"] = transport.reset()
    rec = store.get(tenant, "widget", "w-count")
    out["get"] = transport.reset()
    rec = store.update(tenant, "widget", "w-count", {"trials": 43}, actor="bench", etag=rec.etag, current=rec)
    out["update_read_entity"] = transport.reset()
    store.list(tenant, "widget", top=50)
    out["list_page"] = transport.reset()
    store.delete(tenant, "widget", "w-count", actor="bench", etag=rec.etag, current=rec)
    out["delete_read_entity"] = transport.reset()
    return out


def migrate_count(store: EntityStore, transport: CountingTransport, tenant: str, n: int = 1000) -> dict[str, Any]:
    now = datetime.now(UTC)
    rows = [
        {
            "PartitionKey": tenant,
            "RowKey": f"widget|m{i:05d}",
            "_t": "widget",
            "_v": 1,
            "_state": "active",
            "created_at": now,
            "updated_at": now,
            "created_by": "seed",
            "title": f"T{i}",
            "size": "M",
        }
        for i in range(n)
    ]
    for i in range(0, n, 100):
        store.backend.submit(tenant, [BatchOp("create", r) for r in rows[i : i + 100]])
    transport.reset()
    started = time.perf_counter()
    progress = PartitionMigrator(store.backend, store.schemas, SystemClock(), tenant, MIGRATIONS[0]).run()
    return {
        "entities": progress.rewritten,
        "requests": transport.reset(),
        "chunks": progress.chunks,
        "seconds": round(time.perf_counter() - started, 3),
    }


def timed(fn: Callable[[int], Any], ops: int) -> float:
    started = time.perf_counter()
    for i in range(ops):
        fn(i)
    return ops / (time.perf_counter() - started)


def throughput(store: EntityStore, service: TableServiceClient, table: str, rounds: int, ops: int) -> dict[str, Any]:
    client = service.get_table_client(table)
    tenant_core, tenant_raw = "bench-core", "bench-raw"
    run = secrets.token_hex(3)

    def core_create(i: int, r: int) -> None:
        store.create(tenant_core, "widget", f"c{run}-{r}-{i}", DATA, actor="bench", name=f"c{run}-{r}-{i}")

    def raw_create(i: int, r: int) -> None:
        ident, now = f"r{run}-{r}-{i}", datetime.now(UTC)
        entity = {
            "PartitionKey": tenant_raw,
            "RowKey": f"widget|{ident}",
            "_t": "widget",
            "_v": 3,
            "_state": "active",
            "created_at": now,
            "updated_at": now,
            "created_by": "bench",
            "_n": ident,
            **DATA,
        }
        name = {
            "PartitionKey": tenant_raw,
            "RowKey": f"name|widget|{ident}",
            "_t": "name",
            "kind": "widget",
            "entity_id": ident,
            "name": ident,
        }
        audit = {
            "PartitionKey": tenant_raw,
            "RowKey": audit_key(now, ident),
            "_t": "audit",
            "at": now,
            "actor": "bench",
            "action": "create",
            "kind": "widget",
            "entity_id": ident,
            "diff__json": json.dumps({k: [None, v] for k, v in DATA.items()}, default=str),
        }
        client.submit_transaction([("create", entity), ("create", name), ("create", audit)])

    results: dict[str, dict[str, list[float]]] = {"create": {"core": [], "raw": []}, "get": {"core": [], "raw": []}}
    for r in range(rounds):
        order = [("core", core_create), ("raw", raw_create)]
        for side, fn in order if r % 2 == 0 else order[::-1]:
            results["create"][side].append(timed(lambda i, f=fn, rr=r: f(i, rr), ops))  # type: ignore[misc]
    gets_core = [f"c{run}-0-{i}" for i in range(ops)]
    gets_raw = [f"widget|r{run}-0-{i}" for i in range(ops)]
    for r in range(rounds):
        order: list[tuple[str, Callable[[int], Any]]] = [
            ("core", lambda i: store.get(tenant_core, "widget", gets_core[i])),
            ("raw", lambda i: client.get_entity(tenant_raw, gets_raw[i])),
        ]
        for side, fn in order if r % 2 == 0 else order[::-1]:
            results["get"][side].append(timed(fn, ops))
    out: dict[str, Any] = {}
    for op, sides in results.items():
        core, raw = statistics.median(sides["core"]), statistics.median(sides["raw"])
        per_round = [c / w for c, w in zip(sides["core"], sides["raw"], strict=True)]
        out[op] = {
            "core_ops_s": round(core, 1),
            "raw_ops_s": round(raw, 1),
            "ratio": round(core / raw, 3),
            "ratio_per_round_median": round(statistics.median(per_round), 3),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--ops", type=int, default=150)
    args = parser.parse_args()
    with start_azurite(in_memory=True) as azurite:
        transport = CountingTransport()
        service = TableServiceClient.from_connection_string(azurite.connection_string, transport=transport)
        store = EntityStore(service, table="entities", schemas=schemas(), clock=SystemClock())
        store.ensure_tables()
        counts = request_counts(store, transport, "bench-count")
        migration = migrate_count(store, transport, "bench-migrate")
        speed = throughput(store, service, "entities", args.rounds, args.ops)
    report = {
        "benchmark": "storage",
        "azurite": "3.35.0 (in memory)",
        "requests_per_operation": {**counts, "migrate_1000_entities": migration["requests"]},
        "migration": migration,
        "throughput": speed,
        "method": f"{args.rounds} interleaved rounds x {args.ops} sequential ops per side; median ops/s per side",
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
