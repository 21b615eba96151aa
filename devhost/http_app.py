"""HTTP triggers: route a request to its function, build a real func.HttpRequest, answer its func.HttpResponse.

A path that matches a route but not its methods answers 404, as the Functions host does
(Azure/azure-functions-host#10098); `method_mismatch_status=405` opts into the RFC behaviour.
"""

from __future__ import annotations

import logging
from typing import Any

import azure.functions as func
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from devhost.console import Console
from devhost.invoke import Invoker
from devhost.registry import FunctionInfo
from devhost.routes import Route, RouteTable

log = logging.getLogger("devhost")


class BodyTooLarge(Exception):
    pass


def build_table(functions: list[FunctionInfo]) -> RouteTable[FunctionInfo]:
    routes = []
    for fn in functions:
        methods = getattr(fn.trigger, "methods", None)
        allowed = frozenset(str(getattr(m, "value", m)).upper() for m in methods) if methods else None
        routes.append(Route(str(getattr(fn.trigger, "route", None) or fn.name), fn, allowed))
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


def _headers(request: Request) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in request.headers.items():
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def to_response(result: Any) -> Response:
    """func.HttpResponse (or a str, as the worker's converter allows) -> Starlette response."""
    if result is None:
        return Response(status_code=204)
    if isinstance(result, str):
        return Response(result, status_code=200, media_type="text/plain; charset=utf-8")
    if not isinstance(result, func.HttpResponse):
        raise TypeError(f"an HTTP function must return func.HttpResponse or str, not {type(result).__name__}")
    headers = result.headers
    raw: list[tuple[bytes, bytes]] = []
    names: set[str] = set()
    for name, value in headers.items():
        lowered = name.lower()
        names.add(lowered)
        if lowered != "set-cookie":
            raw.append((lowered.encode("latin-1"), str(value).encode("latin-1")))
    if "set-cookie" in names:
        raw += [(b"set-cookie", c.encode("latin-1")) for c in headers.get_all("Set-Cookie")]
    if "content-type" not in names:
        mimetype = result.mimetype or "text/plain"
        ct = f"{mimetype}; charset={result.charset}" if mimetype.startswith("text/") else mimetype
        raw.append((b"content-type", ct.encode("latin-1")))
    response = Response(result.get_body() or b"", status_code=result.status_code)
    response.raw_headers += raw
    return response


class HttpDispatcher:
    """The ASGI app for `/{routePrefix}/...`."""

    def __init__(
        self,
        functions: list[FunctionInfo],
        invoker: Invoker,
        *,
        route_prefix: str,
        max_body_bytes: int,
        method_mismatch_status: int = 404,
    ) -> None:
        self.table = build_table(functions)
        self.invoker = invoker
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
        try:
            body = await read_body(request, self.max_body_bytes)
        except BodyTooLarge:
            return PlainTextResponse("Request body too large.", status_code=413)
        req = func.HttpRequest(
            method=request.method,
            url=str(request.url),
            headers=_headers(request),
            params=dict(request.query_params),
            route_params=match.values,
            body=body,
        )
        try:
            result = await self.invoker.invoke(fn, req, "This function was programmatically called via the host APIs.")
        except Exception:
            return Response(status_code=500)  # the host answers an unhandled exception with an empty 500
        try:
            return to_response(result)
        except Exception:
            log.exception("Function '%s' returned a value the HTTP output binding cannot convert", fn.name)
            return Response(status_code=500)
