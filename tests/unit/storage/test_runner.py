"""The migration runner with the in-memory backend: a partition held by another migrator is reported busy, later
migrations skip it, the others complete, and nothing is recorded as applied everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from domain.clock import ManualClock
from domain.errors import NotFound
from domain.storage.backend import BatchOp, EtagMismatch
from domain.storage.examples import MIGRATIONS, register
from domain.storage.memory_backend import MemoryBackend
from domain.storage.runner import run_migrations
from domain.storage.schemas import SchemaRegistry
from domain.storage.store import EntityStore


class HeldPartition(MemoryBackend):
    """Another migrator keeps committing on partition `tb`: every conditional `_schema` update there fails."""

    def submit(self, partition: str, ops: Sequence[BatchOp]) -> list[str]:
        if partition == "tb" and ops[0].row["RowKey"] == "_schema" and ops[0].action == "replace":
            raise EtagMismatch("0:The update condition specified in the request was not satisfied.", 0)
        return super().submit(partition, ops)


def test_busy_partition_is_reported_and_others_complete() -> None:
    backend = HeldPartition()
    schemas = SchemaRegistry()
    register(schemas)
    now = datetime.now(UTC)
    for tenant in ("ta", "tb"):
        row = {"PartitionKey": tenant, "RowKey": "widget|w1", "_t": "widget", "_v": 1, "_state": "active",
               "created_at": now, "updated_at": now, "created_by": "seed", "title": "T", "size": "S"}  # fmt: skip
        backend.submit(tenant, [BatchOp("create", row)])
    report = run_migrations(backend, schemas, ManualClock(), MIGRATIONS)
    assert report.busy == [(MIGRATIONS[0].id, "tb"), (MIGRATIONS[1].id, "tb")]
    assert report.applied == [] and report.rewritten == 1
    store = EntityStore(backend, schemas=schemas, clock=ManualClock())
    stored, _ = backend.get("ta", "widget|w1")
    assert stored["_v"] == 3
    assert store.get("tb", "widget", "w1").data == {"display_name": "T", "size_cm": 10}  # still upgraded on read
    with pytest.raises(NotFound):
        store.get("tc", "widget", "w1")
    assert not any(pk == "_meta" for pk in backend.partitions())
