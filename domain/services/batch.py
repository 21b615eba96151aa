"""Batch scoring: a registered model over a whole dataset version, its predictions a CSV in Blob Storage.

`submit` (`POST .../models/{id}:batchScore`) checks everything a job could fail on before it starts: the model, the
dataset version, the model's input columns in the dataset's profile with compatible types (400 naming the columns),
the tenant's `maxBatchRows` quota (429); then it writes the job (NotStarted) and its operation (same id) and the
orchestration `batch_score` takes over: `start` hands the job to the backend, `poll` records its progress until it
ends. A job belongs to its model: deleting the model deletes its jobs and their CSVs (`delete_for_model`), and a
model being deleted takes no new job (the tombstone hides it; a job written meanwhile is removed again).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from domain.entities.automl import DatasetVersionRef, ModelRef
from domain.entities.batch import BatchJob, BatchJobsQuery, BatchJobStatus, BatchProgress, BatchScoreRequest, BatchState
from domain.entities.ids import new_id
from domain.entities.operations import OperationKind, OperationProgress, OperationStatus
from domain.entities.principal import Principal
from domain.errors import NotFound, QuotaExceeded, ValidationFailed
from domain.ports import AutoMLBackend, BlobStore, Store
from domain.records.kind import Stored
from domain.records.kinds import (
    BATCH_JOBS,
    DATASET_VERSIONS,
    DATASETS,
    MODELS,
    OPERATIONS,
    TENANTS,
    BatchJobData,
    DatasetVersionData,
    OperationData,
)
from domain.services import models
from domain.services._views import View, actor
from domain.services.batch_input import check_columns
from domain.services.datasets import version_id
from domain.services.models import model_artifact


class BatchView(View[BatchJobData, BatchJob]):
    def __init__(self) -> None:
        super().__init__(BATCH_JOBS, BatchJob)

    def of(self, stored: Stored[BatchJobData], **extra: object) -> BatchJob:
        data = stored.data
        progress = data.progress
        if progress.rows_total and progress.percent is None:
            percent = round(100 * min(progress.rows_done, progress.rows_total) / progress.rows_total, 1)
            progress = progress.model_copy(update={"percent": percent})
        url = None
        if data.status is BatchJobStatus.COMPLETED and data.output:
            url = f"/api/v1/tenants/{stored.record.tenant}/batchJobs/{stored.id}/output"
        return super().of(stored, progress=progress, output_url=url, **extra)


BATCH = BatchView()
get_batch_job = BATCH.read


def list_batch_jobs(store: Store, tenant: str, query: BatchJobsQuery) -> tuple[list[BatchJob], str | None]:
    """Filters: `modelId`, `status`."""
    where: dict[str, str | int | bool] = {}
    if query.model_id:
        where["model_id"] = query.model_id
    if query.status:
        where["status"] = query.status.value
    return BATCH.page(store, tenant, query, where=where or None)


OUTPUT_FOLDER = "batch"  # `{tenant}/batch/{job}/` in the datasets container (no dataset id is "batch")


def output_blob(container: str, tenant: str, job_id: str) -> str:
    """'<container>/<blob>' of a job's CSV in the datasets container (the one Azure ML reaches through the app's
    datastore, and that a tenant's delete empties of `{tenant}/`); every blob of a job is under `output_prefix`."""
    return f"{container}/{output_prefix(tenant, job_id)}predictions.csv"


def output_prefix(tenant: str, job_id: str) -> str:
    return f"{tenant}/{OUTPUT_FOLDER}/{job_id}/"


def job_name(job_id: str) -> str:
    return f"batch-{job_id}".lower()


# --- submission ------------------------------------------------------------------------------------------------


def _dataset_version(store: Store, tenant: str, body: BatchScoreRequest) -> Stored[DatasetVersionData]:
    try:
        dataset = DATASETS.get(store, tenant, body.dataset_id)
        version = body.dataset_version or dataset.data.latest_version
        return DATASET_VERSIONS.get(store, tenant, version_id(version), parent_id=body.dataset_id)
    except NotFound:
        what = f"version {body.dataset_version} of dataset" if body.dataset_version else "dataset"
        target = "datasetVersion" if body.dataset_version else "datasetId"
        raise ValidationFailed(f"There is no {what} '{body.dataset_id}'.", target=target) from None


