"""The deployment flow's steps and scoring. The orchestration calls them in order: endpoint -> deployment ->
wait for provisioning -> smoke-score rows from the model's training data -> shift traffic; on any failure, restore
the previous traffic and mark the deployment Failed. A new deployment next to a live one gets traffic only after its
smoke test passed."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from domain.entities.automl import ModelRef, ProvisioningState
from domain.entities.ids import new_id
from domain.entities.operations import Operation, OperationStatus
from domain.entities.principal import Principal
from domain.entities.serving import Deployment, DeploymentPut, Endpoint, EndpointUpdate
from domain.errors import NotFound, ValidationFailed
from domain.services import serving
from domain.services._records import PLATFORM, actor, to_model
from domain.services.serving import put_deployment

SMOKE_ROWS = 5


def backend_endpoint(tenant: str, endpoint_id: str) -> str:
    """Azure ML endpoint names are unique per region: a deterministic 3-32 character name per tenant endpoint."""
    return "ep" + hashlib.sha1(f"{tenant}|{endpoint_id}".encode(), usedforsecurity=False).hexdigest()[:28]


def start(
    store: Any, principal: Principal, tenant: str, endpoint_id: str, name: str, body: DeploymentPut
) -> tuple[Deployment, Operation, bool]:
    dep, created = put_deployment(store, principal, tenant, endpoint_id, name, body)
    data = {
        "kind": "deployment",
        "status": OperationStatus.RUNNING.value,
        "target": f"endpoint/{endpoint_id}/deployments/{name}",
        "tenant": tenant,
        "endpoint_id": endpoint_id,
        "deployment": name,
        "progress": {"done": 0, "total": 5, "message": "creating the endpoint"},
    }
    op = store.create(PLATFORM, "operation", new_id(), data, actor=actor(principal), parent_id=tenant)
    return dep, to_model(Operation, op), created


def _op(store: Any, tenant: str, op_id: str) -> Any:
    return store.get(PLATFORM, "operation", op_id, parent_id=tenant)


def _progress(store: Any, tenant: str, op_id: str, done: int, message: str, **extra: Any) -> None:
    store.update(
        PLATFORM,
        "operation",
        op_id,
        {"progress": {"done": done, "total": 5, "message": message}, **extra},
        actor="system",
        etag=None,
        parent_id=tenant,
    )


def ensure_endpoint(store: Any, backend: Any, tenant: str, op_id: str) -> dict[str, Any]:
    op = _op(store, tenant, op_id)
    state = backend.create_or_update_endpoint(tenant, backend_endpoint(tenant, op.data["endpoint_id"]))
    _progress(store, tenant, op_id, 1, "creating the deployment", previous_traffic=state.traffic)
    return {"traffic": state.traffic}


def create_deployment(store: Any, backend: Any, tenant: str, op_id: str) -> str:
    op = _op(store, tenant, op_id)
    ep, name = op.data["endpoint_id"], op.data["deployment"]
    dep = store.get(tenant, "deployment", name, parent_id=ep)
    ref = model_artifact(store, backend, tenant, dep.data["model_id"])
    state = backend.create_or_update_deployment(
        tenant,
        backend_endpoint(tenant, ep),
        name,
        ref,
        instance_type=dep.data["instance_type"],
        instance_count=dep.data["instance_count"],
    )
    _progress(store, tenant, op_id, 2, "waiting for provisioning")
    return str(state.state.value)


def model_artifact(store: Any, backend: Any, tenant: str, model_id: str) -> ModelRef:
    """The model's artifact. A model registered through the API (`POST .../models`: a run's best or any trial) has
    none yet: the backend registers it from the run's job on its first deployment, and the record keeps the URI."""
    model = store.get(tenant, "model", model_id)
    if not model.data.get("uri"):
        job = store.get(tenant, "run", model.data["run_id"]).data["job_name"]
        ref: ModelRef = backend.register_model(
            tenant, job, name=model.data["name"], trial_id=model.data.get("trial_id")
        )
        changes = {"uri": ref.uri, "version": ref.version, "trial_id": ref.trial_id}
        store.update(tenant, "model", model_id, changes, actor="system", etag=None)
        return ref
    return ModelRef(
        name=model.data["name"],
        version=str(model.data.get("version") or "1"),
        uri=model.data["uri"],
        trial_id=model.data.get("trial_id"),
    )


def provisioning_state(store: Any, backend: Any, tenant: str, op_id: str) -> dict[str, Any]:
    op = _op(store, tenant, op_id)
    state = backend.get_deployment(tenant, backend_endpoint(tenant, op.data["endpoint_id"]), op.data["deployment"])
    return {"state": state.state.value, "error": state.error}


def smoke_rows(store: Any, blobs: Any, tenant: str, model_id: str) -> list[dict[str, Any]]:
    """A few rows of the model's training data, without the target column."""
    model = store.get(tenant, "model", model_id)
    spec = store.get(tenant, "run", model.data["run_id"]).data["spec"]
    path = spec["dataset"].get("blob_path")
    if not path:
        raise ValidationFailed("The model's training data is not in the app's storage; no smoke rows.")
    container, name = path.split("/", 1)
    reader = csv.DictReader(io.StringIO(blobs.get(container, name).decode("utf-8-sig")))
    rows = []
    for row in reader:
        row.pop(spec["target_column"], None)
        rows.append({k: _number(v) for k, v in row.items()})
        if len(rows) == SMOKE_ROWS:
            break
    return rows


