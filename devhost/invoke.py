"""Invoke a function as the Python worker does: async functions on the event loop, sync ones in a thread pool.

Each invocation is logged like Core Tools: "Executing 'Functions.x' (Reason='...', Id=...)", then
"Executed 'Functions.x' (Succeeded, Id=..., Duration=12ms)" or the exception and "(Failed, ...)".
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import azure.functions as func
from azure.functions import meta

from devhost.registry import FunctionInfo

log = logging.getLogger("devhost")


class InvocationContext(func.Context):
    """The `context` argument a function may declare."""

    def __init__(self, invocation_id: str, function_name: str, function_directory: str) -> None:
        self._id, self._name, self._dir = invocation_id, function_name, function_directory
        self._tls = threading.local()

    @property
    def invocation_id(self) -> str:
        return self._id

    @property
    def thread_local_storage(self) -> Any:
        return self._tls

    @property
    def function_name(self) -> str:
        return self._name

    @property
    def function_directory(self) -> str:
        return self._dir

    @property
    def trace_context(self) -> Any:
        return None

    @property
    def retry_context(self) -> Any:
        return None


def decode_trigger(binding_type: str, value: object, *, datum_type: str = "json") -> Any:
    """Build a trigger value with the worker's own converter (azure.functions.meta) from its JSON/string form."""
    registry = meta.get_binding_registry()  # type: ignore[no-untyped-call]
    converter = registry.get(binding_type) if registry is not None else None
    if converter is None:
        raise NotImplementedError(f"the devhost cannot build a '{binding_type}' trigger value")
    text = value if isinstance(value, str) else json.dumps(value)
    return converter.decode(meta.Datum(type=datum_type, value=text), trigger_metadata={})


class DroppedOut(func.Out[Any]):
    """An output binding the devhost does not emulate: `set()` keeps and logs the value."""

    def __init__(self, function: str, param: str, kind: str) -> None:
        self.function, self.param, self.kind = function, param, kind
        self.value: Any = None

    def set(self, val: Any) -> None:
        self.value = val
        log.info(
            "Functions.%s: %s output '%s' set (not delivered by the devhost)", self.function, self.kind, self.param
        )

    def get(self) -> Any:
        return self.value


class Invoker:
    """Runs functions; `durable_client` gives the binding JSON for durableClient parameters (None = unavailable)."""

    def __init__(self, app_dir: str, *, max_workers: int | None = None) -> None:
        self.app_dir = app_dir
        workers = max_workers or int(os.environ.get("PYTHON_THREADPOOL_THREAD_COUNT", "0")) or None
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="devhost-fn")
        self.durable_client: Callable[[], str] | None = None

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    def arguments(self, fn: FunctionInfo, trigger_value: Any, invocation_id: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {fn.trigger.name: trigger_value}
        for param in fn.durable_client_params:
            if self.durable_client is None:
                raise RuntimeError(f"function '{fn.name}' needs a durable client but the durable engine is not running")
            kwargs[param] = self.durable_client()
        for param, kind in fn.output_params:
            kwargs[param] = DroppedOut(fn.name, param, kind)
        if "context" in fn.parameters and "context" not in kwargs:
            kwargs["context"] = InvocationContext(invocation_id, fn.name, self.app_dir)
        return kwargs

    async def invoke(self, fn: FunctionInfo, trigger_value: Any, reason: str) -> Any:
        """Run one invocation and return its result; log start, end and the exception (which is re-raised)."""
        invocation_id = str(uuid.uuid4())
        log.info("Executing 'Functions.%s' (Reason='%s', Id=%s)", fn.name, reason, invocation_id)
        started = time.perf_counter()
        try:
            kwargs = self.arguments(fn, trigger_value, invocation_id)
            if fn.is_async:
                result = await fn.user_function(**kwargs)
            else:
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self.executor, functools.partial(fn.user_function, **kwargs))
        except Exception as exc:
            ms = round((time.perf_counter() - started) * 1000)
            log.error(
                "Executed 'Functions.%s' (Failed, Id=%s, Duration=%dms)\n"
                "Exception while executing function: Functions.%s. %s: %s",
                fn.name,
                invocation_id,
                ms,
                fn.name,
                type(exc).__name__,
                exc,
                exc_info=exc,
            )
            raise
        ms = round((time.perf_counter() - started) * 1000)
        log.info("Executed 'Functions.%s' (Succeeded, Id=%s, Duration=%dms)", fn.name, invocation_id, ms)
        return result
