"""What a cascading delete removes besides the rows of the tenant's partition: a run's training job (stopped first:
the delete waits until it has really stopped), its metric and log rows, its index rows and its quota slot; an
endpoint's deployments and endpoint in the AutoML backend (local: their models leave the scoring server); a tenant's
batch jobs (stopped in the backend, their CSVs deleted) and blobs.

Each function is one idempotent step (a host killed between two steps resumes where it stopped), called by the
cascade's steps (`cascade.py`). A `Step` says how many rows went, or what the cascade waits for.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import NotFound
from domain.ports import AutoMLBackend, BlobStore, RowStore, Store
from domain.records.kind import Stored
from domain.records.kinds import BATCH_JOBS, DEPLOYMENTS, ENDPOINTS, RUNS, TRIALS, EndpointData, RunData
from domain.services import batch, indexes, quota
from domain.services.endpoints import backend_endpoint
from domain.storage import keys
from domain.storage.records import Op

PAGE = 98  # one transaction: <= 100 operations, the audit row included
STOP_WAIT_SECONDS = 3  # how long the cascade waits before it asks again whether a job has stopped


@dataclass(frozen=True)
class Cleanup:
    """The ports a cascade cleans besides the entity store."""

    backend: AutoMLBackend
    blobs: BlobStore
    series: RowStore
    datasets_container: str
    models_container: str


@dataclass(frozen=True)
class Step:
    deleted: int = 0  # rows removed by this step
    waiting: str | None = None  # what the cascade waits for (it asks again after STOP_WAIT_SECONDS)


def delete_rows(store: RowStore, partition: str, row_keys: list[str], *, audit: bool = False) -> None:
    if row_keys:
        ops = [Op.delete(k, if_exists=True) for k in row_keys]
        store.transact(partition, ops, actor="system", action="cascade", audit=audit)


def _stopped(env: Cleanup, tenant: str, run: Stored[RunData]) -> bool:
    """True when the run's job is not running (asks it to stop otherwise): cancelling is idempotent."""
    try:
        info = env.backend.get_job(tenant, run.data.job_name)
    except NotFound:
        return True
    if info.status.terminal:
        return True
    env.backend.cancel_job(tenant, run.data.job_name)
    return False


def run_step(store: Store, env: Cleanup, tenant: str, run: Stored[RunData]) -> Step:
    """One step of removing a run, deepest first: stop its job, then a page of trials, then a page of its metric
    and log rows, then its job and index rows. Step() (nothing deleted, nothing awaited) when only its row is left."""
    if not _stopped(env, tenant, run):
        return Step(waiting=f"stopping the training job of run {run.id}")
    trials, _ = TRIALS.list(store, tenant, parent_id=run.id, top=PAGE, include_deleted=True)
    if trials:
        delete_rows(store, tenant, [keys.entity_key(TRIALS.name, t.id, run.id) for t in trials], audit=True)
        return Step(len(trials))
    partition = keys.series_partition(tenant, run.id)
    points, _ = env.series.list_rows(partition, "", top=PAGE)
    if points:
        delete_rows(env.series, partition, [p.key for p in points])
        return Step(len(points))
    env.backend.delete_job(tenant, run.data.job_name)  # the job folder or Azure ML job, and its model artifact
    indexes.forget_run(store, tenant, run.id, run.data.job_name)
    return Step()


def run_row_ops(store: Store, tenant: str, run: Stored[RunData]) -> list[Op]:
    """The run's row and its quota slot, for one transaction (the slot is free once the row is gone)."""
    row = Op.delete(keys.entity_key(RUNS.name, run.id), if_exists=True)
    return [row, *quota.release(store, tenant, run.id, run.data)]


def next_run(store: Store, env: Cleanup, tenant: str, experiment_id: str | None) -> Step | None:
    """A step on the first remaining run (of the experiment, or of the tenant); None when no run is left."""
    where = {"experiment_id": experiment_id} if experiment_id else None
    runs, _ = RUNS.list(store, tenant, where=where, top=1, include_deleted=True)
    if not runs:
        return None
    step = run_step(store, env, tenant, runs[0])
    if step.deleted or step.waiting:
        return step
    store.transact(tenant, run_row_ops(store, tenant, runs[0]), actor="system", action="cascade")
    return Step(1)


def endpoint_step(store: Store, env: Cleanup, tenant: str, endpoint_id: str) -> Step:
    """A page of the endpoint's deployments, from the backend (local: their records in the work folder) and the
    store; when none is left, the endpoint in the backend. Step() when only the endpoint's row is left."""
    deployments, _ = DEPLOYMENTS.list(store, tenant, parent_id=endpoint_id, top=PAGE // 2, include_deleted=True)
    name = backend_endpoint(tenant, endpoint_id)
    if not deployments:
        env.backend.delete_endpoint(tenant, name)
        return Step()
    row_keys = []
    for d in deployments:
        env.backend.delete_deployment(tenant, name, d.id)
        row_keys += [
            keys.entity_key(DEPLOYMENTS.name, d.id, endpoint_id),
            keys.model_ref_key(d.data.model_id, endpoint_id, d.id),
        ]
    delete_rows(store, tenant, row_keys, audit=True)
    return Step(len(deployments))


def next_endpoint(store: Store, env: Cleanup, tenant: str) -> Step | None:
    """A step on the tenant's first remaining endpoint (its row goes last); None when no endpoint is left."""
    found, _ = ENDPOINTS.list(store, tenant, top=1, include_deleted=True)
    if not found:
        return None
    endpoint: Stored[EndpointData] = found[0]
    step = endpoint_step(store, env, tenant, endpoint.id)
    if step.deleted:
        return step
    gone = [keys.entity_key(ENDPOINTS.name, endpoint.id), keys.name_key(ENDPOINTS.name, endpoint.data.name)]
    delete_rows(store, tenant, gone)
    return Step(1)


def next_batch_jobs(store: Store, env: Cleanup, tenant: str) -> Step | None:
    """A page of the tenant's batch jobs: each stopped and removed in the backend, its CSV deleted, then the rows;
    None when no batch job is left."""
    found, _ = BATCH_JOBS.list(store, tenant, top=20, include_deleted=True)
    if not found:
        return None
    for job in found:
        batch.forget(store, env.backend, env.blobs, env.datasets_container, tenant, job.id)
    delete_rows(store, tenant, [keys.entity_key(BATCH_JOBS.name, j.id) for j in found], audit=True)
    return Step(len(found))


def tenant_blobs(env: Cleanup, tenant: str) -> int:
    """Every blob of the tenant: dataset files and pending uploads, MLTable files, model artifacts (idempotent)."""
    return (
        env.blobs.delete_prefix(env.datasets_container, f"{tenant}/")
        + env.blobs.delete_prefix(env.datasets_container, f"_mltable/{tenant}/")
        + env.blobs.delete_prefix(env.models_container, f"{tenant}/")
    )
