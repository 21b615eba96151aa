"""Online endpoints: the record (name, traffic split), its twin in the AutoML backend, and scoring. Deployments
behind an endpoint and the flow that provisions them: `deployments.py`.

Scoring picks the deployment itself (by the traffic split, or the one the caller names) and asks the backend for
that deployment, as Azure ML does with the `azureml-model-deployment` header: so the answer can say which deployment
answered, locally and in Azure alike."""

from __future__ import annotations

import hashlib
import random

from domain.entities.automl import Prediction, ProvisioningState, ScoreRow
from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.entities.serving import Endpoint, EndpointCreate, EndpointUpdate
from domain.errors import Conflict, ErrorDetail, NotFound, ValidationFailed
from domain.ports import AutoMLBackend, Store
from domain.records.kind import Stored
from domain.records.kinds import DEPLOYMENTS, ENDPOINTS, EndpointData
from domain.services._views import View, actor


class EndpointView(View[EndpointData, Endpoint]):
    """`scoringUri`: the API's own scoring route, once a deployment takes traffic (the backend's address is not the
    caller's business: scoring goes through the API, with its tokens and tenants)."""

    def of(self, stored: Stored[EndpointData], **extra: object) -> Endpoint:
        live = any(share > 0 for share in stored.data.traffic.values())
        uri = f"/api/v1/tenants/{stored.record.tenant}/endpoints/{stored.id}:score" if live else None
        return super().of(stored, **({"scoring_uri": uri} | extra))


ENDPOINT = EndpointView(ENDPOINTS, Endpoint)
# reading and listing a page: the same for every resource (`View`, domain/services/_views.py)
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
    """`PATCH .../endpoints/{id}`: a merge patch of the record (`traffic: {"green": 10, "blue": 90}` changes those
    two shares), then the backend, which routes the scoring calls; only deployments whose provisioning succeeded
    may get a share. A backend refusal restores the record."""

    def check(current: Stored[EndpointData], changes: dict[str, object]) -> None:
        traffic = changes.get("traffic")
        if isinstance(traffic, dict):
            check_traffic(store, tenant, endpoint_id, {str(k): int(v) for k, v in traffic.items()})

    previous = ENDPOINTS.get(store, tenant, endpoint_id).data.traffic
    stored = ENDPOINT.merge(store, principal, tenant, endpoint_id, body, etag, check=check)
    if body.traffic is not None and stored.data.traffic != previous:
        try:
            backend.get_endpoint(tenant, backend_endpoint(tenant, endpoint_id))
        except NotFound:
            return ENDPOINT.of(stored)  # no deployment was ever provisioned: nothing routes through it yet
        try:
            backend.set_traffic(tenant, backend_endpoint(tenant, endpoint_id), dict(stored.data.traffic))
        except Exception:
            ENDPOINTS.update(store, tenant, endpoint_id, {"traffic": previous}, actor="system")
            raise
    return ENDPOINT.of(stored)


def check_traffic(store: Store, tenant: str, endpoint_id: str, traffic: dict[str, int]) -> None:
    """The merged split: shares sum to 100 (or to 0: nothing live); every deployment named exists (400), and one
    that gets a share has been provisioned (409: its state refuses it)."""
    if not traffic:
        return
    if sum(traffic.values()) not in (0, 100):
        raise ValidationFailed(
            f"The traffic shares add up to {sum(traffic.values())}; they must add up to 100 (or 0).", target="traffic"
        )
    deployments, _ = DEPLOYMENTS.list(store, tenant, parent_id=endpoint_id, top=100)
    states = {d.id: d.data.state for d in deployments}
    unknown = sorted(set(traffic) - set(states))
    if unknown:
        details = [ErrorDetail("NotFound", "no such deployment on this endpoint", f"traffic.{n}") for n in unknown]
        raise ValidationFailed(f"No such deployments: {', '.join(unknown)}.", target="traffic", details=details)
    for name, share in traffic.items():
        state = states[name]
        if share > 0 and state is not ProvisioningState.SUCCEEDED:
            raise Conflict(f"Deployment '{name}' is {state.value}; it cannot take traffic.", target=f"traffic.{name}")


def pick_deployment(traffic: dict[str, int], rng: random.Random | None = None) -> str | None:
    """A deployment drawn by its share of the traffic (None when nothing takes traffic)."""
    live = [(name, share) for name, share in sorted(traffic.items()) if share > 0]
    if not live:
        return None
    names, weights = zip(*live, strict=True)
    chosen: str = (rng or random).choices(names, weights=weights)[0]
    return chosen


def score(
    store: Store, backend: AutoMLBackend, tenant: str, endpoint_id: str, rows: list[ScoreRow], deployment: str | None
) -> tuple[list[Prediction], str]:
    """Predictions for `rows` and the deployment that made them (the one named, else one drawn by traffic)."""
    endpoint = ENDPOINTS.get(store, tenant, endpoint_id)
    chosen = deployment or pick_deployment(endpoint.data.traffic)
    if chosen is None:
        raise Conflict("The endpoint has no live deployment yet.", target="endpoint")
    if deployment is not None:
        DEPLOYMENTS.get(store, tenant, deployment, parent_id=endpoint_id)  # NotFound: 404 naming the deployment
    predictions = backend.score(tenant, backend_endpoint(tenant, endpoint_id), rows, deployment=chosen)
    return predictions, chosen
