"""The operations the API shares with a tracking server: ours against the MLflow tracking server, in one run.

MLflow 3.17.2 is installed in a bench-only virtual environment (`.venv-bench-mlflow`, cached between runs, never in
requirements*.txt) and started on a free port (SQLite backend store, 2 workers). Ours: `python -m devhost` over its
own in-memory Azurite, on free ports (as bench/api.py). Both get the same data (60 experiments, one run with 100
points of one metric) and are driven by the same httpx harness, 16 concurrent clients: get an experiment, get a run,
list a page of 50 experiments, create an experiment, a run's metric history. Prints one JSON document with ours
ops/s, MLflow ops/s and ours / MLflow per operation, and each side's server CPU time per call (the steadier figure on
a shared machine). Every process started here is stopped by PID.

    .venv/bin/python bench/peers.py [--requests 200] [--rounds 3] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devhost.azurite import free_port, start_azurite  # noqa: E402
from devhost.testing import spawn  # noqa: E402
from domain.auth.dev_tokens import mint_dev_token  # noqa: E402
from domain.settings import load_settings  # noqa: E402

MLFLOW_VERSION = "3.17.2"
VENV = ROOT / ".venv-bench-mlflow"
EXPERIMENTS, POINTS, PAGE = 60, 100, 50
RARE = "0 0 0 1 1 *"  # the app's timers fire once a year, so they add no load
DEV_SECRET = os.environ.setdefault("DEV_AUTH_SECRET", secrets.token_urlsafe(48))  # the app refuses dev auth without one
CSV = "a,b,label\n" + "".join(f"{i},{i % 7 * 1.5},{'yes' if i % 3 else 'no'}\n" for i in range(60))
Call = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


def mlflow_binary() -> Path:
    """The `mlflow` command of the bench venv, created and installed on first use (a few minutes, then cached)."""
    marker = VENV / f".installed-mlflow-{MLFLOW_VERSION}"
    if not marker.exists():
        print(f"installing mlflow=={MLFLOW_VERSION} into {VENV} (once)", file=sys.stderr, flush=True)
        if not (VENV / "bin" / "python").exists():
            python = subprocess.run([ROOT / "scripts" / "find-python.sh"], capture_output=True, text=True, check=True)
            subprocess.run([python.stdout.strip(), "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, f"mlflow=={MLFLOW_VERSION}"], check=True)
        marker.touch()
    return VENV / "bin" / "mlflow"


def listening_pids(port: int) -> set[int]:
    """The processes holding a listening TCP socket on `port` (from /proc), to check the answer is ours."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(f"socket:[{fields[9]}]")
    pids = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                    pids.add(int(proc.name))
            except OSError:
                continue
    return pids


