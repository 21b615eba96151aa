"""Run the durable engine on the sample app in its own process (used by the crash/restart test).

    python run_engine.py <storage connection string> <hub> [--start <instance id>] [--wait <instance id>]

Starts a DurableHost (real clock), optionally starts `slow_chain` as <instance id>, prints READY, and exits printing
`FINAL <status> <output json>` once the awaited instance is final. The test may SIGKILL it at any point.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from devhost.durable import DurableHost, load_app  # noqa: E402


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("connection")
    parser.add_argument("hub")
    parser.add_argument("--start")
    parser.add_argument("--wait", required=True)
    args = parser.parse_args()
    host = DurableHost(
        *load_app(Path(__file__).parent),
        hub=args.hub,
        storage_connection=args.connection,
        base_url="http://127.0.0.1:1",
    )
    await host.start()
    if args.start:
        await host.engine.start_new("slow_chain", args.start, None)
    print("READY", flush=True)
    instance = await host.wait_for(args.wait, limit=90)
    print("FINAL", instance.status, json.dumps(instance.output), flush=True)
    await host.stop()


if __name__ == "__main__":
    asyncio.run(main())
