"""The devhost over real sockets: uvicorn on a free loopback port, real HTTP clients, and the CLI process."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from devhost.azurite import free_port
from devhost.testing import serve

ROOT = Path(__file__).resolve().parents[3]
SAMPLE_APP = ROOT / "tests" / "devhost" / "sample_app"


def wait_ready(url: str, process: subprocess.Popen[str] | None = None, limit: float = 60.0) -> httpx.Response:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"process exited early: {process.stdout.read() if process.stdout else ''}")
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def test_uvicorn_in_a_thread_serves_http_and_event_grid() -> None:
    with serve(SAMPLE_APP, environ={}, durable=False) as running:
        assert running.base_url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=running.base_url) as client:
            assert client.get("/admin/host/status").status_code == 401  # the host's keys, as on Azure
            client.headers["x-functions-key"] = running.host.keys.master
            assert client.get("/api/hello/socket").text == "hello socket"
            echo = client.post("/api/echo?q=1", content=b"over the wire", headers={"X-Test": "t"})
            assert echo.status_code == 201 and echo.json()["body"] == "over the wire"
            event = {"specversion": "1.0", "id": "s1", "source": "src", "type": "t", "subject": "x", "data": {}}
            posted = client.post(
                "/runtime/webhooks/EventGrid?functionName=on_event",
                json=event,
                headers={"aeg-event-type": "Notification"},
            )
            assert posted.status_code == 202
            assert client.get("/admin/host/status").json()["state"] == "Running"
    thread = running.thread
    assert not thread.is_alive()
    try:
        httpx.get(f"{running.base_url}/api/hello", timeout=2)
        raise AssertionError("the server still answers after stop")
    except httpx.TransportError:
        pass


@pytest.mark.integration
def test_cli_serves_the_app_and_stops_on_sigterm(tmp_path: Path, azurite_connection_string: str) -> None:
    """`python -m devhost --storage CONN` (the durable engine, when present, keeps its hub in that Azurite)."""
    port, storage = free_port(), azurite_connection_string
    env = {k: v for k, v in os.environ.items() if k not in ("TICK_SCHEDULE", "SAMPLE_HUB")}
    env["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "devhost", "--app", str(SAMPLE_APP), "--port", str(port), "--storage", storage],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        resp = wait_ready(f"http://127.0.0.1:{port}/api/hello/cli", process)
        assert resp.text == "hello cli"
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert f"hello: [GET] http://127.0.0.1:{port}/api/hello/{{name?}}" in out
    assert "Executed 'Functions.hello' (Succeeded" in out
    assert "Host stopped" in out


@pytest.mark.parametrize("size", [40_000, 267_000])
def test_an_oversized_authorization_header_answers_431_not_a_reset(size: int) -> None:
    """Kestrel answers 431 for headers over 32 KiB; the devhost did the same only by chance (h11 reset the
    connection of a 267 KB header while it was still arriving)."""
    with serve(SAMPLE_APP, environ={}, durable=False) as running, httpx.Client(base_url=running.base_url) as client:
        big = client.get("/api/hello/x", headers={"Authorization": "Bearer " + "a" * size})
        assert big.status_code == 431, big.text
        assert client.get("/api/hello/x", headers={"Authorization": "Bearer " + "a" * 20_000}).status_code == 200


def test_an_idle_keep_alive_connection_outlives_the_durable_clients_pool() -> None:
    """Kestrel keeps an idle connection 130 s; uvicorn's default is 5 s. The Durable client's pooled aiohttp
    connections live 15 s, so with uvicorn's default a start_new sent 5-15 s after the previous call hit a socket the
    server was closing (Connection reset by peer, and the request that started the work answered 500). The host's
    connection must still be open after 7 s idle (past uvicorn's default) and serve a second request on it."""
    request = b"GET /api/hello/ka HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    def exchange(sock: socket.socket) -> bytes:
        sock.sendall(request)
        data = b""
        while b"hello ka" not in data:
            chunk = sock.recv(4096)
            assert chunk, f"the server closed the connection: {data!r}"
            data += chunk
        return data

    with serve(SAMPLE_APP, environ={}, durable=False) as running:
        port = int(running.base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            assert exchange(sock).startswith(b"HTTP/1.1 200")
            closed, _, _ = select.select([sock], [], [], 7.0)  # readable here means the server closed it
            assert not closed, "the server closed an idle keep-alive connection within 7 s"
            assert exchange(sock).startswith(b"HTTP/1.1 200")
