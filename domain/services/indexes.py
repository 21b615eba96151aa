"""Global index partitions (inter-partition indexes, eventually consistent, repaired by reconciliation):

- `_jobs`:   `job|{job name}` -> tenant, run id (the Event Grid handler finds a run by its Azure ML job name)
- `_active`: `run|{tenant}|{run id}` for every run not yet terminal (the collectors' work list)
- `_events`: `event|{tenant}|{run id}|{event id}` for every Event Grid event handled (duplicates do nothing)

A deleted run takes its rows in all three with it (`forget_run`).
"""

from __future__ import annotations

from domain.ports import RowStore
from domain.records.rows import RunRef, read, read_one
from domain.storage.keys import (
    ACTIVE_RUN_PREFIX,
    ACTIVE_RUNS,
    EVENTS,
    JOBS,
    active_run_key,
    event_key,
    job_key,
    run_events,
)
from domain.storage.records import Op


def _put(store: RowStore, partition: str, key: str, ref: RunRef, action: str = "index") -> None:
    store.transact(partition, [Op.upsert(key, ref.stored())], actor="system", action=action, audit=False)


def add_run(store: RowStore, tenant: str, run_id: str, job_name: str) -> None:
    ref = RunRef(tenant=tenant, run_id=run_id)
    _put(store, JOBS, job_key(job_name), ref)
    _put(store, ACTIVE_RUNS, active_run_key(tenant, run_id), ref)


def deactivate_run(store: RowStore, tenant: str, run_id: str) -> None:
    ops = [Op.delete(active_run_key(tenant, run_id), if_exists=True)]
    store.transact(ACTIVE_RUNS, ops, actor="system", action="index", audit=False)


def active_runs(store: RowStore, top: int = 1000) -> list[tuple[str, str]]:
    refs, _ = read(store, ACTIVE_RUNS, ACTIVE_RUN_PREFIX, RunRef, top=top)
    return [(r.tenant, r.run_id) for r in refs]


def run_for_job(store: RowStore, job_name: str) -> tuple[str, str] | None:
    found = read_one(store, JOBS, job_key(job_name), RunRef)
    return (found[0].tenant, found[0].run_id) if found else None


def seen_event(store: RowStore, tenant: str, run_id: str, event_id: str) -> bool:
    return read_one(store, EVENTS, event_key(tenant, run_id, event_id), RunRef) is not None


def record_event(store: RowStore, event_id: str, tenant: str, run_id: str) -> None:
    _put(store, EVENTS, event_key(tenant, run_id, event_id), RunRef(tenant=tenant, run_id=run_id), action="event")


def forget_run(store: RowStore, tenant: str, run_id: str, job_name: str) -> None:
    """Remove the run's rows from the three indexes (idempotent): its job, its active mark, its handled events."""
    store.transact(JOBS, [Op.delete(job_key(job_name), if_exists=True)], actor="system", action="index", audit=False)
    deactivate_run(store, tenant, run_id)
    while True:
        events, _ = store.list_rows(EVENTS, run_events(tenant, run_id), top=99)
        if not events:
            return
        ops = [Op.delete(e.key, if_exists=True) for e in events]
        store.transact(EVENTS, ops, actor="system", action="index", audit=False)
