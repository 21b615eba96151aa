"""Azure ML run events from Event Grid (`RunCompleted`, `RunStatusChanged`, `ModelRegistered`).

Delivery is at least once and unordered: the handler checks the topic is a known workspace, finds the run by job
name, asks the caller to raise the event to the run's orchestration, and records the event id so a duplicate does
nothing. The orchestration re-reads the job's real status, so a late or out-of-order event cannot move a run back.

Azure ML also sends the events of an AutoML job's child runs (its trials, `runProperties.runTemplate`
`automl_child`, run id `{job name}_{iteration}`; also `_setup`, `_featurize`): those are routed to the parent's run
as `trial` deliveries, which the handler answers by collecting the run's results at once (live leaderboard,
docs/adr/0017-live-results.md), without waking the orchestration. A repeat only collects again (idempotent).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import JsonValue

from domain.ports import RowStore
from domain.services import indexes

log = logging.getLogger(__name__)
PREFIX = "Microsoft.MachineLearningServices."
RUN_EVENTS = frozenset({"RunCompleted", "RunStatusChanged"})
LOCAL_TOPIC_SUFFIX = "/workspaces/local"


@dataclass(frozen=True)
class Delivery:
    """What to raise: the orchestration instance (= run id) and the event's payload."""

    tenant: str
    run_id: str
    payload: dict[str, JsonValue]
    trial: bool = False  # an event of one of the job's child runs: collect, do not raise


def topic_allowed(topic: str, allowed: tuple[str, ...], local_backend: bool) -> bool:
    t = topic.lower().rstrip("/")
    if any(t == a.lower().rstrip("/") for a in allowed):
        return True
    return local_backend and t.endswith(LOCAL_TOPIC_SUFFIX)


def route_event(
    store: RowStore,
    event_id: str,
    event_type: str,
    topic: str,
    data: Mapping[str, JsonValue],
    allowed: tuple[str, ...],
    local_backend: bool,
) -> Delivery | None:
    """The delivery for this event, or None (logged) when it is foreign, unknown, not a run event or a duplicate."""
    short = event_type.removeprefix(PREFIX)
    if not topic_allowed(topic, allowed, local_backend):
        log.warning("Event %s from unknown topic %s ignored", event_id, topic)
        return None
    if short not in RUN_EVENTS:
        log.info("Event %s of type %s acknowledged (nothing to do)", event_id, event_type)
        return None
    job_name = str(data.get("runId") or "")
    found = indexes.run_for_job(store, job_name) if job_name else None
    if found is None and "_" in job_name:  # a child run (a trial): `{parent job name}_{iteration}`
        parent = indexes.run_for_job(store, job_name.rsplit("_", 1)[0])
        if parent is not None:
            payload: dict[str, JsonValue] = {"type": short, "trial": job_name, "eventId": event_id}
            return Delivery(parent[0], parent[1], payload, trial=True)
    if found is None:
        log.info("Event %s for unknown job %r acknowledged", event_id, job_name)
        return None
    tenant, run_id = found
    if indexes.seen_event(store, tenant, run_id, event_id):
        log.info("Duplicate event %s ignored", event_id)
        return None
    return Delivery(tenant, run_id, {"type": short, "status": data.get("runStatus"), "eventId": event_id})


def delivered(store: RowStore, event_id: str, delivery: Delivery) -> None:
    indexes.record_event(store, event_id, delivery.tenant, delivery.run_id)
