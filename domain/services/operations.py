"""Long-running operations (cascading deletes, deployments): `GET .../operations/{id}` shows status and progress.
They live in the platform partition, filed under their tenant (another tenant's operation is NotFound)."""

from __future__ import annotations

from domain.entities.operations import Operation
from domain.records.kinds import OPERATIONS
from domain.services._views import View

OPERATION = View(OPERATIONS, Operation)
# reading, listing a page and patching: the same for every resource (`View`, domain/services/_views.py)
get_operation = OPERATION.read
