"""Event Grid event shape (through azure-functions' own converter) and posting failures."""

from __future__ import annotations

import json

import azure.functions as func
from azure.functions.eventgrid import EventGridEventInConverter
from azure.functions.meta import Datum

from devhost.azurite import free_port
from domain.automl.local.events import RUN_COMPLETED, RUN_STATUS_CHANGED, TOPIC, post_events, run_event

RUN = {"tenant": "t1", "run_id": "r1", "experiment_id": "e1", "job_name": "automl-t1-r1"}


def test_run_events_parse_as_azure_ml_event_grid_events() -> None:
    raw = run_event(RUN_STATUS_CHANGED, RUN, "Running", {"primary_metric": "accuracy", "score": None})
    event = EventGridEventInConverter.decode(Datum(json.dumps(raw), "json"), trigger_metadata={})
    assert isinstance(event, func.EventGridEvent)
    assert event.event_type == "Microsoft.MachineLearningServices.RunStatusChanged"
    assert event.subject == "experiments/e1/runs/automl-t1-r1" and event.topic == TOPIC
    data = event.get_json()
    assert data["runStatus"] == "Running" and data["runId"] == "automl-t1-r1" and data["experimentId"] == "e1"
    assert data["runProperties"] == {"runTemplate": "AutoML", "primary_metric": "accuracy"}
    completed = run_event(RUN_COMPLETED, RUN, "Completed", {})
    assert "runStatus" not in completed["data"] and completed["id"] != raw["id"]


def test_posting_to_a_closed_port_reports_the_failure() -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"
    assert "could not post events" in (
        post_events(url, [run_event(RUN_COMPLETED, RUN, "Completed", {})], attempts=1) or ""
    )
    assert post_events("", [run_event(RUN_COMPLETED, RUN, "Completed", {})]) is None
