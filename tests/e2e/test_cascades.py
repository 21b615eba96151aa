"""Cascading deletes through the devhost (DESIGN.md §3): 202 + Operation-Location, the root gone at once, the
operation polled to Succeeded, and no row of the deleted subtree left behind (read raw from the store). Then the
cascade interrupted halfway and resumed: driven step by step against the store (a crash between steps and a crash
inside a step), and at the orchestration level (the host killed with SIGKILL mid-cascade and restarted)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from devhost.azurite import free_port
from devhost.testing import spawn
from domain.entities.principal import Principal
from domain.services import cascade, operations, purge
from domain.services.purge import Cleanup
from domain.settings import AuthMode, load_settings
from domain.storage.records import Op
from tests.e2e.support import Api, check_invariants, host_env, token

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def all_rows(store: Any, partition: str, prefix: str = "") -> list[str]:
    keys, cont = [], None
    while True:
        rows, cont = store.list_rows(partition, prefix, top=1000, continuation=cont)
        keys += [k for k, _, _ in rows]
        if not cont:
            return keys


def live_rows(store: Any, partition: str) -> list[str]:
    """Every row but the audit trail and the log of internal steps (they keep the history of deleted objects)."""
    return [k for k in all_rows(store, partition) if not k.startswith(("audit|", "steps|"))]


def wait_succeeded(api: Api, resp: httpx.Response, deadline_s: float = 60.0) -> dict[str, Any]:
    assert resp.status_code == 202, resp.text
    location = resp.headers["Operation-Location"]
    assert location.startswith("/api/v1/tenants/")
    deadline = time.monotonic() + deadline_s
    while True:
        op = api.get(location.split("/api/v1", 1)[1]).json()
        if op["status"] == "Succeeded":
            return dict(op)
        assert op["status"] == "Running", op
        assert time.monotonic() < deadline, f"operation still {op['status']}: {op}"
        time.sleep(0.2)


def plant_run(store: Any, tenant: str, experiment_id: str, trials: int) -> str:
    run_id = f"run{uuid.uuid4().hex[:10]}"
    data = {
        "experiment_id": experiment_id,
        "status": "Completed",
        "active": False,
        "primary_metric": "accuracy",
        "job_name": "j",
    }
    store.create(tenant, "run", run_id, data, actor="test")
    for i in range(trials):
        trial = {"algorithm": "LightGBM", "score": i / 100, "status": "Completed"}
        store.create(tenant, "trial", f"t{i}", trial, actor="test", parent_id=run_id)
    return run_id


def test_delete_experiment_removes_its_runs_and_trials(world: dict[str, Any], store: Any) -> None:
    t, contrib, exp, ds = world["tenant"], world["contrib"], world["experiment"], world["dataset"]
    runs = [world["run"], plant_run(store, t, exp["id"], 3)]
    other_exp = contrib.post(
        f"/tenants/{t}/experiments",
        json={"name": f"other-{world['unique']}", "task": "regression", "datasetId": ds["id"], "targetColumn": "a"},
    ).json()
    survivor = plant_run(store, t, other_exp["id"], 2)
    resp = contrib.delete(f"/tenants/{t}/experiments/{exp['id']}")
    assert contrib.get(f"/tenants/{t}/experiments/{exp['id']}").status_code == 404  # at once
    op = wait_succeeded(contrib, resp)
    assert (
        op["target"] == f"/api/v1/tenants/{t}/experiments/{exp['id']}" and op["progress"]["done"] >= 7
    )  # 2 runs + 5 trials
    rows = live_rows(store, t)
    gone = [exp["id"], *runs]
    assert [k for k in rows if any(i in k for i in gone)] == []
    assert f"run|{survivor}" in rows and f"trial|{survivor}|t1" in rows
    assert f"experiment|{other_exp['id']}" in rows
    for run in runs:
        assert contrib.get(f"/tenants/{t}/runs/{run}").status_code == 404
    # the dataset is still referenced by the other experiment only
    refused = contrib.delete(f"/tenants/{t}/datasets/{ds['id']}")
    assert refused.status_code == 409
    assert [d["target"] for d in refused.json()["error"]["details"]] == [f"experiment/{other_exp['id']}"]


def test_delete_run_removes_its_trials(world: dict[str, Any], store: Any) -> None:
    t, contrib, run = world["tenant"], world["contrib"], world["run"]
    resp = contrib.delete(f"/tenants/{t}/runs/{run}")
    assert contrib.get(f"/tenants/{t}/runs/{run}").status_code == 404
    wait_succeeded(contrib, resp)
    assert [k for k in live_rows(store, t) if run in k] == []
    assert contrib.get(f"/tenants/{t}/experiments/{world['experiment']['id']}").status_code == 200


def test_delete_endpoint_removes_deployments_and_model_references(world: dict[str, Any], store: Any) -> None:
    t, contrib, ep, model = world["tenant"], world["contrib"], world["endpoint"], world["model"]
    store.create(
        t,
        "deployment",
        "green",
        {"name": "green", "endpoint_id": ep["id"], "model_id": model["id"], "instance_type": "x", "instance_count": 1},
        actor="test",
        parent_id=ep["id"],
    )
    store.transact(t, [Op.upsert(f"ref|model|{model['id']}|deployment|{ep['id']}|green", {})], actor="test")
    resp = contrib.delete(f"/tenants/{t}/endpoints/{ep['id']}")
    assert contrib.get(f"/tenants/{t}/endpoints/{ep['id']}").status_code == 404
    wait_succeeded(contrib, resp)
    assert [k for k in live_rows(store, t) if ep["id"] in k] == []
    assert contrib.delete(f"/tenants/{t}/models/{model['id']}").status_code == 204  # no reference left


def test_delete_tenant_removes_its_partition_and_user_index(world: dict[str, Any], admin: Api, store: Any) -> None:
    t, u = world["tenant"], world["unique"]
    assert len(live_rows(store, t)) > 10
    members = [f"owner-{u}", f"contrib-{u}", f"reader-{u}"]
    assert all(f"usertenant|{m}|{t}" in all_rows(store, "_platform", f"usertenant|{m}|") for m in members)
    resp = admin.delete(f"/tenants/{t}")
    assert admin.get(f"/tenants/{t}").status_code == 404
    assert world["owner"].get(f"/tenants/{t}/datasets").status_code == 404
    wait_succeeded(admin, resp)
    assert all_rows(store, t) == []  # the audit trail of the tenant's partition too
    for m in members:
        assert all_rows(store, "_platform", f"usertenant|{m}|") == []
    assert [k for k in live_rows(store, "_platform") if k.startswith(("tenant|", "name|tenant|")) and t in k] == []
    assert t not in [x["id"] for x in world["owner"].get("/me").json().get("tenants", [])]


def cleanup_of(env: dict[str, str]) -> Cleanup:
    """What the host's cascade cleans besides its store: its AutoML backend, blobs and series rows."""
    from domain.automl.factory import backend_from_settings
    from domain.storage.app_store import build_series
    from domain.storage.blobs import blob_store

    s = load_settings(env)
    return Cleanup(backend_from_settings(s), blob_store(s), build_series(s), s.datasets_container, s.models_container)


