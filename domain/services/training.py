"""Training runs: start (quotas, idempotency), the orchestration's steps (prepare, poll, cancel, finalize).

The run row carries the `TrainingSpec` it was started with, so later edits of the experiment never change a run.
Status only moves forward (`JobStatus.can_move_to`); events and polls may arrive late, twice or out of order.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import UTC, datetime

from domain.entities.automl import DatasetVersionRef, JobInfo, JobStatus, TrainingSpec, Validation
from domain.entities.experiments import Experiment
from domain.entities.ids import new_id
from domain.entities.operations import OperationKind, OperationStatus
from domain.entities.principal import Principal
from domain.entities.runs import Progress, Run
from domain.errors import ConcurrencyConflict, Conflict, NotFound, QuotaExceeded, ValidationFailed
from domain.ports import AutoMLBackend, RowStore, Store
from domain.records import rows
from domain.records.kind import Stored
from domain.records.kinds import MODELS, OPERATIONS, RUNS, TENANTS, OperationData, RunData
from domain.services import collect, explanations, indexes, quota
from domain.services._patch import read_modify_write
from domain.services._views import actor
from domain.services.datasets import get_version
from domain.services.experiments import get_experiment, note_run
from domain.services.models import register_best
from domain.services.operations import training_view
from domain.services.run_status import JobSummary, record_job
from domain.services.runs import RUN
from domain.storage import keys
from domain.storage.records import Op


class FinalSummary(JobSummary):
    modelId: str | None


def key_digest(idempotency_key: str) -> str:
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]


def _run_of_key(store: Store, tenant: str, experiment_id: str, idempotency_key: str | None) -> str | None:
    """The run an Idempotency-Key already started on this experiment, if any."""
    if not idempotency_key:
        return None
    key = keys.idempotent_run_key(experiment_id, key_digest(idempotency_key))
    found = rows.read_one(store, tenant, key, rows.RunOfKey)
    return found[0].run_id if found else None


def _check_quotas(store: Store, tenant: str, exp: Experiment) -> int:
    """The tenant's maxConcurrentRuns, once the experiment's limits are within its quotas (QuotaExceeded otherwise)."""
    quotas = TENANTS.get(store, tenant, tenant).data.quotas
    if exp.limits.max_trials > quotas.max_trials_per_run:
        raise QuotaExceeded(
            f"maxTrials {exp.limits.max_trials} exceeds the tenant's quota of "
            f"{quotas.max_trials_per_run} trials per run.",
            target="maxTrialsPerRun",
        )
    if exp.limits.timeout_minutes > quotas.max_timeout_minutes:
        raise QuotaExceeded(
            f"timeoutMinutes {exp.limits.timeout_minutes} exceeds the tenant's quota of "
            f"{quotas.max_timeout_minutes} minutes.",
            target="maxTimeoutMinutes",
        )
    return quotas.max_concurrent_runs


def spec_for(store: Store, tenant: str, exp: Experiment, run_id: str) -> TrainingSpec:
    version = get_version(store, tenant, exp.dataset_id, exp.dataset_version)
    columns = tuple(c.name for c in version.profile.columns) if version.profile else ()
    ref = DatasetVersionRef(
        dataset_id=exp.dataset_id,
        version=exp.dataset_version,
        blob_path=version.blob_path,
        uri=version.uri,
        columns=columns,
    )
    return TrainingSpec(
        tenant=tenant,
        run_id=run_id,
        experiment_id=exp.id,
        task=exp.task,
        dataset=ref,
        target_column=exp.target_column,
        primary_metric=exp.primary_metric,
        limits=exp.limits.to_limits(),
        validation=Validation(**exp.validation.model_dump()),
        allowed_algorithms=tuple(exp.allowed_algorithms),
        blocked_algorithms=tuple(exp.blocked_algorithms),
        featurization=exp.featurization,
        forecast=exp.forecast.to_settings() if exp.forecast else None,
    )


def start_run(
    store: Store, principal: Principal, tenant: str, experiment_id: str, idempotency_key: str | None
) -> tuple[Run, bool]:
    """Create the run record (NotStarted), its index rows and its training operation; (run, created). Run ids sort
    by creation time like every id; an Idempotency-Key is remembered by a row written in the run's own transaction,
    so a repeat (even a concurrent one) returns the existing run and created=False, and no second orchestration. The
    run claims a free quota slot in that transaction too (`quota.claim`): of concurrent starts, at most
    maxConcurrentRuns succeed."""
    known = _run_of_key(store, tenant, experiment_id, idempotency_key)
    if known is not None:
        return RUN.read(store, tenant, known), False
    run_id = new_id()
    exp = get_experiment(store, tenant, experiment_id)
    limit = _check_quotas(store, tenant, exp)
    spec = spec_for(store, tenant, exp, run_id)
    data = RunData(
        experiment_id=exp.id,
        status=JobStatus.NOT_STARTED,
        active=True,
        job_name=spec.job_name,
        primary_metric=exp.primary_metric,
        auto_register=exp.auto_register,
        experiment_name=exp.name,
        spec=spec,
        progress=Progress(trials_done=0),
    )
    remember = []
    if idempotency_key:
        key = keys.idempotent_run_key(experiment_id, key_digest(idempotency_key))
        remember = [Op.create(key, rows.RunOfKey(run_id=run_id).stored())]

    def repeated() -> bool:
        return _run_of_key(store, tenant, experiment_id, idempotency_key) is not None

    stored = quota.claim(store, principal, tenant, run_id, data, limit, extra_ops=remember, superseded=repeated)
    if stored is None:  # the same key, sent twice at once: the other request created the run
        known = _run_of_key(store, tenant, experiment_id, idempotency_key)
        if known is None:
            raise Conflict("The run could not be created; try again.")
        return RUN.read(store, tenant, known), False
    indexes.add_run(store, tenant, run_id, spec.job_name)
    start_training_operation(store, principal, tenant, run_id)
    note_run(store, tenant, exp.id, run_id, JobStatus.NOT_STARTED, stored.created_at)
    return RUN.of(stored), True


def start_training_operation(store: Store, principal: Principal, tenant: str, run_id: str) -> None:
    """The run's operation (`.../operations/{run id}`): the same id, in the platform partition (idempotent)."""
    data = OperationData(
        kind=OperationKind.TRAINING,
        status=OperationStatus.RUNNING,
        target=f"runs/{run_id}",
        tenant=tenant,
        run_id=run_id,
    )
    with contextlib.suppress(Conflict):
        OPERATIONS.create(store, tenant, run_id, data, actor=actor(principal))


