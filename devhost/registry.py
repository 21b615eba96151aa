"""The app's functions as the host knows them: from the worker's function metadata (name, function id, raw binding
JSON), the way the Functions host learns them from a worker-indexed app. Nothing here reads the Python functions.

Functions are grouped by trigger kind: HTTP (routed by the devhost), timer, Event Grid, durable (orchestration,
activity, entity: handed to DurableHost) and other (runnable through the admin API only).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devhost.worker import LanguageWorker

log = logging.getLogger("devhost")

HTTP = "httpTrigger"
TIMER = "timerTrigger"
EVENT_GRID = "eventGridTrigger"
ORCHESTRATION = "orchestrationTrigger"
ACTIVITY = "activityTrigger"
DURABLE_TRIGGERS = frozenset({ORCHESTRATION, ACTIVITY, "entityTrigger"})
DURABLE_CLIENT = "durableClient"


@dataclass(frozen=True)
class Binding:
    """One binding from the function's raw binding JSON (`direction`, `type`, `name` and the binding's settings)."""

    raw: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.raw.get("type", ""))

    @property
    def name(self) -> str:
        return str(self.raw.get("name", ""))

    @property
    def direction(self) -> str:
        return str(self.raw.get("direction", "IN")).upper()

    @property
    def is_trigger(self) -> bool:
        return self.type.lower().endswith("trigger")

    @property
    def route(self) -> str | None:
        return self.raw.get("route")

    @property
    def methods(self) -> list[str] | None:
        methods = self.raw.get("methods")
        return [str(m).upper() for m in methods] if methods else None

    @property
    def schedule(self) -> str:
        return str(self.raw.get("schedule", ""))

    @property
    def run_on_startup(self) -> bool:
        return bool(self.raw.get("runOnStartup", False))

    @property
    def auth_level(self) -> str:
        return str(self.raw.get("authLevel", "FUNCTION")).upper()


@dataclass(frozen=True)
class FunctionInfo:
    """One indexed function: name, the worker's function id, its trigger and other bindings."""

    name: str
    function_id: str
    trigger: Binding
    bindings: tuple[Binding, ...]
    raw_bindings: tuple[str, ...]

    @property
    def trigger_type(self) -> str:
        return self.trigger.type

    @property
    def durable_client_params(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.bindings if b.type == DURABLE_CLIENT)

    @property
    def output_params(self) -> tuple[tuple[str, str], ...]:
        """(parameter, binding type) of output bindings other than $return."""
        return tuple((b.name, b.type) for b in self.bindings if b.direction == "OUT" and b.name != "$return")


def describe(metadata: Any) -> FunctionInfo:
    """A FunctionInfo from the worker's RpcFunctionMetadata."""
    raw = tuple(str(b) for b in metadata.raw_bindings)
    bindings = tuple(Binding(json.loads(b)) for b in raw)
    triggers = [b for b in bindings if b.is_trigger]
    if len(triggers) != 1:
        raise RuntimeError(f"function {metadata.name} has {len(triggers)} triggers (one expected)")
    trigger = triggers[0]
    for b in bindings:
        if b.direction != "OUT" and b is not trigger and b.type != DURABLE_CLIENT:
            log.warning(
                "function %s: the devhost does not provide '%s' input bindings (%s)", metadata.name, b.type, b.name
            )
        elif b.direction == "OUT" and b.name != "$return":
            log.warning("function %s: '%s' output binding %s is not emulated; its value is logged only",
                        metadata.name, b.type, b.name)  # fmt: skip
    return FunctionInfo(str(metadata.name), str(metadata.function_id), trigger, bindings, raw)


@dataclass
class Registry:
    functions: list[FunctionInfo]
    worker: LanguageWorker | None = None
    by_name: dict[str, FunctionInfo] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for fn in self.functions:
            self.by_name[fn.name.lower()] = fn

    def get(self, name: str) -> FunctionInfo | None:
        """Function names are case-insensitive in the host."""
        return self.by_name.get(name.lower())

    def of_type(self, trigger_type: str) -> list[FunctionInfo]:
        return [f for f in self.by_name.values() if f.trigger_type == trigger_type]

    def durable_functions(self) -> list[FunctionInfo]:
        return [f for f in self.by_name.values() if f.trigger_type in DURABLE_TRIGGERS]

    def needs_durable(self) -> bool:
        return any(f.trigger_type in DURABLE_TRIGGERS or f.durable_client_params for f in self.by_name.values())


def load_registry(app_dir: Path) -> Registry:
    """Load the app into the worker library (import, index, load) and read its functions from the metadata."""
    if not (app_dir / "function_app.py").is_file():
        raise FileNotFoundError(f"{app_dir / 'function_app.py'} not found: is --app the Functions app folder?")
    worker = LanguageWorker.acquire(app_dir)
    try:
        return Registry([describe(m) for m in worker.metadata], worker)
    except Exception:
        worker.release()
        raise
