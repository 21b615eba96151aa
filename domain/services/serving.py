"""Models, endpoints and deployments as records (the deployment flow that provisions them is issue 6).

Restrict rule: a model used by a deployment cannot be deleted; the reference row `ref|model|{m}|deployment|{e}|{d}`
is written in the same transaction as the deployment."""

from __future__ import annotations

import contextlib
from typing import Any

from domain.entities.automl import ProvisioningState
from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.entities.serving import (
    Deployment,
    DeploymentPut,
    Endpoint,
    EndpointCreate,
    EndpointUpdate,
    Model,
    ModelCreate,
    ModelUpdate,
)
from domain.errors import NotFound, ReferencedBy, ValidationFailed
from domain.services._records import actor, changes_of, to_model
from domain.services.datasets import get_version
from domain.storage.records import Op


def model_ref_key(model_id: str, endpoint_id: str, deployment: str) -> str:
    return f"ref|model|{model_id}|deployment|{endpoint_id}|{deployment}"


def input_columns(store: Any, tenant: str, run: dict[str, Any]) -> list[dict[str, str]]:
    """A model's signature for scoring forms: its run's training columns less the target, typed by the dataset
    version's profile (empty when the run has no recorded spec)."""
    spec = run.get("spec") or {}
    dataset = spec.get("dataset") or {}
    types: dict[str, str] = {}
    with contextlib.suppress(NotFound, KeyError, TypeError):
        version = get_version(store, tenant, dataset["dataset_id"], dataset["version"])
        types = {c.name: c.type.value for c in (version.profile.columns if version.profile else [])}
    target = spec.get("target_column")
    return [{"name": c, "type": types.get(c, "string")} for c in dataset.get("columns", ()) if c != target]


def create_model(store: Any, principal: Principal, tenant: str, body: ModelCreate) -> Model:
    run = store.get(tenant, "run", body.run_id)
    trial_id = body.trial_id or run.data.get("best_trial_id")
    data = body.model_dump(mode="json") | {
        "trial_id": trial_id,
        "version": "1",
        "uri": None,
        "input_columns": input_columns(store, tenant, run.data),
    }
    record = store.create(tenant, "model", new_id(), data, actor=actor(principal), name=body.name)
    return to_model(Model, record)


def get_model(store: Any, tenant: str, model_id: str) -> Model:
    return to_model(Model, store.get(tenant, "model", model_id))


def list_models(store: Any, tenant: str, top: int, continuation: str | None) -> tuple[list[Model], str | None]:
    page = store.list(tenant, "model", top=top, continuation=continuation)
    return [to_model(Model, r) for r in page.items], page.continuation


def update_model(
    store: Any, principal: Principal, tenant: str, model_id: str, body: ModelUpdate, etag: str | None
) -> Model:
    record = store.update(tenant, "model", model_id, changes_of(body), actor=actor(principal), etag=etag)
    return to_model(Model, record)


def delete_model(store: Any, principal: Principal, tenant: str, model_id: str, etag: str | None) -> None:
    current = store.get(tenant, "model", model_id)
    refs, _ = store.list_rows(tenant, f"ref|model|{model_id}|deployment|", top=50)
    if refs:
        raise ReferencedBy(
            "model", model_id, [("deployment", f"{r['endpoint_id']}/{r['deployment']}") for _, r, _ in refs]
        )
    store.delete(tenant, "model", model_id, actor=actor(principal), etag=etag or current.etag)


def create_endpoint(store: Any, principal: Principal, tenant: str, body: EndpointCreate) -> Endpoint:
    data = body.model_dump(mode="json") | {"traffic": {}, "state": ProvisioningState.SUCCEEDED.value}
    record = store.create(tenant, "endpoint", new_id(), data, actor=actor(principal), name=body.name)
    return to_model(Endpoint, record)


def get_endpoint(store: Any, tenant: str, endpoint_id: str) -> Endpoint:
    return to_model(Endpoint, store.get(tenant, "endpoint", endpoint_id))


def list_endpoints(store: Any, tenant: str, top: int, continuation: str | None) -> tuple[list[Endpoint], str | None]:
    page = store.list(tenant, "endpoint", top=top, continuation=continuation)
    return [to_model(Endpoint, r) for r in page.items], page.continuation


def update_endpoint(
    store: Any, principal: Principal, tenant: str, endpoint_id: str, body: EndpointUpdate, etag: str | None
) -> Endpoint:
    current = store.get(tenant, "endpoint", endpoint_id)
    if body.traffic:
        existing = {r.id for r in store.list(tenant, "deployment", parent_id=endpoint_id, top=100).items}
        unknown = sorted(set(body.traffic) - existing)
        if unknown:
            raise ValidationFailed(f"No such deployments: {', '.join(unknown)}.", target="traffic")
    record = store.update(
        tenant, "endpoint", endpoint_id, changes_of(body), actor=actor(principal), etag=etag or current.etag
    )
    return to_model(Endpoint, record)


def put_deployment(
    store: Any, principal: Principal, tenant: str, endpoint_id: str, name: str, body: DeploymentPut
) -> tuple[Deployment, bool]:
    """Create the deployment record (Creating) or update it; returns (deployment, created)."""
    store.get(tenant, "endpoint", endpoint_id)
    try:
        store.get(tenant, "model", body.model_id)
    except NotFound:
        raise ValidationFailed("The model does not exist.", target="modelId") from None
    data = body.model_dump(mode="json") | {
        "name": name,
        "endpoint_id": endpoint_id,
        "state": ProvisioningState.CREATING.value,
    }
    ref = Op.upsert(
        model_ref_key(body.model_id, endpoint_id, name),
        {"model_id": body.model_id, "endpoint_id": endpoint_id, "deployment": name},
    )
    try:
        current = store.get(tenant, "deployment", name, parent_id=endpoint_id)
    except NotFound:
        record = store.create(
            tenant, "deployment", name, data, actor=actor(principal), parent_id=endpoint_id, extra_ops=[ref]
        )
        return to_model(Deployment, record), True
    ops = [ref]
    if current.data["model_id"] != body.model_id:
        ops.append(Op.delete(model_ref_key(current.data["model_id"], endpoint_id, name), if_exists=True))
    data["state"] = ProvisioningState.UPDATING.value
    record = store.update(
        tenant,
        "deployment",
        name,
        data,
        actor=actor(principal),
        etag=None,
        current=current,
        parent_id=endpoint_id,
        extra_ops=ops,
    )
    return to_model(Deployment, record), False


def get_deployment(store: Any, tenant: str, endpoint_id: str, name: str) -> Deployment:
    store.get(tenant, "endpoint", endpoint_id)
    return to_model(Deployment, store.get(tenant, "deployment", name, parent_id=endpoint_id))


def delete_deployment(
    store: Any, principal: Principal, tenant: str, endpoint_id: str, name: str, etag: str | None
) -> None:
    endpoint = store.get(tenant, "endpoint", endpoint_id)
    current = store.get(tenant, "deployment", name, parent_id=endpoint_id)
    if endpoint.data.get("traffic", {}).get(name):
        raise ValidationFailed("The deployment still receives traffic; set its traffic to 0 first.", target="traffic")
    store.delete(
        tenant,
        "deployment",
        name,
        actor=actor(principal),
        etag=etag or current.etag,
        parent_id=endpoint_id,
        extra_ops=[Op.delete(model_ref_key(current.data["model_id"], endpoint_id, name), if_exists=True)],
    )
