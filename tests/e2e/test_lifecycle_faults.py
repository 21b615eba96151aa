"""The lifecycle under what at-least-once, unordered delivery and crashes do: cancel, a failing job, duplicate and
out-of-order events, the host killed mid-run, a deployment whose smoke test fails, repeated requests and quotas."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from devhost.azurite import free_port
from devhost.testing import spawn
from domain.automl.local.events import RUN_COMPLETED, RUN_STATUS_CHANGED, TOPIC
from domain.entities.principal import Principal
from domain.services import indexes
from domain.settings import AuthMode
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
from tests.e2e.support import DURABLE_KEY, KEYS, ROOT, Api, host_env, token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
LONG = {"maxTrials": 100, "timeoutMinutes": 1}


def running_with_trials(api: Api, run_id: str) -> dict[str, Any]:
    return dict(
        wait_for(lambda: (r := run(api, run_id))["status"] == "Running" and r["progress"]["trialsDone"] > 0 and r)
    )


def history(devhost: Any, instance: str) -> str:
    url = f"{devhost.base_url}/runtime/webhooks/durabletask/instances/{instance}"
    resp = httpx.get(url, params={"showHistory": "true", "showHistoryOutput": "true"}, headers=DURABLE_KEY, timeout=30)
    return resp.text[-6000:]


def test_cancel_a_running_run_keeps_its_best_so_far(admin: Any, user_api: Any, unique: str, devhost: Any) -> None:
    api = new_tenant(admin, user_api, unique)
    exp = experiment(api, unique, breast_cancer_csv(), limits=LONG)
    run_id = start(api, exp["id"]).json()["id"]
    running_with_trials(api, run_id)
    cancelled = api.post(f"/tenants/{api.tenant}/runs/{run_id}:cancel")
    assert cancelled.status_code == 202, cancelled.text
    assert cancelled.json()["status"] == "CancelRequested"
    done = wait_terminal(api, run_id, timeout=60)
    assert done["status"] == "Canceled", history(devhost, run_id)
    assert done["modelId"] is None  # autoRegister is for completed runs only
    trials = wait_for(lambda: api.get(f"/tenants/{api.tenant}/runs/{run_id}/trials").json()["value"])
    assert done["bestTrialId"] == trials[0]["trialId"]  # the best so far is kept
    assert api.post(f"/tenants/{api.tenant}/runs/{run_id}:cancel").status_code == 409
    # the best model so far can still be registered and served
    t = api.tenant
    model = api.post(f"/tenants/{t}/models", json={"name": f"m-{unique}", "runId": run_id})
    assert model.status_code == 201, model.text
    ep = api.post(f"/tenants/{t}/endpoints", json={"name": f"ep-{unique}"}).json()["id"]
    put = api.put(f"/tenants/{t}/endpoints/{ep}/deployments/blue", json={"modelId": model.json()["id"]})
    op = wait_operation(api, put.headers["Operation-Location"].rsplit("/", 1)[1])
    assert op["status"] == "Succeeded", op
    assert api.get(f"/tenants/{t}/models/{model.json()['id']}").json()["trialId"] == done["bestTrialId"]


def test_a_cancel_whose_event_was_lost_still_ends_the_run(admin: Any, user_api: Any, unique: str, store: Any) -> None:
    """The host died between recording CancelRequested and raising the event: the next poll cancels the job. The
    cancel is recorded as the API records it (`request_cancel`, which re-reads and re-applies a write that lost the
    race with the orchestration's own writes), just without the event."""
    from domain.services import training

    api = new_tenant(admin, user_api, unique)
    exp = experiment(api, unique, breast_cancer_csv(), limits=LONG)
    run_id = start(api, exp["id"]).json()["id"]
    running_with_trials(api, run_id)
    who = Principal(user_id="test", display_name="t", issuer="test", platform_admin=False, auth_mode=AuthMode.DEV)
    assert training.request_cancel(store, who, api.tenant, run_id).status.value == "CancelRequested"  # no event
    assert wait_terminal(api, run_id, timeout=60)["status"] == "Canceled"


def test_a_target_without_values_fails_with_a_readable_reason(admin: Any, user_api: Any, unique: str) -> None:
    """A label column exported before anyone filled it in: it exists (the API accepts the experiment) but has no
    values, so the backend's job fails, and the run says why."""
    lines = breast_cancer_csv(80).splitlines()
    data = "\n".join([lines[0] + ",reviewed_label"] + [line + "," for line in lines[1:]]) + "\n"
    api = new_tenant(admin, user_api, unique)
    exp = experiment(api, unique, data, target="reviewed_label")
    run_id = start(api, exp["id"]).json()["id"]
    done = wait_terminal(api, run_id, timeout=60)
    assert done["status"] == "Failed", done
    assert "reviewed_label" in done["error"] or "target" in done["error"].lower(), done["error"]
    assert "Traceback" not in done["error"]
    assert not done["error"].split(":", 1)[0].endswith("Error"), done["error"]  # product words, no "KeyError: ..."
    print("failure reason:", done["error"])


def polled_after_event(devhost: Any, instance: str) -> bool:
    """The orchestration received a JobEvent and a poll activity completed after it."""
    url = f"{devhost.base_url}/runtime/webhooks/durabletask/instances/{instance}"
    resp = httpx.get(url, params={"showHistory": "true"}, headers=DURABLE_KEY, timeout=30)
    events = resp.json().get("historyEvents") or []
    kinds = [e.get("EventType") for e in events]
    raised = [i for i, e in enumerate(events) if e.get("EventType") == "EventRaised" and e.get("Name") == "JobEvent"]
    return bool(raised) and "TaskCompleted" in kinds[raised[0] + 1 :]


def job_status(devhost: Any, tenant: str, job: str) -> Any:
    """The job's status in the local engine (read in-process from the devhost's work directory)."""
    from domain.automl.factory import backend_from_settings
    from domain.settings import load_settings

    return backend_from_settings(load_settings(devhost.env)).get_job(tenant, job).status


def eventgrid(base_url: str, events: list[dict[str, Any]]) -> httpx.Response:
    return httpx.post(
        f"{base_url}/runtime/webhooks/EventGrid?functionName=on_automl_run_event",
        json=events,
        headers={"aeg-event-type": "Notification", "x-functions-key": KEYS.system["eventgrid_extension"]},
        timeout=30,
    )


def azureml_event(kind: str, job: str, status: str | None = None, event_id: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"experimentId": "x", "runId": job, "runType": "automl"}
    if status:
        data["runStatus"] = status
    return {
        "id": event_id or str(uuid.uuid4()),
        "topic": TOPIC,
        "subject": f"experiments/x/runs/{job}",
        "eventType": kind,
        "eventTime": "2026-01-01T00:00:00Z",
        "data": data,
        "dataVersion": "2",
        "metadataVersion": "1",
    }


def test_duplicate_and_out_of_order_events_change_nothing(
    admin: Any, user_api: Any, unique: str, devhost: Any, store: Any
) -> None:
    api = new_tenant(admin, user_api, unique)
    exp = experiment(api, unique, breast_cancer_csv(), limits={"maxTrials": 40, "timeoutMinutes": 1})
    run_id = start(api, exp["id"]).json()["id"]
    job = running_with_trials(api, run_id)["jobName"]
    # a RunCompleted that arrives early (the job is still running), twice: the run does not end early
    early = azureml_event(RUN_COMPLETED, job)
    assert eventgrid(devhost.base_url, [early, early]).status_code == 202
    assert indexes.seen_event(store, api.tenant, run_id, early["id"])
    wait_for(lambda: polled_after_event(devhost, run_id), what="the orchestration to poll after the early event")
    # the orchestration recorded what the job really is: the run is shown ended only if its job has really ended
    shown = run(api, run_id)["status"]  # read first, then the job: a run ended by the event alone would fail here
    assert shown not in ("Completed", "Failed", "Canceled") or job_status(devhost, api.tenant, job).terminal, shown
    done = wait_terminal(api, run_id)
    assert done["status"] == "Completed"
    final = wait_for(lambda: (r := run(api, run_id)).get("modelId") and r)
    base = f"{devhost.base_url}/runtime/webhooks/durabletask/instances/{run_id}"
    wait_for(lambda: httpx.get(base, headers=DURABLE_KEY, timeout=30).json()["runtimeStatus"] == "Completed")
    # after the end: the terminal event again (new id), the same id twice, and a late Running; all acknowledged
    late = [
        azureml_event(RUN_COMPLETED, job),
        azureml_event(RUN_STATUS_CHANGED, job, "Running", event_id=early["id"]),
        azureml_event(RUN_STATUS_CHANGED, job, "Running"),
        azureml_event(RUN_STATUS_CHANGED, job, "Running"),
    ]
    for batch in (late, late[::-1]):
        resp = eventgrid(devhost.base_url, batch)
        assert resp.status_code == 202, resp.text
    # foreign topics and unknown jobs are acknowledged and ignored
    foreign = azureml_event(RUN_COMPLETED, job) | {"topic": "/subscriptions/x/workspaces/other"}
    assert eventgrid(devhost.base_url, [foreign, azureml_event(RUN_COMPLETED, "no-such-job")]).status_code == 202
    assert not indexes.seen_event(store, api.tenant, run_id, foreign["id"])
    # each 202 came after its events were handled (the handler records an event once it was delivered or refused by
    # the ended orchestration): nothing is still on its way that could change the run
    assert all(indexes.seen_event(store, api.tenant, run_id, e["id"]) for e in late)
    after = run(api, run_id)
    assert after["status"] == "Completed" and after["etag"] == final["etag"], (after, final)


def test_host_killed_mid_run_and_restarted_the_run_completes(
    admin: Any, azurite_connection_string: str, tmp_path: Path, unique: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    port = free_port()
    env = host_env(azurite_connection_string, port, tmp_path / "automl", tag)
    host = spawn(ROOT, env, str(tmp_path / "devhost.log"), port=port)
    try:
        boss = Api(host.base_url, token("platform-admin", admin=True))
        api = new_tenant(boss, lambda u: Api(host.base_url, token(u)), unique)
        exp = experiment(api, unique, breast_cancer_csv(), limits={"maxTrials": 60, "timeoutMinutes": 1})
        run_id = start(api, exp["id"]).json()["id"]
        running_with_trials(api, run_id)
        host.stop(kill=True)  # SIGKILL: no shutdown, the orchestration is mid-wait, the worker keeps training
        host.start()
        done = wait_terminal(api, run_id, timeout=120)
        assert done["status"] == "Completed", (done, host.log_tail())
        final = wait_for(lambda: (r := run(api, run_id)).get("modelId") and r)
        assert final["progress"]["trialsDone"] > 0
        points = api.get(f"/tenants/{api.tenant}/runs/{run_id}/metrics", params={"top": 100}).json()["value"]
        keys = [(p["name"], p["step"]) for p in points]
        assert keys and len(keys) == len(set(keys))
    finally:
        host.stop()


def test_idempotency_key_and_quotas(admin: Any, user_api: Any, unique: str) -> None:
    api = new_tenant(
        admin, user_api, unique, quotas={"maxConcurrentRuns": 1, "maxTrialsPerRun": 50, "maxTimeoutMinutes": 2}
    )
    exp = experiment(api, unique, breast_cancer_csv(), limits={"maxTrials": 40, "timeoutMinutes": 1})
    first = start(api, exp["id"], key=f"k-{unique}")
    again = start(api, exp["id"], key=f"k-{unique}")
    assert first.status_code == 202 and again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    runs = api.get(f"/tenants/{api.tenant}/runs", params={"experimentId": exp["id"]}).json()["value"]
    assert [r["id"] for r in runs] == [first.json()["id"]]  # one run, one job
    busy = start(api, exp["id"])
    assert busy.status_code == 429 and busy.json()["error"]["target"] == "maxConcurrentRuns", busy.text
    t = api.tenant
    for limits, quota in (({"maxTrials": 51}, "maxTrialsPerRun"), ({"timeoutMinutes": 3}, "maxTimeoutMinutes")):
        big = api.post(
            f"/tenants/{t}/experiments",
            json={"name": f"{quota}-{unique}", "task": "classification", "datasetId": exp["datasetId"],
                  "targetColumn": "diagnosis", "limits": limits},
        ).json()  # fmt: skip
        resp = start(api, big["id"])
        assert resp.status_code == 429 and resp.json()["error"]["target"] == quota, resp.text
        assert quota in resp.json()["error"]["message"] or "quota" in resp.json()["error"]["message"]
    done = wait_terminal(api, first.json()["id"])
    assert done["status"] == "Completed"
    wait_for(lambda: run(api, done["id"]).get("modelId"))  # finalized: no longer counted as active
    assert start(api, exp["id"], key=f"k-{unique}").json()["id"] == first.json()["id"]  # still the same run
    assert start(api, exp["id"]).status_code == 202  # the slot is free again


def test_failed_smoke_test_leaves_the_live_traffic_alone(admin: Any, user_api: Any, unique: str, store: Any) -> None:
    """Blue is live. Green's model record points at an artifact trained on other columns (a wrong artifact
    registered under the model): it provisions, but cannot score the model's own training rows, so the smoke test
    fails and blue keeps all the traffic."""
    api = new_tenant(admin, user_api, unique)
    t = api.tenant
    small = "a,b,label\n" + "".join(f"{i},{i % 7 * 1.5},{'yes' if i % 3 else 'no'}\n" for i in range(60))
    good = experiment(api, unique, breast_cancer_csv(), limits={"maxTrials": 4, "timeoutMinutes": 1})
    other = experiment(api, f"o{unique}", small, target="label", limits={"maxTrials": 3, "timeoutMinutes": 1})
    run_a, run_b = (start(api, e["id"]).json()["id"] for e in (good, other))
    model_a = wait_for(lambda: run(api, run_a).get("modelId"))
    model_b = wait_for(lambda: run(api, run_b).get("modelId"))
    wrong = api.post(f"/tenants/{t}/models", json={"name": f"wrong-{unique}", "runId": run_a}).json()
    uri = store.get(t, "model", model_b).data["uri"]
    store.update(t, "model", wrong["id"], {"uri": uri, "version": "1"}, actor="test", etag=None)
    ep = api.post(f"/tenants/{t}/endpoints", json={"name": f"ep-{unique}"}).json()["id"]
    blue = api.put(f"/tenants/{t}/endpoints/{ep}/deployments/blue", json={"modelId": model_a})
    assert wait_operation(api, blue.headers["Operation-Location"].rsplit("/", 1)[1])["status"] == "Succeeded"
    green = api.put(f"/tenants/{t}/endpoints/{ep}/deployments/green", json={"modelId": wrong["id"]})
    op = wait_operation(api, green.headers["Operation-Location"].rsplit("/", 1)[1])
    assert op["status"] == "Failed" and op["error"].startswith("the model could not score"), (
        op
    )  # the smoke step, not provisioning
    print("smoke failure:", op["error"])
    assert api.get(f"/tenants/{t}/endpoints/{ep}").json()["traffic"] == {"blue": 100}
    assert api.get(f"/tenants/{t}/endpoints/{ep}/deployments/green").json()["state"] == "Failed"
    failed = api.get(f"/tenants/{t}/endpoints/{ep}/deployments", params={"state": "Failed"}).json()["value"]
    assert [d["name"] for d in failed] == ["green"]  # a failed deployment is listed, not invisible
    refused = api.patch(f"/tenants/{t}/endpoints/{ep}", json={"traffic": {"green": 100, "blue": 0}})
    assert refused.status_code == 409 and "Failed" in refused.json()["error"]["message"], refused.text
    assert api.get(f"/tenants/{t}/endpoints/{ep}").json()["traffic"] == {"blue": 100}
    header = breast_cancer_csv(1).splitlines()
    row = {k: float(v) for k, v in zip(header[0].split(","), header[1].split(","), strict=True) if k != "diagnosis"}
    scored = api.post(f"/tenants/{t}/endpoints/{ep}:score", json={"rows": [row, row]})
    assert scored.status_code == 200 and len(scored.json()["predictions"]) == 2


def test_continue_as_new_every_wait_loses_neither_events_nor_a_cancel(
    admin: Any, user_api: Any, unique: str, devhost: Any, store: Any
) -> None:
    """The orchestration started with one wait per episode, so every event, cancel and timer meets a
    `continue_as_new` boundary: one run still completes with its model, another still ends Canceled."""
    from domain.entities.principal import Principal
    from domain.services import training
    from domain.settings import AuthMode

    api = new_tenant(admin, user_api, unique)
    who = Principal(
        user_id=f"contrib-{unique}", display_name="c", issuer="test", platform_admin=False, auth_mode=AuthMode.DEV
    )
    hub = f"{devhost.base_url}/runtime/webhooks/durabletask/orchestrators/training"
    ids = []
    for n, limits in enumerate(({"maxTrials": 10, "timeoutMinutes": 1}, LONG)):
        exp = experiment(api, f"{unique}{n}", breast_cancer_csv(), limits=limits)
        run_, created = training.start_run(store, who, api.tenant, exp["id"], None)
        assert created
        body = {"tenant": api.tenant, "runId": run_.id, "waits": 1}
        assert httpx.post(f"{hub}/{run_.id}", json=body, headers=DURABLE_KEY, timeout=30).status_code == 202
        ids.append(run_.id)
    running_with_trials(api, ids[1])
    assert api.post(f"/tenants/{api.tenant}/runs/{ids[1]}:cancel").status_code == 202
    assert wait_terminal(api, ids[1], timeout=60)["status"] == "Canceled", history(devhost, ids[1])
    assert wait_terminal(api, ids[0], timeout=60)["status"] == "Completed"
    assert wait_for(lambda: run(api, ids[0]).get("modelId"))
    url = f"{devhost.base_url}/runtime/webhooks/durabletask/instances/{ids[0]}"
    status = httpx.get(url, headers=DURABLE_KEY, timeout=30).json()
    assert status["input"]["submitted"] is True  # the last episode was started by continue_as_new


def test_reconciliation_restarts_a_dead_orchestration(admin: Any, user_api: Any, unique: str, devhost: Any) -> None:
    """The run's orchestration is terminated mid-run (as if it had died): the reconciliation timer starts it again,
    it finds the job it had submitted (deterministic name) and the run completes."""
    api = new_tenant(admin, user_api, unique)
    exp = experiment(api, unique, breast_cancer_csv(), limits={"maxTrials": 60, "timeoutMinutes": 1})
    run_id = start(api, exp["id"]).json()["id"]
    job = running_with_trials(api, run_id)["jobName"]
    base = f"{devhost.base_url}/runtime/webhooks/durabletask/instances/{run_id}"
    terminated = httpx.post(f"{base}/terminate", params={"reason": "test"}, headers=DURABLE_KEY, timeout=30)
    assert terminated.status_code == 202
    wait_for(lambda: httpx.get(base, headers=DURABLE_KEY, timeout=30).json()["runtimeStatus"] == "Terminated")
    done = wait_terminal(api, run_id, timeout=90)  # the reconciliation runs every 20 s here
    assert done["status"] == "Completed" and done["jobName"] == job
    assert wait_for(lambda: run(api, run_id).get("modelId"))
    # the orchestration records the model before it returns: its own status turns Completed a moment later
    status = lambda: httpx.get(base, headers=DURABLE_KEY, timeout=30).json()["runtimeStatus"]  # noqa: E731
    wait_for(lambda: status() == "Completed", what="the restarted orchestration to complete")
    assert httpx.get(base, timeout=30).status_code == 401  # and nobody without the key sees it
