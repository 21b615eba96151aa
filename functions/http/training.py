"""Starting and cancelling runs, and reading their metric history and logs."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import azure.durable_functions as df

from functions import _wiring
from functions._api import Call, endpoint
from functions._io import Reply, accepted, page
from functions._lazy import lazy
from functions.orchestrations import starters

if TYPE_CHECKING:
    from domain.entities import queries as queries_types
    from domain.entities import runs as runs_types
    from domain.services import runs, training
else:
    queries_types = lazy("domain.entities.queries")
    runs_types = lazy("domain.entities.runs")
    runs = lazy("domain.services.runs")
    training = lazy("domain.services.training")

bp = df.Blueprint()
T = "v1/tenants/{tenant}"


@endpoint(
    bp,
    "POST",
    f"{T}/experiments/{{id}}/runs",
    permission="run.start",
    summary="Start a training run (Idempotency-Key header: a repeat answers the same run, 200, and starts nothing)",
    response=lambda: runs_types.Run,
    status=202,
    also=(200,),
    errors=(429,),
    durable=True,
    headers=("Idempotency-Key",),
    tag="runs",
)
async def start_run(call: Call) -> Reply:
    key = call.req.headers.get("idempotency-key")
    run, created = await asyncio.to_thread(
        training.start_run, _wiring.store(), call.user, call.tenant, call.params["id"], key
    )
    if created:
        await starters.start_requested_training(call.client, call.tenant, run.id)
    operation, location = call.path(f"operations/{run.id}"), call.path(f"runs/{run.id}")
    return accepted(run, operation, status=202 if created else 200, location=location)


@endpoint(
    bp,
    "POST",
    f"{T}/runs/{{id}}:cancel",
    permission="run.cancel",
    summary="Cancel a run",
    response=lambda: runs_types.Run,
    status=202,
    errors=(409,),
    durable=True,
    tag="runs",
)
async def cancel_run(call: Call) -> Reply:
    run = await asyncio.to_thread(training.request_cancel, _wiring.store(), call.user, call.tenant, call.params["id"])
    await starters.raise_cancel(call.client, run.id, call.user.user_id)  # ended meanwhile: its record says how
    return accepted(run, call.path(f"operations/{run.id}"), location=call.path(f"runs/{run.id}"))


@endpoint(
    bp,
    "GET",
    f"{T}/runs/{{id}}/metrics",
    permission="run.read",
    summary="Metric history, paged",
    query=lambda: queries_types.MetricsQuery,
    response=lambda: list[runs_types.MetricPointModel],
    tag="runs",
)
def list_metrics(call: Call) -> Reply:
    q = call.query
    store, series = _wiring.store(), _wiring.series()
    points, token = runs.metric_page(store, series, call.tenant, call.params["id"], q.name, q.top, q.continuation)
    return page(points, token, call.req)


@endpoint(
    bp,
    "GET",
    f"{T}/runs/{{id}}/logs",
    permission="run.read",
    summary="Log lines after a sequence number (nextLink continues after the last line returned)",
    query=lambda: queries_types.LogsQuery,
    response=lambda: list[runs_types.LogLineModel],
    tag="runs",
)
def list_logs(call: Call) -> Reply:
    q = call.query
    lines, after = runs.log_page(_wiring.store(), _wiring.series(), call.tenant, call.params["id"], q.after, q.top)
    return page(lines, None, call.req, next_query={"after": str(after)} if after is not None else None)
