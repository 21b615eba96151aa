"""The sample app whose activity is annotated `dict` (accepted by the worker) runs end to end: an HTTP starter with
a durable client, the orchestrator and the activity, each invoked in the worker library, over Azurite."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from devhost.testing import serve

pytestmark = pytest.mark.integration
ACCEPTED = Path(__file__).resolve().parents[2] / "devhost" / "worker_accepted"


def test_accepted_app_runs_its_orchestration_to_completion(azurite_connection_string: str) -> None:
    with serve(ACCEPTED, environ={"AzureWebJobsStorage": azurite_connection_string}) as running:
        started = httpx.post(f"{running.base_url}/api/greetings", json={"name": "Ada"}, timeout=30)
        assert started.status_code == 202, started.text
        status_url = started.json()["statusQueryGetUri"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = httpx.get(status_url, timeout=30).json()
            if status["runtimeStatus"] in ("Completed", "Failed", "Terminated"):
                break
            time.sleep(0.1)
    assert (status["runtimeStatus"], status["output"]) == ("Completed", "hello Ada")
