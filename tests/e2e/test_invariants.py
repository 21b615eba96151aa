"""What a black-box probe broke (issue 16), over HTTP against the devhost: rules under concurrency, hostile input,
nothing left behind by deletes, direct uploads. The session's devhost also runs the invariant checker when the
session ends (tests/e2e/support.py), and expects every count to be 0."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.automl.local.jobdir import pid_alive, read_json
from domain.automl.local.processes import LocalProcesses
from domain.services.endpoints import backend_endpoint
from domain.settings import load_settings
from domain.storage import keys
from domain.storage.blobs import blob_store
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
from tests.e2e.support import Api, upload

pytestmark = pytest.mark.e2e
LONG = {"maxTrials": 100, "timeoutMinutes": 1}


def finished(api: Api, resp: httpx.Response, timeout: float = 120.0) -> dict[str, Any]:
    """The operation of a 202 answer, once it has ended."""
    assert resp.status_code == 202, resp.text
    location = resp.headers["Operation-Location"].split("/api/v1", 1)[1]
    return dict(wait_for(lambda: (op := api.get(location).json()).get("status") in ("Succeeded", "Failed") and op,
                         timeout, what=location))  # fmt: skip


def at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Send the requests together (each thread waits at a barrier, then sends)."""
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def one(i: int) -> None:
        barrier.wait(timeout=30)
        out[i] = calls[i]()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return out


def remove(api: Api, tenant: str, user: str, *, demote: bool) -> Callable[[], httpx.Response]:
    if demote:
        return lambda: api.put(f"/tenants/{tenant}/members/{user}", json={"role": "reader"})
    return lambda: api.delete(f"/tenants/{tenant}/members/{user}")


def test_owners_removing_each_other_at_once_always_leave_an_owner(admin: Api, user_api: Any, unique: str) -> None:
    for n in range(6):
        t = admin.post("/tenants", json={"name": f"own{n}-{unique}", "ownerUserId": f"o1-{unique}"}).json()["id"]
        o1, o2 = user_api(f"o1-{unique}"), user_api(f"o2-{unique}")
        assert o1.put(f"/tenants/{t}/members/o2-{unique}", json={"role": "owner"}).status_code == 200
        pairs = ((o1, f"o2-{unique}"), (o2, f"o1-{unique}"))
        calls = [remove(api, t, user, demote=bool(n % 2)) for api, user in pairs]  # demote or delete each other
        answers = sorted(r.status_code for r in at_once(calls))
        members = admin.get(f"/tenants/{t}/members").json()["value"]
        assert [m["role"] for m in members].count("owner") >= 1, (answers, members)
        assert answers[1] in (403, 404, 409), answers  # the second is refused (409), or no longer a member at all (404)


def test_concurrent_starts_never_exceed_the_run_quota(admin: Api, user_api: Any, unique: str) -> None:
    api = new_tenant(admin, user_api, unique, quotas={"maxConcurrentRuns": 2, "maxTrialsPerRun": 100})
    exp = experiment(api, unique, breast_cancer_csv(120), limits=LONG)
    answers = at_once([lambda i=i: start(api, exp["id"], key=f"k{i}-{unique}") for i in range(12)])
    codes = sorted(r.status_code for r in answers)
    assert codes == [202, 202] + [429] * 10, codes
    assert all(r.json()["error"]["target"] == "maxConcurrentRuns" for r in answers if r.status_code == 429)
    assert finished(admin, admin.delete(f"/tenants/{api.tenant}"))["status"] == "Succeeded"  # stops both jobs


