"""GET /api/health: liveness and storage reachability. Anonymous."""

from __future__ import annotations

import json

import azure.durable_functions as df
import azure.functions as func

from domain.services.health import check_health
from functions import _wiring

bp = df.Blueprint()


@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def health(req: func.HttpRequest) -> func.HttpResponse:
    report = check_health(_wiring.health_probes())
    body = {
        "status": "healthy" if report.ok else "unhealthy",
        "checks": [
            {"name": c.name, "ok": c.ok, "ms": c.ms, **({"error": c.error} if c.error else {})} for c in report.checks
        ],
    }
    headers = {} if report.ok else {"Retry-After": "10"}
    return func.HttpResponse(
        json.dumps(body), status_code=200 if report.ok else 503, headers=headers, mimetype="application/json"
    )
