"""Submitting, reading and cancelling AutoML jobs: the exact REST calls the SDK sends, and idempotency."""

from __future__ import annotations

import pytest

from domain.automl.azureml import AzureMLBackend
from domain.entities.automl import ForecastSettings, JobStatus, Limits, Validation
from domain.errors import NotFound, UpstreamRefused, ValidationFailed
from tests.unit.automl_azureml.conftest import make_spec
from tests.unit.automl_azureml.fake_azure import WS_ID, Answer
from tests.unit.automl_azureml.fake_workspace import FakeWorkspace

JOB_PATH = f"{WS_ID}/jobs/automl-t1-r1"


def test_submit_puts_an_automl_job_with_sdk_normalised_settings(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    spec = make_spec(
        limits=Limits(
            timeout_minutes=90, trial_timeout_minutes=20, max_trials=12, max_concurrent_trials=3, exit_score=0.95
        ),
        validation=Validation(n_cross_validations=5),
        allowed_algorithms=("LightGBM", "RandomForest"),
        blocked_algorithms=("KNN",),
    )
    info = backend.submit_job(spec)

    assert info.job_name == "automl-t1-r1" and info.status is JobStatus.NOT_STARTED
    assert info.studio_url == "https://ml.azure.com/runs/automl-t1-r1"
    get, put = fw.t.calls[0], fw.t.calls[1]
    assert (get.method, get.path) == ("GET", JOB_PATH)  # looked up first: a retried submit is harmless
    assert (put.method, put.path, put.api_version) == ("PUT", JOB_PATH, "2024-01-01-preview")
    assert put.headers["Authorization"] == "Bearer fake-token"
    props = put.json()["properties"]
    assert props["jobType"] == "AutoML"
    assert props["experimentName"] == "t1-e1"
    assert props["tags"] == {
        "app": "automl-functions",
        "tenant": "t1",
        "run_id": "r1",
        "experiment_id": "e1",
        "dataset_id": "d1",
    }
    assert "computeId" not in props  # serverless compute when AZUREML_COMPUTE is empty
    task = props["taskDetails"]
    assert task["taskType"] == "Classification"
    assert task["primaryMetric"] == "AUCWeighted"
    assert task["targetColumnName"] == "y"
    assert task["trainingData"] == {"uri": f"{WS_ID}/data/ds-t1-d1/versions/3", "jobInputType": "mltable"}
    assert task["nCrossValidations"] == {"value": 5, "mode": "Custom"}
    assert task["limitSettings"]["timeout"] == "PT1H30M"
    assert task["limitSettings"]["trialTimeout"] == "PT20M"
    assert task["limitSettings"]["maxTrials"] == 12
    assert task["limitSettings"]["maxConcurrentTrials"] == 3
    assert task["limitSettings"]["exitScore"] == 0.95
    assert task["trainingSettings"]["allowedTrainingAlgorithms"] == ["LightGBM", "RandomForest"]
    assert task["trainingSettings"]["blockedTrainingAlgorithms"] == ["KNN"]
    assert task["featurizationSettings"]["mode"] == "auto"


def test_forecasting_job_carries_forecast_settings_and_compute(fw: FakeWorkspace) -> None:
    from domain.automl.azureml.client import RetryOptions
    from tests.unit.automl_azureml.fake_azure import StaticTokenCredential
    from tests.unit.automl_azureml.fake_workspace import settings

    backend = AzureMLBackend(
        settings(AZUREML_COMPUTE="cpu-cluster"), StaticTokenCredential(), fw.t, retry=RetryOptions(total=0)
    )
    spec = make_spec(
        task="forecasting",
        primary_metric="normalized_root_mean_squared_error",
        forecast=ForecastSettings(time_column="when", horizon=14, time_series_id_columns=("a",)),
        validation=Validation(validation_size=0.2),
    )
    backend.submit_job(spec)
    props = fw.t.find("PUT", "/jobs/")[0].json()["properties"]
    assert props["computeId"] == f"{WS_ID}/computes/cpu-cluster"
    task = props["taskDetails"]
    assert task["taskType"] == "Forecasting"
    assert task["primaryMetric"] == "NormalizedRootMeanSquaredError"
    assert task["validationDataSize"] == 0.2
    fs = task["forecastingSettings"]
    assert fs["timeColumnName"] == "when"
    assert fs["forecastHorizon"] == {"mode": "Custom", "value": 14}
    assert fs["timeSeriesIdColumnNames"] == ["a"]


def test_resubmit_returns_the_existing_job_without_a_second_put(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    first = backend.submit_job(make_spec())
    fw.set_job_status("automl-t1-r1", "Running")
    again = backend.submit_job(make_spec())
    assert again.job_name == first.job_name and again.status is JobStatus.RUNNING
    assert len(fw.t.find("PUT", "/jobs/")) == 1


def test_a_409_from_a_concurrent_submit_returns_the_job(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    backend.submit_job(make_spec())
    gets = iter([Answer(404, {"error": {"code": "UserError", "message": "not yet"}})])

    def first_absent_then_present(call: object) -> Answer:
        return next(gets, None) or Answer(200, fw.jobs["automl-t1-r1"])

    fw.t.route("GET", r"/jobs/automl-t1-r1", first_absent_then_present)
    fw.t.route("PUT", r"/jobs/automl-t1-r1", Answer(409, {"error": {"code": "Conflict", "message": "Job exists"}}))
    info = backend.submit_job(make_spec())
    assert info.job_name == "automl-t1-r1"


def test_a_409_on_another_tenants_job_is_refused(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    backend.submit_job(make_spec())
    fw.jobs["automl-t1-r1"]["properties"]["tags"]["tenant"] = "someone-else"
    fw.t.route("PUT", r"/jobs/automl-t1-r1", Answer(409, {"error": {"code": "Conflict", "message": "Job exists"}}))
    with pytest.raises(UpstreamRefused, match="Job exists"):
        backend.submit_job(make_spec())


def test_submit_checks_azure_rules_before_any_call(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    with pytest.raises(ValidationFailed):
        backend.submit_job(make_spec(primary_metric="r2_score"))
    assert fw.t.calls == []


def test_another_tenants_job_is_not_found(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    backend.submit_job(make_spec())
    with pytest.raises(NotFound):
        backend.get_job("t2", "automl-t1-r1")
    with pytest.raises(NotFound):
        backend.cancel_job("t2", "automl-t1-r1")
    assert fw.t.find("POST", "/cancel") == []


def test_unknown_job_is_not_found(backend: AzureMLBackend) -> None:
    with pytest.raises(NotFound):
        backend.get_job("t1", "automl-t1-nope")


def test_cancel_posts_cancel_and_reports_cancel_requested(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    backend.submit_job(make_spec())
    fw.set_job_status("automl-t1-r1", "Running")
    info = backend.cancel_job("t1", "automl-t1-r1")
    assert info.status is JobStatus.CANCEL_REQUESTED
    cancel = fw.t.find("POST", "/cancel")[0]
    assert cancel.path == JOB_PATH + "/cancel" and cancel.api_version == "2023-04-01-preview"


def test_cancel_of_a_finished_job_sends_nothing(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    backend.submit_job(make_spec())
    fw.set_job_status("automl-t1-r1", "Completed")
    fw.add_run("automl-t1-r1")
    assert backend.cancel_job("t1", "automl-t1-r1").status is JobStatus.COMPLETED
    assert fw.t.find("POST", "/cancel") == []


def test_status_aliases_fold_onto_the_api_vocabulary(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    backend.submit_job(make_spec())
    for azure, ours in [("Provisioning", JobStatus.PREPARING), ("Finalizing", JobStatus.FINALIZING)]:
        fw.set_job_status("automl-t1-r1", azure)
        assert backend.get_job("t1", "automl-t1-r1").status is ours


def test_completed_job_reports_best_trial_and_times(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    backend.submit_job(make_spec())
    fw.set_job_status("automl-t1-r1", "Completed")
    fw.add_run("automl-t1-r1", tags={"automl_best_child_run_id": "automl-t1-r1_4"})
    fw.add_run("automl-t1-r1_4", parent="automl-t1-r1", metrics={"AUC_weighted": 0.93, "accuracy": 0.88})
    info = backend.get_job("t1", "automl-t1-r1")
    assert info.best_trial_id == "automl-t1-r1_4" and info.best_score == 0.93
    assert info.started_at is not None and info.ended_at is not None
    assert (info.ended_at - info.started_at).total_seconds() == 60


def test_delete_cancels_a_running_job_then_deletes_it(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    backend.submit_job(make_spec())
    fw.set_job_status("automl-t1-r1", "Running")
    backend.delete_job("t1", "automl-t1-r1")
    assert [c.method for c in fw.t.calls if c.path.endswith("/cancel") or c.method == "DELETE"] == ["POST", "DELETE"]
    assert "automl-t1-r1" not in fw.jobs
    backend.delete_job("t1", "automl-t1-r1")  # idempotent
