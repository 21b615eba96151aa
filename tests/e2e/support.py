"""End-to-end support: the real app served by `python -m devhost` in a subprocess on a free port, over the
session's Azurite, with tables and a task hub of its own; clients that act as the front end would."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devhost.azurite import free_port
from devhost.keys import DURABLE, EVENT_GRID, load_or_create
from devhost.testing import HostProcess, spawn
from domain.auth.dev_tokens import mint_dev_token
from domain.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
KEYS = load_or_create(ROOT)  # the checkout's host keys (.local/host-keys.json), which the devhost enforces
DURABLE_KEY = {"x-functions-key": KEYS.system[DURABLE]}


def host_env(azurite_connection_string: str, port: int, workdir: Path, tag: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    env.update(
        {
            "AzureWebJobsStorage": azurite_connection_string,
            "DATA_STORAGE_CONNECTION_STRING": azurite_connection_string,
            "DATA_TABLE_PREFIX": f"e2e{tag}",
            "DATASETS_CONTAINER": f"ds-{tag}",  # blob containers of its own: the checker sees only this host's blobs
            "MODELS_CONTAINER": f"md-{tag}",
            "TASKHUB_NAME": f"hub{tag}",
            "LOCAL_AUTOML_WORKDIR": str(workdir),
            "LOCAL_AUTOML_MAX_CONCURRENT_JOBS": "2",
            "LOCAL_AUTOML_EVENT_URL": f"http://127.0.0.1:{port}/runtime/webhooks/EventGrid"
            f"?functionName=on_automl_run_event&code={KEYS.system[EVENT_GRID]}",
            "RUN_COLLECTOR_SCHEDULE": "*/3 * * * * *",
            "RECONCILE_SCHEDULE": "*/20 * * * * *",
            "OMP_NUM_THREADS": "1",
        }
    )
    return env


def check_invariants(env: dict[str, str], settle: float = 60.0) -> dict[str, Any]:
    """The invariant checker (`make check-invariants`) over a host's tables, blobs and local engine processes; it
    waits up to `settle` seconds for work still on its way (a cascade finishing)."""
    from tools.invariants import run

    return run(load_settings(env), settle).as_json()


@pytest.fixture(scope="session")
def devhost(azurite_connection_string: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostProcess]:
    """The session's devhost. At the end of the session, everything the tests did through it must have left every
    invariant intact: the checker's counts are all 0 (a failure here names the counts and examples)."""
    tag = uuid.uuid4().hex[:8]
    port = free_port()
    workdir = tmp_path_factory.mktemp("automl")
    env = host_env(azurite_connection_string, port, workdir, tag)
    host = spawn(ROOT, env, str(tmp_path_factory.mktemp("devhost") / "devhost.log"), port=port)
    try:
        yield host
        found = check_invariants(env)
        assert found["total"] == 0, f"invariants broken at the end of the session: {found}"
    finally:
        host.stop()


def strict_json(response: httpx.Response) -> None:
    """Every JSON answer of the API must parse with NaN and Infinity refused, as a browser's JSON.parse does."""
    if "json" in response.headers.get("content-type", ""):
        response.read()

        def refuse(constant: str) -> None:
            raise AssertionError(f"{response.request.method} {response.request.url} answered {constant} in JSON")

        json.loads(response.content, parse_constant=refuse)


