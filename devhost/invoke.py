"""Invoke a function as the host does: an InvocationRequest to the worker library with the trigger's TypedData and
the durable client binding, the worker's InvocationResponse back. The worker converts the values, runs async
functions on the event loop and sync ones in its thread pool, and reports failures with its own message.

Each invocation is logged like Core Tools: "Executing 'Functions.x' (Reason='...', Id=...)", then
"Executed 'Functions.x' (Succeeded, Id=..., Duration=12ms)" or the exception and "(Failed, ...)".
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from devhost.registry import FunctionInfo
from devhost.worker import LanguageWorker, typed
from devhost.worker.protos import StatusResult

log = logging.getLogger("devhost")


class FunctionFailed(Exception):
    """The worker reported a failed invocation: `str()` is its message (`ExceptionType: text`)."""

    def __init__(self, function: str, message: str, stack: str = "") -> None:
        super().__init__(message)
        self.function, self.stack = function, stack


class Invoker:
    """Runs functions in the worker; `durable_client` gives the binding JSON for durableClient parameters."""

    def __init__(self, worker: LanguageWorker, app_dir: str) -> None:
        self.worker, self.app_dir = worker, app_dir
        self.durable_client: Callable[[], str] | None = None

    def close(self) -> None:
        self.worker.release()

    def inputs(self, fn: FunctionInfo, trigger: Any) -> list[Any]:
        bindings = [typed.binding(fn.trigger.name, trigger)]
        for param in fn.durable_client_params:
            if self.durable_client is None:
                raise RuntimeError(f"function '{fn.name}' needs a durable client but the durable engine is not running")
            bindings.append(typed.binding(param, typed.string(self.durable_client())))
        return bindings

    async def invoke(
        self, fn: FunctionInfo, trigger: Any, reason: str, *, trigger_metadata: Mapping[str, Any] | None = None
    ) -> Any:
        """Run one invocation; return the worker's return value (TypedData) or raise FunctionFailed (logged)."""
        invocation_id = str(uuid.uuid4())
        log.info("Executing 'Functions.%s' (Reason='%s', Id=%s)", fn.name, reason, invocation_id)
        started = time.perf_counter()
        try:
            response = await self.worker.invoke(
                fn.function_id,
                self.inputs(fn, trigger),
                invocation_id=invocation_id,
                trigger_metadata=trigger_metadata,
            )
            if response.result.status != StatusResult.Success:
                exception = response.result.exception
                raise FunctionFailed(fn.name, exception.message, exception.stack_trace)
        except Exception as exc:
            ms = round((time.perf_counter() - started) * 1000)
            stack = exc.stack if isinstance(exc, FunctionFailed) else ""
            message = str(exc) if isinstance(exc, FunctionFailed) else f"{type(exc).__name__}: {exc}"
            log.error(
                "Executed 'Functions.%s' (Failed, Id=%s, Duration=%dms)\n"
                "Exception while executing function: Functions.%s. %s%s",
                fn.name,
                invocation_id,
                ms,
                fn.name,
                message,
                f"\n{stack}" if stack else "",
                exc_info=None if isinstance(exc, FunctionFailed) else exc,
            )
            raise
        kinds = dict(fn.output_params)
        for out in response.output_data:
            kind = kinds.get(out.name, "")
            log.info("Functions.%s: %s output '%s' set (not delivered by the devhost)", fn.name, kind, out.name)
        ms = round((time.perf_counter() - started) * 1000)
        log.info("Executed 'Functions.%s' (Succeeded, Id=%s, Duration=%dms)", fn.name, invocation_id, ms)
        return response.return_value if response.HasField("return_value") else None
