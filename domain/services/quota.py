"""The run quota (`maxConcurrentRuns`), exact under any concurrency.

A tenant has `maxConcurrentRuns` slots, rows `slot|000` .. `slot|{n-1}` in its partition. A run claims the lowest
free slot by creating its row in the run's own transaction; of two starts that picked the same slot, the second
transaction fails as a whole and that start looks again (at most `ATTEMPTS` times). At most n slot rows below n can
exist, and a start is refused while the tenant holds n slots or more (a lowered quota), so the number of active runs
never exceeds the quota. The slot is released in the transaction that finalizes the run (or deletes it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from domain.entities.principal import Principal
from domain.errors import Conflict, QuotaExceeded
from domain.ports import RowStore, Store
from domain.records import rows
from domain.records.kind import Stored
from domain.records.kinds import RUNS, RunData
from domain.services._views import actor
from domain.storage import keys
from domain.storage.records import Op

ATTEMPTS = 20


def held(store: RowStore, tenant: str) -> dict[int, str]:
    """slot -> the run holding it."""
    found, _ = store.list_rows(tenant, keys.SLOT_PREFIX, top=1000)
    return {keys.slot_of(r.key): rows.Slot.model_validate(r.data).run_id for r in found}


def claim(
    store: Store,
    principal: Principal,
    tenant: str,
    run_id: str,
    data: RunData,
    limit: int,
    extra_ops: Sequence[Op] = (),
    superseded: Callable[[], bool] | None = None,
) -> Stored[RunData] | None:
    """Create the run holding a free slot, with `extra_ops` (one transaction); None when a run with this id exists
    or `superseded()` says another request did the same start (a repeated Idempotency-Key). QuotaExceeded when every
    slot is held."""
    for _ in range(ATTEMPTS):
        taken = held(store, tenant)
        if len(taken) >= limit:
            raise QuotaExceeded(
                f"The tenant already has {len(taken)} active runs; its quota is {limit}.", target="maxConcurrentRuns"
            )
        slot = min(i for i in range(limit) if i not in taken)
        ops = [Op.create(keys.slot_key(slot), rows.Slot(run_id=run_id).stored()), *extra_ops]
        try:
            return RUNS.create(
                store, tenant, run_id, data.model_copy(update={"slot": slot}), actor=actor(principal), extra_ops=ops
            )
        except Conflict:
            if RUNS.exists(store, tenant, run_id) or (superseded is not None and superseded()):
                return None
            # another start took this slot first: look again
    raise QuotaExceeded("Too many runs are starting at once; try again.", target="maxConcurrentRuns")


def release(store: RowStore, tenant: str, run_id: str, run: RunData) -> list[Op]:
    """The operation freeing the run's slot, for the transaction that ends the run (none if it holds no slot)."""
    if run.slot is None:
        return []
    found = rows.read_one(store, tenant, keys.slot_key(run.slot), rows.Slot)
    if found is None or found[0].run_id != run_id:
        return []
    return [Op.delete(keys.slot_key(run.slot), etag=found[1])]
