"""The AutoML lifecycle as a front end drives it over HTTP: upload, experiment, run (watch trials and metrics),
best model registered, deploy, score; cancel; a run that fails with a readable reason."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.lifecycle_helpers import (
    breast_cancer_csv,
    experiment,
    new_tenant,
    run,
    start,
    wait_for,
    wait_operation,
    wait_terminal,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def backend_traffic(devhost: Any, tenant: str, endpoint_id: str) -> dict[str, int]:
    """What the local backend routes by (read in-process from the devhost's AutoML work directory)."""
    from domain.automl.factory import backend_from_settings
    from domain.services.endpoints import backend_endpoint
    from domain.settings import load_settings

    backend = backend_from_settings(load_settings(devhost.env))
    return dict(backend.get_endpoint(tenant, backend_endpoint(tenant, endpoint_id)).traffic)


def test_train_register_deploy_score(admin: Any, user_api: Any, unique: str, devhost: Any) -> None:
    api = new_tenant(admin, user_api, unique)
    t = api.tenant
    exp = experiment(api, unique, breast_cancer_csv(), limits={"maxTrials": 80, "timeoutMinutes": 1})
    started = start(api, exp["id"])
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    assert started.headers["Location"].endswith(f"/runs/{run_id}")
    assert started.headers["Operation-Location"].endswith(f"/operations/{run_id}") and started.headers["Retry-After"]
    assert (started.json()["experimentName"], started.json()["task"]) == (f"exp-{unique}", "classification")

    # while it runs: trials done and metric points appear
    seen = wait_for(
        lambda: (r := run(api, run_id))["progress"]["trialsDone"] > 0 and r["status"] == "Running" and r,
        what="trials to appear",
    )
    assert seen["progress"]["percent"] is not None
    points = wait_for(lambda: api.get(f"/tenants/{t}/runs/{run_id}/metrics").json()["value"], what="metric points")
    assert {p["name"] for p in points} <= {"accuracy", "accuracy_trial"}
    assert all(p["trialId"] == f"{seen['jobName']}_{p['step']}" for p in points)  # each point names its trial
    training_op = api.get(f"/tenants/{t}/operations/{run_id}").json()
    assert (training_op["kind"], training_op["status"]) == ("training", "Running")
    assert training_op["target"] == f"/api/v1/tenants/{t}/runs/{run_id}" and training_op["progress"]["total"] == 80

    done = wait_terminal(api, run_id)
    assert done["status"] == "Completed", done
    assert done["progress"]["percent"] == 100.0
    # Completed means finalized (until then the run is Finalizing): the model and the leaderboard are there at once
    final = done
    assert final.get("modelId"), final
    assert 0.8 < final["metrics"]["accuracy"] <= 1.0
    trials = api.get(f"/tenants/{t}/runs/{run_id}/trials").json()["value"]
    assert trials and trials[0]["trialId"] == final["bestTrialId"]
    model = api.get(f"/tenants/{t}/models/{final['modelId']}").json()
    assert model["runId"] == run_id and model["version"] == 1 and model["name"] == f"exp-{unique}"
    assert model["trialId"] == final["bestTrialId"] and model["score"] == trials[0]["score"]
    assert len(model["inputColumns"]) == 30 and {c["type"] for c in model["inputColumns"]} == {"number"}
    assert wait_operation(api, run_id)["status"] == "Succeeded"  # the training operation ends with the run
    experiment_row = api.get(f"/tenants/{t}/experiments/{exp['id']}").json()
    assert experiment_row["lastRun"]["id"] == run_id and experiment_row["lastRun"]["status"] == "Completed"
    logs = api.get(f"/tenants/{t}/runs/{run_id}/logs").json()["value"]
    assert logs and [ln["seq"] for ln in logs] == sorted({ln["seq"] for ln in logs})

    ep = api.post(f"/tenants/{t}/endpoints", json={"name": f"ep-{unique}"}).json()
    put = api.put(f"/tenants/{t}/endpoints/{ep['id']}/deployments/blue", json={"modelId": final["modelId"]})
    assert put.status_code == 201, put.text
    assert put.headers["Location"] == f"/api/v1/tenants/{t}/endpoints/{ep['id']}/deployments/blue"
    op_id = put.headers["Operation-Location"].rsplit("/", 1)[1]
    op = wait_operation(api, op_id)
    assert op["status"] == "Succeeded", op
    assert api.get(f"/tenants/{t}/endpoints/{ep['id']}").json()["traffic"] == {"blue": 100}
    rows = [
        dict(zip(breast_cancer_csv(3).splitlines()[0].split(","), line.split(","), strict=True))
        for line in breast_cancer_csv(3).splitlines()[1:]
    ]
    for row in rows:
        row.pop("diagnosis")
        for k in row:
            row[k] = float(row[k])
    scored = api.post(f"/tenants/{t}/endpoints/{ep['id']}:score", json={"rows": rows})
    assert scored.status_code == 200, scored.text
    predictions = scored.json()["predictions"]
    assert len(predictions) == 3 and set(predictions) <= {"malignant", "benign"}
    assert scored.headers["azureml-model-deployment"] == scored.json()["deployment"] == "blue"
    live = api.get(f"/tenants/{t}/endpoints/{ep['id']}").json()
    assert live["scoringUri"] == f"/api/v1/tenants/{t}/endpoints/{ep['id']}:score"

    # a second deployment beside the live one is a canary: it takes only the share it asks for (Azure ML's way),
    # after its smoke test (one that asks for nothing takes nothing: tests/unit/services/test_deployments.py)
    green = api.put(
        f"/tenants/{t}/endpoints/{ep['id']}/deployments/green", json={"modelId": final["modelId"], "traffic": 10}
    )
    assert wait_operation(api, green.headers["Operation-Location"].rsplit("/", 1)[1])["status"] == "Succeeded"
    assert api.get(f"/tenants/{t}/endpoints/{ep['id']}").json()["traffic"] == {"blue": 90, "green": 10}
    listed = api.get(f"/tenants/{t}/endpoints/{ep['id']}/deployments").json()["value"]
    assert sorted(d["name"] for d in listed) == ["blue", "green"]
    split = api.patch(f"/tenants/{t}/endpoints/{ep['id']}", json={"traffic": {"blue": 30, "green": 70}})
    assert split.status_code == 200 and split.json()["traffic"] == {"blue": 30, "green": 70}, split.text
    assert backend_traffic(devhost, t, ep["id"]) == {"blue": 30, "green": 70}
    bad = api.patch(f"/tenants/{t}/endpoints/{ep['id']}", json={"traffic": {"blue": 30, "green": 30}})
    assert bad.status_code == 400
    assert len(api.post(f"/tenants/{t}/endpoints/{ep['id']}:score", json={"rows": rows}).json()["predictions"]) == 3
