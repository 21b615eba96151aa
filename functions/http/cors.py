"""CORS preflight for every API route (OPTIONS); the other routes add the CORS headers to their answers."""

from __future__ import annotations

import azure.durable_functions as df
import azure.functions as func

from functions import _cors

bp = df.Blueprint()


@bp.route(route="v1/{*path}", methods=["OPTIONS"], auth_level=func.AuthLevel.ANONYMOUS)
def cors_preflight(req: func.HttpRequest) -> func.HttpResponse:
    return _cors.preflight(req)
