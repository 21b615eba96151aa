"""The same activity annotated with a plain `dict`, which the worker accepts: an orchestration runs it."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.orchestration_trigger(context_name="context")
def greeting(context: df.DurableOrchestrationContext) -> Generator[Any, Any, Any]:
    return (yield context.call_activity("greet", context.get_input()))


@app.activity_trigger(input_name="job")
def greet(job: dict) -> str:  # type: ignore[type-arg]
    return f"hello {job['name']}"


@app.route(route="greetings", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id = await client.start_new("greeting", client_input=req.get_json())
    return client.create_check_status_response(req, instance_id)
