"""Reconciliation against Azurite, with a fake backend behind the port: stale index rows are removed, runs too young
to judge are left alone, a run whose job ended is reported as a lost event, a run never started is reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.entities.automl import JobInfo, JobStatus
from domain.services import indexes, reconcile
from domain.settings import load_settings
from domain.storage.app_store import build_store

pytestmark = pytest.mark.integration


class Jobs:
    def __init__(self, statuses: dict[str, JobStatus]) -> None:
        self.statuses = statuses

    def get_job(self, tenant: str, job: str) -> JobInfo:
        return JobInfo(job_name=job, status=self.statuses[job])


@pytest.fixture
def store(azurite_connection_string: str, unique: str) -> Any:
    settings = load_settings(
        {"DATA_STORAGE_CONNECTION_STRING": azurite_connection_string, "DATA_TABLE_PREFIX": f"rc{unique}"}
    )
    return build_store(settings)


def plant(store: Any, tenant: str, run_id: str, status: JobStatus, *, active: bool = True) -> None:
    store.create(
        tenant,
        "run",
        run_id,
        {
            "experiment_id": "e",
            "status": status.value,
            "active": active,
            "job_name": f"job-{run_id}",
            "primary_metric": "accuracy",
        },
        actor="test",
    )
    indexes.add_run(store, tenant, run_id, f"job-{run_id}")


def test_survey_repairs_and_reports(store: Any, unique: str) -> None:
    t = f"t{unique}"
    plant(store, t, "gone", JobStatus.RUNNING)
    store.delete(t, "run", "gone", actor="test", etag=None)  # the run was deleted; its index row stayed
    plant(store, t, "ended", JobStatus.COMPLETED, active=False)  # finalized, index row left behind
    plant(store, t, "lost", JobStatus.RUNNING)  # the job ended but the orchestration never heard of it
    plant(store, t, "busy", JobStatus.RUNNING)
    plant(store, t, "never", JobStatus.NOT_STARTED)  # its orchestration was never started
    jobs = Jobs({"job-lost": JobStatus.COMPLETED, "job-busy": JobStatus.RUNNING})

    assert reconcile.survey(store, jobs) == [], "runs younger than the settling time are left alone"
    later = datetime.now(UTC) + reconcile.SETTLING + timedelta(seconds=1)
    work = {w.run_id: w for w in reconcile.survey(store, jobs, now=later) if w.tenant == t}

    assert set(work) == {"lost", "busy", "never"}
    assert work["lost"].job_terminal and not work["busy"].job_terminal and not work["never"].job_terminal
    active = {r for tenant, r in indexes.active_runs(store) if tenant == t}
    assert active == {"lost", "busy", "never"}, "stale index rows (deleted and finalized runs) are removed"
