"""Every touch point with azure-functions / azure-functions-durable internals, kept in one module (notes §11).

- orchestrators run through the registered handle (`get_user_function()`), i.e. the SDK's own replay code;
- activities are invoked with the worker's `activityTrigger` converter (sync in a thread pool, async awaited);
- the SDK client's module-global aiohttp session is reset so it can be used from another event loop (notes §6.3).
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import inspect
import json
import traceback
from dataclasses import dataclass, field
from typing import Any

from azure.functions import meta
from azure.functions.decorators.function_app import Function

_OUT_OF_PROC = "$OutOfProcData$:"


@dataclass
class OrchestratorResult:
    done: bool
    actions: list[dict[str, Any]] = field(default_factory=list)
    output: Any = None
    custom_status: Any = None
    error: str | None = None

    @property
    def continue_as_new(self) -> dict[str, Any] | None:
        return next((a for a in self.actions if a.get("actionType") == 4), None) if self.done else None


def run_orchestrator(function: Function, context: dict[str, Any]) -> OrchestratorResult:
    """Call the orchestrator's registered handle with the context JSON and decode its state JSON."""
    handle = function.get_user_function()
    try:
        state = json.loads(handle(json.dumps(context)))
    except Exception as exc:  # the SDK raises with the state appended after $OutOfProcData$
        text = str(exc)
        if _OUT_OF_PROC not in text:
            return OrchestratorResult(done=True, error=f"{type(exc).__name__}: {text}")
        state = json.loads(text.split(_OUT_OF_PROC, 1)[1])
        state.setdefault("error", text.split(_OUT_OF_PROC, 1)[0].strip())
    raw = state.get("actions") or []
    actions = raw[0] if raw and isinstance(raw[0], list) else raw
    return OrchestratorResult(
        done=bool(state.get("isDone")),
        actions=actions,
        output=state.get("output"),
        custom_status=state.get("customStatus"),
        error=state.get("error"),
    )


@dataclass
class ActivityOutcome:
    ok: bool
    result: str | None = None  # JSON text
    reason: str = ""
    details: str = ""


async def run_activity(function: Function | None, name: str, input_text: str | None) -> ActivityOutcome:
    """Invoke an activity the way the worker does: decode the input, call, encode the result as JSON text."""
    if function is None:
        reason = f"The function '{name}' doesn't exist, is disabled, or is not an activity function."
        return ActivityOutcome(ok=False, reason=reason, details=reason)
    converter = meta.get_binding_registry().get("activityTrigger")  # type: ignore[no-untyped-call]
    try:
        value = converter.decode(meta.Datum(type="json", value=input_text or "null"), trigger_metadata={})
        user = function.get_user_function()
        trigger = function.get_trigger()
        assert trigger is not None
        kwargs = {trigger.name: value}
        if inspect.iscoroutinefunction(user):
            result = await user(**kwargs)
        else:
            result = await asyncio.get_running_loop().run_in_executor(None, functools.partial(user, **kwargs))
        datum = converter.encode(result, expected_type=None)
        return ActivityOutcome(ok=True, result=None if datum is None else datum.value)
    except Exception as exc:
        return ActivityOutcome(
            ok=False,
            reason=f"Activity function '{name}' failed: {exc}",
            details="".join(traceback.format_exception(exc)),
        )


def reset_sdk_http_client() -> None:
    """Forget the SDK's module-global aiohttp session (bound to the loop that created it).

    Call before using `DurableOrchestrationClient` from a new event loop (each pytest-asyncio test has its own).
    """
    http_utils = importlib.import_module("azure.durable_functions.models.utils.http_utils")
    setattr(http_utils, "_client_session", None)  # noqa: B010 - private module globals of the SDK
    setattr(http_utils, "_session_lock", asyncio.Lock())  # noqa: B010


async def close_sdk_http_client() -> None:
    """Close the SDK's shared aiohttp session on the current loop and forget it."""
    http_utils = importlib.import_module("azure.durable_functions.models.utils.http_utils")
    session = getattr(http_utils, "_client_session", None)
    if session is not None and not session.closed:
        await session.close()
    reset_sdk_http_client()


def index_functions(functions: list[Function]) -> tuple[dict[str, Function], dict[str, Function]]:
    """Orchestrators and activities by function name (the name `call_activity`/`start_new` use)."""
    orchestrators: dict[str, Function] = {}
    activities: dict[str, Function] = {}
    for function in functions:
        trigger, name = function.get_trigger(), str(function.get_function_name())
        if trigger is not None and trigger.type == "orchestrationTrigger":
            orchestrators[name] = function
        elif trigger is not None and trigger.type == "activityTrigger":
            activities[name] = function
    return orchestrators, activities
