"""Runs: list, read, delete, and the leaderboard (starting and cancelling runs belong to the training flow)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import azure.durable_functions as df

from functions import _wiring
from functions._api import Call, endpoint
from functions._io import Reply, accepted, ok, page
from functions._lazy import lazy
from functions.orchestrations import starters

if TYPE_CHECKING:
    from domain.entities import operations as operations_types
    from domain.entities import queries as queries_types
    from domain.entities import runs as runs_types
    from domain.services import runs
else:
    operations_types = lazy("domain.entities.operations")
    queries_types = lazy("domain.entities.queries")
    runs_types = lazy("domain.entities.runs")
    runs = lazy("domain.services.runs")

bp = df.Blueprint()
R = "v1/tenants/{tenant}/runs"


@endpoint(
    bp,
    "GET",
    R,
    permission="run.read",
    summary="List runs (filter by experimentId, status)",
    query=lambda: queries_types.RunsQuery,
    response=lambda: list[runs_types.Run],
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
    response=lambda: runs_types.Run,
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
    response=lambda: operations_types.Operation,
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
    query=lambda: queries_types.TrialsQuery,
    response=lambda: list[runs_types.TrialModel],
    tag="runs",
)
def list_trials(call: Call) -> Reply:
    items, token = runs.leaderboard(_wiring.store(), call.tenant, call.params["id"], call.query)
    return page(items, token, call.req)
