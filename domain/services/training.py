"""Training runs: start (quotas, idempotency), the orchestration's steps (prepare, poll, cancel, finalize).

The run row carries the `TrainingSpec` it was started with, so later edits of the experiment never change a run.
Status only moves forward (`JobStatus.can_move_to`); events and polls may arrive late, twice or out of order.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import UTC, datetime
from typing import Any

from domain.entities.automl import DatasetVersionRef, JobInfo, JobStatus, TrainingSpec, Validation
from domain.entities.experiments import Experiment
from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.entities.runs import Run
from domain.errors import ConcurrencyConflict, Conflict, NameTaken, NotFound, QuotaExceeded
from domain.services import collect, indexes
from domain.services._records import PLATFORM, actor, to_model
from domain.services.datasets import get_version
from domain.services.experiments import get_experiment
from domain.services.run_status import progress_of, record_job
from domain.services.serving import input_columns
from domain.storage.records import Child

ACTIVE = [s.value for s in JobStatus if not s.terminal]


def run_id_for(tenant: str, experiment_id: str, idempotency_key: str | None) -> str:
    if not idempotency_key:
        return new_id()
    digest = hashlib.sha256(f"{tenant}|{experiment_id}|{idempotency_key}".encode()).hexdigest()
    return f"r{digest[:21]}"


def _check_quotas(store: Any, tenant: str, exp: Experiment) -> None:
    quotas = store.get(PLATFORM, "tenant", tenant).data.get("quotas", {})
    if exp.limits.max_trials > quotas.get("max_trials_per_run", 100):
        raise QuotaExceeded(
            f"maxTrials {exp.limits.max_trials} exceeds the tenant's quota of "
            f"{quotas.get('max_trials_per_run', 100)} trials per run.",
            target="maxTrialsPerRun",
        )
    if exp.limits.timeout_minutes > quotas.get("max_timeout_minutes", 60):
        raise QuotaExceeded(
            f"timeoutMinutes {exp.limits.timeout_minutes} exceeds the tenant's quota of "
            f"{quotas.get('max_timeout_minutes', 60)} minutes.",
            target="maxTimeoutMinutes",
        )
    limit = int(quotas.get("max_concurrent_runs", 2))
    running = store.list(tenant, "run", where={"active": True}, top=limit).items
    if len(running) >= limit:
        raise QuotaExceeded(
            f"The tenant already has {len(running)} active runs; its quota is {limit}.", target="maxConcurrentRuns"
        )


def spec_for(store: Any, tenant: str, exp: Experiment, run_id: str) -> TrainingSpec:
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
    store: Any, principal: Principal, tenant: str, experiment_id: str, idempotency_key: str | None
) -> tuple[Run, bool]:
    """Create the run record (NotStarted) and its index rows; (run, created). A repeated Idempotency-Key returns
    the existing run and created=False, so the caller starts no second orchestration."""
    run_id = run_id_for(tenant, experiment_id, idempotency_key)
    if idempotency_key:
        try:
            return to_model(Run, store.get(tenant, "run", run_id)), False
        except NotFound:
            pass
    exp = get_experiment(store, tenant, experiment_id)
    _check_quotas(store, tenant, exp)
    spec = spec_for(store, tenant, exp, run_id)
    data = {
        "experiment_id": exp.id,
        "status": JobStatus.NOT_STARTED.value,
        "active": True,
        "job_name": spec.job_name,
        "primary_metric": exp.primary_metric,
        "auto_register": exp.auto_register,
        "experiment_name": exp.name,
        "spec": spec.model_dump(mode="json"),
        "progress": {"trials_done": 0},
    }
    try:
        record = store.create(tenant, "run", run_id, data, actor=actor(principal))
    except Conflict:
        return to_model(Run, store.get(tenant, "run", run_id)), False
    indexes.add_run(store, tenant, run_id, spec.job_name)
    return to_model(Run, record), True


def run_spec(store: Any, tenant: str, run_id: str) -> TrainingSpec:
    return TrainingSpec.model_validate(store.get(tenant, "run", run_id).data["spec"])


def prepare(store: Any, backend: Any, tenant: str, run_id: str) -> dict[str, Any]:
    """Register the dataset version with the backend and submit the job (idempotent: deterministic job name)."""
    spec = run_spec(store, tenant, run_id)
    backend.register_dataset(tenant, spec.dataset)
    info: JobInfo = backend.submit_job(spec)
    return record_job(store, tenant, run_id, info)


def poll(store: Any, backend: Any, tenant: str, run_id: str) -> dict[str, Any]:
    """The job's state on the run. A run marked CancelRequested is cancelled here too (idempotent), so a Cancel event
    lost on the way (a host killed between the request and the raise, a `continue_as_new` boundary) still ends it."""
    run = store.get(tenant, "run", run_id)
    if run.data["status"] == JobStatus.CANCEL_REQUESTED.value:
        info: JobInfo = backend.cancel_job(tenant, run.data["job_name"])
    else:
        info = backend.get_job(tenant, run.data["job_name"])
    return record_job(store, tenant, run_id, info, current=run)


def request_cancel(store: Any, principal: Principal, tenant: str, run_id: str) -> Run:
    run = store.get(tenant, "run", run_id)
    status = JobStatus(run.data["status"])
    if status.terminal:
        raise Conflict(f"The run is already {status.value}.", target="status")
    if status.can_move_to(JobStatus.CANCEL_REQUESTED):
        run = store.update(
            tenant,
            "run",
            run_id,
            {"status": JobStatus.CANCEL_REQUESTED.value},
            actor=actor(principal),
            etag=None,
            current=run,
        )
    return to_model(Run, run)


def cancel(store: Any, backend: Any, tenant: str, run_id: str) -> dict[str, Any]:
    run = store.get(tenant, "run", run_id)
    info: JobInfo = backend.cancel_job(tenant, run.data["job_name"])
    return record_job(store, tenant, run_id, info)


def finalize(store: Any, series: Any, backend: Any, tenant: str, run_id: str) -> dict[str, Any]:
    """Record trials (the leaderboard), final metrics and outcome; register the best model when asked. A last
    collection first: a run that ends between two collector ticks would otherwise lose its tail of points and lines
    (or, for a short run, all of them) once it leaves the `_active` index."""
    for _ in range(3):
        try:
            collect.collect_run(store, series, backend, tenant, run_id)
            break
        except ConcurrencyConflict:  # a collector tick moved the watermark meanwhile: collect what is left
            continue
    run = store.get(tenant, "run", run_id)
    job_name = run.data["job_name"]
    trials = backend.list_trials(tenant, job_name)
    rows = [Child("trial", t.trial_id, t.model_dump(mode="json", exclude={"trial_id"}), run_id) for t in trials]
    store.upsert_entities(tenant, rows, actor="system")
    info: JobInfo = backend.get_job(tenant, job_name)
    summary = record_job(store, tenant, run_id, info)
    run = store.get(tenant, "run", run_id)
    changes: dict[str, Any] = {"active": False, "ended_at": run.data.get("ended_at") or datetime.now(UTC).isoformat()}
    best = next((t for t in trials if t.trial_id == info.best_trial_id), None)
    if best is not None:
        changes["metrics"] = best.metrics or (
            {run.data["primary_metric"]: best.score} if best.score is not None else {}
        )
    if info.status is JobStatus.COMPLETED and run.data.get("auto_register") and not run.data.get("model_id"):
        changes["model_id"] = register_best(store, backend, tenant, run_id, run.data)
    store.update(tenant, "run", run_id, changes, actor="system", etag=None)
    indexes.deactivate_run(store, tenant, run_id)
    return summary | {"modelId": changes.get("model_id")}


def register_best(store: Any, backend: Any, tenant: str, run_id: str, run: dict[str, Any]) -> str:
    name = f"{run['experiment_name']}-{run_id[-8:]}"[:64]
    ref = backend.register_model(tenant, run["job_name"], name=name)
    model_id = f"m{run_id}"[:64]
    data = {
        "name": name,
        "version": ref.version,
        "run_id": run_id,
        "trial_id": ref.trial_id,
        "uri": ref.uri,
        "description": f"Best model of run {run_id}",
        "tags": {"source": "autoRegister"},
        "input_columns": input_columns(store, tenant, run),
    }
    with contextlib.suppress(Conflict, NameTaken):  # a retried activity: the model record exists
        store.create(tenant, "model", model_id, data, actor="system", name=name)
    return model_id


def progress(store: Any, tenant: str, run_id: str) -> dict[str, Any]:
    return progress_of(store.get(tenant, "run", run_id).data)