def end_training_operation(store: Store, tenant: str, run_id: str) -> None:
    """Record the finalized run's outcome on its operation (runs started before operations existed have none)."""
    run = RUN.of(RUNS.get(store, tenant, run_id))
    limits = run_spec(store, tenant, run_id).limits
    view = training_view(run, limits.max_trials, active=False)
    with contextlib.suppress(NotFound):
        OPERATIONS.update(store, tenant, run_id, view, actor="system")


def run_spec(store: Store, tenant: str, run_id: str) -> TrainingSpec:
    spec = RUNS.get(store, tenant, run_id).data.spec
    if spec is None:
        raise ValidationFailed(f"Run '{run_id}' has no training spec.", target="run")
    return spec


# What the training steps return once the run was deleted (its cascade stops the job): the orchestration just ends.
DELETED: JobSummary = {"status": JobStatus.CANCELED.value, "terminal": True, "progress": {}, "error": None,
                       "deleted": True}  # fmt: skip


def _live(store: Store, tenant: str, run_id: str) -> Stored[RunData] | None:
    """The run, or None once it is being deleted (or gone)."""
    try:
        return RUNS.get(store, tenant, run_id)
    except NotFound:
        return None


def prepare(store: Store, backend: AutoMLBackend, tenant: str, run_id: str) -> JobSummary:
    """Register the dataset version with the backend and submit the job (idempotent: deterministic job name). A run
    deleted meanwhile gets no job: one submitted while its cascade looked is stopped and removed here."""
    run = _live(store, tenant, run_id)
    if run is None:
        return DELETED
    spec = run_spec(store, tenant, run_id)
    backend.register_dataset(tenant, spec.dataset)
    info = backend.submit_job(spec)
    if _live(store, tenant, run_id) is None:
        backend.cancel_job(tenant, spec.job_name)
        return DELETED
    return record_job(store, tenant, run_id, info)


