"""Test helpers: the host served by a real uvicorn on a free loopback port, or an in-process httpx client.

with serve("tests/devhost/sample_app") as running:          # uvicorn in a thread, lifespan on
    httpx.get(f"{running.base_url}/api/hello")

host = FunctionsHost(app_dir, clock=VirtualClock())
async with host.running(), asgi_client(host) as client:     # no socket, fastest
    await client.get("/api/hello"); await host.advance(timedelta(minutes=5))
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from devhost.azurite import free_port
from devhost.host import FunctionsHost


@dataclass
class ServedHost:
    base_url: str
    host: FunctionsHost
    server: uvicorn.Server
    thread: threading.Thread


def asgi_client(host: FunctionsHost) -> httpx.AsyncClient:
    """An httpx client that calls the host's ASGI app in-process (the caller runs `host.running()`)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=host), base_url=host.base_url)


@contextmanager
def serve(
    app_dir: Path | str, *, port: int | None = None, timeout: float = 30.0, **options: Any
) -> Iterator[ServedHost]:
    """Serve `app_dir` with uvicorn on 127.0.0.1 (a free port unless given) in a thread; stop it on exit."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    host = FunctionsHost(app_dir, base_url=base_url, **options)
    config = uvicorn.Config(host, host="127.0.0.1", port=port, lifespan="on", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"devhost-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout)
            host.close()
            raise RuntimeError(f"the devhost did not start on port {port}")
        time.sleep(0.02)
    try:
        yield ServedHost(base_url, host, server, thread)
    finally:
        server.should_exit = True
        thread.join(timeout)
        host.close()
