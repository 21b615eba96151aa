"""Cancel, crashes, host restarts, idempotent submits, the concurrency limit, exit score and series watermarks."""

from __future__ import annotations

import os
import signal
import time
import uuid
from typing import Any

import pytest

from domain.automl.local.backend import LocalAutoMLBackend
from domain.automl.local.jobdir import JobDir, pid_alive, read_json
from domain.entities.automl import JobStatus, Limits, ProvisioningState

pytestmark = [pytest.mark.integration, pytest.mark.slow]
LONG = Limits(timeout_minutes=5, max_trials=1000)


@pytest.fixture(scope="module")
def breast_cancer(backend: Any, kit: Any) -> Any:
    return kit.upload_dataset(backend.settings, "breast_cancer", uuid.uuid4().hex[:8])


def test_cancel_mid_job_keeps_a_usable_best_model(backend: Any, kit: Any, breast_cancer: Any, unique: str) -> None:
    spec = kit.spec_for(breast_cancer, unique, limits=LONG)
    backend.submit_job(spec)
    kit.wait_until(backend, spec.tenant, spec.job_name, lambda i: i.trials_done >= 5 or i.status.terminal)
    assert backend.cancel_job(spec.tenant, spec.job_name).status in (JobStatus.CANCEL_REQUESTED, JobStatus.CANCELED)
    info = kit.wait_until(backend, spec.tenant, spec.job_name, kit.terminal, timeout=60)
    assert info.status is JobStatus.CANCELED and info.trials_done >= 5 and info.best_trial_id
    model = backend.register_model(spec.tenant, spec.job_name, name="cancelled")
    backend.create_or_update_endpoint(spec.tenant, "ep")
    backend.create_or_update_deployment(spec.tenant, "ep", "blue", model)
    deadline = time.monotonic() + 60
    while backend.get_deployment(spec.tenant, "ep", "blue").state is ProvisioningState.CREATING:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    backend.set_traffic(spec.tenant, "ep", {"blue": 100})
    predictions = backend.score(spec.tenant, "ep", breast_cancer.test_rows)  # routed by traffic
    hits = sum(p == t for p, t in zip(predictions, breast_cancer.test_y, strict=True))
    assert hits / len(predictions) > 0.85
    backend.delete_endpoint(spec.tenant, "ep")


def test_missing_target_column_fails_with_a_readable_error(
    backend: Any, kit: Any, breast_cancer: Any, unique: str, event_capture: Any
) -> None:
    dataset = breast_cancer.ref.model_copy(update={"columns": ()})  # unknown columns: only the worker can tell
    spec = kit.spec_for(breast_cancer, unique, dataset=dataset, target_column="no_such_column")
    first = backend.submit_job(spec)
    again = backend.submit_job(spec)  # a retried submit finds the same job and starts no second worker
    assert again.job_name == first.job_name
    pid = read_json(JobDir.of(backend.workdir, spec.tenant, spec.job_name).pid)
    info = kit.wait_until(backend, spec.tenant, spec.job_name, kit.terminal)
    assert info.status is JobStatus.FAILED
    assert "target column 'no_such_column' is not in the dataset" in (info.error or "")
    assert read_json(JobDir.of(backend.workdir, spec.tenant, spec.job_name).pid) == pid
    assert backend.submit_job(spec).status is JobStatus.FAILED
    failed = [e for e in event_capture.for_run(spec.job_name) if e["data"].get("runStatus") == "Failed"]
    assert len(failed) == 1 and "no_such_column" in failed[0]["data"]["runProperties"]["error"]


def test_killed_worker_is_failed_and_a_restarted_host_sees_the_job(
    backend: Any, kit: Any, breast_cancer: Any, unique: str
) -> None:
    spec = kit.spec_for(breast_cancer, unique, limits=LONG)
    backend.submit_job(spec)
    kit.wait_until(backend, spec.tenant, spec.job_name, lambda i: i.status is JobStatus.RUNNING or i.status.terminal)
    restarted = LocalAutoMLBackend(backend.settings)  # a new host process reads the same job directory
    assert restarted.get_job(spec.tenant, spec.job_name).status is JobStatus.RUNNING
    pid = read_json(JobDir.of(backend.workdir, spec.tenant, spec.job_name).pid)
    os.killpg(pid["pid"], signal.SIGKILL)
    info = kit.wait_until(restarted, spec.tenant, spec.job_name, kit.terminal, timeout=20)
    assert info.status is JobStatus.FAILED
    assert "exited without finishing" in (info.error or "")
    assert backend.get_job(spec.tenant, spec.job_name).status is JobStatus.FAILED


