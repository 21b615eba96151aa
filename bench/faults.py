"""Faults, on an Azurite and a devhost of its own (local AutoML backend): one run prints one JSON document.

- `storage_outage`: 16 clients write (endpoints, experiments; small dataset uploads: a blob and a record) and read
  for the whole phase while Azurite is frozen (SIGSTOP) for 10 s in the middle. `requests`, `max_latency_s` (and
  `max_latency_503_s`), answers by status, `acknowledged_writes_lost` (answered 201, not readable afterwards),
  `partial_writes` (a record without its blob or name row, a blob or name row without its record; a refused upload
  whose blob delete failed in the outage leaves a blob), `blobs_swept_by_the_janitor` and
  `partial_writes_after_the_sweep` (the reconcile timer's sweep of such blobs, run at once), and
  `applied_after_503` (a write answered 503 that storage applied when it came back: a 503 means "unknown outcome",
  and the client's retry of a create then meets 409).
- `host_killed`: the host SIGKILLed mid-training, mid-cascade (a tenant delete stopping a training job) and
  mid-deployment, then restarted: did the work finish, and the invariant checker's total right after.
- `invariants`: the checker's counts at the end (`make check-invariants`); every loss and orphan count should be 0.

    .venv/bin/python bench/faults.py            # about 4 minutes on a 2-core machine
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from devhost.azurite import Azurite, free_port, start_azurite
from devhost.keys import EVENT_GRID, load_or_create
from devhost.testing import HostProcess, spawn
from domain.auth.dev_tokens import mint_dev_token
from domain.services import janitor
from domain.settings import load_settings
from domain.storage.app_store import build_store
from domain.storage.blobs import blob_store
from tools.invariants import run as check

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = os.environ.setdefault("DEV_AUTH_SECRET", secrets.token_urlsafe(48))
CLIENTS, FREEZE_AT, FREEZE_FOR, PHASE = 16, 5.0, 10.0, 25.0
SMALL_CSV = "a,b,label\n" + "".join(f"{i},{i % 7},{'yes' if i % 3 else 'no'}\n" for i in range(40))


def bc_csv() -> str:
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    names = [n.replace(" ", "_") for n in data.feature_names]
    pairs = zip(data.data, data.target, strict=True)
    rows = [",".join([*(f"{v:.6g}" for v in x), data.target_names[y]]) for x, y in pairs]
    return "\n".join([",".join([*names, "diagnosis"]), *rows]) + "\n"


def client(base: str, user: str, admin: bool = False) -> httpx.Client:
    token = mint_dev_token(load_settings({"DEV_AUTH_SECRET": DEV_SECRET}), user=user, platform_admin=admin)
    return httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=120)


def wait(check_: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = check_()
        except httpx.HTTPError:
            found = None
        if found:
            return found
        time.sleep(every)
    return None


class Tenant:
    def __init__(self, base: str, tag: str, quotas: dict[str, int] | None = None) -> None:
        self.admin = client(base, "bench-admin", admin=True)
        body: dict[str, Any] = {"name": f"f-{tag}", "ownerUserId": f"o-{tag}"}
        if quotas:
            body["quotas"] = quotas
        self.id = self.admin.post("/tenants", json=body).raise_for_status().json()["id"]
        self.api = client(base, f"o-{tag}")

    def path(self, suffix: str) -> str:
        return f"/tenants/{self.id}/{suffix}"

    def dataset(self, name: str, data: str) -> str:
        resp = self.api.post(self.path("datasets"), params={"name": name}, content=data.encode(),
                             headers={"Content-Type": "text/csv"})  # fmt: skip
        return str(resp.raise_for_status().json()["id"])

    def experiment(self, name: str, dataset: str, limits: dict[str, int], target: str = "diagnosis") -> str:
        body = {"name": name, "task": "classification", "datasetId": dataset, "targetColumn": target,
                "limits": limits, "autoRegister": True}  # fmt: skip
        return str(self.api.post(self.path("experiments"), json=body).raise_for_status().json()["id"])

    def operation(self, resp: httpx.Response, timeout: float = 180) -> dict[str, Any] | None:
        location = resp.headers["Operation-Location"].split("/api/v1", 1)[1]
        found = wait(lambda: (op := self.admin.get(location).json()).get("status") in ("Succeeded", "Failed") and op,
                     timeout)  # fmt: skip
        return dict(found) if found else None


def storage_outage(host: HostProcess, azurite: Azurite) -> dict[str, Any]:
    t = Tenant(host.base_url, uuid.uuid4().hex[:8], quotas={"maxConcurrentRuns": 2})
    dataset = t.dataset("base", SMALL_CSV)
    lock = threading.Lock()
    stats: Counter[str] = Counter()
    latencies: list[tuple[float, int]] = []
    acknowledged: list[tuple[str, str]] = []  # (path, id) answered 201
    unacknowledged: list[tuple[str, str]] = []  # (collection, name) answered 503 or failed
    stop = time.monotonic() + PHASE

    def worker(n: int) -> None:
        i = 0
        while time.monotonic() < stop:
            i += 1
            name = f"c{n}-{i}"
            kind = i % 4
            started = time.monotonic()
            try:
                if kind == 0:
                    resp = t.api.post(t.path("endpoints"), json={"name": name})
                    collection = "endpoints"
                elif kind == 1:
                    body = {"name": name, "task": "classification", "datasetId": dataset, "targetColumn": "label"}
                    resp = t.api.post(t.path("experiments"), json=body)
                    collection = "experiments"
                elif kind == 2 and n % 4 == 0:
                    resp = t.api.post(t.path("datasets"), params={"name": name}, content=SMALL_CSV.encode(),
                                      headers={"Content-Type": "text/csv"})  # fmt: skip
                    collection = "datasets"
                else:
                    resp = t.api.get(t.path("endpoints"), params={"top": 5})
                    collection = ""
                status = resp.status_code
            except httpx.HTTPError as exc:
                status, collection = -1, ""
                stats[type(exc).__name__] += 1
            with lock:
                stats[str(status)] += 1
                latencies.append((time.monotonic() - started, status))
                if collection and status == 201:
                    acknowledged.append((collection, resp.json()["id"]))
                elif collection:
                    unacknowledged.append((collection, name))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CLIENTS)]
    for th in threads:
        th.start()
    time.sleep(FREEZE_AT)
    os.killpg(azurite.process.pid, signal.SIGSTOP)
    time.sleep(FREEZE_FOR)
    os.killpg(azurite.process.pid, signal.SIGCONT)
    for th in threads:
        th.join()
    wait(lambda: httpx.get(f"{host.base_url}/api/health", timeout=10).status_code == 200, 60)
    lost = sum(t.api.get(t.path(f"{c}/{i}")).status_code != 200 for c, i in acknowledged)
    applied = 0
    for collection, name in unacknowledged:
        listed = t.api.get(t.path(collection), params={"top": 200}).json().get("value", [])
        applied += any(x.get("name") == name for x in listed)
    settings = load_settings(host.env)
    found = check(settings, settle=30).counts
    partial = found["entitiesWithoutNameRows"] + found["nameRowsWithoutEntities"] + found["blobsWithoutRecords"]
    # A refused upload whose blob delete failed in the outage leaves its blob; the reconcile timer's sweep deletes it
    # once it is older than janitor.GRACE (15 min). Run that sweep now, without the grace (nothing is uploading).
    store, blobs = build_store(settings), blob_store(settings)
    swept = janitor.sweep_dataset_blobs(store, blobs, settings.datasets_container, datetime.now(UTC), timedelta(0))
    after = check(settings, settle=0).counts
    return {
        "clients": CLIENTS,
        "frozen_seconds": FREEZE_FOR,
        "requests": len(latencies),
        "answers": dict(sorted(stats.items())),
        "max_latency_s": round(max(d for d, _ in latencies), 2),
        "max_latency_503_s": round(max((d for d, s in latencies if s == 503), default=0.0), 2),
        "answered_503": stats["503"],
        "acknowledged_writes": len(acknowledged),
        "acknowledged_writes_lost": lost,
        "partial_writes": partial,
        "blobs_swept_by_the_janitor": len(swept),
        "partial_writes_after_the_sweep": after["entitiesWithoutNameRows"]
        + after["nameRowsWithoutEntities"]
        + after["blobsWithoutRecords"],
        "applied_after_503": applied,
    }


def restart(host: HostProcess) -> None:
    host.stop(kill=True)  # SIGKILL: no shutdown
    host.start()


def killed(host: HostProcess, csv: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    t = Tenant(host.base_url, uuid.uuid4().hex[:8], quotas={"maxConcurrentRuns": 3})
    dataset = t.dataset("bc", csv)
    # mid-training: the orchestration waits on its job, the worker trains on
    exp = t.experiment("train", dataset, {"maxTrials": 30, "timeoutMinutes": 1})
    run = t.api.post(t.path(f"experiments/{exp}/runs")).raise_for_status().json()["id"]
    wait(lambda: t.api.get(t.path(f"runs/{run}")).json()["progress"]["trialsDone"] > 0, 120)
    restart(host)
    done = wait(lambda: (r := t.api.get(t.path(f"runs/{run}")).json())["status"] == "Completed" and r.get("modelId")
                and r, 180)  # fmt: skip
    out["mid_training"] = {"finished": bool(done), "orphans": check(load_settings(host.env), settle=30).total}
    # mid-deployment: the flow between its steps
    model = done["modelId"] if done else None
    ep = t.api.post(t.path("endpoints"), json={"name": "ep"}).raise_for_status().json()["id"]
    put = t.api.put(t.path(f"endpoints/{ep}/deployments/blue"), json={"modelId": model})
    wait(lambda: (t.api.get(put.headers["Operation-Location"].split("/api/v1", 1)[1]).json()["progress"]["done"]
                  >= 1), 60, every=0.05)  # fmt: skip
    restart(host)
    op = t.operation(put)
    out["mid_deployment"] = {
        "finished": bool(op and op["status"] == "Succeeded"),
        "orphans": check(load_settings(host.env), settle=30).total,
    }
    # mid-cascade: a tenant delete that must first stop a training job
    slow = t.experiment("slow", dataset, {"maxTrials": 100, "timeoutMinutes": 1})
    run = t.api.post(t.path(f"experiments/{slow}/runs")).raise_for_status().json()["id"]
    wait(lambda: t.api.get(t.path(f"runs/{run}")).json()["progress"]["trialsDone"] > 0, 120)
    gone = t.admin.delete(f"/tenants/{t.id}")
    location = gone.headers["Operation-Location"].split("/api/v1", 1)[1]
    wait(lambda: t.admin.get(location).json()["progress"]["done"] >= 1, 60, every=0.05)
    restart(host)
    op = t.operation(gone)
    out["mid_cascade"] = {
        "finished": bool(op and op["status"] == "Succeeded"),
        "orphans": check(load_settings(host.env), settle=30).total,
    }
    return out


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as work, start_azurite(in_memory=True) as azurite:
        port, tag = free_port(), uuid.uuid4().hex[:8]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")} | {
            "AzureWebJobsStorage": azurite.connection_string,
            "DATA_STORAGE_CONNECTION_STRING": azurite.connection_string,
            "DATA_TABLE_PREFIX": f"bf{tag}",
            "TASKHUB_NAME": f"hub{tag}",
            "LOCAL_AUTOML_WORKDIR": str(Path(work) / "automl"),
            "LOCAL_AUTOML_MAX_CONCURRENT_JOBS": "2",
            "LOCAL_AUTOML_EVENT_URL": f"http://127.0.0.1:{port}/runtime/webhooks/EventGrid?functionName="
            f"on_automl_run_event&code={load_or_create(ROOT).system[EVENT_GRID]}",
            "RUN_COLLECTOR_SCHEDULE": "*/3 * * * * *",
            "RECONCILE_SCHEDULE": "*/20 * * * * *",
            "OMP_NUM_THREADS": "1",
        }
        host = spawn(ROOT, env, str(Path(work) / "devhost.log"), port=port)
        try:
            result: dict[str, Any] = {"storage_outage": storage_outage(host, azurite)}
            result["host_killed"] = killed(host, bc_csv())
            report = check(load_settings(env), settle=60)
            result["invariants"] = report.counts | {"total": report.total}
        finally:
            host.stop()
            for proc in Path("/proc").iterdir():  # the local engine's workers and scorers under our folder
                try:
                    cmd = (proc / "cmdline").read_bytes().decode(errors="replace")
                except OSError:
                    continue
                if work in cmd and "domain.automl.local" in cmd:
                    os.kill(int(proc.name), signal.SIGTERM)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
