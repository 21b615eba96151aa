"""Trials, best trial and metric points through the workspace's MLflow REST API (discovered from the workspace GET)."""

from __future__ import annotations

import copy

from domain.automl.azureml import AzureMLBackend
from domain.entities.automl import JobStatus
from tests.unit.automl_azureml.conftest import make_spec
from tests.unit.automl_azureml.fake_azure import MLFLOW_BASE, REGION, WS_ID, StaticTokenCredential
from tests.unit.automl_azureml.fake_workspace import FakeWorkspace

PARENT = "automl-t1-r1"


def seed(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    """A running AutoML job as Azure ML shows it: the trials' algorithms in the parent's position-aligned tags (not
    in iteration order), none on the child runs; trial 2 is too new for the parent's tags and has only its run
    properties."""
    backend.submit_job(make_spec())
    fw.set_job_status(PARENT, "Running")
    parent_tags = {
        "automl_best_child_run_id": f"{PARENT}_1",
        "iteration_000": "1;0",
        "run_algorithm_000": "RandomForest;LightGBM",
        "run_preprocessor_000": "MaxAbsScaler;StandardScalerWrapper",
        "score_000": "0.91;0.88",
    }
    fw.add_run(PARENT, tags=parent_tags, metrics={"AUC_weighted": 0.91}, end=None)
    child = copy.deepcopy(fw.jobs[PARENT]) | {"name": f"{PARENT}_2"}
    child["properties"]["properties"] = {"runTemplate": "automl_child", "run_algorithm": "XGBoostClassifier"}
    child["properties"]["tags"] = {}
    fw.jobs[f"{PARENT}_2"] = child
    fw.add_run(f"{PARENT}_setup", parent=PARENT)
    fw.add_run(
        f"{PARENT}_0",
        parent=PARENT,
        tags={},
        metrics={"AUC_weighted": 0.88, "accuracy": 0.81},
        params={"learning_rate": "0.1"},
        metric_ts=1_700_000_010_000,
    )
    fw.add_run(
        f"{PARENT}_1",
        parent=PARENT,
        tags={},
        metrics={"AUC_weighted": 0.91},
        metric_ts=1_700_000_020_000,
    )
    fw.add_run(
        f"{PARENT}_2",
        parent=PARENT,
        tags={},
        status="RUNNING",
        end=None,
        metric_ts=1_700_000_030_000,
    )


def test_trials_come_from_child_runs_with_scores_in_iteration_order(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    seed(backend, fw)
    trials = backend.list_trials("t1", PARENT)
    assert [t.trial_id for t in trials] == [f"{PARENT}_0", f"{PARENT}_1", f"{PARENT}_2"]  # the setup run is no trial
    assert [t.algorithm for t in trials] == ["LightGBM", "RandomForest", "XGBoostClassifier"]
    # only the trial the parent's tags do not name yet costs a call for its run properties
    assert [c.path.rsplit("/", 1)[1] for c in fw.t.find("GET", "/jobs/")].count(f"{PARENT}_2") == 1
    assert not any(c.path.endswith((f"{PARENT}_0", f"{PARENT}_1")) for c in fw.t.find("GET", "/jobs/"))
    first = trials[0]
    assert first.algorithm == "LightGBM" and first.score == 0.88
    assert first.metrics == {"AUC_weighted": 0.88, "accuracy": 0.81}
    assert first.hyperparameters == {"learning_rate": "0.1"}
    assert first.duration_seconds == 60 and first.status is JobStatus.COMPLETED
    assert trials[2].status is JobStatus.RUNNING and trials[2].score is None
    # runs/search: the documented body, paged (the fake answers 2 runs per page)
    searches = fw.t.find("POST", "/runs/search")
    assert len(searches) == 2
    body = searches[0].json()
    assert body == {
        "experiment_ids": ["7"],
        "filter": f"tags.mlflow.parentRunId = '{PARENT}'",
        "run_view_type": "ACTIVE_ONLY",
        "max_results": 1000,
    }
    assert searches[1].json()["page_token"] == "2"


def test_mlflow_base_is_discovered_once_from_the_workspace(
    backend: AzureMLBackend, fw: FakeWorkspace, credential: StaticTokenCredential
) -> None:
    seed(backend, fw)
    backend.list_trials("t1", PARENT)
    backend.list_trials("t1", PARENT)
    ws_gets = [c for c in fw.t.calls if c.method == "GET" and c.path == WS_ID]
    assert len(ws_gets) == 1 and ws_gets[0].api_version == "2024-10-01-preview"
    get_run = fw.t.find("GET", "/runs/get")[0]
    assert get_run.host == f"{REGION}.api.azureml.ms"
    assert get_run.path == f"{MLFLOW_BASE}/runs/get" and get_run.query == {"run_id": PARENT}
    assert get_run.headers["Authorization"] == "Bearer fake-token"
    assert ("https://management.azure.com/.default",) in credential.scopes


def test_metrics_since_returns_new_points_and_advances_the_watermark(
    backend: AzureMLBackend, fw: FakeWorkspace
) -> None:
    seed(backend, fw)
    points, mark = backend.metrics_since("t1", PARENT, 0)
    got = {(p.name, p.step, p.value) for p in points}
    assert ("AUC_weighted", 0, 0.88) in got and ("accuracy", 0, 0.81) in got and ("AUC_weighted", 1, 0.91) in got
    assert mark == 1_700_000_050_000  # the parent's point is the newest
    history = fw.t.find("GET", "/metrics/get-history")
    assert [c.query for c in history] == [{"run_id": PARENT, "metric_key": "AUC_weighted", "max_results": "25000"}]

    again, same = backend.metrics_since("t1", PARENT, mark)
    assert again == [] and same == mark
    fw.add_run(
        f"{PARENT}_3", parent=PARENT, tags={"iteration": "3"}, metrics={"AUC_weighted": 0.95}, metric_ts=mark + 1
    )
    newer, newer_mark = backend.metrics_since("t1", PARENT, mark)
    assert [(p.name, p.step, p.value) for p in newer] == [("AUC_weighted", 3, 0.95)] and newer_mark == mark + 1


def test_trials_of_another_tenant_are_not_read(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    import pytest

    from domain.errors import NotFound

    seed(backend, fw)
    before = len(fw.t.calls)
    with pytest.raises(NotFound):
        backend.list_trials("t2", PARENT)
    with pytest.raises(NotFound):
        backend.metrics_since("t2", PARENT, 0)
    assert not [c for c in fw.t.calls[before:] if "mlflow" in c.path]


def test_logs_come_from_the_run_history_log_files(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    seed(backend, fw)
    text = "2026-11-26T10:00:01Z starting\nloading data\n2026-11-26T10:00:09Z trial 0 done\n"
    fw.set_run_details(PARENT, status="Running", logs={"user_logs/std_log.txt": text, "system_logs/x.txt": "no"})
    lines, last = backend.logs_since("t1", PARENT, 0)
    assert [(ln.seq, ln.text) for ln in lines] == [
        (1, "2026-11-26T10:00:01Z starting"),
        (2, "loading data"),
        (3, "2026-11-26T10:00:09Z trial 0 done"),
    ]
    assert last == 3 and lines[0].timestamp.isoformat() == "2026-11-26T10:00:01+00:00"
    details = next(c for c in fw.t.calls if c.path.endswith("/details"))
    assert details.host == f"{REGION}.api.azureml.ms"
    assert details.path == f"/history/v1.0{WS_ID}/runs/{PARENT}/details"
    log_get = next(c for c in fw.t.calls if c.host == "wsstore.blob.core.windows.net")
    assert "Authorization" not in log_get.headers  # the SAS link is the credential: no ARM token leaks to storage
    assert backend.logs_since("t1", PARENT, 3) == ([], 3)
    fw.set_run_details(PARENT, status="Running", logs={"user_logs/std_log.txt": text + "more\n"})
    more, last = backend.logs_since("t1", PARENT, 3)
    assert [(ln.seq, ln.text) for ln in more] == [(4, "more")] and last == 4


def test_no_log_yet_returns_nothing(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    seed(backend, fw)
    fw.set_run_details(PARENT, status="Queued")
    assert backend.logs_since("t1", PARENT, 0) == ([], 0)


def test_logs_of_another_tenants_job_are_not_found(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    import pytest

    from domain.errors import NotFound

    seed(backend, fw)
    with pytest.raises(NotFound):
        backend.logs_since("t2", PARENT, 0)
    assert not [c for c in fw.t.calls if "/history/" in c.path]


def test_a_failed_job_reports_azures_error_text(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    seed(backend, fw)
    fw.set_job_status(PARENT, "Failed")
    fw.set_run_details(PARENT, status="Failed", error="Training data has fewer than 50 rows.")
    info = backend.get_job("t1", PARENT)
    assert info.status is JobStatus.FAILED and info.error == "Training data has fewer than 50 rows."
