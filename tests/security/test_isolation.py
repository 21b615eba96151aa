"""Tenant isolation matrix, end to end through the devhost: every registered API route (walked from `OPS`, indexed in a
fresh interpreter) x every way of calling it without the right to, with the exact status expected, and the refused
calls change nothing (the raw rows of the victim's partition, of the attacker's, and of `_platform`, with their ETags,
are identical before and after).

Cases: the owner of another tenant (404: the victim's tenant looks absent; also with the attacker's own tenant in the
path and the victim's object ids: 404), no token, an expired token, a wrong audience, a wrong issuer, a bad signature,
an unsigned `alg=none` token (401 each), a reader of the tenant calling a route above its role (403), and a non-admin
calling a platform route (403). Paged lists (top=1, following nextLink) never show another tenant's objects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from domain.auth.dev_tokens import DEV_AUDIENCE, DEV_ISSUER
from domain.auth.permissions import Scope, rule_for
from domain.entities.role import Role
from tests.e2e.support import CSV, Api, token, upload

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
LIST = (
    "import json, function_app\n"
    "from functions._api import OPS\n"
    "print(json.dumps([[o.name, o.method, o.route, str(o.permission)] for o in OPS]))"
)
SECRET = os.environ["DEV_AUTH_SECRET"]  # the session's (tests/conftest.py)
# Path params that name an object of the tenant (not `tenant`, not a user id).
OBJECT_PARAMS = ("{id}", "{name}")


@pytest.fixture(scope="module")
def ops() -> list[dict[str, str]]:
    out = subprocess.run([sys.executable, "-c", LIST], cwd=ROOT, capture_output=True, text=True, check=True)
    rows = json.loads(out.stdout.strip().splitlines()[-1])
    return [dict(zip(("name", "method", "route", "permission"), r, strict=True)) for r in rows]


def bad_token(user: str, **overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "sub": user,
        "oid": user,
        "name": user,
        "roles": [],
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "jti": uuid.uuid4().hex,
    }
    key, alg = overrides.pop("_key", SECRET), overrides.pop("_alg", "HS256")
    claims.update(overrides)
    return jwt.encode(claims, key, algorithm=alg)


def unsigned(user: str) -> str:
    """`alg=none`, no signature, otherwise a perfect dev token."""
    return bad_token(user, _key=None, _alg="none")


def victim_ids(world: dict[str, Any]) -> dict[str, str]:
    """An id of every kind of object in the victim tenant, plus one operation (a deleted spare endpoint)."""
    t, owner = world["tenant"], world["owner"]
    spare = owner.post(f"/tenants/{t}/endpoints", json={"name": f"spare-{world['unique']}"}).json()
    resp = owner.delete(f"/tenants/{t}/endpoints/{spare['id']}")
    assert resp.status_code == 202, resp.text
    op_url = resp.headers["Operation-Location"].split("/api/v1", 1)[1]
    deadline = time.monotonic() + 60
    while owner.get(op_url).json()["status"] != "Succeeded":  # settled before any snapshot is taken
        assert time.monotonic() < deadline, "the spare endpoint's cascade did not finish"
        time.sleep(0.2)
    scored = owner.post(
        f"/tenants/{t}/models/{world['model']['id']}:batchScore", json={"datasetId": world["dataset"]["id"]}
    )
    assert scored.status_code == 202, scored.text
    job_op = scored.headers["Operation-Location"].split("/api/v1", 1)[1]
    while owner.get(job_op).json()["status"] == "Running":  # the model's run has no job: it fails (the op last)
        assert time.monotonic() < deadline + 120, "the batch job did not end"
        time.sleep(0.2)
    return {
        "batchJobs": scored.json()["id"],
        "datasets": world["dataset"]["id"],
        "experiments": world["experiment"]["id"],
        "runs": world["run"],
        "models": world["model"]["id"],
        "endpoints": world["endpoint"]["id"],
        "operations": resp.headers["Operation-Location"].rsplit("/", 1)[1],
    }


def url_for(route: str, tenant: str, ids: dict[str, str], member: str) -> str:
    path = route.removeprefix("v1").replace("{tenant}", tenant).replace("{userId}", member).replace("{name}", "blue")
    path = path.replace("{version:int}", "1")
    if "{id}" in path:
        collection = path.split("/{id}", 1)[0].rsplit("/", 1)[1]
        path = path.replace("{id}", ids[collection])
    return path


def body_for(op: dict[str, str], world: dict[str, Any]) -> dict[str, Any]:
    """A request that would succeed for an authorized caller (so only the caller's rights decide the status)."""
    u, name = world["unique"], op["name"]
    bodies: dict[str, Any] = {
        "create_tenant": {"name": f"evil-{u}", "ownerUserId": f"evil-{u}"},
        "put_member": {"role": "owner"},
        "create_experiment": {
            "name": f"evil-{u}",
            "task": "classification",
            "datasetId": world["dataset"]["id"],
            "targetColumn": "label",
            "primaryMetric": "accuracy",
        },
        "create_model": {"name": f"evil-{u}", "runId": world["run"]},
        "start_batch_score": {"datasetId": world["dataset"]["id"]},
        "create_endpoint": {"name": f"evil-{u}"},
        "put_deployment": {"modelId": world["model"]["id"]},
        "score": {"rows": [{"a": 1, "b": 2.0}]},
        "update_tenant": {"displayName": "evil"},
        "update_dataset": {"description": "evil"},
        "update_experiment": {"description": "evil"},
        "update_model": {"description": "evil"},
        "update_endpoint": {"description": "evil"},
    }
    if name in ("create_dataset", "add_version"):
        return {"content": CSV.encode(), "params": {"name": f"evil-{u}"}, "headers": {"Content-Type": "text/csv"}}
    if name in bodies:
        return {"json": bodies[name]}
    return {"json": {}} if op["method"] in ("POST", "PUT", "PATCH") else {}


def snapshot(store: Any, *partitions: str) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for p in partitions:
        rows, cont = [], None
        while True:
            page, cont = store.list_rows(p, "", top=1000, continuation=cont)
            rows += [(k, str(etag)) for k, _, etag in page]
            if not cont:
                break
        out[p] = rows
    return out


def reader_refused(permission: str) -> bool:
    rule = rule_for(permission)  # type: ignore[arg-type]
    if rule.scope is Scope.PLATFORM:
        return True
    return rule.scope is Scope.TENANT and not Role.READER.at_least(rule.min_role or Role.OWNER)


CASES = ("other_tenant", "other_tenant_own_path", "no_token", "expired", "audience", "issuer", "signature", "alg_none")


def caller_token(case: str, victim_owner: str, attacker: str) -> str | None:
    past = int(time.time()) - 7200
    return {
        "other_tenant": token(attacker),
        "other_tenant_own_path": token(attacker),
        "no_token": None,
        "expired": bad_token(victim_owner, iat=past, nbf=past, exp=past + 60),
        "audience": bad_token(victim_owner, aud="some-other-api"),
        "issuer": bad_token(victim_owner, iss="https://evil.example/"),
        "signature": bad_token(victim_owner, _key="another-secret-of-at-least-32-bytes-0123456789"),
        "alg_none": unsigned(victim_owner),
    }[case]


def expected(case: str, op: dict[str, str]) -> int | None:
    """The status a refused call must get; None when the case does not apply to the route."""
    tenant_scoped = "{tenant}" in op["route"]
    if case in ("other_tenant", "other_tenant_own_path"):
        if op["permission"] in ("tenant.create", "tenant.list"):  # platform routes without a tenant
            return 403 if case == "other_tenant" else None
        if case == "other_tenant_own_path":
            has_object = any(p in op["route"] for p in OBJECT_PARAMS)
            return 404 if tenant_scoped and has_object else None
        return 404 if tenant_scoped else None  # `/me` is the caller's own
    return 401


@pytest.mark.parametrize("case", CASES)
def test_refused_calls_get_the_exact_status_and_change_nothing(
    case: str, ops: list[dict[str, str]], world: dict[str, Any], admin: Api, devhost: Any, store: Any
) -> None:
    victim, u = world["tenant"], world["unique"]
    ids = victim_ids(world)
    attacker = f"attacker-{u}"
    own = admin.post("/tenants", json={"name": f"a-{u}", "ownerUserId": attacker}).json()["id"]
    tok = caller_token(case, f"owner-{u}", attacker)
    api = Api(devhost.base_url, tok)
    path_tenant = own if case == "other_tenant_own_path" else victim
    before = snapshot(store, victim, own, "_platform")
    wrong, checked = [], 0
    for op in ops:
        want = expected(case, op)
        if want is None:
            continue
        url = url_for(op["route"], path_tenant, ids, f"reader-{u}")
        resp = api.request(op["method"], url, **body_for(op, world))
        checked += 1
        if resp.status_code != want:
            wrong.append(f"{op['method']} {op['route']}: {resp.status_code} {resp.text[:200]}")
        elif want >= 400:
            assert resp.json()["error"]["code"], op
    assert wrong == [], f"{case}: unexpected statuses"
    assert checked >= (10 if case == "other_tenant_own_path" else 40)
    assert snapshot(store, victim, own, "_platform") == before, "a refused call wrote something"


def test_reader_calling_a_route_above_its_role_gets_403(
    ops: list[dict[str, str]], world: dict[str, Any], store: Any
) -> None:
    t, u, reader = world["tenant"], world["unique"], world["reader"]
    ids = victim_ids(world)
    before = snapshot(store, t, "_platform")
    wrong, checked = [], 0
    for op in ops:
        if not reader_refused(op["permission"]):
            continue
        resp = reader.request(op["method"], url_for(op["route"], t, ids, f"contrib-{u}"), **body_for(op, world))
        checked += 1
        if resp.status_code != 403:
            wrong.append(f"{op['method']} {op['route']}: {resp.status_code} {resp.text[:200]}")
    assert wrong == []
    assert checked >= 20
    assert snapshot(store, t, "_platform") == before
    # and what a reader may do still works: the refusals were about the role, not a broken route
    assert reader.get(f"/tenants/{t}/datasets/{ids['datasets']}").status_code == 200


def _page_all(api: Api, url: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    next_url: str | None = url
    params: dict[str, Any] | None = {"top": 1}
    while next_url:
        resp = api.get(next_url, params=params)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        assert len(page["value"]) <= 1
        seen += page["value"]
        next_url, params = page["nextLink"], None
        if next_url:
            next_url = next_url.split("/api/v1", 1)[1]
    return seen


def test_paged_lists_never_show_another_tenants_objects(world: dict[str, Any], admin: Api, user_api: Any) -> None:
    u = world["unique"]
    other_owner = f"other-{u}"
    other = admin.post("/tenants", json={"name": f"o-{u}", "ownerUserId": other_owner}).json()["id"]
    them = user_api(other_owner)
    them.tenant = other
    for i in range(3):
        assert upload(them, f"od{i}-{u}").status_code == 201
        assert them.post(f"/tenants/{other}/endpoints", json={"name": f"oe{i}-{u}"}).status_code == 201
    t, contrib = world["tenant"], world["contrib"]
    for i in range(2):
        assert contrib.post(f"/tenants/{t}/endpoints", json={"name": f"me{i}-{u}"}).status_code == 201
    for collection in ("datasets", "experiments", "runs", "models", "endpoints", "members", "audit"):
        mine = _page_all(world["owner"], f"/tenants/{t}/{collection}")
        theirs = _page_all(them, f"/tenants/{other}/{collection}")
        assert mine, collection
        for item in mine:
            assert not str(item.get("name", "")).startswith(("oe", "od")), (collection, item)
        if collection in ("datasets", "endpoints", "members", "audit"):
            assert theirs, collection
        mine_ids = {json.dumps(i, sort_keys=True) for i in mine}
        assert not mine_ids & {json.dumps(i, sort_keys=True) for i in theirs}, collection
    names = [e["name"] for e in _page_all(world["owner"], f"/tenants/{t}/endpoints")]
    assert sorted(names) == sorted([f"ep-{u}", f"me0-{u}", f"me1-{u}"])
    assert sorted(e["name"] for e in _page_all(them, f"/tenants/{other}/endpoints")) == [f"oe{i}-{u}" for i in range(3)]


def test_bad_tokens_are_refused_on_signed_in_routes(devhost: Any, world: dict[str, Any]) -> None:
    owner = f"owner-{world['unique']}"
    assert httpx.get(f"{devhost.base_url}/api/v1/me").status_code == 401
    for case in ("expired", "audience", "issuer", "signature", "alg_none"):
        api = Api(devhost.base_url, caller_token(case, owner, owner))
        resp = api.get("/me")
        assert resp.status_code == 401, (case, resp.text)
        assert resp.json()["error"]["code"] == "Unauthenticated"


def test_platform_routes_refuse_a_tenant_owner(ops: list[dict[str, str]], world: dict[str, Any], store: Any) -> None:
    """Platform-scoped routes need the platform-admin role: even the tenant's own owner gets 403."""
    t, owner = world["tenant"], world["owner"]
    ids = victim_ids(world)
    platform = [op for op in ops if rule_for(op["permission"]).scope is Scope.PLATFORM]  # type: ignore[arg-type]
    assert {op["name"] for op in platform} >= {"create_tenant", "delete_tenant"}
    before = snapshot(store, t, "_platform")
    for op in platform:
        resp = owner.request(op["method"], url_for(op["route"], t, ids, "nobody"), **body_for(op, world))
        assert resp.status_code == 403, (op["name"], resp.text)
        assert resp.json()["error"]["code"] == "Forbidden"
    assert snapshot(store, t, "_platform") == before
