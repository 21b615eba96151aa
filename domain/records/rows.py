"""Typed raw rows: rows that are not entities (no schema version, no name, no audit of their own), read by RowKey
prefix over the `RowStore` port. Their keys are built by `domain/storage/keys.py`.

    refs, _ = read(store, tenant, keys.model_refs(model_id), ModelUse, top=50)
    marks = read_one(series, partition, keys.WATERMARK, Watermarks)       # (Watermarks, etag) or None
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from domain.ports import RowStore
from domain.records.kind import StoredModel


class RunRef(StoredModel):
    """A global index row pointing at a run: `_jobs` (by job name), `_active` (not finalized), `_events` (handled)."""

    tenant: str
    run_id: str


class UserTenant(StoredModel):
    """`usertenant|{user}|{tenant}` in the platform partition: the tenants `GET /me` lists."""

    tenant_id: str


class DatasetUse(StoredModel):
    """`ref|dataset|...`: an experiment uses the dataset (it cannot be deleted meanwhile)."""

    dataset_id: str
    experiment_id: str


class RunOfKey(StoredModel):
    """`idem|run|...`: the run an Idempotency-Key started (a repeat of the key answers that run)."""

    run_id: str


class ModelVersions(StoredModel):
    """`modelver|{name}`: the spelling every version of a model name shares, and its last version number."""

    name: str
    latest: int


class ModelOfRun(StoredModel):
    """`runmodel|{run}`: the model auto-registered for a run (so a retried finalize registers it once)."""

    model_id: str


class ModelUse(StoredModel):
    """`ref|model|...`: a deployment uses the model (it cannot be deleted meanwhile)."""

    model_id: str
    endpoint_id: str
    deployment: str


class Slot(StoredModel):
    """`slot|{n}`: one of the tenant's `maxConcurrentRuns` slots, held by an active run (created in its transaction)."""

    run_id: str


class OwnersGuard(StoredModel):
    """`guard|owners`: bumped (ETag-guarded) by every change that removes an owner, so two cannot both pass."""

    epoch: int = 0


class Watermarks(StoredModel):
    """`_wm` of a run's series partition: how far metrics and logs were collected (moved with the rows it covers)."""

    metrics: int = 0
    logs: int = 0


class MetricRow(StoredModel):
    name: str
    step: int
    value: float
    timestamp: datetime
    trial_id: str | None = None  # the trial the point comes from, when the backend says


class LogRow(StoredModel):
    seq: int
    timestamp: datetime
    text: str


M = TypeVar("M", bound=StoredModel)


def read(
    store: RowStore,
    partition: str,
    prefix: str,
    model: type[M],
    *,
    top: int = 100,
    continuation: str | None = None,
    start: str | None = None,
) -> tuple[list[M], str | None]:
    """One page of the rows under `prefix`, typed, and the continuation token."""
    rows, token = store.list_rows(partition, prefix, top=top, continuation=continuation, start=start)
    return [model.model_validate(r.data) for r in rows], token


def read_one(store: RowStore, partition: str, key: str, model: type[M]) -> tuple[M, str] | None:
    """The row at exactly `key` and its ETag, or None (one query: a raw row has no point read of its own)."""
    rows, _ = store.list_rows(partition, key, top=1)
    return next(((model.model_validate(r.data), r.etag) for r in rows if r.key == key), None)
