"""Long-running operations (cascading deletes, deployments): `GET .../operations/{id}` shows status and progress.
They live in the platform partition, filed under their tenant (another tenant's operation is NotFound)."""

from __future__ import annotations

from domain.entities.operations import Operation
from domain.ports import Store
from domain.records.kinds import OPERATIONS
from domain.services._views import View

OPERATION = View(OPERATIONS, Operation)


def get_operation(store: Store, tenant: str, operation_id: str) -> Operation:
    return OPERATION.read(store, tenant, operation_id)
