"""Recording a job's state on its run: forward only, whatever order polls and events bring; progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.entities.automl import DatasetVersionRef, JobInfo, JobStatus, Limits, Task, TrainingSpec
from domain.records.kinds import RunData
from domain.services.run_status import progress_of, record_job
from tests.unit.services.kit import memory_store

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SPEC = TrainingSpec(
    tenant="t",
    run_id="r",
    experiment_id="e",
    task=Task.CLASSIFICATION,
    dataset=DatasetVersionRef(dataset_id="d", version=1),
    target_column="y",
    primary_metric="accuracy",
    limits=Limits(timeout_minutes=1, max_trials=10),
)


@pytest.fixture
def store() -> Any:
    s = memory_store()
    data = {"experiment_id": "e", "status": "NotStarted", "active": True, "job_name": "j", "primary_metric": "accuracy",
            "spec": SPEC.model_dump(mode="json"), "progress": {"trials_done": 0}}  # fmt: skip
    s.create("t", "run", "r", data, actor="test")
    return s


def info(status: JobStatus, **kw: Any) -> JobInfo:
    return JobInfo(job_name="j", status=status, **kw)


def test_status_moves_forward_only(store: Any) -> None:
    record_job(store, "t", "r", info(JobStatus.RUNNING, started_at=T0, trials_done=3, best_score=0.9))
    done = record_job(store, "t", "r", info(JobStatus.COMPLETED, started_at=T0, ended_at=T0 + timedelta(seconds=30),
                                            trials_done=10, best_score=0.95))  # fmt: skip
    assert done["terminal"] and done["progress"]["percent"] == 100.0
    etag = store.get("t", "run", "r").etag
    for late in (JobStatus.RUNNING, JobStatus.QUEUED, JobStatus.FAILED, JobStatus.CANCELED):
        summary = record_job(store, "t", "r", info(late, trials_done=2, best_score=0.5))
        assert summary["status"] == "Completed"
    run = store.get("t", "run", "r")
    assert run.data["status"] == "Completed" and run.etag == etag  # nothing written at all
    assert run.data["active"] is True  # only finalize ends the run's active life
    assert run.data["progress"]["trials_done"] == 10 and run.data["progress"]["elapsed_seconds"] == 30.0


def test_cancel_requested_is_not_undone_by_a_running_poll(store: Any) -> None:
    record_job(store, "t", "r", info(JobStatus.RUNNING, started_at=T0))
    store.update("t", "run", "r", {"status": "CancelRequested"}, actor="test", etag=None)
    assert record_job(store, "t", "r", info(JobStatus.RUNNING))["status"] == "CancelRequested"
    assert record_job(store, "t", "r", info(JobStatus.CANCELED, error="canceled"))["status"] == "Canceled"


def test_progress_is_the_larger_share_of_time_or_trials() -> None:
    run = RunData(
        experiment_id="e", status=JobStatus.RUNNING, job_name="j", primary_metric="accuracy", started_at=T0, spec=SPEC
    )
    assert progress_of(run, info(JobStatus.RUNNING, trials_done=2), now=T0 + timedelta(seconds=30)).percent == 50.0
    assert progress_of(run, info(JobStatus.RUNNING, trials_done=8), now=T0 + timedelta(seconds=6)).percent == 80.0
    assert progress_of(run, info(JobStatus.RUNNING, trials_done=10), now=T0 + timedelta(seconds=90)).percent == 99.0
