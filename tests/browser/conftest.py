"""The browser tests' stack: `make run` itself, on a free port, over the session's Azurite."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devhost.azurite import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="package")
def stack(azurite_connection_string: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`make run` on a free port (its own process group), with its own tables, task hub and AutoML folder."""
    tag = uuid.uuid4().hex[:8]
    port = free_port()
    workdir = tmp_path_factory.mktemp("console-automl")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "MAKE", "MFLAGS"))}
    env.update(
        {
            "AzureWebJobsStorage": azurite_connection_string,
            "DATA_STORAGE_CONNECTION_STRING": azurite_connection_string,
            "DATA_TABLE_PREFIX": f"ui{tag}",
            "TASKHUB_NAME": f"ui{tag}",
            "LOCAL_AUTOML_WORKDIR": str(workdir),
            "LOCAL_AUTOML_MAX_CONCURRENT_JOBS": "1",
            "RUN_COLLECTOR_SCHEDULE": "*/5 * * * * *",
            "OMP_NUM_THREADS": "1",
        }
    )
    log = (tmp_path_factory.mktemp("console-stack") / "make-run.log").open("wb")
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # a first `make run` builds the console
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"make run exited ({proc.returncode}): {Path(log.name).read_text()[-3000:]}")
            try:
                if (
                    httpx.get(f"{base}/api/health", timeout=2).status_code == 200
                    and 'id="root"' in httpx.get(base, timeout=2).text
                ):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"make run did not serve in time: {Path(log.name).read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()
