"""HTTP requests per second through the devhost for a trivial function, against a bare Starlette app answering the
same, both served by uvicorn (same settings) on free ports in separate processes, driven by the same aiohttp client
(N concurrent connections, a bounded number of requests). Prints one JSON document.

    .venv/bin/python bench/devhost.py [--requests 2000] [--concurrency 32] [--rounds 5] [--orchestrations 40]

Pairs: the sync function against a sync Starlette endpoint (both hop to a thread pool), the async function against
an async endpoint. Both servers run side by side and are measured back to back in each round.

`orchestrations_per_minute` is measured only when devhost.durable (the durable engine) is importable, with a private
in-memory Azurite; otherwise it is null with a note.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devhost.azurite import free_port  # noqa: E402

FUNCTION_APP = """
import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="ping", methods=["GET"])
def ping(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("pong")


@app.route(route="aping", methods=["GET"])
async def aping(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("pong")
"""

BARE_APP = """
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


def ping(request):  # sync: Starlette runs it in its thread pool, as the devhost runs a sync function
    return PlainTextResponse("pong")


async def aping(request):
    return PlainTextResponse("pong")


app = Starlette(routes=[Route("/api/ping", ping, methods=["GET"]), Route("/api/aping", aping, methods=["GET"])])
"""


def start(args: list[str], cwd: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/ping", timeout=2).read()
            return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{args} exited with {process.returncode}") from None
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{args} did not answer")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def drive(url: str, requests: int, concurrency: int) -> float:
    """Requests per second for `requests` GETs with `concurrency` connections (after a short warm-up)."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(count: int) -> None:
            for _ in range(count):
                async with session.get(url) as resp:
                    assert resp.status == 200, resp.status
                    await resp.read()

        await asyncio.gather(*(worker(10) for _ in range(concurrency)))  # warm-up
        per_worker = requests // concurrency
        started = time.perf_counter()
        await asyncio.gather(*(worker(per_worker) for _ in range(concurrency)))
        return per_worker * concurrency / (time.perf_counter() - started)


def measure_http(requests: int, concurrency: int, rounds: int) -> dict[str, Any]:
    """Both servers run side by side; each round measures them back to back per route, so machine load (shared
    cores) hits both alike. Figures are medians over rounds; ratios are medians of the per-round ratios."""
    work = Path(tempfile.mkdtemp(prefix="bench-devhost-"))
    (work / "function_app.py").write_text(FUNCTION_APP)
    (work / "host.json").write_text(json.dumps({"version": "2.0", "extensions": {"http": {"routePrefix": "api"}}}))
    (work / "bare_app.py").write_text(BARE_APP)
    bare_port, devhost_port = free_port(), free_port()
    bare = start([sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(bare_port), "--no-access-log",
                  "--log-level", "warning"], work, bare_port)  # fmt: skip
    try:
        devhost = start([sys.executable, "-m", "devhost", "--app", str(work), "--port", str(devhost_port)], work,
                        devhost_port)  # fmt: skip
    except Exception:
        stop(bare)
        raise
    rps: dict[str, list[float]] = {}
    try:
        for _ in range(rounds):
            for route in ("ping", "aping"):
                for name, port in (("bare", bare_port), ("devhost", devhost_port)):
                    url = f"http://127.0.0.1:{port}/api/{route}"
                    rps.setdefault(f"{name}_{route}", []).append(asyncio.run(drive(url, requests, concurrency)))
    finally:
        stop(devhost)
        stop(bare)

    def ratio(route: str) -> float:
        pairs = zip(rps[f"devhost_{route}"], rps[f"bare_{route}"], strict=True)
        return round(statistics.median(d / b for d, b in pairs), 3)

    return {
        "bare_starlette_sync_endpoint_rps": round(statistics.median(rps["bare_ping"]), 1),
        "bare_starlette_async_endpoint_rps": round(statistics.median(rps["bare_aping"]), 1),
        "devhost_sync_function_rps": round(statistics.median(rps["devhost_ping"]), 1),
        "devhost_async_function_rps": round(statistics.median(rps["devhost_aping"]), 1),
        "ratio_sync": ratio("ping"),
        "ratio_async": ratio("aping"),
    }


DURABLE_APP = """
import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="ping", methods=["GET"])
def ping(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("pong")


@app.orchestration_trigger(context_name="context")
def chain(context: df.DurableOrchestrationContext):
    first = yield context.call_activity("step", 1)
    second = yield context.call_activity("step", first)
    return second


@app.activity_trigger(input_name="value")
def step(value: int) -> int:
    return value + 1


@app.route(route="start", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id = await client.start_new("chain")
    return client.create_check_status_response(req, instance_id)
"""


async def run_orchestrations(base_url: str, count: int, concurrency: int) -> float:
    """Orchestrations (two chained activities each) completed per minute, `concurrency` in flight at a time."""
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as session:

        async def one() -> None:
            async with gate:
                async with session.post(f"{base_url}/api/start") as resp:
                    assert resp.status == 202, await resp.text()
                    status_url = (await resp.json())["statusQueryGetUri"]
                while True:
                    async with session.get(status_url) as resp:
                        status = (await resp.json())["runtimeStatus"]
                    if status == "Completed":
                        return
                    assert status in ("Pending", "Running"), status
                    await asyncio.sleep(0.05)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(count)))
        return count / (time.perf_counter() - started) * 60


def measure_durable(count: int, concurrency: int) -> float:
    from devhost.azurite import start_azurite

    work = Path(tempfile.mkdtemp(prefix="bench-durable-"))
    (work / "function_app.py").write_text(DURABLE_APP)
    host_json = {"version": "2.0", "extensions": {"durableTask": {"hubName": "benchhub"}}}
    (work / "host.json").write_text(json.dumps(host_json))
    with start_azurite(in_memory=True) as azurite:
        port = free_port()
        cmd = [sys.executable, "-m", "devhost", "--app", str(work), "--port", str(port), "--log-level", "warning",
               "--storage", azurite.connection_string]  # fmt: skip
        process = start(cmd, work, port)
        try:
            return asyncio.run(run_orchestrations(f"http://127.0.0.1:{port}", count, concurrency))
        finally:
            stop(process)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--orchestrations", type=int, default=40)
    args = parser.parse_args()
    http = measure_http(args.requests, args.concurrency, args.rounds)
    opm: float | None = None
    try:
        import devhost.durable  # noqa: F401
    except ImportError:
        durable_note = "devhost.durable (the durable engine) is not in this tree: not measured"
    else:
        opm = round(measure_durable(args.orchestrations, 8), 1)
        durable_note = (
            f"{args.orchestrations} orchestrations of 2 chained activities, 8 in flight, started over HTTP by a "
            "durable-client function and polled through statusQueryGetUri; in-memory Azurite; devhost log level warning"
        )
    result = {
        "benchmark": "devhost",
        "requests_per_round": args.requests,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "client": "aiohttp",
        "server": "uvicorn (h11, asyncio loop), one process each, devhost logging at info like Core Tools",
        "pairs": "sync function vs Starlette sync endpoint (both hop to a thread pool); async vs async endpoint",
        **http,
        "ratio": min(http["ratio_sync"], http["ratio_async"]),
        "goal_ratio": 0.5,
        "orchestrations_per_minute": opm,
        "orchestrations_note": durable_note,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
