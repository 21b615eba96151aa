"""The API's fallback route `{*path}` (everything under /api/), every method, matched after every other route (a
catch-all has the lowest precedence): CORS preflight for OPTIONS; otherwise the request named no route, so it gets the
API's error format: 405 with `Allow` when the path exists with other methods (TRACE included), a JSON 404 when it
does not."""

from __future__ import annotations

import re
from functools import lru_cache

import azure.durable_functions as df
import azure.functions as func

from domain.errors import MethodNotAllowed, NotFound
from functions import _cors
from functions._api import OPS
from functions._errors import error_response

bp = df.Blueprint()
_PARAM = re.compile(r"\{[^}]+\}")
PUBLIC = (("health", "GET"), ("v1/openapi.json", "GET"), ("docs", "GET"), ("docs/assets/{name}", "GET"))


@lru_cache(maxsize=1)
def _routes() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(path pattern, method) of every declared route, as the host matches them (case-insensitive)."""
    out = []
    for route, method in [*((op.route, op.method) for op in OPS), *PUBLIC]:
        pattern = "[^/]+".join(re.escape(p) for p in _PARAM.split(route))
        out.append((re.compile(f"^/?{pattern}/?$", re.IGNORECASE), method.upper()))
    return tuple(out)


def allowed_methods(path: str) -> list[str]:
    """The methods the API serves at `path` (a path after /api/), OPTIONS included when any."""
    methods = sorted({method for pattern, method in _routes() if pattern.match(path)})
    return [*methods, "OPTIONS"] if methods else []


@bp.route(route="{*path}", auth_level=func.AuthLevel.ANONYMOUS)
def api_fallback(req: func.HttpRequest) -> func.HttpResponse:
    if req.method.upper() == "OPTIONS":
        return _cors.preflight(req)
    path = req.route_params.get("path", "")
    allowed = allowed_methods(path)
    if allowed and req.method.upper() not in allowed:  # (the same method: a route constraint refused a value, 404)
        resp = error_response(MethodNotAllowed(req.method.upper(), allowed))
    else:
        resp = error_response(NotFound("path", f"/api/{path}", message=f"No API route at /api/{path}."))
    for name, value in _cors.headers_for(req).items():
        resp.headers[name] = value
    return resp