def test_exit_score_stops_the_search_early_with_the_best_model(
    backend: Any, kit: Any, breast_cancer: Any, unique: str
) -> None:
    spec = kit.spec_for(breast_cancer, unique, limits=Limits(timeout_minutes=5, max_trials=1000, exit_score=0.9))
    backend.submit_job(spec)
    info = kit.wait_until(backend, spec.tenant, spec.job_name, kit.terminal, timeout=90)
    assert info.status is JobStatus.COMPLETED
    assert info.best_score is not None and info.best_score >= 0.9
    assert info.trials_done < 200
    assert backend.register_model(spec.tenant, spec.job_name, name="early").trial_id == info.best_trial_id


def test_watermarks_never_repeat_or_skip_a_point(backend: Any, kit: Any, breast_cancer: Any, unique: str) -> None:
    spec = kit.spec_for(breast_cancer, unique, limits=Limits(timeout_minutes=2, max_trials=25))
    backend.submit_job(spec)
    points: list[Any] = []
    lines: list[Any] = []
    watermark, seq = 0, 0
    while True:
        done = backend.get_job(spec.tenant, spec.job_name).status.terminal
        new_points, watermark = backend.metrics_since(spec.tenant, spec.job_name, watermark)
        new_lines, seq = backend.logs_since(spec.tenant, spec.job_name, seq)
        points += new_points
        lines += new_lines
        if done:
            break
        time.sleep(0.05)
    all_points, end = backend.metrics_since(spec.tenant, spec.job_name, 0)
    assert points == all_points and end == watermark == 25
    assert len(points) == 50
    best = [p.value for p in points if p.name == "accuracy"]
    assert best == sorted(best)  # best so far never decreases
    all_lines, last = backend.logs_since(spec.tenant, spec.job_name, 0)
    assert lines == all_lines and [line.seq for line in lines] == list(range(1, last + 1))
    assert backend.metrics_since(spec.tenant, spec.job_name, watermark) == ([], watermark)
    assert backend.logs_since(spec.tenant, spec.job_name, seq) == ([], seq)


def test_concurrent_jobs_respect_the_limit(settings_factory: Any, kit: Any, unique: str) -> None:
    one_at_a_time = LocalAutoMLBackend(settings_factory(1))
    iris = kit.upload_dataset(one_at_a_time.settings, "iris", unique)
    specs = [kit.spec_for(iris, unique, run_id=f"run{i}", limits=Limits(max_trials=6)) for i in range(2)]
    for spec in specs:
        one_at_a_time.submit_job(spec)
    active = (JobStatus.PREPARING, JobStatus.RUNNING, JobStatus.FINALIZING)
    seen_queued_while_other_ran = False
    deadline = time.monotonic() + 120
    while True:
        infos = [one_at_a_time.get_job(s.tenant, s.job_name) for s in specs]
        assert sum(i.status in active for i in infos) <= 1
        if any(i.status in active for i in infos) and any(i.status is JobStatus.QUEUED for i in infos):
            seen_queued_while_other_ran = True
        if all(i.status.terminal for i in infos):
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert all(i.status is JobStatus.COMPLETED for i in infos)
    assert seen_queued_while_other_ran
    first, second = sorted(infos, key=lambda i: i.started_at)
    assert first.ended_at is not None and second.started_at is not None and second.started_at >= first.ended_at


def test_delete_job_stops_the_worker_and_removes_the_job(
    backend: Any, kit: Any, breast_cancer: Any, unique: str
) -> None:
    spec = kit.spec_for(breast_cancer, unique, limits=LONG)
    backend.submit_job(spec)
    kit.wait_until(backend, spec.tenant, spec.job_name, lambda i: i.status is JobStatus.RUNNING or i.status.terminal)
    pid = read_json(JobDir.of(backend.workdir, spec.tenant, spec.job_name).pid)
    backend.delete_job(spec.tenant, spec.job_name)
    assert not pid_alive(pid)
    with pytest.raises(Exception, match="was not found"):
        backend.get_job(spec.tenant, spec.job_name)
    backend.delete_job(spec.tenant, spec.job_name)  # idempotent