def test_hostile_input_is_refused_at_the_door(world: dict[str, Any], admin: Api, devhost: Any) -> None:
    t, owner, contrib = world["tenant"], world["owner"], world["contrib"]
    # quotas and the workspace binding are the platform's
    refused = owner.patch(f"/tenants/{t}", json={"quotas": {"maxConcurrentRuns": 50}})
    assert refused.status_code == 403 and refused.json()["error"]["target"] == "quotas", refused.text
    assert admin.patch(f"/tenants/{t}", json={"quotas": {"maxConcurrentRuns": 3}}).status_code == 200
    # a CSV cell over the csv module's 128 KiB field limit
    big = upload(contrib, f"big-{world['unique']}", "a,b\n1,2\n3," + "x" * (128 * 1024 + 10) + "\n")
    assert big.status_code == 400 and big.json()["error"]["message"].startswith("Line 3:"), big.text
    # a model from a trial the run does not have
    bogus = contrib.post(f"/tenants/{t}/models", json={"name": "bogus", "runId": world["run"], "trialId": "nope"})
    assert bogus.status_code == 400 and bogus.json()["error"]["target"] == "trialId", bogus.text
    # regression on a text target, classification on a single value
    text = upload(contrib, f"txt-{world['unique']}", "a,city,one\n1,Paris,x\n2,Rome,x\n3,Oslo,x\n").json()["id"]
    for task, target, code in (
        ("regression", "city", "TargetNotNumeric"),
        ("classification", "one", "SingleClassTarget"),
    ):
        body = {"name": f"{task}-{world['unique']}", "task": task, "datasetId": text, "targetColumn": target}
        resp = contrib.post(f"/tenants/{t}/experiments", json=body)
        assert resp.status_code == 400 and resp.json()["error"]["details"][0]["code"] == code, resp.text
    # a time without a time zone
    since = owner.get(f"/tenants/{t}/audit", params={"since": "2026-12-06T02:05:00"})
    assert since.status_code == 400 and since.json()["error"]["details"][0]["target"] == "since", since.text
    # a 267 KB Authorization header: 431, not a reset connection
    huge = httpx.get(f"{devhost.base_url}/api/v1/me", headers={"Authorization": "Bearer " + "a" * 267_000})
    assert huge.status_code == 431
    # every answer carries the request id; a client's own id comes back
    echoed = owner.get(f"/tenants/{t}", headers={"x-ms-client-request-id": f"probe-{world['unique']}"})
    assert echoed.headers["x-ms-request-id"] == f"probe-{world['unique']}" and since.headers["x-ms-request-id"]


def test_the_audit_trail_names_targets_in_the_apis_language(world: dict[str, Any]) -> None:
    t, owner, exp = world["tenant"], world["owner"], world["experiment"]
    entries = owner.get(f"/tenants/{t}/audit", params={"targetId": exp["id"], "top": 50}).json()["value"]
    assert entries and {e["targetId"] for e in entries} == {exp["id"]}
    created = next(e for e in entries if e["action"] == "create")
    assert created["changes"]["targetColumn"] == [None, "label"] and "target_column" not in created["changes"]
    mine = owner.get(f"/tenants/{t}/audit", params={"actor": f"contrib-{world['unique']}", "top": 200}).json()
    assert mine["value"] and {e["actor"] for e in mine["value"]} == {f"contrib-{world['unique']}"}
    assert all(e["kind"] != "rows" for e in mine["value"])


def test_a_score_that_does_not_exist_is_null(world: dict[str, Any], store: Any) -> None:
    t = world["tenant"]
    store.update(t, "run", world["run"], {"metrics": {"accuracy": float("nan")}}, actor="test", etag=None)
    shown = world["reader"].get(f"/tenants/{t}/runs/{world['run']}")  # strict JSON: the client refuses NaN
    assert shown.json()["metrics"] == {"accuracy": None}


def test_a_direct_upload_to_blob_storage_becomes_the_next_version(world: dict[str, Any]) -> None:
    t, contrib, ds = world["tenant"], world["contrib"], world["dataset"]
    up = contrib.post(f"/tenants/{t}/datasets/{ds['id']}/uploads")
    assert up.status_code == 201, up.text
    grant = up.json()
    data = b"a,b,label\n" + b"".join(b"%d,%d,%s\n" % (i, i * 2, b"yes" if i % 2 else b"no") for i in range(500))
    put = httpx.put(grant["uploadUrl"], content=data, headers=grant["headers"], timeout=30)  # straight to Blob
    assert put.status_code == 201, put.text
    other = httpx.put(grant["uploadUrl"].replace(".csv?", "-x.csv?"), content=b"x", headers=grant["headers"])
    assert other.status_code == 403  # the URL writes that one blob only
    commit = contrib.post(f"/tenants/{t}/datasets/{ds['id']}/uploads/{grant['id']}:commit")
    assert commit.status_code == 201 and commit.json()["profile"]["rowCount"] == 500, commit.text
    again = contrib.post(f"/tenants/{t}/datasets/{ds['id']}/uploads/{grant['id']}:commit")
    assert again.status_code == 200 and again.json()["id"] == commit.json()["id"]
    assert contrib.get(f"/tenants/{t}/datasets/{ds['id']}").json()["latestVersion"] == 2


def _pid_of(devhost: Any, tenant: str, job: str) -> dict[str, Any]:
    pid = read_json(Path(devhost.env["LOCAL_AUTOML_WORKDIR"]) / tenant / job / "pid.json")
    assert pid is not None
    return dict(pid)