def _number(value: str) -> Any:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return value


def smoke_test(store: Any, backend: Any, blobs: Any, tenant: str, op_id: str) -> int:
    op = _op(store, tenant, op_id)
    ep, name = op.data["endpoint_id"], op.data["deployment"]
    dep = store.get(tenant, "deployment", name, parent_id=ep)
    rows = smoke_rows(store, blobs, tenant, dep.data["model_id"])
    predictions = backend.score(tenant, backend_endpoint(tenant, ep), rows, deployment=name)
    if len(predictions) != len(rows):
        raise ValidationFailed(f"The smoke test got {len(predictions)} predictions for {len(rows)} rows.")
    _progress(store, tenant, op_id, 4, "shifting traffic")
    return len(predictions)


def shift_traffic(store: Any, backend: Any, tenant: str, op_id: str) -> dict[str, int]:
    op = _op(store, tenant, op_id)
    ep, name = op.data["endpoint_id"], op.data["deployment"]
    traffic = dict.fromkeys(op.data.get("previous_traffic", {}), 0) | {name: 100}
    backend.set_traffic(tenant, backend_endpoint(tenant, ep), traffic)
    store.update(tenant, "endpoint", ep, {"traffic": traffic}, actor="system", etag=None)
    _record_outcome(
        store,
        tenant,
        op_id,
        ep,
        name,
        ProvisioningState.SUCCEEDED,
        None,
        {"status": OperationStatus.SUCCEEDED.value, "progress": {"done": 5, "total": 5, "message": "live"}},
    )
    return traffic


def _record_outcome(
    store: Any,
    tenant: str,
    op_id: str,
    ep: str,
    name: str,
    state: ProvisioningState,
    error: str | None,
    operation: dict[str, Any],
) -> None:
    """The deployment's final state and its operation's, as the API shows them."""
    store.update(
        tenant, "deployment", name, {"state": state.value, "error": error}, actor="system", etag=None, parent_id=ep
    )
    store.update(PLATFORM, "operation", op_id, operation, actor="system", etag=None, parent_id=tenant)


def fail(store: Any, backend: Any, tenant: str, op_id: str, error: str) -> None:
    """Restore the previous traffic (if it was changed) and mark the deployment and the operation Failed."""
    op = _op(store, tenant, op_id)
    ep, name = op.data["endpoint_id"], op.data["deployment"]
    previous = op.data.get("previous_traffic") or {}
    try:
        if backend.get_endpoint(tenant, backend_endpoint(tenant, ep)).traffic != previous:
            backend.set_traffic(tenant, backend_endpoint(tenant, ep), previous)
    finally:
        _record_outcome(
            store,
            tenant,
            op_id,
            ep,
            name,
            ProvisioningState.FAILED,
            error[:2000],
            {"status": OperationStatus.FAILED.value, "error": error[:2000]},
        )


def score(
    store: Any, backend: Any, tenant: str, endpoint_id: str, rows: list[dict[str, Any]], deployment: str | None
) -> list[Any]:
    endpoint = store.get(tenant, "endpoint", endpoint_id)
    if not endpoint.data.get("traffic") and deployment is None:
        raise ValidationFailed("The endpoint has no live deployment yet.", target="endpoint")
    result: list[Any] = backend.score(tenant, backend_endpoint(tenant, endpoint_id), rows, deployment=deployment)
    return result


def update_endpoint(
    store: Any,
    backend: Any,
    principal: Principal,
    tenant: str,
    endpoint_id: str,
    body: EndpointUpdate,
    etag: str | None,
) -> Endpoint:
    """`PATCH .../endpoints/{id}`: the record (ETag, known deployments), then the backend, which routes the scoring
    calls; only deployments whose provisioning succeeded may get a share. A backend refusal restores the record."""
    previous = store.get(tenant, "endpoint", endpoint_id).data.get("traffic") or {}
    for name, share in (body.traffic or {}).items():
        try:
            state = store.get(tenant, "deployment", name, parent_id=endpoint_id).data.get("state")
        except NotFound:
            continue  # named in the error of the record's own check
        if share > 0 and state != ProvisioningState.SUCCEEDED.value:
            raise ValidationFailed(f"Deployment '{name}' is {state}; it cannot take traffic.", target="traffic")
    endpoint = serving.update_endpoint(store, principal, tenant, endpoint_id, body, etag)
    if body.traffic is not None:
        try:
            backend.get_endpoint(tenant, backend_endpoint(tenant, endpoint_id))
        except NotFound:
            return endpoint  # no deployment was ever provisioned: nothing routes through it; the next one sets it
        try:
            backend.set_traffic(tenant, backend_endpoint(tenant, endpoint_id), dict(body.traffic))
        except Exception:
            store.update(tenant, "endpoint", endpoint_id, {"traffic": previous}, actor="system", etag=None)
            raise
    return endpoint
