"""Long-running operations: `GET .../operations/{id}` and `GET .../operations` show status and progress the same way
for every kind: a cascading delete, a deployment, and a training run (its operation's id is the run's id; while
the run goes on, status and progress are the run's, read live; `finalize` records the outcome).

Operations live in the platform partition, filed under their tenant (another tenant's operation is NotFound), so
a tenant's own deletion can be watched to its end."""

from __future__ import annotations

from domain.entities.automl import JobStatus
from domain.entities.operations import Operation, OperationKind, OperationProgress, OperationStatus
from domain.entities.queries import OperationsQuery
from domain.entities.runs import Run
from domain.errors import NotFound
from domain.ports import Store
from domain.records.kind import Stored
from domain.records.kinds import OPERATIONS, RUNS, OperationData
from domain.services._views import View
from domain.services.runs import RUN

_COLLECTION = {
    "tenant": "",
    "experiment": "experiments",
    "run": "runs",
    "endpoint": "endpoints",
    "batchjob": "batchJobs",
}


def target_url(tenant: str, op: OperationData) -> str:
    """The URL of the resource the operation works on (older rows stored `kind/id` text: rebuilt from the fields)."""
    base = f"/api/v1/tenants/{tenant}"
    if op.kind is OperationKind.DEPLOYMENT and op.endpoint_id and op.deployment:
        return f"{base}/endpoints/{op.endpoint_id}/deployments/{op.deployment}"
    if op.kind is OperationKind.TRAINING and op.run_id:
        return f"{base}/runs/{op.run_id}"
    if op.target_kind in _COLLECTION and op.target_id:
        collection = _COLLECTION[op.target_kind]
        return f"{base}/{collection}/{op.target_id}" if collection else base
    return op.target if op.target.startswith("/api/") else f"{base}/{op.target}"


def run_status(status: JobStatus, active: bool) -> OperationStatus:
    """A training operation's status from its run's: Succeeded / Failed / Canceled once the run is finalized."""
    if status is JobStatus.NOT_STARTED:
        return OperationStatus.NOT_STARTED
    if not status.terminal or active:
        return OperationStatus.RUNNING
    return {JobStatus.COMPLETED: OperationStatus.SUCCEEDED, JobStatus.FAILED: OperationStatus.FAILED}.get(
        status, OperationStatus.CANCELED
    )


def training_view(run: Run, max_trials: int | None, active: bool) -> dict[str, object]:
    """The fields of a training operation taken from its run."""
    progress = OperationProgress(
        done=run.progress.trials_done,
        total=max_trials,
        percent=run.progress.percent,
        message=run.status.value,
    )
    return {"status": run_status(run.status, active), "progress": progress, "error": run.error}


class OperationView(View[OperationData, Operation]):
    def __init__(self) -> None:
        super().__init__(OPERATIONS, Operation)

    def of(self, stored: Stored[OperationData], **extra: object) -> Operation:
        data = stored.data
        progress = data.progress
        if progress.total and progress.percent is None:
            percent = round(100 * min(progress.done, progress.total) / progress.total, 1)
            progress = progress.model_copy(update={"percent": percent})
        fields: dict[str, object] = {"target": target_url(data.tenant, data), "progress": progress}
        return super().of(stored, **(fields | extra))

    def live(self, store: Store, stored: Stored[OperationData]) -> Operation:
        """A training operation still running shows its run as it is now (a deleted run: the stored state)."""
        data = stored.data
        if data.kind is not OperationKind.TRAINING or data.run_id is None or data.status is not OperationStatus.RUNNING:
            return self.of(stored)
        try:
            run = RUNS.get(store, data.tenant, data.run_id)
        except NotFound:
            return self.of(stored)
        limits = run.data.spec.limits if run.data.spec is not None else None
        view = training_view(RUN.of(run), limits.max_trials if limits else None, run.data.active)
        return self.of(stored, **view)


OPERATION = OperationView()


def get_operation(store: Store, tenant: str, operation_id: str) -> Operation:
    return OPERATION.live(store, OPERATIONS.get(store, tenant, operation_id))


def list_operations(store: Store, tenant: str, query: OperationsQuery) -> tuple[list[Operation], str | None]:
    """The tenant's operations (deletes, deployments, trainings), filtered by status and kind."""
    where: dict[str, str | int | bool] = {}
    if query.status:
        where["status"] = query.status.value
    if query.kind:
        where["kind"] = query.kind.value
    items, token = OPERATIONS.list(
        store,
        tenant,
        where=where or None,
        top=query.top,
        continuation=query.continuation,
        newest_first=query.newest_first,
    )
    return [OPERATION.live(store, s) for s in items], token
