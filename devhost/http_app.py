"""HTTP triggers: route a request to its function, hand the worker an RpcHttp, answer the RpcHttp it returns.

A path that matches a route but not its methods answers 404, as the Functions host does
(Azure/azure-functions-host#10098); `method_mismatch_status=405` opts into the RFC behaviour.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from devhost.console import Console
from devhost.invoke import Invoker
from devhost.keys import HostKeys, key_of, unauthorized
from devhost.registry import FunctionInfo
from devhost.routes import Route, RouteTable
from devhost.worker import typed

log = logging.getLogger("devhost")


class BodyTooLarge(Exception):
    pass


def build_table(functions: list[FunctionInfo]) -> RouteTable[FunctionInfo]:
    routes = []
    for fn in functions:
        methods = fn.trigger.methods
        allowed = frozenset(methods) if methods else None
        routes.append(Route(fn.trigger.route or fn.name, fn, allowed))
    return RouteTable(routes)


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def to_response(result: Any) -> Response:
    """The worker's HTTP output (RpcHttp, or a str a function may return) as a Starlette response."""
    status, raw, body = typed.http_response(result)
    response = Response(body, status_code=status)
    length = [] if status < 200 or status in (204, 304) else [(b"content-length", b"%d" % len(body))]
    response.raw_headers = [*(h for h in raw if h[0] != b"content-length"), *length]
    return response


class HttpDispatcher:
    """The ASGI app for `/{routePrefix}/...`."""

    def __init__(
        self,
        functions: list[FunctionInfo],
        invoker: Invoker,
        *,
        route_prefix: str,
        keys: HostKeys,
        max_body_bytes: int,
        method_mismatch_status: int = 404,
    ) -> None:
        self.table = build_table(functions)
        self.invoker, self.keys = invoker, keys
        self.prefix = "/" + route_prefix.strip("/") if route_prefix.strip("/") else ""
        self.max_body_bytes = max_body_bytes
        self.method_mismatch_status = method_mismatch_status
        self.console = Console.from_environ()  # the web console outside the prefix, when DEVHOST_CONSOLE_DIR is set

    def route_path(self, path: str) -> str | None:
        """The part of `path` after the route prefix, or None when the path is outside it."""
        if not self.prefix:
            return path
        lowered = path.lower()
        if lowered == self.prefix.lower():
            return "/"
        if lowered.startswith(self.prefix.lower() + "/"):
            return path[len(self.prefix) :]
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.handle(request)
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        path = self.route_path(request.scope["path"])
        if path is None:
            return await self.console(request) if self.console else Response(status_code=404)
        match = self.table.match(path, request.method)
        if match.route is None:
            return Response(status_code=self.method_mismatch_status if match.path_matched else 404)
        fn = match.route.target
        if not self.keys.allows_function(fn.trigger.auth_level, key_of(request.scope)):
            return unauthorized()
        try:
            body = await read_body(request, self.max_body_bytes)
        except BodyTooLarge:
            return PlainTextResponse("Request body too large.", status_code=413)
        trigger = typed.http_request(
            request.method,
            str(request.url),
            request.headers.items(),
            request.query_params.multi_items(),
            match.values,
            body,
        )
        try:
            result = await self.invoker.invoke(
                fn, trigger, "This function was programmatically called via the host APIs."
            )
        except Exception:
            return Response(status_code=500)  # the host answers an unhandled exception with an empty 500
        try:
            return to_response(result)
        except Exception:
            log.exception("Function '%s' returned a value the HTTP output binding cannot convert", fn.name)
            return Response(status_code=500)