def _check_quota(store: Store, tenant: str, rows: int | None) -> None:
    limit = TENANTS.get(store, tenant, tenant).data.quotas.max_batch_rows
    if rows is not None and rows > limit:
        raise QuotaExceeded(
            f"The dataset version has {rows} rows; the tenant's quota is {limit} rows per batch job.",
            target="maxBatchRows",
        )


def submit(store: Store, principal: Principal, tenant: str, model_id: str, body: BatchScoreRequest) -> BatchJob:
    """Check, then record the job and its operation (the orchestration is started by the caller)."""
    model = MODELS.get(store, tenant, model_id)  # NotFound (404): absent, another tenant's, or being deleted
    version = _dataset_version(store, tenant, body)
    check_columns(model.data.input_columns, version.data)
    rows = version.data.profile.row_count if version.data.profile else None
    _check_quota(store, tenant, rows)
    job_id = new_id()
    data = BatchJobData(
        model_id=model_id,
        model_name=model.data.name,
        model_version=model.data.version,
        dataset_id=body.dataset_id,
        dataset_version=version.data.version,
        job_name=job_name(job_id),
        progress=BatchProgress(rows_total=rows),
    )
    stored = BATCH_JOBS.create(store, tenant, job_id, data, actor=actor(principal))
    try:
        MODELS.get(store, tenant, model_id)  # deleted meanwhile? then its cascade may have missed this job
    except NotFound:
        BATCH_JOBS.delete(store, tenant, job_id, actor="system", etag=None)
        raise
    operation = OperationData(
        kind=OperationKind.BATCH_SCORE,
        status=OperationStatus.RUNNING,
        target=f"batchjob/{job_id}",
        target_kind="batchjob",
        target_id=job_id,
        tenant=tenant,
        progress=OperationProgress(done=0, total=rows),
    )
    OPERATIONS.create(store, tenant, job_id, operation, actor=actor(principal))
    return BATCH.of(stored)


# --- the orchestration's steps ----------------------------------------------------------------------------------


def _ref(store: Store, tenant: str, job: BatchJobData) -> DatasetVersionRef:
    version = DATASET_VERSIONS.get(store, tenant, version_id(job.dataset_version), parent_id=job.dataset_id)
    profile = version.data.profile
    return DatasetVersionRef(
        dataset_id=job.dataset_id,
        version=job.dataset_version,
        blob_path=version.data.blob_path,
        uri=version.data.uri,
        columns=tuple(c.name for c in profile.columns) if profile else (),
    )


def start(store: Store, backend: AutoMLBackend, container: str, tenant: str, job_id: str) -> str:
    """Hand the job to the backend (idempotent: by job name); returns the status recorded ('Deleted': the job went
    before it started, with its model)."""
    try:
        job = BATCH_JOBS.get(store, tenant, job_id)
    except NotFound:
        return "Deleted"
    if job.data.status.terminal:
        return job.data.status.value
    artifact: ModelRef = model_artifact(store, backend, tenant, job.data.model_id)
    output, rows = output_blob(container, tenant, job_id), job.data.progress.rows_total
    state = backend.start_batch_score(tenant, job.data.job_name, artifact, _ref(store, tenant, job.data), output, rows)
    return record(store, tenant, job_id, state)


OPERATION_STATUS = {BatchJobStatus.COMPLETED: OperationStatus.SUCCEEDED, BatchJobStatus.FAILED: OperationStatus.FAILED}


def record(store: Store, tenant: str, job_id: str, state: BatchState) -> str:
    """The backend's state on the job and its operation; a status only moves forward."""
    job = BATCH_JOBS.get(store, tenant, job_id)
    if job.data.status.terminal:
        return job.data.status.value
    now = datetime.now(UTC)
    progress = BatchProgress(rows_done=state.rows_done, rows_total=state.rows_total or job.data.progress.rows_total)
    changes: dict[str, object] = {"status": state.status, "progress": progress, "error": state.error}
    if state.status is not BatchJobStatus.NOT_STARTED and job.data.started_at is None:
        changes["started_at"] = now
    if state.status.terminal:
        changes |= {"ended_at": now, "output": state.output, "output_columns": list(state.columns)}
    BATCH_JOBS.update(store, tenant, job_id, changes, actor="system", current=job)
    op_changes: dict[str, object] = {
        "progress": OperationProgress(done=state.rows_done, total=progress.rows_total, message=state.status.value)
    }
    if state.status.terminal:
        op_changes |= {"status": OPERATION_STATUS.get(state.status, OperationStatus.CANCELED), "error": state.error}
    with contextlib.suppress(NotFound):
        OPERATIONS.update(store, tenant, job_id, op_changes, actor="system")
    return state.status.value