def steps(store: Any, env: Cleanup, tenant: str, op_id: str, limit: int = 50) -> int:
    """Run the cascade's steps until one reports nothing left; how many did something."""
    done = 0
    while (step := cascade.delete_step(store, env, tenant, op_id)).deleted or step.waiting:
        done += 1
        assert done < limit
    return done


def _admin() -> Principal:
    return Principal(
        user_id="test-admin", display_name="test-admin", issuer="test", platform_admin=True, auth_mode=AuthMode.DEV
    )


def test_interrupted_experiment_cascade_resumes_and_orphans_nothing(
    world: dict[str, Any], store: Any, devhost: Any
) -> None:
    """> 100 children (several pages); a crash between steps, and one inside a step (rows deleted, progress not
    recorded), then a fresh store instance carries on to the end."""
    t, exp = world["tenant"], world["experiment"]["id"]
    runs = [world["run"], plant_run(store, t, exp, 130), plant_run(store, t, exp, 20)]
    env = cleanup_of(devhost.env)
    op = cascade.start_delete(store, _admin(), t, "experiment", exp, None)
    assert cascade.delete_step(store, env, t, op.id).deleted > 0
    assert cascade.delete_step(store, env, t, op.id).deleted > 0
    # crash inside a step: its transaction went through, the progress update did not
    purge.next_run(store, env, t, exp)
    from domain.storage.app_store import build_store

    fresh = build_store(load_settings(devhost.env))  # the process that resumes has nothing in memory
    steps(fresh, cleanup_of(devhost.env), t, op.id, limit=200)
    assert cascade.delete_step(fresh, env, t, op.id).deleted == 0  # idempotent once done
    done = cascade.finish_delete(fresh, env, t, op.id)
    assert done.status == "Succeeded"
    assert cascade.finish_delete(fresh, env, t, op.id).status == "Succeeded"  # a retried finish is harmless
    assert [k for k in live_rows(store, t) if any(i in k for i in (exp, *runs))] == []


