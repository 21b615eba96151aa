"""The API's endpoint decorator: every route declares its permission, inputs and outputs in one place.

`endpoint(...)` registers an Azure Functions HTTP trigger on a blueprint and records an `Op` in `OPS`, which the
OpenAPI document (`functions/_openapi.py`) and the route-permission coverage test read. The wrapper authenticates,
authorizes the declared permission for the tenant in the route, parses the query and body with pydantic, calls the
handler, renders its `Reply`, and maps every `DomainError` to the API's error format (never a stack trace).
"""

from __future__ import annotations

import asyncio
import inspect
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import FunctionType
from typing import TYPE_CHECKING, Any

import azure.durable_functions as df
import azure.functions as func

from domain.auth.permissions import Permission
from domain.errors import DomainError
from domain.storage.budget import request_budget
from functions import _cors
from functions._errors import error_response, internal_error
from functions._io import JSON, MERGE_PATCH, Reply, parse_json, parse_query, render
from functions._security import security

if TYPE_CHECKING:
    from pydantic import BaseModel

    from domain.entities.principal import Principal

TENANT_PARAM = "tenant"
Ref = Any  # a model class (or `list[...]` of one), or a lambda returning it: declarations name their models lazily


def resolve(ref: Ref) -> Any:
    """The model a declaration names: `ref()` for a lambda (its module is imported now, on first use), else `ref`."""
    return ref() if isinstance(ref, FunctionType) else ref


@dataclass(frozen=True)
class Op:
    """One route's declaration. `body`, `query` and `response` resolve the declared models on first read (the entity
    modules and pydantic are not imported while the worker indexes the app: ADR 0019)."""

    name: str
    method: str
    route: str
    permission: str
    summary: str
    body_ref: Ref = None
    body_media: tuple[str, ...] = ("application/json",)
    query_ref: Ref = None
    response_ref: Ref = None
    status: int = 200
    errors: tuple[int, ...] = ()
    tag: str = ""
    also: tuple[int, ...] = ()  # other success statuses with the same body (PUT: 200 update / 201 create)
    headers: tuple[str, ...] = ()  # request headers beyond If-Match / If-None-Match (e.g. Idempotency-Key)
    long_running: bool = False  # answers Operation-Location (+ Retry-After): the work goes on after the answer
    response_headers: tuple[str, ...] = ()  # headers of the success answer beyond ETag / Location / Operation-Location

    @property
    def body(self) -> type[BaseModel] | None:
        model: type[BaseModel] | None = resolve(self.body_ref)
        return model

    @property
    def query(self) -> type[BaseModel] | None:
        model: type[BaseModel] | None = resolve(self.query_ref)
        return model

    @property
    def response(self) -> Any:
        return resolve(self.response_ref)

    @property
    def json_body(self) -> bool:
        return self.body is not None and all(m in (JSON, MERGE_PATCH) for m in self.body_media)


OPS: list[Op] = []


@dataclass
class Call:
    """One request, parsed: who calls, for which tenant, with which inputs."""

    req: func.HttpRequest
    principal: Principal | None
    params: dict[str, str]
    query: Any = None
    body: Any = None
    client: Any = None  # DurableOrchestrationClient for routes declared with durable=True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tenant(self) -> str:
        return self.params[TENANT_PARAM]

    @property
    def user(self) -> Principal:
        assert self.principal is not None
        return self.principal

    @property
    def if_match(self) -> str | None:
        value = self.req.headers.get("if-match")
        return None if value in (None, "", "*") else value

    def path(self, suffix: str) -> str:
        return f"/api/v1/tenants/{self.tenant}/{suffix}" if TENANT_PARAM in self.params else f"/api/v1/{suffix}"


Handler = Callable[[Call], Reply | Awaitable[Reply]]


