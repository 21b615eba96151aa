"""Reconciliation (a timer): repair what at-least-once, unordered delivery and crashes can leave behind.

- an `_active` index row whose run is gone or already terminal is removed (stale index);
- a run whose job has ended but whose orchestration did not hear of it (lost event) is reported, so the timer
  raises the event again; a run whose orchestration died is reported, so the timer starts it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.entities.automl import JobStatus
from domain.errors import DomainError, NotFound
from domain.ports import AutoMLBackend, Store
from domain.records.kinds import RUNS
from domain.services import indexes


@dataclass(frozen=True)
class Work:
    tenant: str
    run_id: str
    job_terminal: bool


# A run younger than this is left alone: its HTTP handler may not have started its orchestration yet.
SETTLING = timedelta(seconds=15)


def survey(store: Store, backend: AutoMLBackend, now: datetime | None = None) -> list[Work]:
    """What the timer must repair; stale index rows are removed here."""
    now = now or datetime.now(UTC)
    work = []
    for tenant, run_id in indexes.active_runs(store):
        try:
            run = RUNS.get(store, tenant, run_id)
        except NotFound:
            indexes.deactivate_run(store, tenant, run_id)
            continue
        if run.data.status.terminal and not run.data.active:
            indexes.deactivate_run(store, tenant, run_id)
            continue
        if now - run.created_at < SETTLING:
            continue
        if run.data.status is JobStatus.NOT_STARTED:
            work.append(Work(tenant, run_id, False))
            continue
        try:
            job = backend.get_job(tenant, run.data.job_name)
        except DomainError:
            continue
        work.append(Work(tenant, run_id, job.status.terminal))
    return work
