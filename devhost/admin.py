"""Host admin API: `/admin/host/ping`, `GET /admin/host/status`, `GET /admin/functions[/{name}]`,
`POST /admin/functions/{name}`; every one but ping needs the master key (devhost.keys), as on Azure.

`POST /admin/functions/{name}` with `{"input": "<string>"}` runs a non-HTTP function in the background and answers
202 at once, as the host does.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from devhost.invoke import Invoker
from devhost.registry import DURABLE_TRIGGERS, EVENT_GRID, HTTP, TIMER, FunctionInfo, Registry
from devhost.timers import TimerScheduler
from devhost.worker import typed

ADMIN_REASON = "This function was programmatically called via the host APIs."


class AdminApi:
    def __init__(
        self,
        registry: Registry,
        invoker: Invoker,
        timers: TimerScheduler,
        spawn: Callable[[Any], None],
        url_of: Callable[[FunctionInfo], str | None],
    ) -> None:
        self.registry, self.invoker, self.timers = registry, invoker, timers
        self.spawn, self.url_of = spawn, url_of
        self.started = time.monotonic()

    async def ping(self, request: Request) -> Response:
        return Response(status_code=200)

    async def status(self, request: Request) -> Response:
        uptime = round((time.monotonic() - self.started) * 1000)
        return JSONResponse({"id": "devhost", "state": "Running", "version": "devhost", "processUptime": uptime})

    def metadata(self, fn: FunctionInfo) -> dict[str, Any]:
        bindings = [json.loads(b) for b in fn.raw_bindings]
        return {
            "name": fn.name,
            "language": "python",
            "isDisabled": False,
            "config": {"bindings": bindings},
            "invoke_url_template": self.url_of(fn),
        }

    async def functions(self, request: Request) -> Response:
        return JSONResponse([self.metadata(f) for f in self.registry.by_name.values()])

    async def function(self, request: Request) -> Response:
        fn = self.registry.get(request.path_params["name"])
        if fn is None:
            return Response(status_code=404)
        if request.method == "GET":
            return JSONResponse(self.metadata(fn))
        return await self.run(fn, await request.body())

    async def run(self, fn: FunctionInfo, body: bytes) -> Response:
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            return PlainTextResponse('the body must be JSON: {"input": "..."}', status_code=400)
        text = payload.get("input") if isinstance(payload, dict) else None
        kind = fn.trigger_type
        if kind == HTTP:
            return PlainTextResponse(f"'{fn.name}' is an HTTP function: call its URL", status_code=400)
        if kind in DURABLE_TRIGGERS:
            return PlainTextResponse(f"'{fn.name}' is run by the durable engine", status_code=400)
        if kind == TIMER:
            timer = next(t for t in self.timers.timers if t.name == fn.name)
            self.spawn(self.timers.fire(timer, past_due=False, reason=ADMIN_REASON))
            return Response(status_code=202)
        if kind == EVENT_GRID:
            try:
                json.loads(text or "")
            except ValueError:
                return PlainTextResponse("an Event Grid function's input must be the event as JSON", status_code=400)
        value = typed.json_text(text or "") if kind == EVENT_GRID else typed.string(text or "")
        self.spawn(self._quiet(fn, value))  # the worker converts it: a bad value fails the invocation (logged)
        return Response(status_code=202)

    async def _quiet(self, fn: FunctionInfo, value: Any) -> None:
        with contextlib.suppress(Exception):  # already logged by the invoker with its traceback
            await self.invoker.invoke(fn, value, ADMIN_REASON)
