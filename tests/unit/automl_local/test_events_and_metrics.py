"""Event Grid event shape (through azure-functions' own converter) and the custom Azure metrics."""

from __future__ import annotations

import json

import azure.functions as func
import pytest
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


class Fixed:
    def __init__(self, predictions: list[float], proba: list[list[float]] | None = None) -> None:
        self.predictions, self.proba = predictions, proba

    def predict(self, X: object) -> object:
        import numpy as np

        return np.array(self.predictions)

    def predict_proba(self, X: object) -> object:
        import numpy as np

        return np.array(self.proba)


def test_normalised_errors_divide_by_the_target_range() -> None:
    from domain.automl.local.worker_metrics import AzureMetric

    metric = AzureMetric("normalized_mean_absolute_error", target_range=10.0)
    loss, logged = metric(None, [1.0, 2.0], Fixed([2.0, 4.0]), None, None, None)
    assert loss == pytest.approx(0.15) and logged == {"normalized_mean_absolute_error": pytest.approx(0.15)}
    rmse = AzureMetric("normalized_root_mean_squared_error", 2.0)(None, [0.0, 0.0], Fixed([2.0, 2.0]), None, None, None)
    assert rmse[0] == pytest.approx(1.0)


def test_maximised_custom_metrics_return_one_minus_the_score() -> None:
    from domain.automl.local.worker_metrics import AzureMetric

    loss, logged = AzureMetric("spearman_correlation")(None, [1, 2, 3], Fixed([10, 20, 30]), None, None, None)
    assert loss == pytest.approx(0.0) and logged["spearman_correlation"] == pytest.approx(1.0)
    # macro recall 0.5 with 2 classes is chance level: normalised to 0
    nmr = AzureMetric("norm_macro_recall")(None, [0, 0, 1, 1], Fixed([0, 0, 0, 0]), [0, 1], None, None)
    assert nmr[1]["norm_macro_recall"] == pytest.approx(0.0)
    ap = AzureMetric("average_precision_score_weighted")(
        None, [0, 1], Fixed([0, 1], [[0.9, 0.1], [0.2, 0.8]]), [0, 1], None, None
    )
    assert ap[1]["average_precision_score_weighted"] == pytest.approx(1.0)
