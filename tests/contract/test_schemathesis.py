"""Property-based contract test: schemathesis against the OpenAPI document the running devhost serves.

Every operation of `/api/v1/openapi.json`, called with generated (valid and invalid) inputs, as a platform admin and
as the owner of a real tenant, must never answer 5xx and must answer as the document says (documented status code,
content type, response body schema). The `tenant` path parameter is a real tenant id, and `{id}` / `{name}` half the
time a real object's id, so calls reach the handlers instead of stopping at 404.

Bounded and deterministic for CI: 25 examples per operation and mode (valid inputs, then invalid ones),
derandomized, no shrinking, no example database.
Operations that would start real work or destroy the fixture get generated object ids only, so they stop at
validation (400) or at the lookup (404) and never start anything: POST .../experiments/{id}/runs (a training run),
PUT .../deployments/{name} (a deployment), POST .../endpoints/{id}:score (needs a served model), POST
.../runs/{id}:cancel, and every DELETE (the cascades). DELETE /tenants/{tenant} is skipped: its only path parameter is
the fixture's tenant.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.support import CSV, Api, token

pytestmark = pytest.mark.e2e

SKIPPED = {("DELETE", "/api/v1/tenants/{tenant}")}
GENERATED_IDS_ONLY = {
    ("POST", "/api/v1/tenants/{tenant}/experiments/{id}/runs"),
    ("PUT", "/api/v1/tenants/{tenant}/endpoints/{id}/deployments/{name}"),
    ("POST", "/api/v1/tenants/{tenant}/endpoints/{id}:score"),
    ("POST", "/api/v1/tenants/{tenant}/runs/{id}:cancel"),
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))  # raise it locally to dig deeper
REAL: dict[str, str] = {}  # filled by the `api_schema` fixture before any case is generated
RETRIES = 3  # a transient 503 (bounded storage call gave up on a slow Azurite) is retried as a client would


def call_and_validate(case: Any, who: str) -> Any:
    """Call the case as `who`; a 503 ServiceUnavailable with Retry-After is the API's documented transient answer
    (a storage call over its budget on a loaded machine), so the call is repeated after the time it asks for, as a
    well-behaved client does. Whatever answers last is validated: a 503 that persists still fails the checks."""
    headers = {"Authorization": f"Bearer {REAL[who]}"}
    resp = case.call(base_url=REAL["base_url"], headers=headers)
    for _ in range(RETRIES):
        retry_after = (resp.headers.get("retry-after") or [""])[0]
        code = (resp.headers.get("x-ms-error-code") or [""])[0]
        if resp.status_code != 503 or code != "ServiceUnavailable" or not retry_after.isdigit():
            break
        time.sleep(int(retry_after))
        resp = case.call(base_url=REAL["base_url"], headers=headers)
    case.validate_response(resp, checks=CHECKS, headers=headers, transport_kwargs={"base_url": REAL["base_url"]})
    return resp


@pytest.fixture(scope="module")
def api_schema(devhost: Any, admin: Api, store: Any) -> Any:
    u = uuid.uuid4().hex[:10]
    owner_id = f"st-owner-{u}"
    t = admin.post("/tenants", json={"name": f"st-{u}", "ownerUserId": owner_id}).json()["id"]
    owner = Api(devhost.base_url, token(owner_id))
    ds = owner.post(
        f"/tenants/{t}/datasets", content=CSV.encode(), params={"name": f"d-{u}"}, headers={"Content-Type": "text/csv"}
    ).json()
    exp = owner.post(
        f"/tenants/{t}/experiments",
        json={"name": f"e-{u}", "task": "classification", "datasetId": ds["id"], "targetColumn": "label"},
    ).json()
    run = f"run{u}"
    store.create(
        t,
        "run",
        run,
        {
            "experiment_id": exp["id"],
            "status": "Completed",
            "active": False,
            "primary_metric": "accuracy",
            "job_name": f"automl-{run}",
        },
        actor="test",
    )
    store.create(
        t, "trial", "t1", {"algorithm": "LightGBM", "score": 0.9, "status": "Completed"}, actor="t", parent_id=run
    )
    model = owner.post(f"/tenants/{t}/models", json={"name": f"m-{u}", "runId": run}).json()
    ep = owner.post(f"/tenants/{t}/endpoints", json={"name": f"ep-{u}"}).json()
    scored = owner.post(f"/tenants/{t}/models/{model['id']}:batchScore", json={"datasetId": ds["id"]})
    assert scored.status_code == 202, scored.text
    REAL.update(
        batchJobs=scored.json()["id"],
        tenant=t,
        datasets=ds["id"],
        experiments=exp["id"],
        runs=run,
        models=model["id"],
        endpoints=ep["id"],
        userId=owner_id,
        name="blue",
        admin=token("platform-admin", admin=True),
        owner=token(owner_id),
        base_url=devhost.base_url,
    )
    return schemathesis.openapi.from_url(f"{devhost.base_url}/api/v1/openapi.json").exclude(
        func=lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in SKIPPED
    )


def _real_params(path: str, params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    out["tenant"] = REAL["tenant"]
    if "id" in out:
        collection = path.split("/{id}", 1)[0].rsplit("/", 1)[1]
        if collection in REAL:
            out["id"] = REAL[collection]
    for key in ("userId", "name"):
        if key in out:
            out[key] = REAL[key]
    return out


@schemathesis.hook
def flatmap_path_parameters(ctx: Any, path_parameters: dict[str, Any] | None) -> Any:
    if not path_parameters or "tenant" not in path_parameters or not REAL:
        return st.just(path_parameters)
    op = ctx.operation
    generated_only = {**path_parameters, "tenant": REAL["tenant"]}
    if op.method.upper() == "DELETE" or (op.method.upper(), op.path) in GENERATED_IDS_ONLY:
        return st.just(generated_only)
    return st.sampled_from([_real_params(op.path, path_parameters), generated_only])


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_api_honours_its_document(api_schema: Any, mode: GenerationMode) -> None:
    """One hypothesis run per operation (schemathesis' lazy pytest loader does not work with pytest 9 here); the
    failures of every operation are collected, then reported together. Negative mode sends inputs that break the
    document: each must get a documented 4xx in the API's error format, never a 5xx."""
    failures: list[str] = []
    reached: set[str] = set()  # operations that answered 2xx at least once: the calls reach the handlers
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            for who in ("admin", "owner"):  # the same case as a platform admin and as the tenant's owner
                resp = call_and_validate(case, who)
                if resp.status_code < 300:
                    reached.add(operation.label)  # noqa: B023 - run() is called in this iteration
                elif resp.status_code >= 400 and resp.headers.get("content-type", [""])[0].startswith(
                    "application/json"
                ):
                    assert resp.json()["error"]["code"], resp.text

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert operations >= 40
    assert failures == [], "\n\n".join(failures)
    if mode is GenerationMode.POSITIVE:
        assert len(reached) >= 25, sorted(reached)
