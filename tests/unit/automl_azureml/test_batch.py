"""Azure ML side of batch scoring and explanations, built offline against the SDK's own objects: the command job a
batch job submits (its REST body as azure-ai-ml serialises it), its status and progress, and the explanation read from
a best child run's artifacts in azureml-interpret's layout."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from domain.automl.azureml import batch
from domain.entities.automl import ModelRef
from domain.entities.batch import BatchJobStatus

MODEL = ModelRef(name="churn", version="3", uri="azureml:m-t1-churn:3", trial_id="automl-t1-r1_2")
DATA = "azureml://subscriptions/s/resourcegroups/g/workspaces/w/datastores/appdatasets/paths/t1/d1/v000001.csv"
OUT = "azureml://subscriptions/s/resourcegroups/g/workspaces/w/datastores/appdatasets/paths/t1/batch/b1/"


def rest_body(job: Any) -> dict[str, Any]:
    """What `jobs.create_or_update` PUTs (the code folder is uploaded first and named by its asset id)."""
    command_job = job._to_job()
    command_job.code = "azureml:/subscriptions/s/resourceGroups/g/workspaces/w/codes/c/versions/1"
    body: dict[str, Any] = command_job._to_rest_object().as_dict()["properties"]
    return body


def build(**extra: Any) -> Any:
    return batch.scoring_job(
        "t1", "batch-b1", MODEL, DATA, OUT, experiment="t1-batch", output="datasets/t1/batch/b1/predictions.csv",
        rows=300, **extra,
    )  # fmt: skip


def test_a_batch_job_is_a_command_job_on_serverless_compute() -> None:
    body = rest_body(build(instance_type="Standard_E4s_v3"))
    assert body["jobType"] == "Command" and "computeId" not in body  # serverless: Azure ML provisions per job
    assert body["resources"]["instanceType"] == "Standard_E4s_v3" and body["resources"]["instanceCount"] == 1
    assert body["command"] == (
        "python score.py --model ${{inputs.model}} --data ${{inputs.data}} --output ${{outputs.predictions}}"
    )
    assert body["environmentId"] == batch.ENVIRONMENT
    assert body["inputs"]["model"] == {"uri": "azureml:m-t1-churn:3", "jobInputType": "mlflow_model"}
    assert body["inputs"]["data"] == {"uri": DATA, "mode": "Download", "jobInputType": "uri_file"}
    assert body["outputs"]["predictions"] == {"uri": OUT, "mode": "ReadWriteMount", "jobOutputType": "uri_folder"}
    assert body["identity"] == {"identityType": "UserIdentity"}  # the app's identity reads and writes the data
    assert body["tags"] == {
        "app": "automl-functions", "tenant": "t1", "job_name": "batch-b1",
        "batch_output": "datasets/t1/batch/b1/predictions.csv", "batch_rows": "300",
    }  # fmt: skip
    assert (batch.CODE / "score.py").is_file()


def test_with_a_compute_cluster_the_job_runs_there() -> None:
    body = rest_body(build(compute="cpu-cluster"))
    assert body["computeId"] == "cpu-cluster" and "instanceType" not in (body.get("resources") or {})


@pytest.mark.parametrize(
    ("status", "expected"),
    [("Running", "Running"), ("Queued", "Running"), ("Completed", "Completed"), ("Failed", "Failed"),
     ("Canceled", "Canceled"), ("NotStarted", "NotStarted"), ("CancelRequested", "Running")],
)  # fmt: skip
def test_status_rows_and_output_come_from_the_job_and_its_tags(status: str, expected: str) -> None:
    tags = {"batch_output": "datasets/t1/batch/b1/predictions.csv", "batch_rows": "300"}
    state = batch.state_of(SimpleNamespace(status=status, tags=tags), 120)
    assert state.status is BatchJobStatus(expected) and (state.rows_done, state.rows_total) == (120, 300)
    assert state.output == (tags["batch_output"] if expected == "Completed" else None)
    assert (state.error is not None) == (expected == "Failed")


def write(folder: Path, explanation: str, raw: bool, names: list[list[str]], values: list[list[float]]) -> None:
    base = folder / "artifacts" / "explanation" / explanation
    (base / "global_names").mkdir(parents=True)
    (base / "global_values").mkdir()
    (base / "rich_metadata.interpret.json").write_text(json.dumps({"is_raw": raw}))
    for i, (n, v) in enumerate(zip(names, values, strict=True)):
        (base / "global_names" / f"{i}.interpret.json").write_text(json.dumps(n))
        (base / "global_values" / f"{i}.interpret.json").write_text(json.dumps(v))


def test_the_raw_explanation_of_the_best_child_run_is_read(tmp_path: Path) -> None:
    write(tmp_path, "a1", False, [["age_MeanImputer", "city_onehot_paris"]], [[0.4, 0.1]])  # engineered features
    write(tmp_path, "b2", True, [["age", "city"], ["income band"]], [[0.5, 0.2], [0.05]])  # raw, in two shards
    found = batch.parse_explanation(tmp_path, "automl-t1-r1_2")
    assert found.features == (("age", 0.5, None), ("city", 0.2, None), ("income band", 0.05, None))
    assert (found.trial_id, found.method) == ("automl-t1-r1_2", "azureml")


def test_a_run_without_an_explanation_says_so(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="no model explanation"):
        batch.parse_explanation(tmp_path, "automl-t1-r1_2")


def test_automl_jobs_ask_for_model_explainability() -> None:
    from domain.automl.azureml.job_builder import build_job
    from tests.unit.automl_azureml.conftest import make_spec

    job = build_job(make_spec(), compute=None)
    assert job.training.enable_model_explainability is True
