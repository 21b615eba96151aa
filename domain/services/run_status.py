"""Recording a job's state on its run: status forward only, progress (percent of the time budget or of the
trials, trials done, best score so far, elapsed seconds) — the same dict the orchestration's custom status shows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.entities.automl import JobInfo, JobStatus


def progress_of(run: dict[str, Any], info: JobInfo | None = None, now: datetime | None = None) -> dict[str, Any]:
    spec_limits = run.get("spec", {}).get("limits", {})
    prog = dict(run.get("progress") or {})
    if info is not None:
        prog["trials_done"] = max(int(prog.get("trials_done", 0)), info.trials_done)
        if info.best_score is not None:
            prog["best_score"] = info.best_score
    started = run.get("started_at")
    if started:
        end = run.get("ended_at") or (now or datetime.now(UTC)).isoformat()
        prog["elapsed_seconds"] = round(
            (datetime.fromisoformat(end) - datetime.fromisoformat(started)).total_seconds(), 1
        )
    shares = []
    if spec_limits.get("timeout_minutes") and prog.get("elapsed_seconds") is not None:
        shares.append(prog["elapsed_seconds"] / (60 * spec_limits["timeout_minutes"]))
    if spec_limits.get("max_trials"):
        shares.append(prog.get("trials_done", 0) / spec_limits["max_trials"])
    if JobStatus(run["status"]).terminal:
        prog["percent"] = 100.0
    elif shares:
        prog["percent"] = round(min(99.0, 100 * max(shares)), 1)
    return prog


def record_job(store: Any, tenant: str, run_id: str, info: JobInfo, current: Any = None) -> dict[str, Any]:
    """Apply `info` to the run when it moves the status forward or adds progress; returns the run's summary."""
    run = current if current is not None else store.get(tenant, "run", run_id)
    old = JobStatus(run.data["status"])
    if old.terminal:  # a late poll or event: the run's final record is not touched (best score, trials, times)
        prog = run.data.get("progress") or {}
        return {"status": old.value, "terminal": True, "progress": prog, "error": run.data.get("error")}
    changes: dict[str, Any] = {}
    if old != info.status and old.can_move_to(info.status):
        changes["status"] = info.status.value
        if info.status.terminal:  # `active` stays True until `finalize` ran (reconciliation finishes it otherwise)
            changes["ended_at"] = (info.ended_at or datetime.now(UTC)).isoformat()
        if info.error:
            changes["error"] = info.error[:2000]
    if not run.data.get("started_at") and (info.started_at or info.status is JobStatus.RUNNING):
        changes["started_at"] = (info.started_at or datetime.now(UTC)).isoformat()
    if info.best_trial_id and info.best_trial_id != run.data.get("best_trial_id"):
        changes["best_trial_id"] = info.best_trial_id
    merged = {**run.data, **changes}
    prog = progress_of(merged, info)
    if prog != run.data.get("progress"):
        changes["progress"] = prog
    if changes:
        store.update(tenant, "run", run_id, changes, actor="system", etag=None, current=run)
    status = JobStatus(merged["status"])
    return {"status": status.value, "terminal": status.terminal, "progress": prog, "error": merged.get("error")}
