"""Global index partitions (inter-partition indexes, eventually consistent, repaired by reconciliation):

- `_jobs`:   `job|{job name}` -> tenant, run id (the Event Grid handler finds a run by its Azure ML job name)
- `_active`: `run|{tenant}|{run id}` for every run not yet terminal (the collectors' work list)
- `_events`: `event|{event id}` for every Event Grid event handled (duplicates do nothing)
"""

from __future__ import annotations

from typing import Any

from domain.storage.records import Op

JOBS, ACTIVE, EVENTS = "_jobs", "_active", "_events"


def add_run(store: Any, tenant: str, run_id: str, job_name: str) -> None:
    store.transact(
        JOBS,
        [Op.upsert(f"job|{job_name}", {"tenant": tenant, "run_id": run_id})],
        actor="system",
        action="index",
        audit=False,
    )
    store.transact(
        ACTIVE,
        [Op.upsert(f"run|{tenant}|{run_id}", {"tenant": tenant, "run_id": run_id})],
        actor="system",
        action="index",
        audit=False,
    )


def deactivate_run(store: Any, tenant: str, run_id: str) -> None:
    store.transact(
        ACTIVE, [Op.delete(f"run|{tenant}|{run_id}", if_exists=True)], actor="system", action="index", audit=False
    )


def active_runs(store: Any, top: int = 1000) -> list[tuple[str, str]]:
    rows, _ = store.list_rows(ACTIVE, "run|", top=top)
    return [(data["tenant"], data["run_id"]) for _, data, _ in rows]


def run_for_job(store: Any, job_name: str) -> tuple[str, str] | None:
    rows, _ = store.list_rows(JOBS, f"job|{job_name}", top=1)
    for key, data, _ in rows:
        if key == f"job|{job_name}":
            return data["tenant"], data["run_id"]
    return None


def seen_event(store: Any, event_id: str) -> bool:
    rows, _ = store.list_rows(EVENTS, f"event|{event_id}", top=1)
    return any(key == f"event|{event_id}" for key, _, _ in rows)


def record_event(store: Any, event_id: str, tenant: str, run_id: str) -> None:
    store.transact(
        EVENTS,
        [Op.upsert(f"event|{event_id}", {"tenant": tenant, "run_id": run_id})],
        actor="system",
        action="event",
        audit=False,
    )
