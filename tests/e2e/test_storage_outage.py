"""A storage outage (issue 16 item 9): Azurite frozen (SIGSTOP: connections open, nothing answers, the worst case
for timeouts). Requests answer 503 with Retry-After within about 5 s instead of hanging; /api/health says unhealthy
within 2 s; once storage is back, every acknowledged write is there and the invariants hold."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devhost.azurite import Azurite, free_port, start_azurite
from devhost.testing import spawn
from tests.e2e.lifecycle_helpers import wait_for
from tests.e2e.support import ROOT, Api, check_invariants, host_env, token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def own_azurite() -> Iterator[Azurite]:
    """An Azurite of this test's own (the session's is shared: freezing it would stall the other tests)."""
    instance = start_azurite(in_memory=True)
    try:
        yield instance
    finally:
        os.killpg(instance.process.pid, signal.SIGCONT)
        instance.stop()


def timed(call: object) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    resp = call()  # type: ignore[operator]
    return resp, time.monotonic() - start


def test_storage_outage_answers_503_quickly_and_loses_no_acknowledged_write(
    own_azurite: Azurite, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    port = free_port()
    env = host_env(own_azurite.connection_string, port, tmp_path / "automl", tag)
    host = spawn(ROOT, env, str(tmp_path / "devhost.log"), port=port)
    try:
        admin = Api(host.base_url, token("platform-admin", admin=True))
        t = admin.post("/tenants", json={"name": f"out-{tag}", "ownerUserId": f"o-{tag}"}).json()["id"]
        owner = Api(host.base_url, token(f"o-{tag}"))
        acknowledged = []
        for i in range(3):
            resp = owner.post(f"/tenants/{t}/endpoints", json={"name": f"before{i}"})
            assert resp.status_code == 201, resp.text
            acknowledged.append(resp.json()["id"])
        os.killpg(own_azurite.process.pid, signal.SIGSTOP)
        try:
            health, seconds = timed(lambda: httpx.get(f"{host.base_url}/api/health", timeout=30))
            assert health.status_code == 503 and health.json()["status"] == "unhealthy", health.text
            assert seconds <= 2.0, seconds
            for call in (
                lambda: owner.post(f"/tenants/{t}/endpoints", json={"name": "during"}),
                lambda: owner.get(f"/tenants/{t}/endpoints/{acknowledged[0]}"),
            ):
                resp, seconds = timed(call)
                assert resp.status_code == 503, resp.text
                assert int(resp.headers["Retry-After"]) > 0 and seconds <= 6.0, seconds
                assert resp.json()["error"]["code"] == "ServiceUnavailable"
        finally:
            os.killpg(own_azurite.process.pid, signal.SIGCONT)
        wait_for(lambda: httpx.get(f"{host.base_url}/api/health", timeout=30).status_code == 200, what="recovery")
        for ident in acknowledged:
            assert owner.get(f"/tenants/{t}/endpoints/{ident}").status_code == 200
        after = owner.post(f"/tenants/{t}/endpoints", json={"name": "after"})
        assert after.status_code == 201, after.text
        found = check_invariants(env)
        assert found["total"] == 0, found
    finally:
        host.stop()