class Api:
    """A front end's view: base URL, a bearer token, JSON helpers."""

    def __init__(self, base_url: str, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(
            base_url=f"{base_url}/api/v1", headers=headers, timeout=60.0, event_hooks={"response": [strict_json]}
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.http, name)


def token(user: str, *, admin: bool = False) -> str:
    return mint_dev_token(
        load_settings({"DEV_AUTH_SECRET": os.environ["DEV_AUTH_SECRET"]}), user=user, platform_admin=admin
    )


@pytest.fixture(scope="session")
def admin(devhost: HostProcess) -> Api:
    return Api(devhost.base_url, token("platform-admin", admin=True))


@pytest.fixture
def user_api(devhost: HostProcess) -> Any:
    def make(user: str) -> Api:
        return Api(devhost.base_url, token(user))

    return make


@pytest.fixture
def tenant(admin: Api, unique: str) -> dict[str, Any]:
    """A fresh tenant whose owner is `owner-{unique}`."""
    resp = admin.post("/tenants", json={"name": f"t-{unique}", "ownerUserId": f"owner-{unique}"})
    assert resp.status_code == 201, resp.text
    return resp.json() | {"owner": f"owner-{unique}"}


@pytest.fixture(scope="session")
def store(devhost: HostProcess) -> Any:
    """The storage core over the devhost's own tables (to plant records the flows would write, e.g. a run)."""
    from domain.storage.app_store import build_store

    return build_store(load_settings(devhost.env))


CSV = "a,b,label\n" + "".join(f"{i},{i % 7 * 1.5},{'yes' if i % 3 else 'no'}\n" for i in range(60))


def upload(api: Api, name: str, data: str = CSV) -> httpx.Response:
    return api.post(
        "/tenants/{t}/datasets".replace("{t}", api.tenant),
        content=data.encode(),
        params={"name": name},
        headers={"Content-Type": "text/csv"},
    )


@pytest.fixture
def world(admin: Api, user_api: Any, unique: str, store: Any) -> dict[str, Any]:
    """A tenant with an owner, a contributor and a reader; a dataset, an experiment, a run with two trials, a model,
    an endpoint with a deployment of that model."""
    owner_id = f"owner-{unique}"
    t = admin.post("/tenants", json={"name": f"w-{unique}", "ownerUserId": owner_id}).json()["id"]
    owner = user_api(owner_id)
    for user, role in ((f"contrib-{unique}", "contributor"), (f"reader-{unique}", "reader")):
        assert owner.put(f"/tenants/{t}/members/{user}", json={"role": role}).status_code == 200
    contrib, reader = user_api(f"contrib-{unique}"), user_api(f"reader-{unique}")
    for api in (owner, contrib, reader):
        api.tenant = t
    ds = upload(contrib, f"data-{unique}").json()
    exp = contrib.post(
        f"/tenants/{t}/experiments",
        json={
            "name": f"exp-{unique}",
            "task": "classification",
            "datasetId": ds["id"],
            "targetColumn": "label",
            "primaryMetric": "accuracy",
            "limits": {"maxTrials": 3, "timeoutMinutes": 5},
        },
    ).json()
    run_id = f"run{unique}"
    store.create(
        t,
        "run",
        run_id,
        {
            "experiment_id": exp["id"],
            "status": "Completed",
            "active": False,
            "job_name": f"automl-{t}-{run_id}",
            "primary_metric": "accuracy",
            "best_trial_id": "t1",
            "progress": {"trials_done": 2},
        },
        actor="test",
    )
    for trial, score in (("t1", 0.9), ("t2", 0.7)):
        store.create(
            t,
            "trial",
            trial,
            {"algorithm": "LightGBM", "score": score, "status": "Completed"},
            actor="test",
            parent_id=run_id,
        )
    model = contrib.post(f"/tenants/{t}/models", json={"name": f"model-{unique}", "runId": run_id}).json()
    ep = contrib.post(f"/tenants/{t}/endpoints", json={"name": f"ep-{unique}"}).json()
    store.create(
        t,
        "deployment",
        "blue",
        {
            "name": "blue",
            "endpoint_id": ep["id"],
            "model_id": model["id"],
            "instance_type": "Standard_DS3_v2",
            "instance_count": 1,
            "state": "Succeeded",
        },
        actor="test",
        parent_id=ep["id"],
    )
    from domain.storage.records import Op

    store.transact(
        t,
        [
            Op.upsert(
                f"ref|model|{model['id']}|deployment|{ep['id']}|blue",
                {"model_id": model["id"], "endpoint_id": ep["id"], "deployment": "blue"},
            )
        ],
        actor="test",
    )
    return {
        "tenant": t,
        "owner": owner,
        "contrib": contrib,
        "reader": reader,
        "dataset": ds,
        "experiment": exp,
        "run": run_id,
        "model": model,
        "endpoint": ep,
        "unique": unique,
    }
