"""Drive Azure's Python worker library (`azure_functions_runtime`) the way Azure's proxy worker does.

On Azure (Python 3.13+), the host talks gRPC to a proxy worker process, which imports the worker library the app pins
in requirements.txt and awaits its entry points with `WorkerRequest(name, request, properties)`, `request` being the
host's `StreamingMessage`:

    worker_init_request        properties={"protos": <message classes>, "host": ...}; imports function_app.py and
                               indexes it (a refused function fails the whole init, with the worker's message)
    functions_metadata_request the indexed functions as RpcFunctionMetadata (raw binding JSON, function ids)
    function_load_request      once per function
    invocation_request         per invocation: ParameterBinding/TypedData in, InvocationResponse out

The local host does the same in-process, with our message classes (devhost.worker.protos). Every message crosses
its wire form (serialized and parsed) as it would over gRPC. The library keeps its state in module globals (one
app per worker process, as on Azure): each load re-initialises it with a fresh import of the app, and a host whose
worker was replaced gets a clear error instead of someone else's function.
"""

from __future__ import annotations

import logging
import sys
import threading
import uuid
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import azure_functions_runtime as runtime
from azure_functions_runtime.version import VERSION as RUNTIME_VERSION

from devhost.worker import protos

log = logging.getLogger("devhost")
HOST_VERSION = "devhost"
SCRIPT_FILE = "function_app.py"


@dataclass
class WorkerRequest:
    """What the proxy worker hands the library: the request's name, the StreamingMessage, extra properties."""

    name: str
    request: Any
    properties: dict[str, Any] | None = None


class WorkerError(RuntimeError):
    """The worker refused the app (its init or a load failed): `str()` is the worker's own message."""

    def __init__(self, message: str, stack: str = "") -> None:
        super().__init__(message)
        self.stack = stack


def wire(message: Any) -> Any:
    """The message as the other side of a gRPC stream sees it: serialized, then parsed."""
    return protos.StreamingMessage.FromString(message.SerializeToString())


def complete(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a worker entry point that never suspends (init, metadata, load) to its result on the calling thread.

    The app is imported on the caller's thread, as the proxy worker imports it on its main thread."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("the worker library suspended during start-up: devhost.worker.proxy must await it")


def _failed(result: Any) -> bool:
    return bool(result.status != protos.StatusResult.Success)


_lock = threading.Lock()
_current: LanguageWorker | None = None


class LanguageWorker:
    """One loaded app: its functions' metadata (from the worker) and invocation by function id."""

    def __init__(self, app_dir: Path) -> None:
        self.app_dir = app_dir
        self.metadata: list[Any] = []  # RpcFunctionMetadata, in the worker's order
        self.module: Any = None  # the app's module as the worker imported it
        self.closed = False
        self.replaced = False
        self.version = RUNTIME_VERSION

    # -- loading --------------------------------------------------------------------------------------------------
    @classmethod
    def acquire(cls, app_dir: Path | str) -> LanguageWorker:
        """Start the worker on `app_dir` (import, index, load), as a new worker process would; a worker this
        process ran before is superseded (its invocations fail with a clear error)."""
        global _current
        path = Path(app_dir).resolve()
        with _lock:
            previous = _current
            if previous is not None and not previous.closed:
                log.info("worker: %s replaces %s in this process (one app per worker)", path, previous.app_dir)
            worker = cls(path)
            worker._start()
            if previous is not None:
                previous.replaced = True
            _current = worker
            return worker

    def release(self) -> None:
        """The host is done with this worker."""
        self.closed = True

    def _start(self) -> None:
        root = str(self.app_dir)
        if root in sys.path:
            sys.path.remove(root)
        sys.path.insert(0, root)  # the proxy worker puts the app's folder first on the path
        sys.modules.pop(Path(SCRIPT_FILE).stem, None)  # a fresh import of this app's function_app
        runtime.start_threadpool_executor()
        init = protos.StreamingMessage(
            request_id=uuid.uuid4().hex,
            worker_init_request=protos.WorkerInitRequest(
                host_version=HOST_VERSION,
                capabilities={},
                worker_directory=str(Path(runtime.__file__).parent),
                function_app_directory=root,
            ),
        )
        properties = {"protos": protos, "host": "127.0.0.1"}
        reply = complete(runtime.worker_init_request(WorkerRequest("WorkerInitRequest", wire(init), properties)))
        reply = wire(protos.StreamingMessage(worker_init_response=reply)).worker_init_response
        if _failed(reply.result):
            raise WorkerError(reply.result.exception.message, reply.result.exception.stack_trace)
        request = protos.StreamingMessage(
            request_id=uuid.uuid4().hex,
            functions_metadata_request=protos.FunctionsMetadataRequest(function_app_directory=root),
        )
        reply = complete(runtime.functions_metadata_request(WorkerRequest("WorkerMetadataRequest", wire(request))))
        reply = wire(protos.StreamingMessage(function_metadata_response=reply)).function_metadata_response
        if _failed(reply.result):
            raise WorkerError(reply.result.exception.message, reply.result.exception.stack_trace)
        self.metadata = list(reply.function_metadata_results)
        self.module = sys.modules.get(Path(SCRIPT_FILE).stem)
        for metadata in self.metadata:
            load = protos.StreamingMessage(
                request_id=uuid.uuid4().hex,
                function_load_request=protos.FunctionLoadRequest(function_id=metadata.function_id, metadata=metadata),
            )
            loaded = complete(runtime.function_load_request(WorkerRequest("FunctionLoadRequest", wire(load))))
            loaded = wire(protos.StreamingMessage(function_load_response=loaded)).function_load_response
            if _failed(loaded.result):
                raise WorkerError(loaded.result.exception.message, loaded.result.exception.stack_trace)

    # -- invocation -----------------------------------------------------------------------------------------------
    async def invoke(
        self,
        function_id: str,
        inputs: Sequence[Any],
        *,
        invocation_id: str,
        trigger_metadata: Mapping[str, Any] | None = None,
        trace_parent: str = "",
    ) -> Any:
        """One InvocationRequest through the library; returns its InvocationResponse (success or failure)."""
        if self.replaced:
            raise RuntimeError(f"the worker now runs another app than {self.app_dir}: this host was superseded")
        request = protos.StreamingMessage(
            request_id=uuid.uuid4().hex,
            invocation_request=protos.InvocationRequest(
                invocation_id=invocation_id,
                function_id=function_id,
                input_data=list(inputs),
                trigger_metadata=dict(trigger_metadata or {}),
                trace_context=protos.RpcTraceContext(trace_parent=trace_parent),
            ),
        )
        reply = await runtime.invocation_request(WorkerRequest("FunctionInvocationRequest", wire(request)))
        return wire(protos.StreamingMessage(invocation_response=reply)).invocation_response
