"""Sample app for the devhost durable engine tests: orchestrators, activities and a durable-client function.

Activities append one line per call to the file named by DURABLE_APP_SIDE_EFFECTS (when set), so tests can count
side effects across processes. `slow_step(step)` sleeps while the file `$DURABLE_APP_BLOCK.<step>` exists.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
_flaky_calls: dict[str, int] = {}
NONDETERMINISTIC = {"variant": "a"}


def _record(line: str) -> None:
    path = os.environ.get("DURABLE_APP_SIDE_EFFECTS")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


@app.activity_trigger(input_name="name")
def hello(name: str) -> str:
    _record(f"hello {name}")
    return f"Hello {name}!"


@app.activity_trigger(input_name="value")
async def double(value: int) -> int:
    await asyncio.sleep(0)
    return value * 2


@app.activity_trigger(input_name="key")
def flaky(key: str) -> str:
    """Fails until it has been called `int(key.split(':')[1])` times for this key."""
    _flaky_calls[key] = _flaky_calls.get(key, 0) + 1
    if _flaky_calls[key] <= int(key.split(":")[1]):
        raise ValueError(f"flaky failure {_flaky_calls[key]}")
    return f"ok after {_flaky_calls[key]}"


@app.activity_trigger(input_name="step")
def slow_step(step: str) -> str:
    _record(f"start {step}")
    block = os.environ.get("DURABLE_APP_BLOCK")
    while block and Path(f"{block}.{step}").exists():
        time.sleep(0.05)
    _record(f"done {step}")
    return f"{step}-done"


@app.orchestration_trigger(context_name="context")
def chain(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    name = context.get_input() or "x"
    results = []
    for suffix in ("1", "2", "3"):
        results.append((yield context.call_activity("hello", f"{name}{suffix}")))
    return results


@app.orchestration_trigger(context_name="context")
def slow_chain(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    results = []
    for step in ("a", "b", "c"):
        results.append((yield context.call_activity("slow_step", step)))
    return results


@app.orchestration_trigger(context_name="context")
def with_retry(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    options = df.RetryOptions(first_retry_interval_in_milliseconds=5000, max_number_of_attempts=3)
    result = yield context.call_activity_with_retry("flaky", options, context.get_input())
    return result


@app.orchestration_trigger(context_name="context")
def sleeper(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    yield context.create_timer(context.current_utc_datetime + timedelta(hours=1))
    return "woke up"


@app.orchestration_trigger(context_name="context")
def approval(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    context.set_custom_status("waiting")
    event = context.wait_for_external_event("Approval")
    timeout = context.create_timer(context.current_utc_datetime + timedelta(hours=1))
    winner = yield context.task_any([event, timeout])
    if winner == event:
        timeout.cancel()
        return {"approved": event.result}
    return {"approved": None, "timedOut": True}


@app.orchestration_trigger(context_name="context")
def fan_out(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    count = context.get_input() or 5
    values = yield context.task_all([context.call_activity("double", i) for i in range(count)])
    return sum(values)


@app.orchestration_trigger(context_name="context")
def parent(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    first = yield context.call_sub_orchestrator("chain", "kid", f"{context.instance_id}-child")
    total = yield context.call_sub_orchestrator("fan_out", 3)
    return {"chain": first, "fanOut": total}


@app.orchestration_trigger(context_name="context")
def counter(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    state: dict[str, Any] = context.get_input() or {"n": 0}
    context.set_custom_status({"n": state["n"]})
    if state["n"] >= 3:
        return state
    yield context.call_activity("double", state["n"])
    context.continue_as_new({"n": state["n"] + 1})
    return None


@app.orchestration_trigger(context_name="context")
def drifting(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    """Non-deterministic on purpose: the activity it calls depends on a module global."""
    name = "hello" if NONDETERMINISTIC["variant"] == "a" else "double"
    first = yield context.call_activity(name, 1)
    second = yield context.wait_for_external_event("Go")
    return [first, second]


@app.route(route="orchestrators/{name}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def http_start(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id = await client.start_new(req.route_params["name"], None, req.get_json() if req.get_body() else None)
    return client.create_check_status_response(req, instance_id)


@app.orchestration_trigger(context_name="context")
def retry_fan_out(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    options = df.RetryOptions(first_retry_interval_in_milliseconds=1000, max_number_of_attempts=2)
    keys = context.get_input() or []
    results = yield context.task_all([context.call_activity_with_retry("flaky", options, k) for k in keys])
    return results


@app.orchestration_trigger(context_name="context")
def step_then_wait(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    """Runs a (blockable) step, then waits for `Go` and `Done`; events may arrive while the step still runs.

    (Two early events with the *same* name are not used: SDK 1.7 keeps only the last one, azure-functions-durable-python
    issue #507, whichever host runs it.)"""
    step = yield context.call_activity("slow_step", context.get_input())
    go = yield context.wait_for_external_event("Go")
    done = yield context.wait_for_external_event("Done")
    return [step, go, done]


@app.route(route="roundtrip/{id}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def client_roundtrip(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """Starts `approval`, queries it, raises an event to it and terminates it; reports what it saw."""
    instance_id = await client.start_new("approval", req.route_params["id"], {"from": "roundtrip"})
    seen = []
    for _ in range(100):
        status = await client.get_status(instance_id)
        if status.custom_status == "waiting":
            break
        await asyncio.sleep(0.05)
    seen.append(status.runtime_status.value if status.runtime_status else None)
    await client.raise_event(instance_id, "Unrelated", {"note": "kept in the history"})
    await client.terminate(instance_id, "roundtrip done")
    for _ in range(100):
        status = await client.get_status(instance_id, show_history=True)
        if status.runtime_status == df.OrchestrationRuntimeStatus.Terminated:
            break
        await asyncio.sleep(0.05)
    seen.append(status.runtime_status.value if status.runtime_status else None)
    events = [e["EventType"] for e in status.historyEvents or []]
    body = {"id": instance_id, "statuses": seen, "output": status.output, "events": events}
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
