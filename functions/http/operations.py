"""Long-running operations and the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

import azure.durable_functions as df

from functions import _wiring
from functions._api import Call, endpoint
from functions._io import Reply, ok, page
from functions._lazy import lazy

if TYPE_CHECKING:
    from domain.entities import operations as operations_types
    from domain.entities import queries as queries_types
    from domain.services import audit, operations
else:
    operations_types = lazy("domain.entities.operations")
    queries_types = lazy("domain.entities.queries")
    audit = lazy("domain.services.audit")
    operations = lazy("domain.services.operations")

bp = df.Blueprint()


@endpoint(
    bp,
    "GET",
    "v1/tenants/{tenant}/operations/{id}",
    permission="operation.read",
    summary="Status and progress of a long-running operation",
    response=lambda: operations_types.Operation,
    tag="operations",
)
def get_operation(call: Call) -> Reply:
    return ok(operations.get_operation(_wiring.store(), call.tenant, call.params["id"]))


@endpoint(
    bp,
    "GET",
    "v1/tenants/{tenant}/operations",
    permission="operation.read",
    summary="The tenant's long-running operations (filter by status, kind)",
    query=lambda: queries_types.OperationsQuery,
    response=lambda: list[operations_types.Operation],
    tag="operations",
)
def list_operations(call: Call) -> Reply:
    items, token = operations.list_operations(_wiring.store(), call.tenant, call.query)
    return page(items, token, call.req)


@endpoint(
    bp,
    "GET",
    "v1/tenants/{tenant}/audit",
    permission="audit.read",
    summary="Audit entries, newest first (filter by since, targetId, actor)",
    query=lambda: queries_types.AuditQuery,
    response=lambda: list[operations_types.AuditEntry],
    tag="audit",
)
def list_audit(call: Call) -> Reply:
    q = call.query
    items, token = audit.list_audit(
        _wiring.store(), call.tenant, q.since, q.top, q.continuation, target_id=q.target_id, actor=q.actor
    )
    return page(items, token, call.req)
