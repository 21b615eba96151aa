"""Live results (docs/adr/0017-live-results.md): a trial's child-run event, shaped as Azure ML sends it, is routed
to its parent's run as a `trial` delivery (collect, do not wake the orchestration); the local engine's trial event
has that shape; the Event Grid handler collects the run at once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import azure.functions as func
from azure.functions.eventgrid import EventGridEventInConverter
from azure.functions.meta import Datum

from domain.automl.local.events import RUN_COMPLETED, TOPIC, trial_event
from domain.entities.queries import TrialsQuery
from domain.services import indexes, run_events, runs, training
from domain.storage import keys
from tests.unit.services.kit import OWNER, World, memory_series, world

RUN = {"tenant": "t1", "run_id": "r1", "experiment_id": "e1", "job_name": "automl-t1-r1"}


def test_the_local_engine_sends_a_trial_as_azure_ml_sends_a_child_run() -> None:
    raw = trial_event(RUN, 7, "LightGBM", 0.93)
    event = EventGridEventInConverter.decode(Datum(json.dumps(raw), "json"), trigger_metadata={})
    assert isinstance(event, func.EventGridEvent) and event.topic == TOPIC and event.event_type == RUN_COMPLETED
    assert event.subject == "experiments/e1/runs/automl-t1-r1_7"
    data = event.get_json()
    assert data["runId"] == "automl-t1-r1_7" and data["runType"] is None and data["runTags"] == {}
    assert data["runProperties"] == {
        "runTemplate": "automl_child",
        "iteration": "7",
        "run_algorithm": "LightGBM",
        "score": "0.93",
    }


def started(w: World) -> tuple[str, str]:
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    return run.id, run.job_name


def route(w: World, event: dict[str, Any]) -> run_events.Delivery | None:
    data = event["data"]
    return run_events.route_event(w.store, event["id"], event["eventType"], event["topic"], data, (), True)


def test_a_child_run_event_is_routed_to_its_parent_run_as_a_trial() -> None:
    w = world()
    run_id, job = started(w)
    run = {**RUN, "tenant": w.tenant, "run_id": run_id, "job_name": job}
    delivery = route(w, trial_event(run, 3, "LightGBM", 0.9))
    assert delivery is not None and delivery.trial and (delivery.tenant, delivery.run_id) == (w.tenant, run_id)
    assert (
        w.store.list_rows(keys.EVENTS, "event|")[0] == []
    )  # a trial's event is not recorded: collecting is idempotent
    assert route(w, trial_event({**run, "job_name": "automl-unknown"}, 3, "LightGBM", 0.9)) is None
    assert indexes.run_for_job(w.store, f"{job}_3") is None


def test_the_event_handler_collects_the_run_at_once(monkeypatch: Any) -> None:
    """`on_automl_run_event` with a trial's event: the trial is in the leaderboard when the handler returns, and the
    orchestration was not woken (no raise_event)."""
    from functions import _wiring
    from functions.events import automl

    w = world()
    run_id, job = started(w)
    w.backend.advance(job, trials=2)
    series = memory_series()
    monkeypatch.setattr(_wiring, "store", lambda: w.store)
    monkeypatch.setattr(_wiring, "series", lambda: series)
    monkeypatch.setattr(_wiring, "backend", lambda: w.backend)
    raised: list[str] = []

    class Client:
        async def raise_event(self, instance: str, name: str, data: object) -> None:
            raised.append(instance)

    run = {**RUN, "tenant": w.tenant, "run_id": run_id, "job_name": job}
    raw = trial_event(run, 1, "LightGBM", 0.51)
    event = EventGridEventInConverter.decode(Datum(json.dumps(raw), "json"), trigger_metadata={})
    handler = automl.on_automl_run_event.build().get_user_function().__wrapped__  # under the client middleware
    asyncio.run(handler(event=event, client=Client()))
    board, _ = runs.leaderboard(w.store, w.tenant, run_id, TrialsQuery())
    assert [t.trial_id for t in board] == ["t1", "t0"] and raised == []
