"""Starting orchestrations and raising their events: the one place that knows each orchestration's name, instance
id and typed input. HTTP handlers, the Event Grid handler and the reconciliation timer call these; the inputs are the
activity inputs of `names.py` (the same dict crosses the durable boundary as JSON).

| orchestration | instance id | input |
|---|---|---|
| `training` | run id | `TrainingInput` (a `RunJob`, plus the loop's own state after `continue_as_new`) |
| `deployment` | operation id | `OperationJob` |
| `cascade_delete` | operation id | `OperationJob` |
| `batch_score` | batch job id (= its operation's) | `BatchInput` (a `BatchJobRef`, plus the loop's state) |
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import aiohttp
import azure.durable_functions as df

from domain.errors import Unavailable
from functions import _wiring
from functions._lazy import lazy
from functions.orchestrations import names

if TYPE_CHECKING:
    from pydantic import JsonValue

    from domain.entities.operations import Operation
    from domain.entities.principal import Principal
    from domain.services import batch, cascade, deployments
else:
    batch = lazy("domain.services.batch")
    cascade = lazy("domain.services.cascade")
    deployments = lazy("domain.services.deployments")

log = logging.getLogger(__name__)
START_ATTEMPTS = 3  # a pooled connection the host closed meanwhile fails once; the Durable client then opens a new one


async def _start_new(client: df.DurableOrchestrationClient, name: str, instance_id: str, job: object) -> None:
    """`client.start_new`, repeated when the connection to the host failed before an answer (the Durable client drops
    its pooled session on such an error, so the next attempt connects afresh); other errors go up as they are."""
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            await client.start_new(name, instance_id, job)
            return
        except aiohttp.ClientConnectionError as exc:
            if attempt == START_ATTEMPTS:
                raise
            log.warning("starting %s %s: %s; trying again", name, instance_id, exc)
            await asyncio.sleep(0.1 * attempt)


class TrainingInput(names.RunJob, total=False):
    """The training orchestration's input: the run, and what the loop carries across `continue_as_new`."""

    submitted: bool  # the job was submitted (an episode started by continue_as_new does not submit it again)
    poll: int  # the current poll interval (seconds)
    cancelled: bool  # a Cancel was handled: it no longer races
    waits: int  # waits per episode (default: WAITS_PER_EPISODE; tests set 1)


class BatchInput(names.BatchJobRef, total=False):
    """The batch orchestration's input: the job, and what the loop carries across `continue_as_new`."""

    started: bool  # the backend has the job
    poll: int  # the current poll interval (seconds)


def batch_job(tenant: str, job_id: str) -> names.BatchJobRef:
    return {"tenant": tenant, "jobId": job_id}


def run_job(tenant: str, run_id: str) -> names.RunJob:
    return {"tenant": tenant, "runId": run_id}


def operation_job(tenant: str, operation_id: str) -> names.OperationJob:
    return {"tenant": tenant, "operationId": operation_id}


async def start_training(client: df.DurableOrchestrationClient, tenant: str, run_id: str) -> None:
    """Start (or, by reconciliation, restart) the run's training orchestration; instance id = run id."""
    await _start_new(client, names.TRAINING, run_id, run_job(tenant, run_id))


async def start_requested_training(client: df.DurableOrchestrationClient, tenant: str, run_id: str) -> None:
    """Start the training orchestration of a run just created by `POST .../runs`. When the host stays unreachable,
    the run is still accepted: it is NotStarted, and reconciliation starts its orchestration (domain/services/
    reconcile.py), so the 202 stays true."""
    try:
        await start_training(client, tenant, run_id)
    except aiohttp.ClientConnectionError as exc:
        log.warning("run %s: its orchestration could not be started (%s); reconciliation will start it", run_id, exc)


def _not_started(what: str, exc: Exception) -> Unavailable:
    return Unavailable(f"The {what} could not be started ({exc}); it is marked Failed. Send the request again.")


async def start_deployment(client: df.DurableOrchestrationClient, tenant: str, operation_id: str) -> None:
    """Start the deployment flow of a `PUT .../deployments/{name}`; instance id = operation id. When the host stays
    unreachable, the deployment and its operation are marked Failed (nothing would ever move them) and the call
    answers 503 with Retry-After: a repeated PUT starts a new flow."""
    try:
        await _start_new(client, names.DEPLOYMENT, operation_id, operation_job(tenant, operation_id))
    except aiohttp.ClientConnectionError as exc:
        error = f"the deployment flow could not be started: {exc}"
        await asyncio.to_thread(deployments.fail, _wiring.store(), _wiring.backend(), tenant, operation_id, error)
        raise _not_started("deployment flow", exc) from exc


async def start_batch_score(client: df.DurableOrchestrationClient, tenant: str, job_id: str) -> None:
    """Start the batch scoring flow of a `POST .../models/{id}:batchScore`; instance id = batch job id. When the host
    stays unreachable, the job is marked Failed and the call answers 503 with Retry-After."""
    try:
        await _start_new(client, names.BATCH_SCORE, job_id, batch_job(tenant, job_id))
    except aiohttp.ClientConnectionError as exc:
        error = f"the batch scoring flow could not be started: {exc}"
        await asyncio.to_thread(batch.fail, _wiring.store(), tenant, job_id, error)
        raise _not_started("batch scoring flow", exc) from exc


async def start_delete(
    client: df.DurableOrchestrationClient, principal: Principal, tenant: str, kind: str, ident: str, etag: str | None
) -> Operation:
    """Tombstone the root (the cascade service: NotFound / 412 before anything is written), then start the cascade
    orchestration (instance id = operation id) that removes its children page by page."""
    op = await asyncio.to_thread(cascade.start_delete, _wiring.store(), principal, tenant, kind, ident, etag)
    try:
        await _start_new(client, names.CASCADE_DELETE, op.id, operation_job(tenant, op.id))
    except aiohttp.ClientConnectionError as exc:  # the root stays hidden; a repeated DELETE tombstones it again
        error = f"the delete could not be started: {exc}"
        await asyncio.to_thread(cascade.fail_delete, _wiring.store(), tenant, op.id, error)
        raise _not_started("delete", exc) from exc
    return op


async def raise_cancel(client: df.DurableOrchestrationClient, run_id: str, by: str) -> bool:
    """Tell the run's orchestration to cancel; False when it has ended meanwhile (its record says how)."""
    return await _raise(client, run_id, names.CANCEL_EVENT, {"by": by})


async def raise_job_event(client: df.DurableOrchestrationClient, run_id: str, payload: dict[str, JsonValue]) -> bool:
    """Hand a job event (Event Grid, or reconciliation's nudge) to the run's orchestration; False when it has ended."""
    return await _raise(client, run_id, names.JOB_EVENT, payload)


async def _raise(
    client: df.DurableOrchestrationClient, instance_id: str, event: str, data: dict[str, JsonValue]
) -> bool:
    try:
        await client.raise_event(instance_id, event, data)
    except Exception as exc:  # the SDK raises a bare Exception for 404/410
        if not names.instance_gone(exc):
            raise
        log.info("%s for %s: its orchestration has ended", event, instance_id)
        return False
    return True
