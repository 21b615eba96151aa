"""Experiments."""

from __future__ import annotations

from typing import TYPE_CHECKING

import azure.durable_functions as df

from functions import _wiring
from functions._api import Call, endpoint
from functions._io import Reply, accepted, created, ok, page
from functions._lazy import lazy
from functions.orchestrations import starters

if TYPE_CHECKING:
    from domain.entities import experiments as experiments_types
    from domain.entities import operations as operations_types
    from domain.entities import queries as queries_types
    from domain.services import experiments
else:
    experiments_types = lazy("domain.entities.experiments")
    operations_types = lazy("domain.entities.operations")
    queries_types = lazy("domain.entities.queries")
    experiments = lazy("domain.services.experiments")

bp = df.Blueprint()
E = "v1/tenants/{tenant}/experiments"


@endpoint(
    bp,
    "POST",
    E,
    permission="experiment.write",
    summary="Create an experiment",
    body=lambda: experiments_types.ExperimentCreate,
    response=lambda: experiments_types.Experiment,
    status=201,
    errors=(409,),
    tag="experiments",
)
def create_experiment(call: Call) -> Reply:
    exp = experiments.create_experiment(_wiring.store(), call.user, call.tenant, call.body)
    return created(exp, call.path(f"experiments/{exp.id}"))


@endpoint(
    bp,
    "GET",
    E,
    permission="experiment.read",
    summary="List experiments (filter by name prefix, dataset)",
    query=lambda: queries_types.ExperimentsQuery,
    response=lambda: list[experiments_types.Experiment],
    tag="experiments",
)
def list_experiments(call: Call) -> Reply:
    items, token = experiments.list_experiments(_wiring.store(), call.tenant, call.query)
    return page(items, token, call.req)


@endpoint(
    bp,
    "GET",
    f"{E}/{{id}}",
    permission="experiment.read",
    summary="Read an experiment",
    response=lambda: experiments_types.Experiment,
    tag="experiments",
)
def get_experiment(call: Call) -> Reply:
    return ok(experiments.get_experiment(_wiring.store(), call.tenant, call.params["id"]))


@endpoint(
    bp,
    "PATCH",
    f"{E}/{{id}}",
    permission="experiment.write",
    summary="Change an experiment (a JSON merge patch: nested objects are merged)",
    body=lambda: experiments_types.ExperimentUpdate,
    response=lambda: experiments_types.Experiment,
    errors=(412,),
    tag="experiments",
)
def update_experiment(call: Call) -> Reply:
    return ok(
        experiments.update_experiment(
            _wiring.store(), call.user, call.tenant, call.params["id"], call.body, call.if_match
        )
    )


@endpoint(
    bp,
    "DELETE",
    f"{E}/{{id}}",
    permission="experiment.write",
    summary="Delete an experiment and its runs",
    response=lambda: operations_types.Operation,
    status=202,
    errors=(412,),
    durable=True,
    tag="experiments",
)
async def delete_experiment(call: Call) -> Reply:
    op = await starters.start_delete(
        call.client, call.user, call.tenant, "experiment", call.params["id"], call.if_match
    )
    return accepted(op, call.path(f"operations/{op.id}"))
