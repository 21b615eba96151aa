"""Train on scikit-learn's bundled datasets through the port, deploy the best model locally and score held-out rows.

Also checks the trial records and the Event Grid events the worker posted for each job."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import azure.functions as func
import pytest
from azure.functions.eventgrid import EventGridEventInConverter
from azure.functions.meta import Datum

from domain.entities.automl import ALGORITHMS, ENSEMBLE_ALGORITHMS, JobStatus, ProvisioningState
from domain.errors import NotFound

pytestmark = [pytest.mark.integration, pytest.mark.slow]

THRESHOLDS = {"breast_cancer": 0.9, "iris": 0.85, "wine": 0.85, "diabetes": 0.2}
# FLAML built-ins (accuracy; AUC_weighted on a multiclass target) and a custom, lower-is-better Azure metric
PRIMARY = {
    "breast_cancer": "accuracy",
    "iris": "AUC_weighted",
    "wine": "accuracy",
    "diabetes": "normalized_root_mean_squared_error",
}


def held_out_score(name: str, predictions: list[Any], truth: list[Any]) -> float:
    from sklearn.metrics import accuracy_score, r2_score

    return float(r2_score(truth, predictions) if name == "diabetes" else accuracy_score(truth, predictions))


@pytest.fixture(scope="module")
def trained(backend: Any, kit: Any) -> dict[str, dict[str, Any]]:
    """Train all four datasets (two at a time), register each best model and deploy it to one endpoint."""
    unique = uuid.uuid4().hex[:8]
    out: dict[str, dict[str, Any]] = {}
    for name in THRESHOLDS:
        dataset = kit.upload_dataset(backend.settings, name, unique)
        spec = kit.spec_for(dataset, unique, primary_metric=PRIMARY[name])
        out[name] = {"dataset": dataset, "spec": spec, "info": backend.submit_job(spec)}
    for entry in out.values():
        spec = entry["spec"]
        entry["info"] = kit.wait_until(backend, spec.tenant, spec.job_name, kit.terminal, timeout=180)
    tenant = f"t{unique}"
    backend.create_or_update_endpoint(tenant, "ep")
    for name, entry in out.items():
        if entry["info"].status is JobStatus.COMPLETED:
            entry["model"] = backend.register_model(tenant, entry["spec"].job_name, name=f"{name}-model")
            backend.create_or_update_deployment(tenant, "ep", name, entry["model"])
    for name in out:
        deadline = time.monotonic() + 60
        while backend.get_deployment(tenant, "ep", name).state is ProvisioningState.CREATING:
            assert time.monotonic() < deadline, f"deployment {name} never became ready"
            time.sleep(0.2)
    yield out
    backend.delete_endpoint(tenant, "ep")


@pytest.mark.parametrize("name", list(THRESHOLDS))
def test_best_model_scores_held_out_rows_sanely(trained: dict[str, Any], backend: Any, name: str) -> None:
    entry = trained[name]
    assert entry["info"].status is JobStatus.COMPLETED, entry["info"].error
    tenant = entry["spec"].tenant
    assert backend.get_deployment(tenant, "ep", name).state is ProvisioningState.SUCCEEDED
    predictions = backend.score(tenant, "ep", entry["dataset"].test_rows, deployment=name)
    assert len(predictions) == len(entry["dataset"].test_rows)
    assert held_out_score(name, predictions, entry["dataset"].test_y) > THRESHOLDS[name]


def test_trials_are_azure_shaped_records(trained: dict[str, Any], backend: Any) -> None:
    entry = trained["wine"]
    spec, info = entry["spec"], entry["info"]
    trials = backend.list_trials(spec.tenant, spec.job_name)
    assert len(trials) == info.trials_done == spec.limits.max_trials
    assert {t.algorithm for t in trials} <= {*ALGORITHMS[spec.task], *ENSEMBLE_ALGORITHMS}
    assert all(t.duration_seconds is not None and t.duration_seconds > 0 for t in trials)
    assert all(t.hyperparameters and 0.0 <= (t.score or -1) <= 1.0 for t in trials)
    best = max(trials, key=lambda t: t.score or 0.0)
    assert info.best_trial_id == best.trial_id and info.best_score == pytest.approx(best.score)
    assert entry["model"].trial_id == best.trial_id


def test_a_non_best_trial_can_be_registered_and_deployed(trained: dict[str, Any], backend: Any) -> None:
    entry = trained["wine"]
    spec = entry["spec"]
    ranked = sorted(backend.list_trials(spec.tenant, spec.job_name), key=lambda t: t.score or 0.0, reverse=True)
    runner_up = ranked[1]
    model = backend.register_model(spec.tenant, spec.job_name, name="wine-model", trial_id=runner_up.trial_id)
    assert model.trial_id == runner_up.trial_id and model.version == str(int(entry["model"].version) + 1)
    backend.create_or_update_deployment(spec.tenant, "ep", "wine-runner-up", model)
    deadline = time.monotonic() + 60
    while backend.get_deployment(spec.tenant, "ep", "wine-runner-up").state is ProvisioningState.CREATING:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    predictions = backend.score(spec.tenant, "ep", entry["dataset"].test_rows, deployment="wine-runner-up")
    assert held_out_score("wine", predictions, entry["dataset"].test_y) > 0.7
    with pytest.raises(NotFound):
        backend.register_model(spec.tenant, spec.job_name, name="x", trial_id=f"{spec.job_name}_99999")


def test_lower_is_better_custom_metric_is_reported_in_its_direction(trained: dict[str, Any], backend: Any) -> None:
    entry = trained["diabetes"]
    spec, info = entry["spec"], entry["info"]
    trials = backend.list_trials(spec.tenant, spec.job_name)
    assert {t.algorithm for t in trials} <= {*ALGORITHMS[spec.task], *ENSEMBLE_ALGORITHMS}
    scores = [t.metrics["normalized_root_mean_squared_error"] for t in trials]
    assert all(0.0 < s < 1.0 for s in scores)  # an RMSE divided by the target's range
    best = min(trials, key=lambda t: t.score or 1.0)
    assert info.best_trial_id == best.trial_id and info.best_score == pytest.approx(min(scores))
    series, _ = backend.metrics_since(spec.tenant, spec.job_name, 0)
    best_so_far = [p.value for p in series if p.name == spec.primary_metric]
    assert best_so_far == sorted(best_so_far, reverse=True) and best_so_far[-1] == pytest.approx(min(scores))


def test_multiclass_auc_weighted_scores_every_trial(trained: dict[str, Any], backend: Any) -> None:
    spec = trained["iris"]["spec"]
    scores = [t.score for t in backend.list_trials(spec.tenant, spec.job_name)]
    assert scores and all(s is not None and 0.5 < s <= 1.0 for s in scores)


def test_events_parse_as_azure_ml_event_grid_events(trained: dict[str, Any], event_capture: Any) -> None:
    spec = trained["breast_cancer"]["spec"]
    raw = event_capture.for_run(spec.job_name)
    events = [
        EventGridEventInConverter.decode(Datum(json.dumps(e), "json"), trigger_metadata={}) for e in raw
    ]  # fmt: skip
    assert all(isinstance(e, func.EventGridEvent) for e in events)
    assert len({e.id for e in events}) == len(events)
    for e in events:
        assert e.subject == f"experiments/{spec.experiment_id}/runs/{spec.job_name}"
        assert e.topic.endswith("/providers/Microsoft.MachineLearningServices/workspaces/local")
        assert e.event_time is not None and e.data_version
        data = e.get_json()
        assert {"experimentId", "experimentName", "runId", "runType", "runTags", "runProperties"} <= set(data)
    changes = [e.get_json()["runStatus"] for e in events if e.event_type.endswith(".RunStatusChanged")]
    assert changes[:2] == ["Queued", "Preparing"] and changes[-1] == "Completed"
    assert "Running" in changes
    completed = [e for e in events if e.event_type == "Microsoft.MachineLearningServices.RunCompleted"]
    assert len(completed) == 1
    best = trained["breast_cancer"]["info"].best_trial_id
    assert completed[0].get_json()["runProperties"]["best_child_run_id"] == best
