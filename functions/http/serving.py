"""Models, endpoints and deployments."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import azure.durable_functions as df

from domain.settings import get_settings
from functions import _wiring
from functions._api import Call, endpoint
from functions._io import SCORED_BY, Reply, accepted, created, no_content, ok, page
from functions._lazy import lazy
from functions.orchestrations import starters

if TYPE_CHECKING:
    from domain.entities import operations as operations_types
    from domain.entities import queries as queries_types
    from domain.entities import serving as serving_types
    from domain.services import batch, deployments, endpoints, models
else:
    operations_types = lazy("domain.entities.operations")
    queries_types = lazy("domain.entities.queries")
    serving_types = lazy("domain.entities.serving")
    batch = lazy("domain.services.batch")
    deployments = lazy("domain.services.deployments")
    endpoints = lazy("domain.services.endpoints")
    models = lazy("domain.services.models")

bp = df.Blueprint()
M = "v1/tenants/{tenant}/models"
EP = "v1/tenants/{tenant}/endpoints"


@endpoint(
    bp,
    "POST",
    M,
    permission="model.write",
    summary="Register a model (a new version of its name) from a run's best or any trial",
    body=lambda: serving_types.ModelCreate,
    response=lambda: serving_types.Model,
    status=201,
    errors=(409,),
    tag="models",
)
def create_model(call: Call) -> Reply:
    model = models.create_model(_wiring.store(), call.user, call.tenant, call.body)
    return created(model, call.path(f"models/{model.id}"))


@endpoint(
    bp,
    "GET",
    M,
    permission="model.read",
    summary="List models (filter by name, name prefix, run, experiment)",
    query=lambda: queries_types.ModelsQuery,
    response=lambda: list[serving_types.Model],
    tag="models",
)
def list_models(call: Call) -> Reply:
    items, token = models.list_models(_wiring.store(), call.tenant, call.query)
    return page(items, token, call.req)


@endpoint(
    bp,
    "GET",
    f"{M}/{{id}}",
    permission="model.read",
    summary="Read a model",
    response=lambda: serving_types.Model,
    tag="models",
)
def get_model(call: Call) -> Reply:
    return ok(models.get_model(_wiring.store(), call.tenant, call.params["id"]))


@endpoint(
    bp,
    "PATCH",
    f"{M}/{{id}}",
    permission="model.write",
    summary="Change a model's description or tags",
    body=lambda: serving_types.ModelUpdate,
    response=lambda: serving_types.Model,
    errors=(412,),
    tag="models",
)
def update_model(call: Call) -> Reply:
    return ok(models.update_model(_wiring.store(), call.user, call.tenant, call.params["id"], call.body, call.if_match))


@endpoint(
    bp,
    "DELETE",
    f"{M}/{{id}}",
    permission="model.write",
    summary="Delete a model with its batch jobs and their CSVs (refused while deployed)",
    status=204,
    errors=(409, 412),
    tag="models",
)
def delete_model(call: Call) -> Reply:
    container = get_settings().datasets_container
    store, backend, blobs = _wiring.store(), _wiring.backend(), _wiring.blobs()
    batch.delete_model(store, backend, blobs, container, call.user, call.tenant, call.params["id"], call.if_match)
    return no_content()


@endpoint(
    bp,
    "POST",
    EP,
    permission="endpoint.write",
    summary="Create an online endpoint",
    body=lambda: serving_types.EndpointCreate,
    response=lambda: serving_types.Endpoint,
    status=201,
    errors=(409,),
    tag="endpoints",
)
def create_endpoint(call: Call) -> Reply:
    ep = endpoints.create_endpoint(_wiring.store(), call.user, call.tenant, call.body)
    return created(ep, call.path(f"endpoints/{ep.id}"))


@endpoint(
    bp,
    "GET",
    EP,
    permission="endpoint.read",
    summary="List endpoints (filter by name prefix)",
    query=lambda: queries_types.NamedListQuery,
    response=lambda: list[serving_types.Endpoint],
    tag="endpoints",
)
def list_endpoints(call: Call) -> Reply:
    items, token = endpoints.list_endpoints(_wiring.store(), call.tenant, call.query)
    return page(items, token, call.req)


@endpoint(
    bp,
    "GET",
    f"{EP}/{{id}}",
    permission="endpoint.read",
    summary="Read an endpoint",
    response=lambda: serving_types.Endpoint,
    tag="endpoints",
)
def get_endpoint(call: Call) -> Reply:
    return ok(endpoints.get_endpoint(_wiring.store(), call.tenant, call.params["id"]))


@endpoint(
    bp,
    "PATCH",
    f"{EP}/{{id}}",
    permission="endpoint.write",
    summary="Change an endpoint (a JSON merge patch: traffic shares merge into the split, which sums to 100)",
    body=lambda: serving_types.EndpointUpdate,
    response=lambda: serving_types.Endpoint,
    errors=(409, 412),
    tag="endpoints",
)
def update_endpoint(call: Call) -> Reply:
    store, backend = _wiring.store(), _wiring.backend()
    return ok(
        endpoints.update_endpoint(store, backend, call.user, call.tenant, call.params["id"], call.body, call.if_match)
    )


@endpoint(
    bp,
    "DELETE",
    f"{EP}/{{id}}",
    permission="endpoint.write",
    summary="Delete an endpoint and its deployments",
    response=lambda: operations_types.Operation,
    status=202,
    errors=(412,),
    durable=True,
    tag="endpoints",
)
async def delete_endpoint(call: Call) -> Reply:
    op = await starters.start_delete(call.client, call.user, call.tenant, "endpoint", call.params["id"], call.if_match)
    return accepted(op, call.path(f"operations/{op.id}"))


@endpoint(
    bp,
    "PUT",
    f"{EP}/{{id}}/deployments/{{name}}",
    permission="endpoint.write",
    summary="Deploy a model version: 201 created, 200 updated (the deployment flow goes on: Operation-Location)",
    body=lambda: serving_types.DeploymentPut,
    response=lambda: serving_types.Deployment,
    status=201,
    also=(200,),
    durable=True,
    long_running=True,
    tag="endpoints",
)
async def put_deployment(call: Call) -> Reply:
    ep, name = call.params["id"], call.params["name"]
    dep, op, was_created = await asyncio.to_thread(
        deployments.start, _wiring.store(), call.user, call.tenant, ep, name, call.body
    )
    await starters.start_deployment(call.client, call.tenant, op.id)
    location = call.path(f"endpoints/{ep}/deployments/{name}")
    return accepted(dep, call.path(f"operations/{op.id}"), status=201 if was_created else 200, location=location)


@endpoint(
    bp,
    "GET",
    f"{EP}/{{id}}/deployments",
    permission="endpoint.read",
    summary="List an endpoint's deployments, failed ones included (filter by state)",
    query=lambda: queries_types.DeploymentsQuery,
    response=lambda: list[serving_types.Deployment],
    tag="endpoints",
)
def list_deployments(call: Call) -> Reply:
    items, token = deployments.list_deployments(_wiring.store(), call.tenant, call.params["id"], call.query)
    return page(items, token, call.req)


@endpoint(
    bp,
    "POST",
    f"{EP}/{{id}}:score",
    permission="endpoint.score",
    summary="Score rows through the endpoint (the azureml-model-deployment header names the deployment)",
    body=lambda: serving_types.ScoreRequest,
    response=lambda: serving_types.ScoreResponse,
    errors=(409, 502),
    response_headers=(SCORED_BY,),
    tag="endpoints",
)
def score(call: Call) -> Reply:
    predictions, deployment = endpoints.score(
        _wiring.store(), _wiring.backend(), call.tenant, call.params["id"], call.body.rows, call.body.deployment
    )
    body = serving_types.ScoreResponse(predictions=predictions, deployment=deployment)
    return ok(body, headers={SCORED_BY: deployment})


@endpoint(
    bp,
    "GET",
    f"{EP}/{{id}}/deployments/{{name}}",
    permission="endpoint.read",
    summary="Read a deployment",
    response=lambda: serving_types.Deployment,
    tag="endpoints",
)
def get_deployment(call: Call) -> Reply:
    return ok(deployments.get_deployment(_wiring.store(), call.tenant, call.params["id"], call.params["name"]))


@endpoint(
    bp,
    "DELETE",
    f"{EP}/{{id}}/deployments/{{name}}",
    permission="endpoint.write",
    summary="Delete a deployment (refused while it receives traffic)",
    status=204,
    errors=(409, 412),
    tag="endpoints",
)
def delete_deployment(call: Call) -> Reply:
    deployments.delete_deployment(
        _wiring.store(),
        _wiring.backend(),
        call.user,
        call.tenant,
        call.params["id"],
        call.params["name"],
        call.if_match,
    )
    return no_content()
