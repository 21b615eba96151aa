"""An app Azure's Python worker refuses: an activity parameter annotated with a parameterised builtin."""

from __future__ import annotations

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="ping", methods=["GET"])
def ping(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("pong")


@app.activity_trigger(input_name="job")
def greet(job: dict[str, str]) -> str:
    return f"hello {job['name']}"
