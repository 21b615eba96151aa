"""Host side of the local scoring server (ADR 0015): start it on first need, find it, call it, stop it (by PID).

One server per work dir, in `{workdir}/_scoring/`: pid.json (written by the host that started it: pid, process start
time, and a fingerprint of what it was started with: memory budget, Python, the server's code), serving.json (written
by the server once it listens), server.out (its output), spawn.lock (serialises starts between threads and host
processes). A server with another fingerprint is replaced. The server gets no app settings (no storage credentials).
Stdlib only: the host never imports a model library.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from domain.automl.local.jobdir import pid_alive, pid_record, read_json, write_json_atomic
from domain.automl.local.jobs import ROOT
from domain.errors import Unavailable, readable
from domain.settings import VARS, Settings

FOLDER = "_scoring"
SERVER_CODE = [Path(__file__).with_name(name) for name in ("scorer.py", "model_cache.py")]
START_TIMEOUT_SECONDS = 120.0  # the server imports pandas, scikit-learn and FLAML before its first load
STOP_GRACE_SECONDS = 5.0


class ScoringServerDown(Unavailable):
    """The scoring server exited before it was ready (its output says why)."""


def stop_process(record: dict[str, Any] | None, grace: float = STOP_GRACE_SECONDS) -> bool:
    """SIGTERM to the recorded process's group, SIGKILL after `grace` seconds; False when it was not running."""
    if not pid_alive(record):
        return False
    assert record is not None
    pid = int(record["pid"])
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while pid_alive(record) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid_alive(record):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        while pid_alive(record):
            time.sleep(0.02)
    with contextlib.suppress(ChildProcessError):  # reap it when it was our child (no zombie left behind)
        os.waitpid(pid, os.WNOHANG)
    return True


def server_env() -> dict[str, str]:
    """Our environment without the app's settings (the server needs none, and so holds no secret)."""
    names = {var.env for var in VARS} | {"AzureWebJobsStorage"}
    env = {k: v for k, v in os.environ.items() if k not in names and not k.startswith("AzureWebJobsStorage__")}
    return env | {"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


class ScoringServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = Path(settings.local_automl_workdir) / FOLDER
        self.budget_mb = settings.local_automl_scoring_memory_mb
        code = [(p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in SERVER_CODE]
        basis = {"budget_mb": self.budget_mb, "python": sys.executable, "code": code}
        self.fingerprint = hashlib.sha256(json.dumps(basis).encode()).hexdigest()[:16]

    @property
    def _pid_file(self) -> Path:
        return self.folder / "pid.json"

    def record(self) -> dict[str, Any] | None:
        """The pid record of the server of this work dir (alive or not), None when none was started."""
        record: dict[str, Any] | None = read_json(self._pid_file)
        return record

    def _ours(self, record: dict[str, Any] | None) -> bool:
        return pid_alive(record) and record is not None and record.get("fingerprint") == self.fingerprint

    def ready_url(self) -> str | None:
        """The base URL of our running, listening server; None when it is not (yet) serving."""
        record, serving = self.record(), read_json(self.folder / "serving.json")
        if self._ours(record) and serving and record and serving.get("pid") == record["pid"]:
            return f"http://127.0.0.1:{serving['port']}"
        return None

    def start(self) -> None:
        """Start the server unless ours runs; a server started with other settings is stopped first. Returns at once."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "spawn.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            record = self.record()
            if self._ours(record):
                return
            stop_process(record)
            (self.folder / "serving.json").unlink(missing_ok=True)
            with open(self.folder / "server.out", "ab") as out:
                process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
                    [sys.executable, "-m", "domain.automl.local.scorer", str(self.folder.resolve()),
                     "--budget-mb", str(self.budget_mb)],
                    cwd=ROOT, env=server_env(), stdin=subprocess.DEVNULL,
                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                )  # fmt: skip
            write_json_atomic(self._pid_file, pid_record(process.pid) | {"fingerprint": self.fingerprint})

    def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> str:
        """Start the server if needed and wait until it listens; its base URL."""
        deadline = time.monotonic() + timeout
        self.start()
        while (url := self.ready_url()) is None:
            if not pid_alive(self.record()):
                tail = (self.folder / "server.out").read_text(errors="replace")[-600:].strip()
                raise ScoringServerDown(f"the local scoring server exited: {tail}", retry_after=5)
            if time.monotonic() > deadline:
                raise Unavailable("the local scoring server did not start in time.", retry_after=5)
            time.sleep(0.05)
        return url

    def call(
        self, path: str, body: dict[str, Any] | bytes, *, start: bool = True, timeout: float = 120.0
    ) -> tuple[int, dict[str, Any]] | None:
        """POST `body` (JSON, or raw bytes) to the server; (status, answer). With start=False a server that is not
        running is not started and the call answers None. A server that died is started again, once."""
        data, kind = (
            (body, "application/octet-stream")
            if isinstance(body, bytes)
            else (json.dumps(body).encode(), "application/json")
        )
        for attempt in (1, 2):
            url = self.wait_ready() if start else self.ready_url()
            if url is None:
                return None
            request = urllib.request.Request(  # noqa: S310 - loopback, our own server
                url + path, data=data, headers={"Content-Type": kind}, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback, ours
                    return response.status, json.loads(response.read())
            except urllib.error.HTTPError as exc:
                return exc.code, json.loads(exc.read() or b"{}")
            except (urllib.error.URLError, ConnectionError) as exc:
                if attempt == 2 or pid_alive(self.record()):
                    message = f"the local scoring server did not answer: {readable(exc)}"
                    raise Unavailable(message, retry_after=5) from None
        return None

    def health(self) -> dict[str, Any] | None:
        url = self.ready_url()
        if url is None:
            return None
        with urllib.request.urlopen(url + "/health", timeout=10) as response:  # noqa: S310 - loopback, ours
            answer: dict[str, Any] = json.loads(response.read())
            return answer

    def stop(self) -> bool:
        """Stop the server of this work dir (whoever started it); False when none was running."""
        stopped = stop_process(self.record())
        (self.folder / "serving.json").unlink(missing_ok=True)
        return stopped
