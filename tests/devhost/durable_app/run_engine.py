"""Run the durable engine on the sample app in its own process (used by the crash/restart test).

    python run_engine.py <storage connection string> <hub> [--start <instance id>] [--wait <instance id>]

Starts a DurableHost (real clock), optionally starts `slow_chain` as <instance id>, prints READY, and exits printing
`FINAL <status> <output json>` once the awaited instance is final. The test may SIGKILL it at any point.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from devhost.durable import DurableHost  # noqa: E402


def _functions() -> list[object]:
    spec = importlib.util.spec_from_file_location("durable_sample_loader", Path(__file__).with_name("loader.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.functions())


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("connection")
    parser.add_argument("hub")
    parser.add_argument("--start")
    parser.add_argument("--wait", required=True)
    args = parser.parse_args()
    host = DurableHost(_functions(), hub=args.hub, storage_connection=args.connection, base_url="http://127.0.0.1:1")  # type: ignore[arg-type]
    await host.start()
    if args.start:
        await host.engine.start_new("slow_chain", args.start, None)
    print("READY", flush=True)
    instance = await host.wait_for(args.wait, limit=90)
    print("FINAL", instance.status, json.dumps(instance.output), flush=True)
    await host.stop()


if __name__ == "__main__":
    asyncio.run(main())