def tree_cpu(roots: tuple[int, ...]) -> float:
    """CPU seconds (user + system) used so far by the processes `roots` and all their descendants (from /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(proc.name)] = int(fields[1])
            times[int(proc.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, list(roots)
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


class MlflowServer:
    def __init__(self, workdir: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(workdir) / "mlflow.log"
        args = [
            str(mlflow_binary()), "server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "2",
            "--backend-store-uri", f"sqlite:///{workdir}/mlflow.db", "--default-artifact-root", f"{workdir}/artifacts",
        ]  # fmt: skip
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"mlflow server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"mlflow server did not answer: {self.log.read_text()[-2000:]}")
            time.sleep(0.3)
        holders = listening_pids(self.port)
        if not holders or any(os.getpgid(pid) != self.process.pid for pid in holders):
            self.stop()
            raise RuntimeError(f"port {self.port} is not answered by our mlflow server (held by {holders})")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def summary(latencies: list[float], wall: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "ops_s": round(len(ordered) / wall, 1),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    }


async def drive(client: httpx.AsyncClient, n: int, concurrency: int, call: Call, ok: int) -> dict[str, float]:
    """`n` calls from `concurrency` clients on one connection pool; every answer must have status `ok`."""
    latencies: list[float] = []
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            t0 = time.perf_counter()
            resp = await call(client, i)
            latencies.append(time.perf_counter() - t0)
            if resp.status_code != ok:
                raise RuntimeError(f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text[:300]}")

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return summary(latencies, time.perf_counter() - t0)


def ours_setup(base: str, env: dict[str, str]) -> tuple[dict[str, str], dict[str, Call]]:
    """Tenant, dataset and experiments through the API; the run and its metric points planted in the tables (a run
    needs training otherwise; the rows are the ones the collector writes). The operations as calls."""
    settings = load_settings({"DEV_AUTH_SECRET": DEV_SECRET})
    admin = {"Authorization": f"Bearer {mint_dev_token(settings, user='peers-admin', platform_admin=True)}"}
    owner_id = f"peers-{uuid.uuid4().hex[:6]}"
    headers = {"Authorization": f"Bearer {mint_dev_token(settings, user=owner_id)}"}
    api = httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=60)
    t = httpx.post(f"{base}/api/v1/tenants", json={"name": "peers", "ownerUserId": owner_id}, headers=admin).json()[
        "id"
    ]
    ds = api.post(f"/tenants/{t}/datasets", params={"name": "d"}, content=CSV, headers={"Content-Type": "text/csv"})
    body = {
        "task": "classification",
        "datasetId": ds.json()["id"],
        "targetColumn": "label",
        "primaryMetric": "accuracy",
    }
    ids = [
        api.post(f"/tenants/{t}/experiments", json=body | {"name": f"exp-{i}"}).json()["id"] for i in range(EXPERIMENTS)
    ]
    run_id = plant_run(env, t, ids[0])
    assert len(api.get(f"/tenants/{t}/experiments", params={"top": PAGE}).json()["value"]) == PAGE
    points = api.get(f"/tenants/{t}/runs/{run_id}/metrics", params={"name": "accuracy", "top": POINTS}).json()
    assert len(points["value"]) == POINTS, points
    tag = uuid.uuid4().hex[:6]
    calls: dict[str, Call] = {
        "get_experiment": lambda c, i: c.get(f"/tenants/{t}/experiments/{ids[i % 10]}"),
        "get_run": lambda c, i: c.get(f"/tenants/{t}/runs/{run_id}"),
        "list_page_of_50_experiments": lambda c, i: c.get(f"/tenants/{t}/experiments", params={"top": PAGE}),
        "create_experiment": lambda c, i: c.post(f"/tenants/{t}/experiments", json=body | {"name": f"n-{tag}-{i}"}),
        "metric_history": lambda c, i: c.get(
            f"/tenants/{t}/runs/{run_id}/metrics", params={"name": "accuracy", "top": POINTS}
        ),
    }
    return headers, calls


def plant_run(env: dict[str, str], tenant: str, experiment_id: str) -> str:
    from datetime import UTC, datetime

    from domain.storage.app_store import build_series, build_store
    from domain.storage.records import Op

    settings = load_settings(env)
    run_id = f"run{uuid.uuid4().hex[:8]}"
    data = {
        "experiment_id": experiment_id, "status": "Completed", "active": False, "primary_metric": "accuracy",
        "job_name": f"automl-{tenant}-{run_id}", "best_trial_id": f"automl-{tenant}-{run_id}_7",
        "progress": {"trials_done": POINTS},
    }  # fmt: skip
    build_store(settings).create(tenant, "run", run_id, data, actor="bench")
    now = datetime.now(UTC).isoformat()
    rows = [
        Op.upsert(f"m|accuracy|{s:010d}", {"name": "accuracy", "step": s, "value": 0.5 + s / 1000, "timestamp": now})
        for s in range(POINTS)
    ]
    series = build_series(settings)
    for i in range(0, POINTS, 98):
        series.transact(f"{tenant}.{run_id}", rows[i : i + 98], actor="bench", action="collect", audit=False)
    return run_id


def mlflow_setup(url: str) -> dict[str, Call]:
    api = httpx.Client(base_url=f"{url}/api/2.0/mlflow", timeout=60)
    ids = [
        api.post("/experiments/create", json={"name": f"exp-{i}"}).json()["experiment_id"] for i in range(EXPERIMENTS)
    ]
    run = api.post("/runs/create", json={"experiment_id": ids[0], "start_time": int(time.time() * 1000)}).json()
    run_id = run["run"]["info"]["run_id"]
    stamp = int(time.time() * 1000)
    metrics = [{"key": "accuracy", "value": 0.5 + s / 1000, "timestamp": stamp, "step": s} for s in range(POINTS)]
    assert api.post("/runs/log-batch", json={"run_id": run_id, "metrics": metrics}).status_code == 200
    assert len(api.get("/experiments/search", params={"max_results": PAGE}).json()["experiments"]) == PAGE
    history = api.get("/metrics/get-history", params={"run_id": run_id, "metric_key": "accuracy"}).json()
    assert len(history["metrics"]) == POINTS, history
    tag = uuid.uuid4().hex[:6]
    return {
        "get_experiment": lambda c, i: c.get("/experiments/get", params={"experiment_id": ids[i % 10]}),
        "get_run": lambda c, i: c.get("/runs/get", params={"run_id": run_id}),
        "list_page_of_50_experiments": lambda c, i: c.get("/experiments/search", params={"max_results": PAGE}),
        "create_experiment": lambda c, i: c.post("/experiments/create", json={"name": f"n-{tag}-{i}"}),
        "metric_history": lambda c, i: c.get(
            "/metrics/get-history", params={"run_id": run_id, "metric_key": "accuracy", "max_results": POINTS}
        ),
    }


async def measure(
    ours: tuple[str, dict[str, str], dict[str, Call]],
    mlflow: tuple[str, dict[str, Call]],
    n: int,
    args: Any,
    pids: dict[str, tuple[int, ...]],
) -> dict[str, Any]:
    """Per operation: warm both sides, then `rounds` rounds of ours then MLflow (`n` calls each, half for creates); the
    round with the median ops/s stands for each side, so a burst of load from elsewhere hits both sides alike. Each
    round also records the CPU time the side's server processes spent per call (`pids`: ours the host and Azurite,
    MLflow its server and workers): on a shared machine ops/s follows the load of others, CPU per call much less."""
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    out: dict[str, Any] = {}
    async with (
        httpx.AsyncClient(base_url=f"{ours[0]}/api/v1", headers=ours[1], limits=limits, timeout=60) as our_client,
        httpx.AsyncClient(base_url=f"{mlflow[0]}/api/2.0/mlflow", limits=limits, timeout=60) as their_client,
    ):
        for op in ours[2]:
            creates = op == "create_experiment"
            count = n // 2 if creates else n
            sides = {
                "ours": (our_client, ours[2][op], 201 if creates else 200),
                "mlflow": (their_client, mlflow[1][op], 200),
            }
            if not creates:
                for client, call, status in sides.values():
                    await drive(client, 2 * args.concurrency, args.concurrency, call, status)
            rounds: dict[str, list[dict[str, float]]] = {"ours": [], "mlflow": []}
            for r in range(args.rounds):
                for side, (client, call, status) in sides.items():
                    offset = 10_000 * (r + 1)  # create names stay unique across rounds
                    cpu, storage = tree_cpu(pids[side]), tree_cpu(pids["azurite"])
                    summary_ = await drive(
                        client, count, args.concurrency, lambda c, i, f=call, o=offset: f(c, i + o), status
                    )
                    summary_["cpu_ms_per_call"] = round(1000 * (tree_cpu(pids[side]) - cpu) / count, 2)
                    if side == "ours":  # the storage emulator's share of ours (Azure's Table service runs elsewhere)
                        summary_["azurite_cpu_ms_per_call"] = round(
                            1000 * (tree_cpu(pids["azurite"]) - storage) / count, 2
                        )
                    rounds[side].append(summary_)
            result: dict[str, Any] = {}
            for side, runs in rounds.items():
                median = sorted(runs, key=lambda s: s["ops_s"])[len(runs) // 2]
                cpu_ms = sorted(s["cpu_ms_per_call"] for s in runs)[len(runs) // 2]
                result[side] = median | {
                    "rounds_ops_s": [s["ops_s"] for s in runs],
                    "median_cpu_ms_per_call": cpu_ms,
                    "rounds_cpu_ms_per_call": [s["cpu_ms_per_call"] for s in runs],
                }
                if side == "ours":
                    result[side]["median_azurite_cpu_ms_per_call"] = statistics.median(
                        s["azurite_cpu_ms_per_call"] for s in runs
                    )
            result["ratio_ours_over_mlflow"] = round(result["ours"]["ops_s"] / result["mlflow"]["ops_s"], 2)
            result["cpu_ratio_mlflow_over_ours"] = round(
                result["mlflow"]["median_cpu_ms_per_call"] / max(result["ours"]["median_cpu_ms_per_call"], 0.01), 2
            )
            out[op] = result
        # the floor of ours: a CORS preflight, which the host routes to a function through the worker library like
        # any call but which reads no token, no storage and no model: the local host's own cost per call
        preflight = {"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"}
        floors = []
        for _ in range(args.rounds):
            host_cpu = tree_cpu(pids["ours"]) - tree_cpu(pids["azurite"])
            await drive(
                our_client,
                n,
                args.concurrency,
                lambda c, i: c.options("/tenants/x/experiments", headers=preflight),
                204,
            )
            floors.append(round(1000 * (tree_cpu(pids["ours"]) - tree_cpu(pids["azurite"]) - host_cpu) / n, 2))
        out["floor_preflight"] = {"host_cpu_ms_per_call": statistics.median(floors), "rounds": floors}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200, help="calls per side, operation and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-peers-")
    mlflow = MlflowServer(workdir)
    azurite = start_azurite(in_memory=True)
    host = None
    try:
        port, tag = free_port(), uuid.uuid4().hex[:6]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))} | {
            "AzureWebJobsStorage": azurite.connection_string,
            "DATA_STORAGE_CONNECTION_STRING": azurite.connection_string,
            "DATA_TABLE_PREFIX": f"peers{tag}", "TASKHUB_NAME": f"hub{tag}",
            "LOCAL_AUTOML_WORKDIR": f"{workdir}/automl",
            "RUN_COLLECTOR_SCHEDULE": RARE, "RECONCILE_SCHEDULE": RARE, "OMP_NUM_THREADS": "1",
        }  # fmt: skip
        host = spawn(ROOT, env, f"{workdir}/devhost.log", port=port)
        headers, our_calls = ours_setup(host.base_url, env)
        their_calls = mlflow_setup(mlflow.url)
        pids = {
            "ours": (host.process.pid, azurite.process.pid),
            "azurite": (azurite.process.pid,),
            "mlflow": (mlflow.process.pid,),
        }
        ops = asyncio.run(
            measure((host.base_url, headers, our_calls), (mlflow.url, their_calls), args.requests, args, pids)
        )
    finally:
        if host is not None:
            host.stop()
        azurite.stop()
        mlflow.stop()
    floor = ops.pop("floor_preflight")
    table = [
        {"operation": op, "ours_ops_s": r["ours"]["ops_s"], "mlflow_ops_s": r["mlflow"]["ops_s"],
         "ratio": r["ratio_ours_over_mlflow"], "ours_cpu_ms_per_call": r["ours"]["median_cpu_ms_per_call"],
         "mlflow_cpu_ms_per_call": r["mlflow"]["median_cpu_ms_per_call"], "cpu_ratio": r["cpu_ratio_mlflow_over_ours"],
         "ours_azurite_cpu_ms_per_call": r["ours"]["median_azurite_cpu_ms_per_call"],
         # 2x MLflow's calls per CPU-second needs ours (host + Azurite) at most half MLflow's CPU per call
         "cpu_budget_ms_for_2x": round(r["mlflow"]["median_cpu_ms_per_call"] / 2, 2)}
        for op, r in ops.items()
    ]  # fmt: skip
    print(json.dumps({
        "concurrency": args.concurrency, "rounds": args.rounds, "mlflow": MLFLOW_VERSION, "cores": os.cpu_count(),
        "table": table, "goal_ratio_min": 2.0, "ours_host_floor_cpu_ms_per_call": floor, "operations": ops,
        "notes": NOTES,
    }, indent=2))  # fmt: skip


NOTES = {
    "data": f"both sides: {EXPERIMENTS} experiments before the list, one run with {POINTS} points of one metric "
    "(MLflow: runs/log-batch; ours: the rows the collector writes, planted in the series table), 10 experiments read "
    "in turn, creates after the reads",
    "auth": "ours: every call carries a dev HS256 bearer token that is verified, and the tenant membership is checked "
    "(cached); MLflow runs without authentication (plain `mlflow server`, no basic-auth app)",
    "work": "create: ours validates the body and the dataset reference, writes entity + name + audit rows in one "
    "Table transaction; MLflow inserts one experiment row in SQLite. list: ours one Table query page (top=50); MLflow "
    "experiments/search max_results=50. metric history: ours GET runs/{id}/metrics?name=accuracy&top=100 (one query "
    "page); MLflow metrics/get-history max_results=100. get run: MLflow also loads the run's params, tags, latest "
    "metrics",
    "cpu": "cpu_ms_per_call: CPU time (user + system) of the side's server processes during the round, per call "
    "(ours: the host and Azurite; MLflow: its server, workers and job runners), median over the rounds; cpu_ratio = "
    "MLflow's / ours (above 1: ours needs less CPU per call). Less sensitive than ops/s to what else the machine runs. "
    "ours_azurite_cpu_ms_per_call: Azurite's part of ours; cpu_budget_ms_for_2x: MLflow's CPU per call / 2, what ours "
    "(host + Azurite) may spend per call to serve twice MLflow's calls with the same CPU. "
    "ours_host_floor_cpu_ms_per_call: the local host's CPU per CORS preflight (routed to a function through the "
    "worker library, no token, storage or model): what any call of ours costs the host before the app's own work",
    "processes": "MLflow: uvicorn, 2 workers, SQLite; ours: python -m devhost (one process) over Azurite in memory "
    "(Node); both on this machine's shared cores, same httpx harness, one connection pool of 16 per side",
}


if __name__ == "__main__":
    main()
