"""Runs: list, read, delete, and the leaderboard (starting and cancelling runs belong to the training flow)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import azure.durable_functions as df

from domain.entities.operations import Operation
from domain.entities.queries import RunsQuery, TrialsQuery
from domain.entities.runs import Run, TrialModel
from functions import _wiring
from functions._api import Call, endpoint
from functions._io import Reply, accepted, ok, page
from functions._lazy import lazy
from functions.orchestrations import starters

if TYPE_CHECKING:
    from domain.services import runs
else:
    runs = lazy("domain.services.runs")

bp = df.Blueprint()
R = "v1/tenants/{tenant}/runs"


@endpoint(
    bp,
    "GET",
    R,
    permission="run.read",
    summary="List runs (filter by experimentId, status)",
    query=RunsQuery,
    response=list[Run],
    tag="runs",
)
def list_runs(call: Call) -> Reply:
    items, token = runs.list_runs(_wiring.store(), call.tenant, call.query)
    return page(items, token, call.req)


@endpoint(
    bp,
    "GET",
    f"{R}/{{id}}",
    permission="run.read",
    summary="Read a run: status, progress, best trial",
    response=Run,
    tag="runs",
)
def get_run(call: Call) -> Reply:
    return ok(runs.get_run(_wiring.store(), call.tenant, call.params["id"]))


@endpoint(
    bp,
    "DELETE",
    f"{R}/{{id}}",
    permission="run.delete",
    summary="Delete a run and its trials",
    response=Operation,
    status=202,
    errors=(412,),
    durable=True,
    tag="runs",
)
async def delete_run(call: Call) -> Reply:
    op = await starters.start_delete(call.client, call.user, call.tenant, "run", call.params["id"], call.if_match)
    return accepted(op, call.path(f"operations/{op.id}"))


@endpoint(
    bp,
    "GET",
    f"{R}/{{id}}/trials",
    permission="run.read",
    summary="The leaderboard: best first by the primary metric, or sorted by any recorded metric (orderby)",
    query=TrialsQuery,
    response=list[TrialModel],
    tag="runs",
)
def list_trials(call: Call) -> Reply:
    items, token = runs.leaderboard(_wiring.store(), call.tenant, call.params["id"], call.query)
    return page(items, token, call.req)
