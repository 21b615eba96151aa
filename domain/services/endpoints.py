"""Online endpoints: the record (name, traffic split), its twin in the AutoML backend (which routes the scoring
calls), and scoring. Deployments behind an endpoint and the flow that provisions them: `deployments.py`."""

from __future__ import annotations

import hashlib

from domain.entities.automl import Prediction, ProvisioningState, ScoreRow
from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.entities.serving import Endpoint, EndpointCreate, EndpointUpdate
from domain.errors import NotFound, ValidationFailed
from domain.ports import AutoMLBackend, Store
from domain.records.kinds import DEPLOYMENTS, ENDPOINTS, EndpointData
from domain.services._views import View, actor, changes_of

ENDPOINT = View(ENDPOINTS, Endpoint)
# reading, listing a page and patching: the same for every resource (`View`, domain/services/_views.py)
get_endpoint = ENDPOINT.read
list_endpoints = ENDPOINT.page


def backend_endpoint(tenant: str, endpoint_id: str) -> str:
    """Azure ML endpoint names are unique per region: a deterministic 3-32 character name per tenant endpoint."""
    return "ep" + hashlib.sha1(f"{tenant}|{endpoint_id}".encode(), usedforsecurity=False).hexdigest()[:28]


def create_endpoint(store: Store, principal: Principal, tenant: str, body: EndpointCreate) -> Endpoint:
    data = EndpointData(name=body.name, description=body.description)
    return ENDPOINT.of(ENDPOINTS.create(store, tenant, new_id(), data, actor=actor(principal), name=body.name))


def update_endpoint(
    store: Store,
    backend: AutoMLBackend,
    principal: Principal,
    tenant: str,
    endpoint_id: str,
    body: EndpointUpdate,
    etag: str | None,
) -> Endpoint:
    """`PATCH .../endpoints/{id}`: the record (ETag, known deployments), then the backend, which routes the scoring
    calls; only deployments whose provisioning succeeded may get a share. A backend refusal restores the record."""
    current = ENDPOINTS.get(store, tenant, endpoint_id)
    previous = current.data.traffic
    _check_traffic(store, tenant, endpoint_id, body.traffic or {})
    stored = ENDPOINTS.update(
        store, tenant, endpoint_id, changes_of(body), actor=actor(principal), etag=etag or current.etag, current=current
    )
    if body.traffic is not None:
        try:
            backend.get_endpoint(tenant, backend_endpoint(tenant, endpoint_id))
        except NotFound:
            return ENDPOINT.of(stored)  # no deployment was ever provisioned: nothing routes through it yet
        try:
            backend.set_traffic(tenant, backend_endpoint(tenant, endpoint_id), dict(body.traffic))
        except Exception:
            ENDPOINTS.update(store, tenant, endpoint_id, {"traffic": previous}, actor="system")
            raise
    return ENDPOINT.of(stored)


def _check_traffic(store: Store, tenant: str, endpoint_id: str, traffic: dict[str, int]) -> None:
    """Every deployment named must exist; one that gets a share must have been provisioned."""
    if not traffic:
        return
    deployments, _ = DEPLOYMENTS.list(store, tenant, parent_id=endpoint_id, top=100)
    states = {d.id: d.data.state for d in deployments}
    for name, share in traffic.items():
        state = states.get(name)
        if state is not None and share > 0 and state is not ProvisioningState.SUCCEEDED:
            raise ValidationFailed(f"Deployment '{name}' is {state.value}; it cannot take traffic.", target="traffic")
    unknown = sorted(set(traffic) - set(states))
    if unknown:
        raise ValidationFailed(f"No such deployments: {', '.join(unknown)}.", target="traffic")


def score(
    store: Store, backend: AutoMLBackend, tenant: str, endpoint_id: str, rows: list[ScoreRow], deployment: str | None
) -> list[Prediction]:
    endpoint = ENDPOINTS.get(store, tenant, endpoint_id)
    if not endpoint.data.traffic and deployment is None:
        raise ValidationFailed("The endpoint has no live deployment yet.", target="endpoint")
    return backend.score(tenant, backend_endpoint(tenant, endpoint_id), rows, deployment=deployment)
