"""Benchmark: orchestrations per minute of the devhost durable engine on Azurite.

Starts its own Azurite, a DurableHost (real clock) on the sample app in tests/devhost/durable_app, starts N `chain`
orchestrations (three sequential activities each) at once and measures until all complete. Prints one JSON document.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devhost.azurite import start_azurite  # noqa: E402
from devhost.durable import DurableHost, load_app  # noqa: E402

INSTANCES = 50


async def run(connection: str) -> dict[str, object]:
    hub = f"Bench{uuid.uuid4().hex[:8]}"
    host = DurableHost(
        *load_app(ROOT / "tests" / "devhost" / "durable_app"),
        hub=hub,
        storage_connection=connection,
        base_url="http://127.0.0.1:1",
    )
    await host.start()
    try:
        ids = [f"bench-{i}" for i in range(INSTANCES)]
        began = time.perf_counter()
        await asyncio.gather(*(host.engine.start_new("chain", i, json.dumps(str(i))) for i in ids))
        latencies: list[float] = []

        async def finish(instance_id: str) -> None:
            instance = await host.wait_for(instance_id, "Completed", limit=110)
            assert len(instance.output) == 3
            latencies.append(time.perf_counter() - began)

        await asyncio.gather(*(finish(i) for i in ids))
        elapsed = time.perf_counter() - began
    finally:
        await host.stop()
    return {
        "benchmark": "devhost_durable",
        "scenario": f"{INSTANCES} three-activity chains started concurrently, Table Storage on Azurite",
        "instances": INSTANCES,
        "activities_per_instance": 3,
        "elapsed_seconds": round(elapsed, 3),
        "orchestrations_per_minute": round(INSTANCES / elapsed * 60, 1),
        "activities_per_second": round(INSTANCES * 3 / elapsed, 1),
        "completion_p50_seconds": round(statistics.median(latencies), 3),
        "completion_max_seconds": round(max(latencies), 3),
        "engine_errors": len(host.engine.errors),
    }


def main() -> None:
    with start_azurite(in_memory=True) as azurite:
        result = asyncio.run(run(azurite.connection_string))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