def test_deleting_a_running_run_stops_its_worker_and_frees_its_slot(
    admin: Api, user_api: Any, unique: str, devhost: Any
) -> None:
    api = new_tenant(admin, user_api, unique, quotas={"maxConcurrentRuns": 1, "maxTrialsPerRun": 100})
    exp = experiment(api, unique, breast_cancer_csv(), limits=LONG)
    run_id = start(api, exp["id"]).json()["id"]
    running = wait_for(lambda: (r := run(api, run_id))["status"] == "Running" and r["progress"]["trialsDone"] and r)
    pid = _pid_of(devhost, api.tenant, running["jobName"])
    assert start(api, exp["id"]).status_code == 429  # the slot is held
    op = finished(api, api.delete(f"/tenants/{api.tenant}/runs/{run_id}"))
    assert op["status"] == "Succeeded", op
    assert not pid_alive(pid)  # the operation ended only once the worker had stopped
    assert not (Path(devhost.env["LOCAL_AUTOML_WORKDIR"]) / api.tenant / running["jobName"]).exists()
    assert api.get(f"/tenants/{api.tenant}/runs/{run_id}").status_code == 404
    nxt = start(api, exp["id"])  # the slot is free again
    assert nxt.status_code == 202, nxt.text
    assert finished(admin, admin.delete(f"/tenants/{api.tenant}"))["status"] == "Succeeded"


def test_deletes_leave_no_traffic_entry_scorer_job_blob_or_index_row(
    admin: Api, user_api: Any, unique: str, devhost: Any, store: Any
) -> None:
    """A trained model deployed twice behind an endpoint, and a run still training. Deleting a deployment takes it
    out of the traffic map and stops its scorer; deleting the endpoint stops the other; deleting the tenant stops
    the training worker and leaves no blob, job folder, index row or row of the tenant anywhere."""
    api = new_tenant(admin, user_api, unique, quotas={"maxConcurrentRuns": 2, "maxTrialsPerRun": 100})
    t = api.tenant
    exp = experiment(api, unique, breast_cancer_csv(), limits={"maxTrials": 4, "timeoutMinutes": 1})
    model = wait_for(lambda: run(api, start_once(api, exp["id"], unique)).get("modelId"), what="a model")
    ep = api.post(f"/tenants/{t}/endpoints", json={"name": f"ep-{unique}"}).json()["id"]
    for name in ("blue", "green"):
        put = api.put(f"/tenants/{t}/endpoints/{ep}/deployments/{name}", json={"modelId": model})
        assert wait_operation(api, put.headers["Operation-Location"].rsplit("/", 1)[1])["status"] == "Succeeded"
    engine = LocalProcesses(devhost.env["LOCAL_AUTOML_WORKDIR"])
    served = backend_endpoint(t, ep)
    assert {d for tt, e, d in engine.scoring() if (tt, e) == (t, served)} == {"blue", "green"}
    assert api.patch(f"/tenants/{t}/endpoints/{ep}", json={"traffic": {"blue": 100, "green": 0}}).status_code == 200
    assert api.delete(f"/tenants/{t}/endpoints/{ep}/deployments/green").status_code == 204
    assert api.get(f"/tenants/{t}/endpoints/{ep}").json()["traffic"] == {"blue": 100}
    assert {d for tt, e, d in engine.scoring() if (tt, e) == (t, served)} == {"blue"}
    assert finished(api, api.delete(f"/tenants/{t}/endpoints/{ep}"))["status"] == "Succeeded"
    assert [p for p in engine.scoring() if p[0] == t] == []
    long_run = start(api, experiment(api, f"l{unique}", breast_cancer_csv(), limits=LONG)["id"]).json()["id"]
    job = wait_for(lambda: (r := run(api, long_run))["progress"]["trialsDone"] and r["jobName"])
    pid = _pid_of(devhost, t, job)
    op = finished(admin, admin.delete(f"/tenants/{t}"))
    assert op["status"] == "Succeeded", op
    assert not pid_alive(pid) and [p for p in engine.training() if p[0] == t] == []
    settings = load_settings(devhost.env)
    blobs = blob_store(settings)
    for container in (settings.datasets_container, settings.models_container):
        assert list(blobs.list_names(container, f"{t}/")) == []
    workdir = Path(devhost.env["LOCAL_AUTOML_WORKDIR"]) / t
    assert not workdir.exists() or list(workdir.glob("*/spec.json")) == []  # no job folder
    for partition in (keys.JOBS, keys.ACTIVE_RUNS, keys.EVENTS):
        rows, _ = store.list_rows(partition, "", top=1000)
        assert [r.key for r in rows if t in r.key or r.data.get("tenant") == t] == []
    assert [r.key for r in store.list_rows(t, "", top=10)[0]] == []


_STARTED: dict[str, str] = {}


def start_once(api: Api, experiment_id: str, unique: str) -> str:
    if experiment_id not in _STARTED:
        resp = start(api, experiment_id, key=f"once-{unique}")
        assert resp.status_code in (200, 202), resp.text
        _STARTED[experiment_id] = resp.json()["id"]
        wait_terminal(api, _STARTED[experiment_id])
    return _STARTED[experiment_id]
