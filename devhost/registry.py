"""Import an app's `function_app.py`, index its functions ONCE (get_functions() cannot be called twice).

Functions are grouped by trigger kind: HTTP (routed by the devhost), timer, Event Grid, durable (orchestration,
activity, entity: handed to DurableHost) and other (runnable through the admin API only).
"""

from __future__ import annotations

import importlib.util
import inspect
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azure.functions import FunctionRegister
from azure.functions.decorators.core import Trigger
from azure.functions.decorators.function_app import Function

log = logging.getLogger("devhost")

HTTP = "httpTrigger"
TIMER = "timerTrigger"
EVENT_GRID = "eventGridTrigger"
DURABLE_TRIGGERS = frozenset({"orchestrationTrigger", "activityTrigger", "entityTrigger"})
DURABLE_CLIENT = "durableClient"
OUT = 1  # BindingDirection.OUT


@dataclass(frozen=True)
class FunctionInfo:
    """One indexed function: its name, trigger, the callable the worker would invoke and its binding names."""

    name: str
    function: Function
    trigger: Trigger
    user_function: Callable[..., Any]
    is_async: bool
    durable_client_params: tuple[str, ...]
    parameters: tuple[str, ...]
    output_params: tuple[tuple[str, str], ...] = ()  # (parameter, binding type) of output bindings other than $return

    @property
    def trigger_type(self) -> str:
        return str(self.trigger.type)


@dataclass
class Registry:
    functions: list[Function]
    by_name: dict[str, FunctionInfo] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for fn in self.functions:
            info = describe(fn)
            self.by_name[info.name.lower()] = info

    def get(self, name: str) -> FunctionInfo | None:
        """Function names are case-insensitive in the host."""
        return self.by_name.get(name.lower())

    def of_type(self, trigger_type: str) -> list[FunctionInfo]:
        return [f for f in self.by_name.values() if f.trigger_type == trigger_type]

    def durable_functions(self) -> list[Function]:
        return [f.function for f in self.by_name.values() if f.trigger_type in DURABLE_TRIGGERS]

    def needs_durable(self) -> bool:
        return any(f.trigger_type in DURABLE_TRIGGERS or f.durable_client_params for f in self.by_name.values())


def describe(fn: Function) -> FunctionInfo:
    trigger, name = fn.get_trigger(), fn.get_function_name()
    if trigger is None or name is None:
        raise RuntimeError(f"function {fn.get_user_function()!r} has no trigger or name")
    user = fn.get_user_function()
    bindings = fn.get_bindings()
    clients = tuple(b.name for b in bindings if b.type == DURABLE_CLIENT)
    outputs = tuple((b.name, str(b.type)) for b in bindings if b.direction == OUT and b.name != "$return")
    for b in bindings:
        if b.direction != OUT and b is not trigger and b.type != DURABLE_CLIENT:
            log.warning("function %s: the devhost does not provide '%s' input bindings (%s)", name, b.type, b.name)
    for param, kind in outputs:
        log.warning("function %s: '%s' output binding %s is not emulated; its value is logged only", name, kind, param)
    if clients and not inspect.iscoroutinefunction(user):
        log.warning("function %s uses a durable client but is not async def; it will fail", name)
    return FunctionInfo(
        name=name,
        function=fn,
        trigger=trigger,
        user_function=user,
        is_async=inspect.iscoroutinefunction(user),
        durable_client_params=clients,
        parameters=tuple(inspect.signature(user).parameters),
        output_params=outputs,
    )


def import_app_module(app_dir: Path, module_name: str = "function_app") -> Any:
    """Import `<app_dir>/function_app.py` fresh (as `function_app`), with app_dir first on sys.path."""
    path = app_dir / f"{module_name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: is --app the Functions app folder?")
    root = str(app_dir)
    if root in sys.path:
        sys.path.remove(root)
    sys.path.insert(0, root)
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def find_app(module: Any) -> FunctionRegister:
    apps = [v for v in vars(module).values() if isinstance(v, FunctionRegister)]
    if len(apps) != 1:
        raise RuntimeError(f"{module.__file__} must define exactly one FunctionApp/DFApp, found {len(apps)}")
    return apps[0]


def load_registry(app_dir: Path) -> Registry:
    """Import the app and index its functions (get_functions() is called exactly once here)."""
    app = find_app(import_app_module(app_dir))
    return Registry(list(app.get_functions()))
