"""Live results without the collector timer (docs/adr/0017-live-results.md): on a host whose collector runs once a
year, a trial the engine finishes reaches `/trials`, `/metrics` and `/logs` while the run still runs, carried by
its child-run event (the local engine posts one per trial, as Azure ML does). The seconds it takes are measured by
`bench/lifecycle.py` (`trial_latency_seconds`), not here."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from devhost.azurite import free_port
from devhost.testing import HostProcess, spawn
from tests.e2e.lifecycle_helpers import breast_cancer_csv, experiment, new_tenant, run, start, wait_for, wait_terminal
from tests.e2e.support import ROOT, Api, host_env, token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ONCE_A_YEAR = "0 0 0 1 1 *"


@pytest.fixture(scope="module")
def quiet_host(azurite_connection_string: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostProcess]:
    tag = uuid.uuid4().hex[:8]
    port = free_port()
    env = host_env(azurite_connection_string, port, tmp_path_factory.mktemp("automl-live"), tag)
    env["RUN_COLLECTOR_SCHEDULE"] = ONCE_A_YEAR
    host = spawn(ROOT, env, str(tmp_path_factory.mktemp("devhost-live") / "devhost.log"), port=port)
    try:
        yield host
    finally:
        host.stop()


def test_trials_metrics_and_logs_arrive_while_the_run_goes_on(quiet_host: HostProcess, unique: str) -> None:
    admin = Api(quiet_host.base_url, token("platform-admin", admin=True))
    api = new_tenant(admin, lambda user: Api(quiet_host.base_url, token(user)), unique)
    t = api.tenant
    exp = experiment(api, unique, breast_cancer_csv(), limits={"maxTrials": 100, "timeoutMinutes": 1})
    started = start(api, exp["id"])
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]

    def live() -> list[dict[str, Any]] | None:
        trials = api.get(f"/tenants/{t}/runs/{run_id}/trials").json()["value"]  # read first ...
        now = run(api, run_id)  # ... then the run: it had not ended when the trials were read
        return trials if trials and now["status"] not in ("Completed", "Failed", "Canceled") else None

    trials = wait_for(live, timeout=120, every=0.2, what="a trial in /trials while the run runs")
    assert trials[0]["rank"] == 1 and trials[0]["score"] is not None
    job = run(api, run_id)["jobName"]
    assert all(x["trialId"].startswith(f"{job}_") for x in trials)
    points = api.get(f"/tenants/{t}/runs/{run_id}/metrics").json()["value"]
    assert {p["trialId"] for p in points} >= {x["trialId"] for x in trials}  # the same collection brought them
    assert any(ln["text"].startswith("Trial ") for ln in api.get(f"/tenants/{t}/runs/{run_id}/logs").json()["value"])
    assert api.post(f"/tenants/{t}/runs/{run_id}:cancel").status_code == 202  # enough: end it early
    assert wait_terminal(api, run_id, timeout=90)["status"] in ("Canceled", "Completed")
