"""The AutoML lifecycle under load, on its own Azurite and devhost with the local backend (FLAML subprocesses).

Prints one JSON document:
- `completion_latency_seconds`: from the local job's end (the worker writes status.json `Completed`; its mtime) to
  the run showing `Completed` through the API (polled every 50 ms); median and max over a few runs.
- `table_requests_per_tick_per_run`: Table requests of one collector tick (`collect_all`, in-process, counted with
  `CountingTransport`) divided by the active runs it covered: `first_tick` (every point and line new) and `idle_tick`
  (nothing new since the watermark).
- `runs_per_minute`: 10 short runs started at once (the tenant's quota allows 10); completed runs per minute of wall
  time until the last one is `Completed`.
- `trial_latency_seconds`: from a trial finishing in the engine (its record appearing in FLAML's trial log, tailed
  every 20 ms) to it appearing in `GET .../runs/{id}/trials` (polled every 100 ms), for every trial of one run of
  40 trials; median, p90 and max (goal: <= 5 s). The collector timer runs at its default (once a minute), so what
  is measured is the event path (docs/adr/0017-live-results.md).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from devhost.azurite import free_port, start_azurite
from devhost.keys import EVENT_GRID, load_or_create
from devhost.testing import spawn
from domain.auth.dev_tokens import mint_dev_token
from domain.automl.local.jobdir import JobDir, read_jsonl
from domain.clock import SystemClock
from domain.services import collect, indexes
from domain.settings import load_settings
from domain.storage.app_store import registry
from domain.storage.clients import table_service
from domain.storage.counting import CountingTransport
from domain.storage.schemas import SchemaRegistry
from domain.storage.store import EntityStore

ROOT = Path(__file__).resolve().parent.parent
# no default dev secret (issue 16): the benchmark's host signs with this one, and so do its tokens
DEV_SECRET = os.environ.setdefault("DEV_AUTH_SECRET", secrets.token_urlsafe(48))
TERMINAL = ("Completed", "Failed", "Canceled")


def dataset_csv(rows: int = 200) -> str:
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    names = [n.replace(" ", "_") for n in data.feature_names]
    lines = [",".join([*names, "diagnosis"])]
    lines += [
        ",".join([*(f"{v:.6g}" for v in x), data.target_names[y]]) for x, y in zip(data.data, data.target, strict=True)
    ][:rows]
    return "\n".join(lines) + "\n"


class Front:
    """The front end: a contributor of one tenant, over HTTP."""

    def __init__(self, base: str, tag: str) -> None:
        settings = load_settings({"DEV_AUTH_SECRET": DEV_SECRET})
        admin = httpx.Client(base_url=f"{base}/api/v1", timeout=60, headers=self._auth(settings, "bench-admin", True))
        tenant = admin.post(
            "/tenants", json={"name": f"bench-{tag}", "ownerUserId": f"o-{tag}", "quotas": {"maxConcurrentRuns": 10}}
        )
        tenant.raise_for_status()
        self.tenant = tenant.json()["id"]
        self.http = httpx.Client(
            base_url=f"{base}/api/v1/tenants/{self.tenant}", timeout=60, headers=self._auth(settings, f"o-{tag}", False)
        )
        ds = self.http.post(
            "/datasets", params={"name": "bc"}, content=dataset_csv().encode(), headers={"Content-Type": "text/csv"}
        )
        ds.raise_for_status()
        body = {
            "name": "bench",
            "task": "classification",
            "datasetId": ds.json()["id"],
            "targetColumn": "diagnosis",
            "primaryMetric": "accuracy",
            "limits": {"maxTrials": 5, "timeoutMinutes": 1},
            "autoRegister": False,
        }
        exp = self.http.post("/experiments", json=body)
        exp.raise_for_status()
        self.experiment = exp.json()["id"]
        self.dataset = ds.json()["id"]

    def experiment_of(self, name: str, max_trials: int) -> str:
        body = {
            "name": name,
            "task": "classification",
            "datasetId": self.dataset,
            "targetColumn": "diagnosis",
            "primaryMetric": "accuracy",
            "limits": {"maxTrials": max_trials, "timeoutMinutes": 2},
            "autoRegister": False,
        }
        resp = self.http.post("/experiments", json=body)
        resp.raise_for_status()
        return str(resp.json()["id"])

    @staticmethod
    def _auth(settings: Any, user: str, admin: bool) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_dev_token(settings, user=user, platform_admin=admin)}"}

    def start(self, experiment: str | None = None) -> dict[str, Any]:
        resp = self.http.post(f"/experiments/{experiment or self.experiment}/runs")
        resp.raise_for_status()
        return dict(resp.json())

    def status(self, run_id: str) -> str:
        return str(self.http.get(f"/runs/{run_id}").json()["status"])

    def wait(self, run_id: str, every: float, timeout: float = 120) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status(run_id) in TERMINAL:
                return time.time()
            time.sleep(every)
        raise TimeoutError(f"run {run_id} did not end in {timeout}s")


def completion_latency(front: Front, workdir: Path, runs: int) -> tuple[dict[str, float], list[str]]:
    latencies, jobs = [], []
    for _ in range(runs):
        run = front.start()
        seen = front.wait(run["id"], every=0.05)
        status = JobDir.of(workdir, front.tenant, run["jobName"]).status
        latencies.append(round(seen - status.stat().st_mtime, 3))
        jobs.append(run["jobName"])
    return {"median": statistics.median(latencies), "max": max(latencies), "runs": runs}, jobs


def trial_latency(front: Front, workdir: Path, trials: int = 40) -> dict[str, float]:
    """Seconds from a trial's record in the engine's trial log to the trial in `/trials`, for each trial of a run."""
    run = front.start(front.experiment_of("latency", trials))
    job = JobDir.of(workdir, front.tenant, run["jobName"])
    appeared: dict[str, float] = {}
    stop = threading.Event()

    def tail() -> None:
        while not stop.is_set():
            for record in read_jsonl(job.trials) if job.trials.exists() else []:
                if "record_id" in record:
                    appeared.setdefault(f"{job.path.name}_{record['record_id']}", time.time())
            time.sleep(0.02)

    thread = threading.Thread(target=tail, daemon=True)
    thread.start()
    seen: dict[str, float] = {}
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        for trial in front.http.get(f"/runs/{run['id']}/trials", params={"top": 1000}).json()["value"]:
            seen.setdefault(trial["trialId"], time.time())
        current = front.http.get(f"/runs/{run['id']}").json()
        if current["status"] in TERMINAL and front.http.get(f"/operations/{run['id']}").json()["status"] != "Running":
            break
        time.sleep(0.1)
    stop.set()
    thread.join()
    latencies = sorted(max(0.0, seen[k] - at) for k, at in appeared.items() if k in seen)
    return {
        "median": round(statistics.median(latencies), 2),
        "p90": round(latencies[int(0.9 * (len(latencies) - 1))], 2),
        "max": round(latencies[-1], 2),
        "trials": len(latencies),
        "goal": 5.0,
    }


def tick_requests(env: dict[str, str], tenant: str, jobs: list[str]) -> dict[str, float]:
    """Plant active runs over finished local jobs in tables of their own, then count one cold and one idle tick."""
    from domain.automl.factory import backend_from_settings

    settings = load_settings(env | {"DATA_TABLE_PREFIX": f"bt{uuid.uuid4().hex[:8]}"})
    transport = CountingTransport()
    service = table_service(settings, transport=transport)
    store = EntityStore(service, table=f"{settings.data_table_prefix}entities", schemas=registry(), clock=SystemClock())
    series = EntityStore(
        service, table=f"{settings.data_table_prefix}series", schemas=SchemaRegistry(), clock=SystemClock()
    )
    store.ensure_tables()
    series.ensure_tables()
    for n, job in enumerate(jobs):
        data = {
            "experiment_id": "e",
            "status": "Running",
            "active": True,
            "job_name": job,
            "primary_metric": "accuracy",
            "progress": {"trials_done": 0},
        }
        store.create(tenant, "run", f"bench{n}", data, actor="bench")
        indexes.add_run(store, tenant, f"bench{n}", job)
    backend = backend_from_settings(settings)
    transport.reset()
    first = collect.collect_all(store, series, backend)
    cold = transport.reset()
    collect.collect_all(store, series, backend)
    idle = transport.reset()
    return {
        "first_tick": round(cold / len(jobs), 1),
        "idle_tick": round(idle / len(jobs), 1),
        "runs": len(jobs),
        "points_and_lines_first_tick": first.points + first.lines,
    }


def runs_per_minute(front: Front, count: int) -> dict[str, float]:
    started = time.time()
    runs = [front.start()["id"] for _ in range(count)]
    ends: list[float] = []
    lock = threading.Lock()

    def wait(run_id: str) -> None:
        end = front.wait(run_id, every=0.5, timeout=110)
        with lock:
            ends.append(end)

    threads = [threading.Thread(target=wait, args=(r,)) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    completed = sum(front.status(r) == "Completed" for r in runs)
    elapsed = max(ends) - started
    return {
        "runs": count,
        "completed": completed,
        "wall_seconds": round(elapsed, 1),
        "per_minute": round(count / elapsed * 60, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-runs", type=int, default=5)
    parser.add_argument("--concurrent", type=int, default=10)
    parser.add_argument("--worker-slots", type=int, default=2, help="LOCAL_AUTOML_MAX_CONCURRENT_JOBS")
    args = parser.parse_args()
    tag = uuid.uuid4().hex[:8]
    work = Path(tempfile.mkdtemp(prefix="bench-lifecycle-"))
    with start_azurite(in_memory=True) as azurite:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")} | {
            "AzureWebJobsStorage": azurite.connection_string,
            "DATA_STORAGE_CONNECTION_STRING": azurite.connection_string,
            "DATA_TABLE_PREFIX": f"b{tag}",
            "TASKHUB_NAME": f"hub{tag}",
            "LOCAL_AUTOML_WORKDIR": str(work / "automl"),
            "LOCAL_AUTOML_MAX_CONCURRENT_JOBS": str(args.worker_slots),
            "LOCAL_AUTOML_EVENT_URL": f"http://127.0.0.1:{port}/runtime/webhooks/EventGrid"
            f"?functionName=on_automl_run_event&code={load_or_create(ROOT).system[EVENT_GRID]}",
            "RUN_COLLECTOR_SCHEDULE": "0 */1 * * * *",  # the default: live results come from events
            "RECONCILE_SCHEDULE": "*/30 * * * * *",
            "OMP_NUM_THREADS": "1",
        }
        host = spawn(ROOT, env, str(work / "devhost.log"), port=port)
        try:
            front = Front(host.base_url, tag)
            trials = trial_latency(front, work / "automl")
            latency, jobs = completion_latency(front, work / "automl", args.latency_runs)
            ticks = tick_requests(env, front.tenant, jobs)
            rpm = runs_per_minute(front, args.concurrent)
        finally:
            host.stop()
    print(
        json.dumps(
            {
                "trial_latency_seconds": trials,
                "completion_latency_seconds": latency,
                "table_requests_per_tick_per_run": ticks,
                "runs_per_minute": rpm | {"worker_slots": args.worker_slots, "max_trials": 5},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
