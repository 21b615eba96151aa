"""A sample v2 app for the devhost's tests: every trigger kind the devhost serves or hands over."""

from __future__ import annotations

import json
import os
import threading

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
CALLS: list[dict[str, object]] = []


def _json(value: object, status: int = 200) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(value), status_code=status, mimetype="application/json")


@app.route(route="hello/{name?}", methods=["GET"])
def hello(req: func.HttpRequest) -> func.HttpResponse:
    name = req.route_params.get("name", "world")
    return func.HttpResponse(f"hello {name}", headers={"X-Thread": threading.current_thread().name})


@app.route(route="echo", methods=["POST", "PUT"])
async def echo(req: func.HttpRequest) -> func.HttpResponse:
    body = {
        "method": req.method,
        "url": req.url,
        "params": dict(req.params),
        "header": req.headers.get("x-test"),
        "body": req.get_body().decode(),
        "thread": threading.current_thread().name,
    }
    return _json(body, status=201)


@app.route(route="items/{id:int}", methods=["GET"])
def item_by_id(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"route": "by_id", "params": dict(req.route_params)})


@app.route(route="items/latest", methods=["GET"])
def item_latest(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"route": "latest", "params": dict(req.route_params)})


@app.route(route="items/{name}", methods=["GET"])
def item_by_name(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"route": "by_name", "params": dict(req.route_params)})


@app.route(route="files/{*rest}")
def files(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"rest": req.route_params.get("rest"), "method": req.method})


@app.route(route="cookies")
def cookies(req: func.HttpRequest) -> func.HttpResponse:
    resp = func.HttpResponse("ok", headers={"X-Custom": "1"})
    resp.headers.add("Set-Cookie", "a=1")
    resp.headers.add("Set-Cookie", "b=2")
    return resp


@app.route(route="enqueue", methods=["POST"])
@app.queue_output(arg_name="msg", queue_name="work", connection="AzureWebJobsStorage")
def enqueue(req: func.HttpRequest, msg: func.Out[str]) -> func.HttpResponse:
    msg.set(req.get_body().decode())
    return func.HttpResponse("queued", status_code=202)


@app.route(route="secret", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
def secret(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("key accepted")


@app.route(route="boom")
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("kaboom")


@app.route(route="calls", methods=["GET"])
def calls(req: func.HttpRequest) -> func.HttpResponse:
    return _json(CALLS)


@app.route(route="env/{name}", methods=["GET"])
def env(req: func.HttpRequest) -> func.HttpResponse:
    return _json({"value": os.environ.get(req.route_params["name"])})


@app.timer_trigger(schedule="%TICK_SCHEDULE%", arg_name="timer")
def tick(timer: func.TimerRequest) -> None:
    CALLS.append({"fn": "tick", "past_due": timer.past_due})


@app.timer_trigger(schedule="0 0 9 1-7 * Mon", arg_name="timer")
def first_monday(timer: func.TimerRequest) -> None:
    CALLS.append({"fn": "first_monday", "past_due": timer.past_due})


@app.timer_trigger(schedule="0 0 0 * * *", arg_name="timer", run_on_startup=True)
async def nightly(timer: func.TimerRequest) -> None:
    CALLS.append({"fn": "nightly", "past_due": timer.past_due})


@app.event_grid_trigger(arg_name="event")
def on_event(event: func.EventGridEvent) -> None:  # the worker refuses a union annotation; CloudEvents arrive too
    kind = "cloudevent" if isinstance(event, func.CloudEvent) else "eventgrid"
    subject = event.subject
    if subject == "boom":
        raise ValueError(f"bad event {event.id}")
    CALLS.append({"fn": "on_event", "kind": kind, "id": event.id, "subject": subject})


@app.orchestration_trigger(context_name="context")
def hello_orchestrator(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    result = yield context.call_activity("say_hello", context.get_input())
    return result


@app.activity_trigger(input_name="name")
def say_hello(name: str) -> str:
    return f"Hello {name}"


@app.route(route="orchestrators/hello", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start_hello(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id = await client.start_new("hello_orchestrator", client_input=req.params.get("name", "you"))
    return client.create_check_status_response(req, instance_id)
