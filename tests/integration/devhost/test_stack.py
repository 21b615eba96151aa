"""`make run` (python -m devhost.stack): the project's app on the devhost with Azurite, as in the README quick start."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from devhost.azurite import free_port
from devhost.keys import load_or_create

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def start_stack(tmp_path: Path, **extra: str) -> tuple[subprocess.Popen[bytes], Path, int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("AzureWebJobsStorage", "DATA_STORAGE_CONNECTION_STRING")}
    env.update(PORT=str(port), PYTHONPATH=str(ROOT), **extra)
    log = tmp_path / "stack.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "devhost.stack"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return process, log, port


def health(process: subprocess.Popen[bytes], log: Path, port: int) -> httpx.Response:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=10)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"no answer; log:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_make_run_starts_azurite_serves_health_and_stops_both(tmp_path: Path) -> None:
    process, log, port = start_stack(tmp_path)
    try:
        resp = health(process, log, port)
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == "healthy"
    finally:
        code = stop(process)
    text = log.read_text()
    assert code == 0, text
    assert f"API: http://127.0.0.1:{port}/api" in text
    keys = load_or_create(ROOT)  # printed by make run, generated once per checkout in .local/
    assert f"Host keys (.local/host-keys.json): master {keys.master}" in text
    assert f"system eventgrid_extension {keys.system['eventgrid_extension']}" in text
    found = re.search(r"Azurite: blob (\d+), queue (\d+), table (\d+)", text)
    assert found is not None, text
    assert not any(port_open(int(p)) for p in found.groups())  # Azurite stopped with the stack
    assert not port_open(port)


def test_make_run_uses_given_storage_and_starts_no_azurite(tmp_path: Path, azurite_connection_string: str) -> None:
    process, log, port = start_stack(tmp_path, AzureWebJobsStorage=azurite_connection_string)
    try:
        resp = health(process, log, port)
        assert resp.status_code == 200, resp.text  # DATA_STORAGE_CONNECTION_STRING defaulted to the given storage
    finally:
        assert stop(process) == 0
    assert "Azurite:" not in log.read_text()