def poll(store: Store, backend: AutoMLBackend, tenant: str, run_id: str) -> JobSummary:
    """The job's state on the run. A run marked CancelRequested is cancelled here too (idempotent), so a Cancel event
    lost on the way (a host killed between the request and the raise, a `continue_as_new` boundary) still ends it."""
    run = _live(store, tenant, run_id)
    if run is None:
        return DELETED
    if run.data.status is JobStatus.CANCEL_REQUESTED:
        info = backend.cancel_job(tenant, run.data.job_name)
    else:
        info = backend.get_job(tenant, run.data.job_name)
    return record_job(store, tenant, run_id, info, current=run)


def request_cancel(store: Store, principal: Principal, tenant: str, run_id: str) -> Run:
    """Mark the run CancelRequested (409 once it has ended); applied to the run as it is now, even while its
    collections write to it."""

    def attempt() -> Run:
        run = RUNS.get(store, tenant, run_id)
        status = run.data.status
        if status.terminal:
            raise Conflict(f"The run is already {status.value}.", target="status")
        if status.can_move_to(JobStatus.CANCEL_REQUESTED):
            changes = {"status": JobStatus.CANCEL_REQUESTED}
            run = RUNS.update(store, tenant, run_id, changes, actor=actor(principal), current=run)
        return RUN.of(run)

    return read_modify_write(attempt, None)


def cancel(store: Store, backend: AutoMLBackend, tenant: str, run_id: str) -> JobSummary:
    run = _live(store, tenant, run_id)
    if run is None:
        return DELETED
    info = backend.cancel_job(tenant, run.data.job_name)
    return record_job(store, tenant, run_id, info)


def finalize(store: Store, series: RowStore, backend: AutoMLBackend, tenant: str, run_id: str) -> JobSummary:
    """Record trials (the leaderboard), final metrics and outcome; register the best model when asked. A last
    collection first: a run that ends between two collector ticks would otherwise lose its tail of points and lines
    (or, for a short run, all of them) once it leaves the `_active` index."""
    if _live(store, tenant, run_id) is None:
        return DELETED
    for _ in range(3):
        try:
            collect.collect_run(store, series, backend, tenant, run_id)
            break
        except ConcurrencyConflict:  # a collector tick moved the watermark meanwhile: collect what is left
            continue
    job_name = RUNS.get(store, tenant, run_id).data.job_name
    collect.record_trials(store, backend, tenant, run_id, job_name)
    trials = backend.list_trials(tenant, job_name)
    info: JobInfo = backend.get_job(tenant, job_name)
    result = record_job(store, tenant, run_id, info)
    run = RUNS.get(store, tenant, run_id)
    changes: dict[str, object] = {"active": False, "ended_at": run.data.ended_at or datetime.now(UTC)}
    best = next((t for t in trials if t.trial_id == info.best_trial_id), None)
    if best is not None:
        changes["metrics"] = best.metrics or ({run.data.primary_metric: best.score} if best.score is not None else {})
    explanation = explanations.at_finalize(store, backend, tenant, run_id)
    if explanation is not None:
        changes["explanation"] = explanation
    model_id = None
    if info.status is JobStatus.COMPLETED and run.data.auto_register and not run.data.model_id:
        model_id = changes["model_id"] = register_best(store, backend, tenant, run_id, run.data)

    def write() -> Stored[RunData]:
        free = quota.release(store, tenant, run_id, run.data)  # the slot goes in the same transaction
        return RUNS.update(store, tenant, run_id, changes, actor="system", extra_ops=free)

    read_modify_write(write, None)
    if model_id is not None and explanation is not None:  # the best trial's model: the run's explanation is its own
        MODELS.update(store, tenant, model_id, {"explanation": explanation}, actor="system")
    indexes.deactivate_run(store, tenant, run_id)
    end_training_operation(store, tenant, run_id)
    return result | {"modelId": model_id}
