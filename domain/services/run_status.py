"""Recording a job's state on its run: status forward only, progress (percent of the time budget or of the
trials, trials done, best score so far, elapsed seconds) — the same summary the orchestration's custom status shows."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import JsonValue

from domain.entities.automl import JobInfo, JobStatus
from domain.entities.common import finite
from domain.entities.runs import Progress
from domain.errors import readable
from domain.ports import Store
from domain.records.kind import Stored
from domain.records.kinds import RUNS, RunData
from domain.services._patch import read_modify_write
from domain.services.experiments import note_run

# What the training activities return to the orchestration (JSON; it shows it as its custom status):
# {"status": "Running", "terminal": false, "progress": {"trials_done": 3, "percent": 30.0, ...}, "error": null}
# and, from `finalize`, "modelId" (the model registered for the run, or null).
JobSummary = dict[str, JsonValue]


def progress_of(run: RunData, info: JobInfo | None = None, now: datetime | None = None) -> Progress:
    limits = run.spec.limits if run.spec is not None else None
    prog = run.progress
    trials_done, best_score = prog.trials_done, prog.best_score
    if info is not None:
        trials_done = max(trials_done, info.trials_done)
        if info.best_score is not None:
            best_score = info.best_score
    elapsed = prog.elapsed_seconds
    if run.started_at is not None:
        end = run.ended_at or now or datetime.now(UTC)
        elapsed = round((end - run.started_at).total_seconds(), 1)
    shares = []
    if limits is not None and limits.timeout_minutes and elapsed is not None:
        shares.append(elapsed / (60 * limits.timeout_minutes))
    if limits is not None and limits.max_trials:
        shares.append(trials_done / limits.max_trials)
    percent = prog.percent
    if run.status is JobStatus.COMPLETED:
        percent = 100.0
    elif shares:  # a failed or cancelled run keeps the share it reached (0 trials: not 100)
        percent = round(min(99.0, 100 * max(shares)), 1)
    return Progress(percent=percent, trials_done=trials_done, best_score=best_score, elapsed_seconds=elapsed)


def summary(run: RunData) -> JobSummary:
    progress: dict[str, JsonValue] = finite(run.progress.model_dump(exclude_none=True))
    return {"status": run.status.value, "terminal": run.status.terminal, "progress": progress, "error": run.error}


def record_job(
    store: Store, tenant: str, run_id: str, info: JobInfo, current: Stored[RunData] | None = None
) -> JobSummary:
    """Apply `info` to the run when it moves the status forward or adds progress; returns the run's summary. Runs
    are written by the orchestration's steps and by collections (timer and events) at once: a write that met
    another is applied again to the run as it is now (`read_modify_write`)."""
    cached = current

    def attempt() -> JobSummary:
        nonlocal cached
        run, cached = cached or RUNS.get(store, tenant, run_id), None  # a retry reads the run again
        return _apply(store, tenant, run_id, info, run)

    return read_modify_write(attempt, None)


def _apply(store: Store, tenant: str, run_id: str, info: JobInfo, run: Stored[RunData]) -> JobSummary:
    old = run.data.status
    if old.terminal:  # a late poll or event: the run's final record is not touched (best score, trials, times)
        return summary(run.data)
    changes: dict[str, object] = {}
    if old != info.status and old.can_move_to(info.status):
        changes["status"] = info.status
        if info.status.terminal:  # `active` stays True until `finalize` ran (reconciliation finishes it otherwise)
            changes["ended_at"] = info.ended_at or datetime.now(UTC)
        if info.error:
            changes["error"] = readable(info.error, 2000)  # the backend's reason, without a traceback
    if run.data.started_at is None and (info.started_at or info.status is JobStatus.RUNNING):
        changes["started_at"] = info.started_at or datetime.now(UTC)
    if info.best_trial_id and info.best_trial_id != run.data.best_trial_id:
        changes["best_trial_id"] = info.best_trial_id
    merged = run.data.model_copy(update=changes)
    prog = progress_of(merged, info)
    if prog != run.data.progress:
        changes["progress"] = prog
    if changes:
        run = RUNS.update(store, tenant, run_id, changes, actor="system", current=run)
        if "status" in changes:
            note_run(store, tenant, run.data.experiment_id, run_id, run.data.status, run.created_at)
        return summary(run.data)
    return summary(merged)