def _prepare(op: Op, req: func.HttpRequest) -> Call:
    params = dict(req.route_params)
    principal = None
    if op.permission != "public":
        principal = security().authenticate(req.headers)
        security().authorize(principal, params.get(TENANT_PARAM), op.permission)
    query = parse_query(req, op.query) if op.query else None
    body = parse_json(req, op.body, op.body_media) if op.body is not None and op.json_body else None
    return Call(req=req, principal=principal, params=params, query=query, body=body)


def _prepare_and_handle(op: Op, fn: Handler, req: func.HttpRequest, client: Any) -> Reply:
    call = _prepare(op, req)
    call.client = client
    reply = fn(call)
    assert isinstance(reply, Reply), f"{op.name}: a sync handler returns a Reply"
    return reply


REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def request_id(req: func.HttpRequest) -> str:
    """The request's correlation id: the client's `x-ms-client-request-id` when it is a plain token, else a new one.
    Every answer carries it as `x-ms-request-id`; the log records it with any unexpected error."""
    sent = req.headers.get("x-ms-client-request-id") or ""
    return sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


async def _dispatch(op: Op, fn: Handler, req: func.HttpRequest, client: Any) -> func.HttpResponse:
    rid = request_id(req)
    cors = {**_cors.headers_for(req), "x-ms-request-id": rid}
    try:
        with request_budget():  # an outage answers 503 within about 5 s, however many storage calls the request makes
            if inspect.iscoroutinefunction(fn):
                call = await asyncio.to_thread(_prepare, op, req)
                call.client = client
                reply = await fn(call)
            else:  # parse and handle in one trip to the thread pool (a trip per request, not two: ADR 0019)
                reply = await asyncio.to_thread(_prepare_and_handle, op, fn, req, client)
        return render(reply, cors, req)
    except DomainError as exc:
        resp = error_response(exc)
    except Exception as exc:
        resp = internal_error(exc, rid)
    for k, v in cors.items():
        resp.headers[k] = v
    return resp


def endpoint(
    bp: df.Blueprint,
    method: str,
    route: str,
    *,
    permission: str,
    summary: str,
    body: Ref = None,
    body_media: tuple[str, ...] | None = None,
    query: Ref = None,
    response: Ref = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    durable: bool = False,
    tag: str = "",
    also: tuple[int, ...] = (),
    headers: tuple[str, ...] = (),
    long_running: bool = False,
    response_headers: tuple[str, ...] = (),
) -> Callable[[Handler], Handler]:
    """Declare and register one route. The handler takes a `Call` and returns a `Reply` (sync or async).
    A PATCH body is a JSON merge patch (RFC 7396): `application/merge-patch+json` or `application/json`.
    `body`, `query` and `response` name models through a lambda over a lazily imported entity module
    (`body=lambda: entities.ExperimentCreate`), so that indexing the app imports neither them nor pydantic."""
    media = body_media or ((MERGE_PATCH, JSON) if method == "PATCH" else (JSON,))

    def register(fn: Handler) -> Handler:
        op = Op(
            fn.__name__,
            method,
            route,
            Permission(permission),
            summary,
            body,
            media,
            query,
            response,
            status,
            errors,
            tag,
            also,
            headers,
            long_running or status == 202,
            response_headers,
        )
        OPS.append(op)
        if durable:

            async def handler_with_client(
                req: func.HttpRequest, client: df.DurableOrchestrationClient
            ) -> func.HttpResponse:
                return await _dispatch(op, fn, req, client)

            handler_with_client.__name__ = fn.__name__
            bp.route(route=route, methods=[method], auth_level=func.AuthLevel.ANONYMOUS)(
                bp.durable_client_input(client_name="client")(handler_with_client)
            )
        else:

            async def handler(req: func.HttpRequest) -> func.HttpResponse:
                return await _dispatch(op, fn, req, None)

            handler.__name__ = fn.__name__
            bp.route(route=route, methods=[method], auth_level=func.AuthLevel.ANONYMOUS)(handler)
        return fn

    return register
