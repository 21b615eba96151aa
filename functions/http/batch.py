"""Batch scoring jobs (`POST .../models/{id}:batchScore`, `.../batchJobs`) and explanations of runs and models."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import azure.durable_functions as df

from domain.settings import get_settings
from functions import _wiring
from functions._api import Call, endpoint
from functions._io import Reply, accepted, no_content, ok, page
from functions._lazy import lazy
from functions.orchestrations import starters

if TYPE_CHECKING:
    from domain.entities import batch as batch_types
    from domain.services import batch, batch_output, explanations
else:
    batch_types = lazy("domain.entities.batch")
    batch = lazy("domain.services.batch")
    batch_output = lazy("domain.services.batch_output")
    explanations = lazy("domain.services.explanations")

bp = df.Blueprint()
T = "v1/tenants/{tenant}"
B = f"{T}/batchJobs"
NO_STORE = "no-store"  # the answer holds a URL that reads the file: no cache keeps it


@endpoint(
    bp,
    "POST",
    f"{T}/models/{{id}}:batchScore",
    permission="batch.write",
    summary="Score a dataset version with the model: a batch job (its CSV: the input columns, the prediction and, "
    "for classification, one probability per class)",
    body=lambda: batch_types.BatchScoreRequest,
    response=lambda: batch_types.BatchJob,
    status=202,
    errors=(429,),
    durable=True,
    tag="batch",
)
async def start_batch_score(call: Call) -> Reply:
    job = await asyncio.to_thread(batch.submit, _wiring.store(), call.user, call.tenant, call.params["id"], call.body)
    await starters.start_batch_score(call.client, call.tenant, job.id)
    return accepted(job, call.path(f"operations/{job.id}"), location=call.path(f"batchJobs/{job.id}"))


@endpoint(
    bp,
    "GET",
    B,
    permission="batch.read",
    summary="List batch jobs (filter by model, status)",
    query=lambda: batch_types.BatchJobsQuery,
    response=lambda: list[batch_types.BatchJob],
    tag="batch",
)
def list_batch_jobs(call: Call) -> Reply:
    items, token = batch.list_batch_jobs(_wiring.store(), call.tenant, call.query)
    return page(items, token, call.req)


@endpoint(
    bp,
    "GET",
    f"{B}/{{id}}",
    permission="batch.read",
    summary="Read a batch job: status, progress",
    response=lambda: batch_types.BatchJob,
    tag="batch",
)
def get_batch_job(call: Call) -> Reply:
    return ok(batch.get_batch_job(_wiring.store(), call.tenant, call.params["id"]))


@endpoint(
    bp,
    "GET",
    f"{B}/{{id}}/output",
    permission="batch.read",
    summary="Download a Completed batch job's CSV: 303 to a read-only Blob Storage URL valid 15 minutes, which "
    "answers the file (follow it without the Authorization header; 409 before Completed)",
    status=303,
    errors=(409,),
    tag="batch",
    response_headers=("Cache-Control",),
)
def get_batch_output(call: Call) -> Reply:
    link = batch_output.output_link(_wiring.store(), _wiring.blobs(), call.tenant, call.params["id"])
    return Reply(status=303, headers={"Location": link.url, "Cache-Control": NO_STORE})


@endpoint(
    bp,
    "GET",
    f"{B}/{{id}}/outputLink",
    permission="batch.read",
    summary="A read-only URL of a Completed batch job's CSV, valid 15 minutes, to download without the token (a "
    "browser navigates to it; 409 before Completed)",
    response=lambda: batch_types.BatchOutputLink,
    errors=(409,),
    tag="batch",
    response_headers=("Cache-Control",),
)
def get_batch_output_link(call: Call) -> Reply:
    link = batch_output.output_link(_wiring.store(), _wiring.blobs(), call.tenant, call.params["id"])
    return ok(link, headers={"Cache-Control": NO_STORE})


@endpoint(
    bp,
    "DELETE",
    f"{B}/{{id}}",
    permission="batch.write",
    summary="Delete a batch job (stopped if it runs) and its CSV",
    status=204,
    errors=(412,),
    tag="batch",
)
def delete_batch_job(call: Call) -> Reply:
    container = get_settings().datasets_container
    store, backend, blobs = _wiring.store(), _wiring.backend(), _wiring.blobs()
    batch.delete_batch_job(store, backend, blobs, container, call.user, call.tenant, call.params["id"], call.if_match)
    return no_content()


@endpoint(
    bp,
    "GET",
    f"{T}/runs/{{id}}/explanation",
    permission="run.read",
    summary="Global feature importance of the run's best model, per column of the dataset, most important first",
    response=lambda: batch_types.Explanation,
    errors=(409,),
    tag="runs",
)
def get_run_explanation(call: Call) -> Reply:
    return ok(explanations.run_explanation(_wiring.store(), _wiring.backend(), call.tenant, call.params["id"]))


@endpoint(
    bp,
    "GET",
    f"{T}/models/{{id}}/explanation",
    permission="model.read",
    summary="Global feature importance of the model, per column of the dataset, most important first",
    response=lambda: batch_types.Explanation,
    errors=(409,),
    tag="models",
)
def get_model_explanation(call: Call) -> Reply:
    return ok(explanations.model_explanation(_wiring.store(), _wiring.backend(), call.tenant, call.params["id"]))
