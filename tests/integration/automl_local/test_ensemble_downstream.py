"""The VotingEnsemble and the scaled learners downstream: the ensemble is a trial of the leaderboard (Azure's
properties: ensembled iterations, algorithms, weights), it and a scaled learner's trial can be registered (refit in a
worker subprocess), deployed to the local scoring server and score rows of a table with missing values, string
categories, column names with spaces and a string label."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import numpy as np
import pytest

from domain.automl.local.blobs import upload_bytes
from domain.entities.automl import (
    ALGORITHMS,
    DatasetVersionRef,
    JobStatus,
    Limits,
    ProvisioningState,
    Task,
    TrainingSpec,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]
TARGET = "diagnosis"


def messy_tables() -> tuple[Any, Any]:
    """breast_cancer with a string label, two measurements as named levels and 15 % missing cells in six columns."""
    import pandas as pd
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    data = load_breast_cancer(as_frame=True)
    frame = data.frame.drop(columns=["target"])
    rng = np.random.default_rng(0)
    for column in ("mean radius", "worst texture"):
        frame[column] = pd.qcut(frame[column], 4, labels=["very small", "small", "large", "very large"]).astype(str)
    for column in ("mean radius", "worst texture", "mean area", "worst smoothness", "area error", "worst symmetry"):
        frame.loc[rng.random(len(frame)) < 0.15, column] = np.nan
    frame[TARGET] = np.asarray(data.target_names)[data.target]
    train, test = train_test_split(frame, test_size=0.25, random_state=0, stratify=frame[TARGET])
    return train, test


@pytest.fixture(scope="module")
def job(backend: Any, kit: Any) -> dict[str, Any]:
    unique = uuid.uuid4().hex[:8]
    train, test = messy_tables()
    settings = backend.settings
    blob = f"{unique}/messy.csv"
    upload_bytes(settings, settings.datasets_container, blob, train.to_csv(index=False).encode())
    ref = DatasetVersionRef(
        dataset_id="messy", version=1, blob_path=f"{settings.datasets_container}/{blob}", columns=tuple(train.columns)
    )
    spec = TrainingSpec(
        tenant=f"t{unique}", run_id="messy", experiment_id="ensembles", task=Task.CLASSIFICATION, dataset=ref,
        target_column=TARGET, primary_metric="AUC_weighted", limits=Limits(timeout_minutes=3, max_trials=10), seed=2,
    )  # fmt: skip
    backend.submit_job(spec)
    info = kit.wait_until(backend, spec.tenant, spec.job_name, kit.terminal, timeout=300)
    backend.create_or_update_endpoint(spec.tenant, "ep")
    rows = json.loads(test.drop(columns=[TARGET]).to_json(orient="records"))  # missing values as null
    yield {"spec": spec, "info": info, "rows": rows, "truth": test[TARGET].tolist()}
    backend.delete_endpoint(spec.tenant, "ep")


def deploy_and_score(backend: Any, job: dict[str, Any], name: str, trial_id: str | None) -> list[Any]:
    spec = job["spec"]
    model = backend.register_model(spec.tenant, spec.job_name, name=name, trial_id=trial_id)
    assert model.trial_id == (trial_id or job["info"].best_trial_id)
    backend.create_or_update_deployment(spec.tenant, "ep", name, model)
    deadline = time.monotonic() + 90
    while (state := backend.get_deployment(spec.tenant, "ep", name)).state is ProvisioningState.CREATING:
        assert time.monotonic() < deadline, "the deployment never became ready"
        time.sleep(0.2)
    assert state.state is ProvisioningState.SUCCEEDED, state.error
    predictions: list[Any] = backend.score(spec.tenant, "ep", job["rows"], deployment=name)
    return predictions


def accuracy(predictions: list[Any], truth: list[Any]) -> float:
    return float(np.mean([p == t for p, t in zip(predictions, truth, strict=True)]))


def test_the_voting_ensemble_is_a_trial_with_azures_properties(backend: Any, job: dict[str, Any]) -> None:
    spec, info = job["spec"], job["info"]
    assert info.status is JobStatus.COMPLETED, info.error
    trials = backend.list_trials(spec.tenant, spec.job_name)
    assert len(trials) == info.trials_done == 10
    (voting,) = [t for t in trials if t.algorithm == "VotingEnsemble"]
    assert voting.trial_id == trials[-1].trial_id  # the last trial, as in Azure
    members = voting.hyperparameters["ensembled_iterations"]
    by_record = {int(t.trial_id.rsplit("_", 1)[1]): t for t in trials}
    assert members and all(m in by_record and by_record[m].algorithm != "VotingEnsemble" for m in members)
    assert voting.hyperparameters["ensembled_algorithms"] == [by_record[m].algorithm for m in members]
    assert set(voting.hyperparameters["ensembled_algorithms"]) <= set(ALGORITHMS[Task.CLASSIFICATION])
    assert sum(voting.hyperparameters["ensemble_weights"]) == pytest.approx(1.0)
    assert set(voting.metrics) == {"accuracy", "AUC_weighted", "norm_macro_recall", "precision_score_weighted"}
    assert 0.9 < (voting.score or 0.0) <= 1.0


def test_the_ensemble_trial_registers_deploys_and_scores_a_messy_table(backend: Any, job: dict[str, Any]) -> None:
    trials = backend.list_trials(job["spec"].tenant, job["spec"].job_name)
    voting = next(t for t in trials if t.algorithm == "VotingEnsemble")
    predictions = deploy_and_score(backend, job, "voting", voting.trial_id)
    assert set(predictions) <= {"malignant", "benign"}  # labels as in the CSV
    assert accuracy(predictions, job["truth"]) > 0.9


def test_a_scaled_learners_trial_and_the_best_model_score_the_messy_table(backend: Any, job: dict[str, Any]) -> None:
    trials = backend.list_trials(job["spec"].tenant, job["spec"].job_name)
    scaled = [t for t in trials if t.hyperparameters.get("flaml_learner") in ("lr", "knn")]
    assert scaled, [t.hyperparameters.get("flaml_learner") for t in trials]
    assert accuracy(deploy_and_score(backend, job, "scaled", scaled[0].trial_id), job["truth"]) > 0.85
    assert accuracy(deploy_and_score(backend, job, "best", None), job["truth"]) > 0.9
