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
from devhost.limits import server_config


@dataclass
class ServedHost:
    base_url: str
    host: FunctionsHost
    server: uvicorn.Server
    thread: threading.Thread


def asgi_client(host: FunctionsHost, key: str | None = None) -> httpx.AsyncClient:
    """An httpx client that calls the host's ASGI app in-process (the caller runs `host.running()`); `key` is sent
    as `x-functions-key` with every request (e.g. `host.keys.master` for the admin API)."""
    headers = {"x-functions-key": key} if key else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=host), base_url=host.base_url, headers=headers)


@contextmanager
def serve(
    app_dir: Path | str, *, port: int | None = None, timeout: float = 30.0, **options: Any
) -> Iterator[ServedHost]:
    """Serve `app_dir` with uvicorn on 127.0.0.1 (a free port unless given) in a thread; stop it on exit."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    host = FunctionsHost(app_dir, base_url=base_url, **options)
    config = server_config(host, "127.0.0.1", port, log_level="warning")
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


@dataclass
class HostProcess:
    """`python -m devhost` in a subprocess (its own session): for end-to-end tests that kill and restart the host."""

    base_url: str
    port: int
    env: dict[str, str]
    app_dir: str
    log_path: str
    process: Any = None

    def start(self, timeout: float = 60.0) -> HostProcess:
        import subprocess
        import sys

        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devhost", "start", "--app", self.app_dir, "--port", str(self.port)],
            cwd=self.app_dir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the devhost exited ({self.process.returncode}); log: {self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/admin/host/ping", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the devhost did not answer in {timeout}s; log: {self.log_tail()}")

    def log_tail(self, chars: int = 4000) -> str:
        return Path(self.log_path).read_text(errors="replace")[-chars:]

    def stop(self, *, kill: bool = False) -> None:
        import os
        import signal
        import subprocess

        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def spawn(app_dir: Path | str, env: dict[str, str], log_path: str, *, port: int | None = None) -> HostProcess:
    port = port or free_port()
    return HostProcess(f"http://127.0.0.1:{port}", port, env, str(app_dir), log_path).start()
