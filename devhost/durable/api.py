"""The durable HTTP management API (`/runtime/webhooks/durabletask/...`) with the extension's status codes (§6.2)."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from devhost.durable import history as h
from devhost.durable.clock import Clock
from devhost.durable.model import RUNNING_STATES, Instance, Message, new_message_id

PREFIX = "/runtime/webhooks/durabletask"


def _flag(request: Request, name: str, default: bool) -> bool:
    value = request.query_params.get(name)
    return default if value is None else value.lower() == "true"


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _as_json_text(parsed: Any) -> str | None:
    """The Python SDK double-encodes (the body is a JSON string holding JSON); curl sends plain JSON."""
    if isinstance(parsed, str):
        try:
            json.loads(parsed)
            return parsed
        except ValueError:
            pass
    return None if parsed is None else json.dumps(parsed)


def _history_view(events: list[h.Event], show_output: bool) -> list[dict[str, Any]]:
    skip = {h.EventType.ORCHESTRATOR_STARTED, h.EventType.ORCHESTRATOR_COMPLETED}
    names = {int(e): e.name.title().replace("_", "") for e in h.EventType}
    view = []
    for item in events:
        if item["EventType"] in skip:
            continue
        entry = {k: v for k, v in item.items() if k not in ("IsPlayed", "EventId") and (show_output or k != "Result")}
        entry["EventType"] = names.get(item["EventType"], str(item["EventType"]))
        view.append(entry)
    return view


class Host(Protocol):
    """What the API needs of the durable host (`devhost.durable.DurableHost`), named here so that the package, which
    builds the API, is not imported back by it."""

    engine: Any
    clock: Clock

    async def wait_for(self, instance_id: str, status: str | set[str] = ..., limit: float = ...) -> Instance: ...

    def management_payload(self, instance_id: str, origin: str | None = None) -> dict[str, str]: ...

    async def purge(self, instance_id: str) -> None: ...


class ManagementApi:
    def __init__(self, host: Host) -> None:
        self.host = host

    @property
    def engine(self) -> Any:
        return self.host.engine

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/orchestrators/{name}", self.start, methods=["POST"]),
            Route("/orchestrators/{name}/{instance_id}", self.start, methods=["POST"]),
            Route("/instances", self.list_or_purge, methods=["GET", "DELETE"]),
            Route("/instances/", self.list_or_purge, methods=["GET", "DELETE"]),
            Route("/instances/{instance_id}", self.status_or_purge, methods=["GET", "DELETE"]),
            Route("/instances/{instance_id}/raiseEvent/{event}", self.raise_event, methods=["POST"]),
            Route("/instances/{instance_id}/{op:str}", self.control, methods=["POST"]),
        ]

    def status_body(self, instance: Instance, *, show_input: bool = True) -> dict[str, Any]:
        return {
            "name": instance.name,
            "instanceId": instance.instance_id,
            "runtimeStatus": instance.status,
            "input": _loads(instance.input) if show_input else None,
            "customStatus": instance.custom_status,
            "output": instance.output,
            "createdTime": instance.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "lastUpdatedTime": instance.updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    async def start(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.engine.orchestrators:
            message = f"The function '{name}' doesn't exist, is disabled, or is not an orchestrator function."
            return JSONResponse(
                {"Message": "One or more of the arguments submitted is incorrect", "ExceptionMessage": message},
                status_code=400,
            )
        instance_id = request.path_params.get("instance_id") or uuid.uuid4().hex
        existing = self.engine.instances.get(instance_id)
        if existing is not None and existing.status in RUNNING_STATES:
            message = f"An instance with ID '{instance_id}' already exists."
            return JSONResponse({"Message": message, "ExceptionMessage": message}, status_code=409)
        body = await request.body()
        parsed = json.loads(body) if body.strip() else None
        input_text = _as_json_text(parsed)
        await self.engine.start_new(name, instance_id, input_text)
        if "timeout" in request.query_params:  # createAndWaitOnNewInstancePostUri
            with contextlib.suppress(TimeoutError):
                done = await self.host.wait_for(instance_id, limit=float(request.query_params["timeout"]))
                return JSONResponse(done.output, status_code=200)
        payload = self.host.management_payload(instance_id, origin=str(request.base_url).rstrip("/"))
        return JSONResponse(
            payload, status_code=202, headers={"Location": payload["statusQueryGetUri"], "Retry-After": "10"}
        )

    async def status_or_purge(self, request: Request) -> Response:
        instance_id = request.path_params["instance_id"]
        instance = self.engine.instances.get(instance_id)
        if request.method == "DELETE":
            if instance is None:
                return Response(status_code=404)
            await self.host.purge(instance_id)
            return JSONResponse({"instancesDeleted": 1})
        if instance is None:
            return Response(status_code=404)
        body = self.status_body(instance, show_input=_flag(request, "showInput", True))
        if _flag(request, "showHistory", False):
            await self.engine.settle(instance_id)  # the history of an episode in flight is not committed yet
            events = await self.engine.store.read_history(instance_id)
            body["historyEvents"] = _history_view(events, _flag(request, "showHistoryOutput", False))
        if instance.status in RUNNING_STATES:
            return JSONResponse(body, status_code=202, headers={"Location": str(request.url), "Retry-After": "5"})
        failed = instance.status == "Failed" and _flag(request, "returnInternalServerErrorOnFailure", False)
        return JSONResponse(body, status_code=500 if failed else 200)

    def _matching(self, request: Request) -> list[Instance]:
        query = request.query_params
        statuses = {s.strip().lower() for s in query.get("runtimeStatus", "").split(",") if s.strip()}
        since = h.parse_time(query["createdTimeFrom"]) if query.get("createdTimeFrom") else None
        until = h.parse_time(query["createdTimeTo"]) if query.get("createdTimeTo") else None
        prefix = query.get("instanceIdPrefix", "")
        return [
            i
            for i in self.engine.instances.values()
            if (not statuses or i.status.lower() in statuses)
            and i.instance_id.startswith(prefix)
            and (since is None or i.created >= since)
            and (until is None or i.created <= until)
        ]

    async def list_or_purge(self, request: Request) -> Response:
        matching = self._matching(request)
        if request.method == "DELETE":
            if not matching:
                return Response(status_code=404)
            for instance in matching:
                await self.host.purge(instance.instance_id)
            return JSONResponse({"instancesDeleted": len(matching)})
        show_input = _flag(request, "showInput", False)
        return JSONResponse([self.status_body(i, show_input=show_input) for i in matching])

    async def raise_event(self, request: Request) -> Response:
        instance = self.engine.instances.get(request.path_params["instance_id"])
        if instance is None:
            return Response(status_code=404)
        if instance.is_final:
            return Response(status_code=410)
        if "application/json" not in request.headers.get("content-type", ""):
            return JSONResponse({"Message": "Only application/json request content is supported"}, status_code=400)
        body = await request.body()
        parsed = json.loads(body) if body.strip() else None
        input_text = _as_json_text(parsed) or "null"
        item = h.event_raised(self.host.clock.now(), request.path_params["event"], input_text)
        await self.engine.post(instance.instance_id, Message(new_message_id(), "event", item))
        return Response(status_code=202)

    async def control(self, request: Request) -> Response:
        op = request.path_params["op"]
        if op not in ("terminate", "suspend", "resume", "restart"):
            return JSONResponse({"Message": f"'{op}' is not supported by the dev host"}, status_code=501)
        instance = self.engine.instances.get(request.path_params["instance_id"])
        if instance is None:
            return Response(status_code=404)
        if op == "restart":
            new_id = uuid.uuid4().hex if _flag(request, "restartWithNewInstanceId", True) else instance.instance_id
            await self.engine.start_new(instance.name, new_id, instance.input)
            return JSONResponse(new_id, status_code=202)
        if instance.is_final:
            return Response(status_code=410)
        reason = request.query_params.get("reason")
        await self.engine.post(instance.instance_id, Message(new_message_id(), op, reason=reason))
        return Response(status_code=202)
