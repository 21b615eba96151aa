"""Host side of local batch scoring: a job directory `{workdir}/{tenant}/_batch/{job_name}/` (spec.json, status.json,
pid.json, out.csv while it runs) and one `batch_worker` subprocess per job, in its own session; the directory is the
source of truth, so a restarted host sees running and finished jobs as they are (a dead worker's job is Failed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from domain.automl.local import jobs
from domain.automl.local.jobdir import (
    JobDir,
    now_iso,
    pid_alive,
    pid_record,
    read_json,
    safe_name,
    write_json_atomic,
)
from domain.entities.batch import BatchJobStatus, BatchState
from domain.errors import NotFound
from domain.settings import Settings

FOLDER = "_batch"


def job_dir(workdir: str | Path, tenant: str, job_name: str) -> JobDir:
    return JobDir(Path(workdir) / safe_name(tenant, "tenant") / FOLDER / safe_name(job_name, "job"))


def start(job: JobDir, spec: dict[str, Any], settings: Settings) -> subprocess.Popen[bytes] | None:
    """Create the job directory (once) and start its worker unless it runs or has ended; None when not started."""
    jobs.create(job, spec)
    with jobs.spawn_lock(job):
        status = read_json(job.status) or {}
        if read_json(job.pid) is not None or BatchJobStatus(_status(status)).terminal:
            return None
        with open(job.worker_out, "ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
                [sys.executable, "-m", "domain.automl.local.batch_worker", str(job.path.resolve())],
                cwd=jobs.ROOT,
                env=jobs.worker_env(settings),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        write_json_atomic(job.pid, pid_record(process.pid))
        return process


def _status(status: dict[str, object]) -> str:
    value = str(status.get("status", "NotStarted"))
    return value if value in BatchJobStatus.__members__.values() else "Running"


def state(job: JobDir) -> BatchState:
    if not job.exists():
        raise NotFound("batch job", job.path.name)
    status = read_json(job.status) or {}
    value = BatchJobStatus(_status(status))
    if not value.terminal and read_json(job.pid) is not None and not pid_alive(read_json(job.pid)):
        status = read_json(job.status) or {}  # it may have ended between the two reads
        value = BatchJobStatus(_status(status))
        if not value.terminal:
            detail = jobs._tail(job.worker_out)
            status.update(status="Failed", ended_at=now_iso(), error=f"the batch worker exited unexpectedly: {detail}")
            write_json_atomic(job.status, status)
            value = BatchJobStatus.FAILED
    spec = read_json(job.spec) or {}
    total = spec.get("rows_total")
    return BatchState(
        status=value,
        rows_done=int(status.get("rows_done", 0)),
        rows_total=int(total) if total is not None else None,
        output=status.get("output"),
        columns=tuple(status.get("columns", ())),
        error=status.get("error"),
        peak_rss_bytes=status.get("peak_rss_bytes"),
    )


def remove(job: JobDir) -> None:
    """Stop a live worker (SIGTERM, then SIGKILL) and remove the job directory (idempotent)."""
    if Path(job.path).exists():
        jobs.stop_and_remove(job)
