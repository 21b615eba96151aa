"""Azurite-only behaviour: 503 after the SDK's retries, unreachable storage, and the migrate command line killed
halfway and run again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from azure.data.tables import TableServiceClient

from devhost.azurite import start_azurite
from domain.clock import SystemClock
from domain.errors import Unavailable
from domain.storage.budget import READ_SECONDS, request_budget
from domain.storage.clients import BOUNDED
from domain.storage.counting import CountingTransport
from domain.storage.examples import register
from domain.storage.schemas import SchemaRegistry
from domain.storage.store import EntityStore

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


class Busy(CountingTransport):
    """Answers every request with 503 Server Busy and Retry-After: 1 (after Azurite has seen it)."""

    def send(self, request: Any, **kwargs: Any) -> Any:
        response = super().send(request, **kwargs)
        response.status_code = 503
        response.reason = "Server Busy"
        response.headers["Retry-After"] = "1"
        return response


def registry() -> SchemaRegistry:
    schemas = SchemaRegistry()
    register(schemas)
    return schemas


def test_throttling_becomes_unavailable_after_the_sdk_retries(azurite_connection_string: str, unique: str) -> None:
    healthy = TableServiceClient.from_connection_string(azurite_connection_string)
    ok = EntityStore(healthy, table=f"b{unique}", schemas=registry(), clock=SystemClock())
    ok.ensure_tables()
    ok.create("t1", "widget", "w1", {"display_name": "x", "size_cm": 1}, actor="a")
    transport = Busy()
    service = TableServiceClient.from_connection_string(
        azurite_connection_string, transport=transport, retry_total=1, retry_backoff_factor=0
    )
    store = EntityStore(service, table=f"b{unique}", schemas=registry(), clock=SystemClock())
    with pytest.raises(Unavailable) as err:
        store.get("t1", "widget", "w1")
    assert err.value.retry_after == 1
    assert transport.count == 2  # the first try and one retry, both counted by the transport


def test_unreachable_storage_is_unavailable() -> None:
    conn = (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
        "TableEndpoint=http://127.0.0.1:9/devstoreaccount1;"
    )
    service = TableServiceClient.from_connection_string(conn, retry_total=0)
    store = EntityStore(service, schemas=registry(), clock=SystemClock())
    with pytest.raises(Unavailable) as err:
        store.create("t1", "widget", "w1", {"display_name": "x", "size_cm": 1}, actor="a")
    assert err.value.retry_after > 0 and err.value.code == "ServiceUnavailable"


def _cli(conn: str, table: str, tenant: str, chunk: int) -> subprocess.Popen[str]:
    env = {**os.environ, "DATA_STORAGE_CONNECTION_STRING": conn, "PYTHONPATH": str(ROOT)}
    args = [
        sys.executable,
        "-m",
        "domain.storage.migrate",
        "--catalog",
        "domain.storage.examples",
        "--table",
        table,
        "--tenant",
        tenant,
        "--chunk",
        str(chunk),
    ]
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_migrate_command_killed_halfway_then_run_again(azurite_connection_string: str, unique: str) -> None:
    table, tenant = f"m{unique}", f"t{unique}"
    service = TableServiceClient.from_connection_string(azurite_connection_string)
    service.create_table(table)
    client = service.get_table_client(table)
    now = datetime.now(UTC)
    n = 600
    for start in range(0, n, 100):
        client.submit_transaction(
            [
                (
                    "create",
                    {
                        "PartitionKey": tenant,
                        "RowKey": f"widget|w{i:04d}",
                        "_t": "widget",
                        "_v": 1,
                        "_state": "active",
                        "created_at": now,
                        "updated_at": now,
                        "created_by": "seed",
                        "title": f"T{i}",
                        "size": "L",
                    },
                )
                for i in range(start, start + 100)
            ]
        )
    proc = _cli(azurite_connection_string, table, tenant, chunk=5)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert "0001-widget-v3" in first and "running" in first
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    migrated = sum(e.get("_v") == 3 for e in client.query_entities(f"PartitionKey eq '{tenant}'", select=["_v"]))
    assert 0 < migrated < n  # really killed halfway

    out, err = _cli(azurite_connection_string, table, tenant, chunk=99).communicate(timeout=120)
    assert err == "" or "Traceback" not in err
    report = json.loads(out.strip().splitlines()[-1])
    assert report["applied"] == ["0001-widget-v3", "0002-gadget-keys"] and report["busy"] == []
    rows = list(client.query_entities(f"PartitionKey eq '{tenant}' and RowKey ge 'widget|' and RowKey lt 'widget}}'"))
    assert len(rows) == n
    assert {r["_v"] for r in rows} == {3} and {r["size_cm"] for r in rows} == {40}
    assert sorted(r["display_name"] for r in rows) == sorted(f"T{i}" for i in range(n))
    again, _ = _cli(azurite_connection_string, table, tenant, chunk=99).communicate(timeout=60)
    assert json.loads(again.strip().splitlines()[-1])["rewritten"] == 0
    service.delete_table(table)


def test_a_request_budget_bounds_all_its_calls_to_a_frozen_storage(unique: str) -> None:
    """Azurite frozen (SIGSTOP: connections open, nothing answers). Inside a request's budget, the first call gives up
    when the budget is spent (its read timeout is what is left, not the per-call 4 s), and the next call fails at once
    without sending anything: a request answers 503 within its budget however many calls it makes."""
    instance = start_azurite(in_memory=True)
    try:
        bounds = {k: BOUNDED[k] for k in ("connection_timeout", "read_timeout")}  # a given transport takes its own
        transport = CountingTransport(**bounds)
        service = TableServiceClient.from_connection_string(instance.connection_string, transport=transport, **BOUNDED)
        store = EntityStore(service, table=f"f{unique}", schemas=registry(), clock=SystemClock())
        store.ensure_tables()
        store.create("t1", "widget", "w1", {"display_name": "x", "size_cm": 1}, actor="a")
        os.killpg(instance.process.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            with request_budget(1.5) as budget:
                with pytest.raises(Unavailable):
                    store.get("t1", "widget", "w1")
                sent = transport.count
                with pytest.raises(Unavailable) as second:
                    store.get("t1", "widget", "w1")
            elapsed = time.monotonic() - started
        finally:
            os.killpg(instance.process.pid, signal.SIGCONT)
        assert budget.spent >= 1.5
        assert transport.count == sent, "the call after the budget was spent went to storage"
        assert "budget" in str(second.value) and second.value.retry_after > 0
        assert elapsed < READ_SECONDS, f"{elapsed:.2f} s: the per-call read timeout, not the budget, ended the call"
        assert store.get("t1", "widget", "w1").data["display_name"] == "x"  # without a budget, after the freeze
    finally:
        os.killpg(instance.process.pid, signal.SIGCONT)
        instance.stop()
