"""Kill the engine process (SIGKILL) while an activity runs, start a new one on the same Azurite: the orchestration
finishes, the interrupted activity is re-run (at-least-once) and every activity result is applied exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devhost.durable.history import EventType
from devhost.durable.store import TableStore

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

RUNNER = Path(__file__).resolve().parents[2] / "devhost" / "durable_app" / "run_engine.py"


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(RUNNER), *args], env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )


def _wait_for_line(path: Path, line: str, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and line in path.read_text().splitlines():
            return
        assert proc.poll() is None, "engine process died early"
        time.sleep(0.05)
    raise AssertionError(f"{line!r} never appeared in {path}")


async def test_sigkill_mid_activity_then_restart_finishes_and_applies_each_result_once(
    azurite_connection_string, hub, unique, tmp_path
):
    effects, block = tmp_path / "effects.log", tmp_path / "block"
    (tmp_path / "block.b").touch()  # step "b" blocks until we let it go
    env = {**os.environ, "DURABLE_APP_SIDE_EFFECTS": str(effects), "DURABLE_APP_BLOCK": str(block)}
    instance_id = f"crash-{unique}"
    first = _spawn([azurite_connection_string, hub, "--start", instance_id, "--wait", instance_id], env)
    try:
        _wait_for_line(effects, "start b", first)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    (tmp_path / "block.b").unlink()

    second = _spawn([azurite_connection_string, hub, "--wait", instance_id], env)
    try:
        out, _ = second.communicate(timeout=90)
    finally:
        if second.poll() is None:
            os.killpg(second.pid, signal.SIGKILL)
    final = [line for line in out.splitlines() if line.startswith("FINAL")]
    assert final and final[0].split(" ", 2)[1] == "Completed", out
    assert json.loads(final[0].split(" ", 2)[2]) == ["a-done", "b-done", "c-done"]

    lines = effects.read_text().splitlines()
    assert lines.count("start a") == 1 and lines.count("done a") == 1  # finished before the kill: never re-run
    assert lines.count("start b") == 2 and lines.count("done b") == 1  # interrupted: re-run once (at-least-once)
    assert lines.count("start c") == 1

    store = TableStore(azurite_connection_string, hub)
    try:
        history = await store.read_history(instance_id)
    finally:
        await store.close()
    scheduled = [e["EventId"] for e in history if e["EventType"] == EventType.TASK_SCHEDULED]
    completed = [e["TaskScheduledId"] for e in history if e["EventType"] == EventType.TASK_COMPLETED]
    assert scheduled == [0, 1, 2] and completed == [0, 1, 2]  # each result applied exactly once
