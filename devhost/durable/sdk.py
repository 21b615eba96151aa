"""Every touch point with azure-functions / azure-functions-durable internals, kept in one module (notes §11).

- orchestrators and activities are invoked in the worker library (devhost.worker): the orchestrator's context JSON
  goes in as the extension sends it, the SDK's own replay code runs there and its state JSON comes back;
- the SDK client's module-global aiohttp session is reset so it can be used from another event loop (notes §6.3).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devhost.invoke import FunctionFailed, Invoker
from devhost.registry import ACTIVITY, ORCHESTRATION, FunctionInfo, load_registry
from devhost.worker import typed

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


async def run_orchestrator(
    functions: DurableFunctions, function: FunctionInfo, context: dict[str, Any]
) -> OrchestratorResult:
    """Invoke the orchestrator in the worker with the context JSON and decode the state JSON it returns."""
    try:
        returned = await functions.invoker.invoke(function, typed.string(json.dumps(context)), "(null)")
        state = json.loads(typed.text(returned) or "null")
    except FunctionFailed as exc:  # the SDK raises with the state appended after $OutOfProcData$
        text = str(exc)
        if _OUT_OF_PROC not in text:
            return OrchestratorResult(done=True, error=text)
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


async def run_activity(
    functions: DurableFunctions, function: FunctionInfo | None, name: str, input_text: str | None
) -> ActivityOutcome:
    """Invoke an activity in the worker: its input as the JSON text the extension sends, its result as JSON text."""
    if function is None:
        reason = f"The function '{name}' doesn't exist, is disabled, or is not an activity function."
        return ActivityOutcome(ok=False, reason=reason, details=reason)
    try:
        returned = await functions.invoker.invoke(function, typed.string(input_text or "null"), "(null)")
        return ActivityOutcome(ok=True, result=typed.text(returned))
    except FunctionFailed as exc:
        return ActivityOutcome(ok=False, reason=f"Activity function '{name}' failed: {exc}", details=exc.stack)
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


class DurableFunctions:
    """The app's orchestrators and activities by function name (the name `call_activity`/`start_new` use), run in
    the worker through `invoker`."""

    def __init__(self, functions: list[FunctionInfo], invoker: Invoker) -> None:
        self.invoker = invoker
        self.orchestrators = {f.name: f for f in functions if f.trigger_type == ORCHESTRATION}
        self.activities = {f.name: f for f in functions if f.trigger_type == ACTIVITY}


def load_app(app_dir: Path | str) -> tuple[list[FunctionInfo], Invoker]:
    """Load an app into the worker: its durable functions and an invoker (the engine alone, without FunctionsHost).
    `invoker.worker.module` is the app's module as the worker imported it; `invoker.close()` releases the worker."""
    registry = load_registry(Path(app_dir).resolve())
    assert registry.worker is not None
    return registry.durable_functions(), Invoker(registry.worker, str(app_dir))