def test_interrupted_tenant_cascade_resumes_and_orphans_nothing(
    admin: Api, store: Any, unique: str, devhost: Any
) -> None:
    t = admin.post("/tenants", json={"name": f"big-{unique}", "ownerUserId": f"big-{unique}"}).json()["id"]
    for batch in range(3):
        store.transact(t, [Op.upsert(f"filler|{batch}|{i:03d}", {"i": i}) for i in range(99)], actor="test")
    env = cleanup_of(devhost.env)
    op = cascade.start_delete(store, _admin(), t, "tenant", t, None)
    assert cascade.delete_step(store, env, t, op.id).deleted > 0
    left = len(all_rows(store, t))
    assert 0 < left < 300
    cascade._tenant_step(store, env, t, op.id)  # crash after a page's transaction, before its progress update
    steps(store, env, t, op.id)
    cascade.finish_delete(store, env, t, op.id)
    assert all_rows(store, t) == []
    assert all_rows(store, "_platform", f"usertenant|big-{unique}|") == []
    assert operations.get_operation(store, t, op.id).status == "Succeeded"


def test_host_killed_mid_cascade_resumes_after_restart(
    azurite_connection_string: str, tmp_path: Path, store: Any
) -> None:
    """The orchestration level: SIGKILL the host while the cascade runs; the restarted host replays it to the end."""
    tag = uuid.uuid4().hex[:8]
    port = free_port()
    env = host_env(azurite_connection_string, port, tmp_path, tag)
    host = spawn(ROOT, env, str(tmp_path / "devhost.log"), port=port)
    try:
        from domain.storage.app_store import build_store

        own = build_store(load_settings(env))
        admin = Api(host.base_url, token("platform-admin", admin=True))
        t = admin.post("/tenants", json={"name": f"k-{tag}", "ownerUserId": f"k-{tag}"}).json()["id"]
        for batch in range(40):  # ~40 pages: the kill lands mid-cascade
            own.transact(t, [Op.upsert(f"filler|{batch:02d}|{i:03d}", {"i": i}) for i in range(99)], actor="test")
        resp = admin.delete(f"/tenants/{t}")
        location = resp.headers["Operation-Location"].split("/api/v1", 1)[1]
        deadline = time.monotonic() + 30
        while admin.get(location).json()["progress"]["done"] == 0:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        host.stop(kill=True)
        remaining = len(all_rows(own, t))
        assert remaining > 0, "the cascade finished before the kill: make the tenant bigger"
        host.start()
        op = wait_succeeded(admin, resp, deadline_s=90)
        assert op["progress"]["done"] >= 40 * 99
        assert all_rows(own, t) == []
        assert all_rows(own, "_platform", f"usertenant|k-{tag}|") == []
        found = check_invariants(env)
        assert found["total"] == 0, found
    finally:
        host.stop()