def poll(store: Store, backend: AutoMLBackend, blobs: BlobStore, container: str, tenant: str, job_id: str) -> str:
    """Record the backend's progress; a job deleted meanwhile (its model deleted) is stopped and cleaned: 'Deleted'."""
    try:
        job = BATCH_JOBS.get(store, tenant, job_id)
    except NotFound:
        return forget(store, backend, blobs, container, tenant, job_id)
    return record(store, tenant, job_id, backend.get_batch_score(tenant, job.data.job_name))


def fail(store: Store, tenant: str, job_id: str, error: str) -> None:
    with contextlib.suppress(NotFound):
        record(store, tenant, job_id, BatchState(status=BatchJobStatus.FAILED, error=error[:2000]))


def forget(store: Store, backend: AutoMLBackend, blobs: BlobStore, container: str, tenant: str, job_id: str) -> str:
    """What is left of a deleted job outside the store: the backend's job, the CSV, the operation says Canceled."""
    backend.delete_batch_score(tenant, job_name(job_id))
    blobs.delete_prefix(container, output_prefix(tenant, job_id))
    changes = {"status": OperationStatus.CANCELED, "error": "The batch job was deleted."}
    with contextlib.suppress(NotFound):
        current = OPERATIONS.get(store, tenant, job_id)
        if current.data.status is OperationStatus.RUNNING:
            OPERATIONS.update(store, tenant, job_id, changes, actor="system", current=current)
    return "Deleted"


# --- deleting (the output downloads through batch_output) ---------------------------------------------------------


def delete_batch_job(
    store: Store,
    backend: AutoMLBackend,
    blobs: BlobStore,
    container: str,
    principal: Principal,
    tenant: str,
    job_id: str,
    etag: str | None,
) -> None:
    """Stop it if it runs, remove its CSV, then its row (a running orchestration sees it gone and ends)."""
    current = BATCH_JOBS.get(store, tenant, job_id)
    forget(store, backend, blobs, container, tenant, job_id)
    BATCH_JOBS.delete(store, tenant, job_id, actor=actor(principal), etag=etag or current.etag, current=current)


def delete_for_model(
    store: Store, backend: AutoMLBackend, blobs: BlobStore, container: str, tenant: str, model_id: str
) -> int:
    """Every batch job of the model, with its backend job and CSV (idempotent); how many."""
    count = 0
    while True:
        jobs, _ = BATCH_JOBS.list(store, tenant, where={"model_id": model_id}, top=50, include_deleted=True)
        if not jobs:
            return count
        for job in jobs:
            forget(store, backend, blobs, container, tenant, job.id)
            with contextlib.suppress(NotFound):
                BATCH_JOBS.delete(store, tenant, job.id, actor="system", etag=None)
            count += 1


def delete_model(
    store: Store,
    backend: AutoMLBackend,
    blobs: BlobStore,
    container: str,
    principal: Principal,
    tenant: str,
    model_id: str,
    etag: str | None,
) -> None:
    """`DELETE .../models/{id}`: the model with its batch jobs and their CSVs, and its artifact in the backend
    (models.delete_model's cascade)."""

    def children(model: str) -> None:
        delete_for_model(store, backend, blobs, container, tenant, model)
        data = MODELS.get(store, tenant, model, include_deleted=True).data
        if data.uri:  # the registered artifact (a model registered through the API has none before it is deployed)
            version = data.backend_version or str(data.version)
            backend.delete_model(
                tenant, ModelRef(name=data.name, version=version, uri=data.uri, trial_id=data.trial_id)
            )

    models.delete_model(store, principal, tenant, model_id, etag, children=children)
