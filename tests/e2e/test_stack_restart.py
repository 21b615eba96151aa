"""`make run` (python -m devhost.stack) stops what it started, and a restarted stack serves the live deployments again.

One stack over the session's Azurite: a run trains and its model is deployed and scored; a long run is training.
Ctrl-C stops the stack: its scoring server and its training worker are gone (by PID), the long run ends Canceled.
A new stack on the same storage and work dir scores the deployment again (the model reloaded from Blob Storage by a
new scoring server), and stopping it leaves no process of the local engine behind.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from devhost.azurite import free_port
from domain.automl.local.jobdir import pid_alive, read_json
from domain.automl.local.processes import live_records
from tests.e2e.lifecycle_helpers import breast_cancer_csv, experiment, new_tenant, run, start, wait_for, wait_operation
from tests.e2e.support import Api, host_env, token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


class Stack:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.base_url = f"http://127.0.0.1:{env['PORT']}"
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "devhost.stack"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 90
        while True:
            assert self.process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{self.base_url}/api/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)

    def stop(self, sig: signal.Signals) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=120)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


def score(api: Api, endpoint_id: str, rows: list[dict[str, Any]]) -> httpx.Response:
    return api.post(f"/tenants/{api.tenant}/endpoints/{endpoint_id}:score", json={"rows": rows})


def breast_cancer_rows(n: int) -> list[dict[str, Any]]:
    lines = breast_cancer_csv(n).splitlines()
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]]
    return [{k: float(v) for k, v in row.items() if k != "diagnosis"} for row in rows]


def test_stopping_the_stack_stops_its_processes_and_a_restart_serves_again(
    azurite_connection_string: str, tmp_path: Path
) -> None:
    unique = uuid.uuid4().hex[:8]
    workdir = tmp_path / "automl"
    port = free_port()
    env = host_env(azurite_connection_string, port, workdir, unique) | {"PORT": str(port), "PYTHONPATH": str(ROOT)}
    stack = Stack(env, tmp_path / "stack.log")
    try:
        admin = Api(stack.base_url, token("platform-admin", admin=True))
        api = new_tenant(admin, lambda user: Api(stack.base_url, token(user)), unique, quotas={"maxTrialsPerRun": 1000})
        data = breast_cancer_csv()
        short = experiment(api, unique, data, limits={"maxTrials": 4, "timeoutMinutes": 1})
        long = experiment(api, f"{unique}l", data, limits={"maxTrials": 1000, "timeoutMinutes": 10})
        short_run = start(api, short["id"]).json()["id"]
        model_id = wait_for(lambda: run(api, short_run).get("modelId"), timeout=180, what="the registered model")
        ep = api.post(f"/tenants/{api.tenant}/endpoints", json={"name": f"ep-{unique}"}).json()
        put = api.put(f"/tenants/{api.tenant}/endpoints/{ep['id']}/deployments/blue", json={"modelId": model_id})
        assert wait_operation(api, put.headers["Operation-Location"].rsplit("/", 1)[1])["status"] == "Succeeded"
        rows = breast_cancer_rows(3)
        first = score(api, ep["id"], rows)
        assert first.status_code == 200, first.text
        long_run = start(api, long["id"]).json()["id"]
        wait_for(lambda: run(api, long_run)["progress"]["trialsDone"] > 0, timeout=120, what="a trial of the long run")
        server = read_json(workdir / "_scoring" / "pid.json")
        workers = [r for p, r in live_records(workdir, stack.process.pid) if p.parent.name != "_scoring"]
        assert pid_alive(server) and len(workers) == 1
    finally:
        code = stack.stop(signal.SIGINT)  # Ctrl-C
    text = stack.log.read_text()
    assert code == 0, text
    assert not pid_alive(server) and not pid_alive(workers[0]), text
    assert "Stopped 1 scoring server(s) and cancelled 1 training worker(s)" in text

    again = Stack(env, tmp_path / "stack-again.log")
    try:
        second = score(api, ep["id"], rows)
        assert second.status_code == 200, second.text
        assert second.json()["predictions"] == first.json()["predictions"]
        assert read_json(workdir / "_scoring" / "pid.json")["pid"] != server["pid"]  # a new server reloaded it
        ended = wait_for(lambda: (r := run(api, long_run))["status"] in ("Canceled", "Failed") and r, timeout=180)
        assert ended["status"] == "Canceled", ended
    finally:
        assert again.stop(signal.SIGTERM) == 0, again.log.read_text()
    assert live_records(workdir, again.process.pid) == []
