"""An HTTP starter with a durable client, through the devhost and the durable engine, over real sockets.

Skipped when the durable engine (devhost.durable) is not installed in this tree.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from devhost.testing import serve

pytestmark = pytest.mark.integration
SAMPLE_APP = Path(__file__).resolve().parents[2] / "devhost" / "sample_app"


def test_starter_runs_orchestration_to_completion(azurite_connection_string: str, unique: str) -> None:
    pytest.importorskip("devhost.durable")
    env = {"AzureWebJobsStorage": azurite_connection_string, "SAMPLE_HUB": f"hub{unique}"}
    with serve(SAMPLE_APP, environ=env) as running:
        started = httpx.post(f"{running.base_url}/api/orchestrators/hello?name=Ada", timeout=30)
        assert started.status_code == 202, started.text
        status_url = started.json()["statusQueryGetUri"]
        assert status_url.startswith(f"{running.base_url}/runtime/webhooks/durabletask/instances/")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = httpx.get(status_url, timeout=30).json()
            if status["runtimeStatus"] in ("Completed", "Failed", "Terminated"):
                break
            time.sleep(0.1)
    assert (status["runtimeStatus"], status["output"]) == ("Completed", "Hello Ada")
