"""`POST /runtime/webhooks/EventGrid?functionName=NAME`: the Event Grid extension's webhook, as Core Tools serves it.

`aeg-event-type`: SubscriptionValidation -> 200 {"validationResponse": code}; Notification -> one invocation per
event (Event Grid schema array, or CloudEvents object/array), 202, or 500 with the message when one failed;
Unsubscribe -> 202; other -> 400. Unknown function -> 404. OPTIONS answers the CloudEvents abuse-protection check.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from devhost.http_app import BodyTooLarge, read_body
from devhost.invoke import Invoker
from devhost.registry import EVENT_GRID, Registry
from devhost.worker import typed

log = logging.getLogger("devhost")
PATH = "/runtime/webhooks/eventgrid"


def _events(payload: Any) -> list[dict[str, Any]]:
    items = payload if isinstance(payload, list) else [payload]
    if not all(isinstance(e, dict) for e in items):
        raise ValueError("each event must be a JSON object")
    return items


class EventGridWebhook:
    def __init__(self, registry: Registry, invoker: Invoker, max_body_bytes: int) -> None:
        self.registry, self.invoker, self.max_body_bytes = registry, invoker, max_body_bytes

    async def __call__(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            origin = request.headers.get("webhook-request-origin", "*")
            return Response(status_code=200, headers={"WebHook-Allowed-Origin": origin, "Allow": "POST"})
        if request.method != "POST":
            return Response(status_code=405, headers={"Allow": "POST, OPTIONS"})
        name = request.query_params.get("functionName") or request.query_params.get("functionname") or ""
        fn = self.registry.get(name)
        if fn is None or fn.trigger_type != EVENT_GRID:
            return PlainTextResponse(f"cannot find function: '{name}'", status_code=404)
        try:
            body = await read_body(request, self.max_body_bytes)
        except BodyTooLarge:
            return PlainTextResponse("Request body too large.", status_code=413)
        kind = request.headers.get("aeg-event-type", "")
        if kind.lower() == "unsubscribe":
            return Response(status_code=202)
        try:
            events = _events(json.loads(body or b"null"))
        except ValueError as exc:
            return PlainTextResponse(f"invalid Event Grid payload: {exc}", status_code=400)
        if kind.lower() == "subscriptionvalidation":
            code = (events[0].get("data") or {}).get("validationCode") if events else None
            return JSONResponse({"validationResponse": code})
        if kind.lower() != "notification":
            return PlainTextResponse(f"cannot handle aeg-event-type '{kind}'", status_code=400)
        reason = "EventGrid trigger fired"
        results = await asyncio.gather(
            *(self.invoker.invoke(fn, typed.json_text(json.dumps(event)), reason) for event in events),
            return_exceptions=True,
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            return PlainTextResponse(
                "; ".join(f"Exception while executing function: Functions.{fn.name}. {f}" for f in failures),
                status_code=500,
            )
        return Response(status_code=202)
