"""Managed online endpoints and deployments, traffic and scoring.

Long operations are started and not awaited (`begin_*`): callers poll `get_endpoint`/`get_deployment` (the
deployment orchestration does). Endpoint names are unique per Azure region, so the Azure name is derived from
(tenant, endpoint) and the tenant tag is checked on every read.
"""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest

from domain.automl.azureml import naming
from domain.automl.azureml.client import Workspace
from domain.automl.azureml.errors import azure_errors
from domain.entities.automl import DeploymentState, EndpointState, ModelRef, ProvisioningState
from domain.errors import NotFound, ValidationFailed

ENDPOINT, DEPLOYMENT = "endpoint", "deployment"
_STATES = {s.value.lower(): s for s in ProvisioningState} | {"canceled": ProvisioningState.FAILED}


def state_of(value: Any) -> ProvisioningState:
    return _STATES.get(str(value or "").lower(), ProvisioningState.CREATING)


def _endpoint(ws: Workspace, tenant: str, endpoint: str) -> Any:
    name = naming.endpoint_name(tenant, endpoint)
    with azure_errors(ENDPOINT, endpoint):
        found = ws.ml.online_endpoints.get(name)
    if (found.tags or {}).get(naming.TAG_TENANT) != tenant:
        raise NotFound(ENDPOINT, endpoint)
    return found


def to_endpoint_state(endpoint: str, found: Any) -> EndpointState:
    return EndpointState(
        name=endpoint,
        state=state_of(found.provisioning_state),
        scoring_uri=found.scoring_uri,
        traffic={k: int(v) for k, v in (found.traffic or {}).items()},
    )


def get_endpoint(ws: Workspace, tenant: str, endpoint: str) -> EndpointState:
    return to_endpoint_state(endpoint, _endpoint(ws, tenant, endpoint))


def create_or_update_endpoint(ws: Workspace, tenant: str, endpoint: str) -> EndpointState:
    """Create the endpoint (key auth) if absent; an existing one is returned untouched (its traffic is kept)."""
    from azure.ai.ml.entities import ManagedOnlineEndpoint

    try:
        return get_endpoint(ws, tenant, endpoint)
    except NotFound:
        pass
    name = naming.endpoint_name(tenant, endpoint)
    entity = ManagedOnlineEndpoint(
        name=name,
        auth_mode="key",
        description=f"endpoint {endpoint} of tenant {tenant}",
        tags={naming.TAG_APP: naming.APP, naming.TAG_TENANT: tenant, naming.TAG_ENDPOINT: endpoint},
    )
    with azure_errors(ENDPOINT, endpoint, creating=True):
        ws.ml.online_endpoints.begin_create_or_update(entity)
    return EndpointState(name=endpoint, state=ProvisioningState.CREATING)


def set_traffic(ws: Workspace, tenant: str, endpoint: str, traffic: dict[str, int]) -> EndpointState:
    if any(v < 0 or v > 100 for v in traffic.values()) or sum(traffic.values()) not in (0, 100):
        raise ValidationFailed("traffic shares must be 0-100 and add up to 100.", target="traffic")
    found = _endpoint(ws, tenant, endpoint)
    found.traffic = {naming.deployment_name(k): int(v) for k, v in traffic.items()}
    with azure_errors(ENDPOINT, endpoint, creating=True):
        ws.ml.online_endpoints.begin_create_or_update(found)
    return EndpointState(
        name=endpoint, state=ProvisioningState.UPDATING, scoring_uri=found.scoring_uri, traffic=dict(traffic)
    )


def create_or_update_deployment(
    ws: Workspace,
    tenant: str,
    endpoint: str,
    deployment: str,
    model: ModelRef,
    *,
    instance_type: str,
    instance_count: int,
) -> DeploymentState:
    from azure.ai.ml.entities import ManagedOnlineDeployment

    found = _endpoint(ws, tenant, endpoint)
    entity = ManagedOnlineDeployment(
        name=naming.deployment_name(deployment),
        endpoint_name=found.name,
        model=model.uri,
        instance_type=instance_type,
        instance_count=instance_count,
        tags={naming.TAG_APP: naming.APP, naming.TAG_TENANT: tenant},
    )
    with azure_errors(DEPLOYMENT, deployment, creating=True):
        ws.ml.online_deployments.begin_create_or_update(entity)
    return DeploymentState(endpoint=endpoint, name=deployment, state=ProvisioningState.CREATING, model=model)


def get_deployment(ws: Workspace, tenant: str, endpoint: str, deployment: str) -> DeploymentState:
    found = _endpoint(ws, tenant, endpoint)
    with azure_errors(DEPLOYMENT, deployment):
        dep = ws.ml.online_deployments.get(naming.deployment_name(deployment), found.name)
    return DeploymentState(
        endpoint=endpoint,
        name=deployment,
        state=state_of(dep.provisioning_state),
        model=_model_ref(dep.model),
    )


def _model_ref(model: Any) -> ModelRef | None:
    """`.../models/<name>/versions/<v>` (what Azure returns) -> ModelRef with the asset name and version."""
    text = str(model or "")
    parts = text.rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "versions" and parts[-4] == "models":
        return ModelRef(name=parts[-3], version=parts[-1], uri=f"azureml:{parts[-3]}:{parts[-1]}")
    return None


def score(
    ws: Workspace, tenant: str, endpoint: str, rows: list[dict[str, Any]], *, deployment: str | None
) -> list[Any]:
    """POST the rows to the scoring URI with the endpoint key, in the MLflow `input_data` split format."""
    found = _endpoint(ws, tenant, endpoint)
    if not found.scoring_uri:
        raise NotFound(ENDPOINT, endpoint, message=f"endpoint '{endpoint}' has no scoring URI yet.")
    with azure_errors(ENDPOINT, endpoint):
        key = ws.ml.online_endpoints.get_keys(found.name).primary_key
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    body = {
        "input_data": {
            "columns": columns,
            "index": list(range(len(rows))),
            "data": [[r.get(c) for c in columns] for r in rows],
        }
    }
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    if deployment:
        headers["azureml-model-deployment"] = naming.deployment_name(deployment)
    with azure_errors(ENDPOINT, endpoint, creating=True):
        response = ws.scoring_pipeline().send_request(
            HttpRequest("POST", found.scoring_uri, json=body, headers=headers)
        )
        if response.status_code >= 400:
            raise HttpResponseError(response=response)
        result = response.json()
    predictions = result.get("predictions", result) if isinstance(result, dict) else result
    return list(predictions)


def delete_deployment(ws: Workspace, tenant: str, endpoint: str, deployment: str) -> None:
    try:
        found = _endpoint(ws, tenant, endpoint)
        with azure_errors(DEPLOYMENT, deployment):
            ws.ml.online_deployments.begin_delete(naming.deployment_name(deployment), found.name)
    except NotFound:
        return


def delete_endpoint(ws: Workspace, tenant: str, endpoint: str) -> None:
    try:
        found = _endpoint(ws, tenant, endpoint)
        with azure_errors(ENDPOINT, endpoint):
            ws.ml.online_endpoints.begin_delete(found.name)
    except NotFound:
        return
