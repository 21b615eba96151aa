"""Host side of local jobs: start the worker, read its job directory, cancel it, detect a dead worker.

No heavy imports here: everything is read from the job directory (JSON files), so the host may restart at any time.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.automl.local.events import RUN_STATUS_CHANGED, post_events, run_event
from domain.automl.local.jobdir import JobDir, now_iso, pid_alive, pid_record, read_json, write_json_atomic
from domain.automl.local.journal import JobLog
from domain.entities.automl import JobInfo, JobStatus
from domain.errors import UpstreamRefused
from domain.settings import VARS, Settings

ROOT = Path(__file__).resolve().parents[3]
# SIGTERM, then SIGKILL if the search has not stopped (one fit can take seconds on a busy machine)
CANCEL_GRACE_SECONDS = 20.0
FINALIZE_GRACE_SECONDS = 120.0  # once the worker is refitting/saving the best model
START_GRACE_SECONDS = 60.0  # a job directory without a worker pid after this long never started


WORKER_FIELDS = frozenset(
    {
        "data_storage_connection_string", "data_blobs_endpoint", "data_tables_endpoint", "azure_client_id",
        "datasets_container", "models_container", "local_automl_workdir", "local_automl_max_concurrent_jobs",
        "local_automl_event_url",
    }
)  # fmt: skip


def worker_env(settings: Settings) -> dict[str, str]:
    """The worker's environment: ours, with the app settings it needs taken from `settings` (it calls load_settings)."""
    env = {k: v for k, v in os.environ.items() if k not in {var.env for var in VARS}}
    for var in VARS:
        if var.field not in WORKER_FIELDS:
            continue  # the worker gets only what it uses; the rest takes the local defaults
        value = getattr(settings, var.field)
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        env[var.env] = ",".join(value) if isinstance(value, tuple) else str(value)
    env["LOCAL_AUTOML_WORKDIR"] = str(Path(settings.local_automl_workdir).resolve())
    env["OMP_NUM_THREADS"] = "1"
    env["PYTHONPATH"] = str(ROOT)
    return env


def create(job: JobDir, spec: dict[str, Any]) -> bool:
    """Create the job directory atomically (built aside, then renamed); False when the job already exists."""
    job.path.parent.mkdir(parents=True, exist_ok=True)
    staging = job.path.with_name(f".{job.path.name}.{uuid.uuid4().hex[:8]}")
    staging.mkdir()
    write_json_atomic(staging / "spec.json", spec)
    write_json_atomic(staging / "status.json", {"status": "NotStarted", "created_at": now_iso()})
    try:
        staging.rename(job.path)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        return False
    return True


