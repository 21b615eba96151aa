"""The job directory: safe names, pid liveness, and a dead worker's job reported Failed (never left Running)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from domain.automl.local import jobs
from domain.automl.local.jobdir import JobDir, pid_alive, pid_record, read_json, read_jsonl, write_json_atomic
from domain.entities.automl import JobStatus
from domain.errors import ValidationFailed


def test_names_that_could_escape_the_workdir_are_refused(tmp_path: Path) -> None:
    for bad in ("../x", "a/b", "", ".hidden"):
        with pytest.raises(ValidationFailed):
            JobDir.of(tmp_path, bad, "job")


def test_pid_liveness_tells_a_finished_or_reused_pid() -> None:
    assert pid_alive(pid_record(os.getpid()))
    assert not pid_alive({"pid": os.getpid(), "start": -1})  # same pid, another process
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    record = pid_record(child.pid)
    child.wait()
    assert not pid_alive(record)
    assert not pid_alive(None)


def dead_job(tmp_path: Path, status: str, cancel: bool = False) -> JobDir:
    job = JobDir(tmp_path / "t1" / "automl-t1-r1")
    job.path.mkdir(parents=True)
    run = {"tenant": "t1", "run_id": "r1", "experiment_id": "e1", "job_name": job.path.name}
    write_json_atomic(job.spec, {"run": run, "plan": {}})
    write_json_atomic(job.status, {"status": status, "created_at": "2026-01-01T00:00:00+00:00"})
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    write_json_atomic(job.pid, pid_record(child.pid))
    child.wait()
    job.worker_out.write_text("Traceback ...\nMemoryError\n")
    if cancel:
        write_json_atomic(job.cancel, {"requested": 0})
    return job


def test_a_dead_worker_leaves_its_job_failed_with_the_reason(tmp_path: Path) -> None:
    job = dead_job(tmp_path, "Running")
    info = jobs.info(job, jobs.reconcile(job, ""))
    assert info.status is JobStatus.FAILED and info.ended_at is not None
    assert "exited without finishing" in (info.error or "") and "MemoryError" in (info.error or "")
    assert read_json(job.status)["status"] == "Failed"
    assert read_jsonl(job.logs)[-1]["text"].startswith("Status: Failed")


def test_a_dead_worker_after_a_cancel_is_canceled(tmp_path: Path) -> None:
    job = dead_job(tmp_path, "Running", cancel=True)
    assert jobs.info(job, jobs.reconcile(job, "")).status is JobStatus.CANCELED


def test_a_finished_job_is_left_as_it_is(tmp_path: Path) -> None:
    job = dead_job(tmp_path, "Completed")
    assert jobs.info(job, jobs.reconcile(job, "")).status is JobStatus.COMPLETED


def test_atomic_write_leaves_no_temp_file(tmp_path: Path) -> None:
    write_json_atomic(tmp_path / "s.json", {"a": 1})
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]
