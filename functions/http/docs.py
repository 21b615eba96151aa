"""The contract: `GET /api/v1/openapi.json`, and a docs page at `/api/docs` whose Swagger UI assets come from the
installed `swagger-ui-py` package (no CDN: the machines have no internet)."""

from __future__ import annotations

import importlib.util
import json
import mimetypes
from functools import cache
from pathlib import Path

import azure.durable_functions as df
import azure.functions as func

from domain.errors import NotFound
from functions._errors import error_response

bp = df.Blueprint()
SERVED = frozenset(
    {
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "index.css",
        "favicon-32x32.png",
        "favicon-16x16.png",
    }
)
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AutoML Functions API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
<link rel="icon" href="/api/docs/assets/favicon-32x32.png">
</head><body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/swagger-ui-standalone-preset.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout"});</script>
</body></html>"""


@cache
def assets() -> Path:
    """swagger-ui-py's static folder, found without importing the package (it imports jinja2 and PyYAML, which no
    request but the docs needs: ADR 0019)."""
    spec = importlib.util.find_spec("swagger_ui")
    assert spec is not None and spec.submodule_search_locations, "swagger-ui-py is in requirements.txt"
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@bp.route(route="v1/openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def openapi_document(req: func.HttpRequest) -> func.HttpResponse:
    from functions._openapi import document  # built from every model's JSON schema: on the first request for it

    return func.HttpResponse(json.dumps(document()), mimetype="application/json")


@bp.route(route="docs", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def docs_page(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(PAGE, mimetype="text/html")


@bp.route(route="docs/assets/{name}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def docs_asset(req: func.HttpRequest) -> func.HttpResponse:
    name = req.route_params.get("name", "")
    if name not in SERVED:
        return error_response(NotFound("asset", name, message=f"No docs asset named '{name}'."))
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return func.HttpResponse(
        (assets() / name).read_bytes(), mimetype=mime, headers={"Cache-Control": "public, max-age=86400"}
    )
