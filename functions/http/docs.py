"""The contract: `GET /api/v1/openapi.json`, and a docs page at `/api/docs` whose Swagger UI assets come from the
installed `swagger-ui-py` package (no CDN: the machines have no internet)."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import azure.durable_functions as df
import azure.functions as func
import swagger_ui

from domain.errors import NotFound
from functions._errors import error_response
from functions._openapi import document

bp = df.Blueprint()
ASSETS = Path(swagger_ui.__file__).parent / "static"
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


@bp.route(route="v1/openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def openapi_document(req: func.HttpRequest) -> func.HttpResponse:
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
        (ASSETS / name).read_bytes(), mimetype=mime, headers={"Cache-Control": "public, max-age=86400"}
    )
