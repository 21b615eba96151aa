"""CORS for the front end's origins (CORS_ALLOWED_ORIGINS): the app answers it itself, the same in Azure and locally."""

from __future__ import annotations

import azure.functions as func

from domain.settings import get_settings

EXPOSE = "ETag, Location, Operation-Location, Retry-After, x-ms-error-code, x-ms-request-id, azureml-model-deployment"
ALLOW_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, x-ms-client-request-id"
ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"


def headers_for(req: func.HttpRequest) -> dict[str, str]:
    origin = req.headers.get("origin")
    allowed = get_settings().cors_allowed_origins
    if not origin or (origin not in allowed and "*" not in allowed):
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Access-Control-Expose-Headers": EXPOSE}


def preflight(req: func.HttpRequest) -> func.HttpResponse:
    headers = headers_for(req)
    if headers:
        headers |= {
            "Access-Control-Allow-Methods": ALLOW_METHODS,
            "Access-Control-Allow-Headers": ALLOW_HEADERS,
            "Access-Control-Max-Age": "600",
        }
    return func.HttpResponse(status_code=204, headers=headers)
