"""Deployments of a model behind an endpoint: the record (with the model's reference row), and the steps of the
deployment orchestration, called in order: endpoint -> deployment -> wait for provisioning -> smoke-score rows from
the model's training data -> shift traffic; on any failure, restore the previous traffic and mark the deployment
Failed. A deployment takes the share it asked for (`traffic`; default: 100 for an endpoint's first live
deployment, 0 beside a live one, unchanged when updated), and only after its smoke test passed: a canary never
silently becomes production. The operation (`GET .../operations/{id}`) shows the progress."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from domain.entities.automl import ProvisioningState, ScoreRow, ScoreValue
from domain.entities.ids import new_id
from domain.entities.operations import Operation, OperationKind, OperationProgress, OperationStatus
from domain.entities.principal import Principal
from domain.entities.queries import DeploymentsQuery
from domain.entities.serving import Deployment, DeploymentPut
from domain.errors import ConcurrencyConflict, Conflict, NotFound, ValidationFailed, readable
from domain.ports import AutoMLBackend, BlobStore, Store
from domain.records.kind import Stored
from domain.records.kinds import DEPLOYMENTS, ENDPOINTS, MODELS, OPERATIONS, RUNS, DeploymentData, OperationData
from domain.records.rows import ModelUse
from domain.services._views import View, actor, check_name
from domain.services.endpoints import backend_endpoint
from domain.services.models import model_artifact
from domain.services.operations import OPERATION
from domain.storage.keys import model_ref_key
from domain.storage.records import Op

DEPLOYMENT = View(DEPLOYMENTS, Deployment)
SMOKE_ROWS = 5
STEPS = 5


def list_deployments(
    store: Store, tenant: str, endpoint_id: str, query: DeploymentsQuery
) -> tuple[list[Deployment], str | None]:
    """Every deployment of the endpoint (failed ones included), filtered by `state`."""
    ENDPOINTS.get(store, tenant, endpoint_id)
    where: dict[str, str | int | bool] | None = {"state": query.state.value} if query.state else None
    return DEPLOYMENT.page(store, tenant, query, parent_id=endpoint_id, where=where)


def new_split(previous: Mapping[str, int], name: str, share: int | None) -> dict[str, int]:
    """The endpoint's traffic once `name` is live: `share` for it (None: keep its share if it had one, else 100 when
    no other deployment takes traffic, else 0), the others scaled to the rest in proportion (largest remainders)."""
    others = {k: v for k, v in previous.items() if k != name}
    rest = sum(others.values())
    if share is None:
        share = previous[name] if name in previous and rest + previous[name] > 0 else (0 if rest else 100)
    if rest == 0:
        return dict.fromkeys(others, 0) | {name: share}
    exact = {k: v * (100 - share) / rest for k, v in others.items()}
    split = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - split[k], reverse=True)[: 100 - share - sum(split.values())]:
        split[k] += 1
    return split | {name: share}


def _check_share(previous: Mapping[str, int], name: str, share: int | None) -> None:
    """Alone on an endpoint, a deployment takes all the traffic or none (the split must add up to 100 or 0)."""
    rest = sum(v for k, v in previous.items() if k != name)
    if share is not None and rest == 0 and share not in (0, 100):
        raise ValidationFailed(
            f"No other deployment of this endpoint takes traffic: the share must be 0 or 100, not {share}.",
            target="traffic",
        )


def _uses(model_id: str, endpoint_id: str, name: str) -> Op:
    use = ModelUse(model_id=model_id, endpoint_id=endpoint_id, deployment=name)
    return Op.upsert(model_ref_key(model_id, endpoint_id, name), use.stored())


def put_deployment(
    store: Store, principal: Principal, tenant: str, endpoint_id: str, name: str, body: DeploymentPut
) -> tuple[Deployment, bool]:
    """Create the deployment record (Creating) or update it (Updating); returns (deployment, created)."""
    check_name(name)
    endpoint = ENDPOINTS.get(store, tenant, endpoint_id)
    _check_share(endpoint.data.traffic, name, body.traffic)
    try:
        MODELS.get(store, tenant, body.model_id)
    except NotFound:
        raise ValidationFailed("The model does not exist.", target="modelId") from None
    data = DeploymentData(name=name, endpoint_id=endpoint_id, **body.model_dump(exclude={"traffic"}))
    ref = _uses(body.model_id, endpoint_id, name)
    try:
        current = DEPLOYMENTS.get(store, tenant, name, parent_id=endpoint_id)
    except NotFound:
        stored = DEPLOYMENTS.create(
            store, tenant, name, data, actor=actor(principal), parent_id=endpoint_id, extra_ops=[ref]
        )
        return DEPLOYMENT.of(stored), True
    ops = [ref]
    if current.data.model_id != body.model_id:
        ops.append(Op.delete(model_ref_key(current.data.model_id, endpoint_id, name), if_exists=True))
    changes = data.model_copy(update={"state": ProvisioningState.UPDATING}).model_dump(exclude={"error"})
    stored = DEPLOYMENTS.update(
        store, tenant, name, changes, actor=actor(principal), current=current, parent_id=endpoint_id, extra_ops=ops
    )
    return DEPLOYMENT.of(stored), False


def get_deployment(store: Store, tenant: str, endpoint_id: str, name: str) -> Deployment:
    ENDPOINTS.get(store, tenant, endpoint_id)
    return DEPLOYMENT.read(store, tenant, name, parent_id=endpoint_id)


def delete_deployment(
    store: Store,
    backend: AutoMLBackend,
    principal: Principal,
    tenant: str,
    endpoint_id: str,
    name: str,
    etag: str | None,
) -> None:
    """Refused while it receives traffic. Its name leaves the endpoint's traffic map first, then the backend's
    deployment goes (local: its model leaves the scoring server), then the record: a delete interrupted anywhere is
    repeated."""
    endpoint = ENDPOINTS.get(store, tenant, endpoint_id)
    current = DEPLOYMENTS.get(store, tenant, name, parent_id=endpoint_id)
    if endpoint.data.traffic.get(name):
        raise Conflict("The deployment still receives traffic; set its traffic to 0 first.", target="traffic")
    if etag is not None and etag != current.etag:
        raise ConcurrencyConflict(
            f"deployment '{name}' was changed by someone else since it was read; read it again and retry.",
            kind="deployment",
            ident=name,
        )
    if name in endpoint.data.traffic:
        traffic = {k: v for k, v in endpoint.data.traffic.items() if k != name}
        ENDPOINTS.update(store, tenant, endpoint_id, {"traffic": traffic}, actor="system", current=endpoint)
    backend.delete_deployment(tenant, backend_endpoint(tenant, endpoint_id), name)
    DEPLOYMENTS.delete(
        store,
        tenant,
        name,
        actor=actor(principal),
        etag=etag or current.etag,
        parent_id=endpoint_id,
        extra_ops=[Op.delete(model_ref_key(current.data.model_id, endpoint_id, name), if_exists=True)],
    )


# ---- the deployment flow (functions/orchestrations/deployment.py), one step per activity -----------------------


def start(
    store: Store, principal: Principal, tenant: str, endpoint_id: str, name: str, body: DeploymentPut
) -> tuple[Deployment, Operation, bool]:
    """The deployment record and the operation that tracks its flow; (deployment, operation, created)."""
    dep, created = put_deployment(store, principal, tenant, endpoint_id, name, body)
    data = OperationData(
        kind=OperationKind.DEPLOYMENT,
        status=OperationStatus.RUNNING,
        target=f"endpoints/{endpoint_id}/deployments/{name}",
        tenant=tenant,
        endpoint_id=endpoint_id,
        deployment=name,
        traffic=body.traffic,
        progress=OperationProgress(done=0, total=STEPS, message="creating the endpoint"),
    )
    op = OPERATIONS.create(store, tenant, new_id(), data, actor=actor(principal))
    return dep, OPERATION.of(op), created


def _target(store: Store, tenant: str, op_id: str) -> tuple[Stored[OperationData], str, str]:
    """The operation, its endpoint id and its deployment name."""
    op = OPERATIONS.get(store, tenant, op_id)
    if op.data.endpoint_id is None or op.data.deployment is None:
        raise ValidationFailed(f"Operation '{op_id}' is not a deployment.", target="operation")
    return op, op.data.endpoint_id, op.data.deployment


def _progress(store: Store, tenant: str, op_id: str, done: int, message: str, **extra: object) -> None:
    progress = OperationProgress(done=done, total=STEPS, message=message)
    OPERATIONS.update(store, tenant, op_id, {"progress": progress, **extra}, actor="system")


def ensure_endpoint(store: Store, backend: AutoMLBackend, tenant: str, op_id: str) -> dict[str, dict[str, int]]:
    """The backend's endpoint; the split before this deployment (the record's, in the API's deployment names) is
    kept on the operation, to be restored if the deployment fails."""
    _, ep, _ = _target(store, tenant, op_id)
    backend.create_or_update_endpoint(tenant, backend_endpoint(tenant, ep))
    traffic = dict(ENDPOINTS.get(store, tenant, ep).data.traffic)
    _progress(store, tenant, op_id, 1, "creating the deployment", previous_traffic=traffic)
    return {"traffic": traffic}


def create_deployment(store: Store, backend: AutoMLBackend, tenant: str, op_id: str) -> str:
    _, ep, name = _target(store, tenant, op_id)
    dep = DEPLOYMENTS.get(store, tenant, name, parent_id=ep).data
    ref = model_artifact(store, backend, tenant, dep.model_id)
    state = backend.create_or_update_deployment(
        tenant,
        backend_endpoint(tenant, ep),
        name,
        ref,
        instance_type=dep.instance_type,
        instance_count=dep.instance_count,
    )
    _progress(store, tenant, op_id, 2, "waiting for provisioning")
    return str(state.state.value)


def provisioning_state(store: Store, backend: AutoMLBackend, tenant: str, op_id: str) -> dict[str, str | None]:
    """{"state": the backend's provisioning state, "error": its reason when Failed}."""
    _, ep, name = _target(store, tenant, op_id)
    state = backend.get_deployment(tenant, backend_endpoint(tenant, ep), name)
    return {"state": state.state.value, "error": state.error}


def smoke_rows(store: Store, blobs: BlobStore, tenant: str, model_id: str) -> list[ScoreRow]:
    """A few rows of the model's training data, without the target column."""
    model = MODELS.get(store, tenant, model_id)
    spec = RUNS.get(store, tenant, model.data.run_id).data.spec
    path = spec.dataset.blob_path if spec is not None else None
    if spec is None or not path:
        raise ValidationFailed("The model's training data is not in the app's storage; no smoke rows.")
    container, blob = path.split("/", 1)
    reader = csv.DictReader(io.StringIO(blobs.get(container, blob).decode("utf-8-sig")))
    rows: list[ScoreRow] = []
    for row in reader:
        row.pop(spec.target_column, None)
        rows.append({k: _number(v) for k, v in row.items()})
        if len(rows) == SMOKE_ROWS:
            break
    return rows


def _number(value: str) -> ScoreValue:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return value


def smoke_test(store: Store, backend: AutoMLBackend, blobs: BlobStore, tenant: str, op_id: str) -> int:
    _, ep, name = _target(store, tenant, op_id)
    dep = DEPLOYMENTS.get(store, tenant, name, parent_id=ep)
    rows = smoke_rows(store, blobs, tenant, dep.data.model_id)
    predictions = backend.score(tenant, backend_endpoint(tenant, ep), rows, deployment=name)
    if len(predictions) != len(rows):
        raise ValidationFailed(f"The smoke test got {len(predictions)} predictions for {len(rows)} rows.")
    _progress(store, tenant, op_id, 4, "shifting traffic")
    return len(predictions)


def shift_traffic(store: Store, backend: AutoMLBackend, tenant: str, op_id: str) -> dict[str, int]:
    op, ep, name = _target(store, tenant, op_id)
    traffic = new_split(op.data.previous_traffic or {}, name, op.data.traffic)
    backend.set_traffic(tenant, backend_endpoint(tenant, ep), traffic)
    ENDPOINTS.update(store, tenant, ep, {"traffic": traffic}, actor="system")
    done = OperationProgress(done=STEPS, total=STEPS, message="live")
    _record_outcome(
        store,
        tenant,
        op_id,
        ep,
        name,
        ProvisioningState.SUCCEEDED,
        {"status": OperationStatus.SUCCEEDED, "progress": done},
    )
    return traffic


def _record_outcome(
    store: Store,
    tenant: str,
    op_id: str,
    ep: str,
    name: str,
    state: ProvisioningState,
    operation: Mapping[str, object],
    error: str | None = None,
) -> None:
    """The deployment's final state and its operation's, as the API shows them."""
    DEPLOYMENTS.update(store, tenant, name, {"state": state, "error": error}, actor="system", parent_id=ep)
    OPERATIONS.update(store, tenant, op_id, operation, actor="system")


def fail(store: Store, backend: AutoMLBackend, tenant: str, op_id: str, error: str) -> None:
    """Restore the previous traffic (if it was changed) and mark the deployment and the operation Failed."""
    op, ep, name = _target(store, tenant, op_id)
    previous = op.data.previous_traffic or {}
    try:
        if backend.get_endpoint(tenant, backend_endpoint(tenant, ep)).traffic != previous:
            backend.set_traffic(tenant, backend_endpoint(tenant, ep), previous)
    finally:
        error = readable(error, 2000)
        failed = {"status": OperationStatus.FAILED, "error": error}
        _record_outcome(store, tenant, op_id, ep, name, ProvisioningState.FAILED, failed, error)
