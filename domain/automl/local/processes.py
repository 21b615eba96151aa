"""The local engine's processes: stop those it started for a work dir (`make run`'s shutdown, by PID, from the pid
records), and list its live work for the invariant checker (`LocalProcesses`).

Every process the local engine starts records itself in a `pid.json` under the work dir (pid + process start time,
so a reused pid is never signalled): the training workers (`{tenant}/{job}/pid.json`) and the scoring server
(`_scoring/pid.json`). Only those of `owner` are stopped: its descendants (whichever of its processes started them),
and orphans (their starter died, e.g. a killed stack, so the kernel re-parented them to init); a process another
live host started for the same work dir is left alone. Training workers are cancelled (SIGTERM, as a user's cancel:
they stop the search and keep their best model, the job ends Canceled); the rest get SIGTERM. Whatever still runs
after the grace period gets SIGKILL (a killed worker's job is then turned Canceled by the next host that reads it).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.automl.local import jobs
from domain.automl.local.batch import FOLDER as BATCH_FOLDER
from domain.automl.local.jobdir import JobDir, pid_alive, read_json
from domain.automl.local.scoring_server import FOLDER as SCORING_FOLDER

STOP_GRACE_SECONDS = 25.0  # a cancelled worker refits its best trial and uploads it before it exits


@dataclass
class Stopped:
    training_workers: list[int] = field(default_factory=list)
    scoring_servers: list[int] = field(default_factory=list)
    killed: list[int] = field(default_factory=list)


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def belongs_to(pid: int, owner: int) -> bool:
    """True when `owner` is an ancestor of `pid`, or when `pid` is an orphan (re-parented to init)."""
    parent = parent_of(pid)
    if parent == 1:
        return True
    for _ in range(64):
        if parent is None or parent <= 1:
            return False
        if parent == owner:
            return True
        parent = parent_of(parent)
    return False


def live_records(workdir: Path, owner: int) -> list[tuple[Path, dict[str, Any]]]:
    """(pid file, record) of every live process recorded under `workdir` that belongs to `owner`."""
    found = []
    for pid_file in sorted(workdir.rglob("pid.json")) if workdir.is_dir() else []:
        record = read_json(pid_file)
        if pid_alive(record) and belongs_to(int(record["pid"]), owner):
            found.append((pid_file, record))
    return found


def stop_local_processes(workdir: Path | str, owner: int | None = None, grace: float = STOP_GRACE_SECONDS) -> Stopped:
    """Stop what `owner` (default: this process) started under `workdir`; see the module docstring."""
    stopped = Stopped()
    records = live_records(Path(workdir), os.getpid() if owner is None else owner)
    for pid_file, record in records:
        job = JobDir(pid_file.parent)
        if job.exists():
            jobs.request_cancel(job)
            stopped.training_workers.append(int(record["pid"]))
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(record["pid"]), signal.SIGTERM)
            stopped.scoring_servers.append(int(record["pid"]))
    deadline = time.monotonic() + grace
    while any(pid_alive(r) for _, r in records) and time.monotonic() < deadline:
        time.sleep(0.1)
    for _, record in records:
        if pid_alive(record):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(record["pid"]), signal.SIGKILL)
            stopped.killed.append(int(record["pid"]))
    while any(pid_alive(r) for _, r in records) and time.monotonic() < deadline + 10:
        time.sleep(0.05)
    return stopped


class LocalProcesses:
    """The local engine's live work, read from its work folder (the `EngineProcesses` port of the invariant checker):
    the deployments the scoring server serves (a deployment record `{tenant}/_endpoints/{endpoint}/deployments/
    {deployment}/deployment.json`, and every model the running server holds, keyed `tenant/endpoint/deployment/gen`)
    and the training workers (`{tenant}/{job}/pid.json`) and batch workers (`{tenant}/_batch/{job}/pid.json`) whose
    recorded process still runs."""

    def __init__(self, workdir: str | Path) -> None:
        self.workdir = Path(workdir)

    def scoring(self) -> list[tuple[str, str, str]]:
        served = set()
        for record in self.workdir.glob("*/_endpoints/*/deployments/*/deployment.json"):
            deployment = record.parent
            endpoint = deployment.parent.parent
            served.add((endpoint.parent.parent.name, endpoint.name, deployment.name))
        for key in self._loaded():
            parts = key.split("/")
            if len(parts) >= 3:
                served.add((parts[0], parts[1], parts[2]))
        return sorted(served)

    def _loaded(self) -> list[str]:
        """The keys of the models the running scoring server holds (none when it does not run)."""
        folder = self.workdir / SCORING_FOLDER
        record, serving = read_json(folder / "pid.json"), read_json(folder / "serving.json")
        if not (pid_alive(record) and serving and record and serving.get("pid") == record["pid"]):
            return []
        url = f"http://127.0.0.1:{serving['port']}/health"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return list(json.loads(response.read()).get("models", {}))
        except OSError:
            return []

    def batch(self) -> list[tuple[str, str]]:
        """(tenant, job name) of every batch scoring worker alive (`{tenant}/_batch/{job}/pid.json`)."""
        alive = [p for p in sorted(self.workdir.glob(f"*/{BATCH_FOLDER}/*/pid.json")) if pid_alive(read_json(p))]
        return [(p.parent.parent.parent.name, p.parent.name) for p in alive]

    def training(self) -> list[tuple[str, str]]:
        out = []
        for pid in sorted(self.workdir.glob("*/*/pid.json")):
            if not pid.parent.name.startswith("_") and pid_alive(read_json(pid)):
                out.append((pid.parent.parent.name, pid.parent.name))
        return out