@contextmanager
def spawn_lock(job: JobDir) -> Iterator[None]:
    """Serialises the check-then-start of a job's worker between concurrent submits (and host processes)."""
    with open(job.path / "spawn.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def start_worker(job: JobDir, settings: Settings) -> subprocess.Popen[bytes]:
    """Start the worker in its own session (it survives the host); its pid is recorded in the job directory."""
    with open(job.worker_out, "ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "domain.automl.local.worker", str(job.path.resolve())],
            cwd=ROOT,
            env=worker_env(settings),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    write_json_atomic(job.pid, pid_record(process.pid))
    return process


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _tail(path: Path, limit: int = 600) -> str:
    try:
        return path.read_text(errors="replace")[-limit:].strip()
    except FileNotFoundError:
        return ""


def reconcile(job: JobDir, url: str) -> dict[str, Any]:
    """The status, with a dead worker's unfinished job turned Failed (or Canceled when a cancel was asked)."""
    status: dict[str, Any] = read_json(job.status) or {"status": "NotStarted"}
    if JobStatus(status["status"]).terminal:
        return status
    pid = read_json(job.pid)
    _enforce_cancel_deadline(job, pid)
    if pid is None:
        created = _dt(status.get("created_at"))
        if created is None or (datetime.now(created.tzinfo) - created).total_seconds() < START_GRACE_SECONDS:
            return status
        error = "the worker process was never started"
    elif pid_alive(pid):
        return status
    else:
        detail = _tail(job.worker_out)
        error = f"the worker process (pid {pid['pid']}) exited without finishing; it was killed or crashed"
        error += f": {detail}" if detail else ""
    final = "Canceled" if job.cancel.exists() else "Failed"
    JobLog(job).write(f"Status: {final} ({error})")
    status.update(status=final, error=error, ended_at=now_iso())
    write_json_atomic(job.status, status)
    spec = read_json(job.spec)
    post_events(url, [run_event(RUN_STATUS_CHANGED, spec["run"], final, {"error": error})], attempts=1)
    return status


def _enforce_cancel_deadline(job: JobDir, pid: dict[str, Any] | None) -> None:
    cancel = read_json(job.cancel)
    if not cancel or not pid_alive(pid):
        return
    grace = FINALIZE_GRACE_SECONDS if (job.path / "stopping").exists() else CANCEL_GRACE_SECONDS
    if time.time() - float(cancel["requested"]) > grace:
        assert pid is not None
        _signal_group(int(pid["pid"]), signal.SIGKILL)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pid, sig)


def request_cancel(job: JobDir) -> None:
    """SIGTERM to the worker's process group; SIGKILL after the grace period (a timer here, and on every read)."""
    if not job.cancel.exists():
        write_json_atomic(job.cancel, {"requested": time.time()})
    pid = read_json(job.pid)
    if pid_alive(pid):
        _signal_group(int(pid["pid"]), signal.SIGTERM)
        timer = threading.Timer(CANCEL_GRACE_SECONDS + 0.5, _enforce_cancel_deadline, (job, pid))
        timer.daemon = True
        timer.start()


def info(job: JobDir, status: dict[str, Any]) -> JobInfo:
    value = JobStatus(status["status"])
    if not value.terminal and job.cancel.exists():
        value = JobStatus.CANCEL_REQUESTED
    best = status.get("best_record_id")
    return JobInfo(
        job_name=job.path.name,
        status=value,
        error=status.get("error"),
        created_at=_dt(status.get("created_at")),
        started_at=_dt(status.get("started_at")),
        ended_at=_dt(status.get("ended_at")),
        best_trial_id=f"{job.path.name}_{best}" if best is not None else None,
        best_score=status.get("best_score"),
        trials_done=status.get("trials_done", 0),
    )


def stop_and_remove(job: JobDir, wait_seconds: float = 10.0) -> None:
    """Cancel a live worker, wait for it (SIGKILL at the end), then remove the job directory."""
    pid = read_json(job.pid)
    if pid_alive(pid):
        request_cancel(job)
        deadline = time.monotonic() + wait_seconds
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if pid_alive(pid):
            _signal_group(int(pid["pid"]), signal.SIGKILL)
    shutil.rmtree(job.path, ignore_errors=True)


def refit_trial(job: JobDir, record_id: int, settings: Settings, timeout: float = 600.0) -> bytes:
    """Refit one trial in a worker subprocess (the host never imports FLAML); returns its pickled model bundle."""
    out = job.path / f"trial-{record_id}.pkl"
    if not out.exists():
        result = subprocess.run(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "domain.automl.local.worker", str(job.path.resolve()), "--refit", str(record_id),
             str(out.resolve())],
            cwd=ROOT, env=worker_env(settings), capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"refitting trial {record_id} failed: {result.stderr[-600:]}")
    return out.read_bytes()


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][-600:] if lines else "no output"


def explain_trial(job: JobDir, record_id: int, settings: Settings, timeout: float = 600.0) -> dict[str, Any]:
    """Permutation importance of one trial's model on held-out rows, computed in a worker subprocess (explain.py);
    the result is kept in the job directory, so a second call reads it."""
    out = job.path / f"explanation-{record_id}.json"
    if not out.exists():
        result = subprocess.run(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "domain.automl.local.worker", str(job.path.resolve()), "--explain", str(record_id),
             str(out.resolve())],
            cwd=ROOT, env=worker_env(settings), capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise UpstreamRefused(f"The local engine could not explain trial {record_id}: {_last_line(result.stderr)}")
    data: dict[str, Any] = read_json(out)
    return data
