"""The job directory, the source of truth of a local job (stdlib only; shared by the host and the worker).

`{workdir}/{tenant}/{job_name}/`: spec.json (the FLAML plan and data path), status.json (written atomically by the
worker; by the host only once the worker is dead), trials.jsonl (FLAML's trial log), logs.jsonl (numbered log lines),
pid.json (worker pid and start time), cancel.json (cancel request), model.pkl (best model), worker.out (stderr).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.errors import ValidationFailed

MODEL_BLOB = "{tenant}/jobs/{job_name}/model.pkl"  # in the models container
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$")


def safe_name(value: str, what: str) -> str:
    """Refuse names that could escape the work directory."""
    if not _SAFE.match(value) or ".." in value:
        raise ValidationFailed(f"'{value}' is not a valid {what} name for the local AutoML engine.", target=what)
    return value


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def write_json_atomic(path: Path, data: Any) -> None:
    """Write to a temp file in the same folder, fsync, then rename: readers see the old or the new file, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every complete line (a partial last line, still being written, waits for the next read)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    lines = text.split("\n")[:-1]
    return [json.loads(line) for line in lines if line.strip()]


def process_start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (identifies it despite pid reuse), None when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):  # a zombie has finished
        return None
    return int(fields[19])


def pid_alive(record: dict[str, Any] | None) -> bool:
    """True when the process of a pid record ({"pid", "start"}) still runs (and is the same process)."""
    if not record:
        return False
    ticks = process_start_ticks(int(record["pid"]))
    return ticks is not None and ticks == record.get("start")


def pid_record(pid: int) -> dict[str, Any]:
    return {"pid": pid, "start": process_start_ticks(pid)}


@dataclass(frozen=True)
class JobDir:
    path: Path

    @classmethod
    def of(cls, workdir: str | Path, tenant: str, job_name: str) -> JobDir:
        return cls(Path(workdir) / safe_name(tenant, "tenant") / safe_name(job_name, "job"))

    @property
    def spec(self) -> Path:
        return self.path / "spec.json"

    @property
    def status(self) -> Path:
        return self.path / "status.json"

    @property
    def trials(self) -> Path:
        return self.path / "trials.jsonl"

    @property
    def logs(self) -> Path:
        return self.path / "logs.jsonl"

    @property
    def pid(self) -> Path:
        return self.path / "pid.json"

    @property
    def cancel(self) -> Path:
        return self.path / "cancel.json"

    @property
    def model(self) -> Path:
        return self.path / "model.pkl"

    @property
    def worker_out(self) -> Path:
        return self.path / "worker.out"

    def exists(self) -> bool:
        return self.spec.exists()
