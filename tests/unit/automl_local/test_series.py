"""Trials, metric points and log lines read from a job directory, with their watermarks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.automl.local import series
from domain.automl.local.jobdir import JobDir, write_json_atomic


def record(i: int, loss: float, learner: str = "lgbm") -> str:
    return json.dumps(
        {"record_id": i, "learner": learner, "validation_loss": loss, "config": {"n_estimators": 4},
         "trial_time": 0.1, "wall_clock_time": 0.5 * (i + 1), "logged_metric": {"pred_time": 0.001}}
    )  # fmt: skip


@pytest.fixture
def job(tmp_path: Path) -> JobDir:
    job = JobDir(tmp_path / "automl-t-r")
    job.path.mkdir()
    plan = {"task": "classification", "primary_metric": "accuracy", "higher_is_better": True}
    write_json_atomic(job.spec, {"plan": plan})
    write_json_atomic(job.status, {"status": "Running", "fit_started_at": 1_700_000_000.0})
    return job


def test_trials_use_azure_names_and_scores(job: JobDir) -> None:
    job.trials.write_text(record(0, 0.2) + "\n" + record(1, 0.1, "lrl1") + "\n" + '{"curr_best_record_id": 1}\n')
    trials = series.trials(job)
    assert [t.algorithm for t in trials] == ["LightGBM", "LogisticRegression"]
    assert [t.score for t in trials] == pytest.approx([0.8, 0.9])
    assert trials[1].trial_id == "automl-t-r_1" and trials[1].hyperparameters["flaml_learner"] == "lrl1"
    assert trials[0].metrics["accuracy"] == pytest.approx(0.8) and trials[0].duration_seconds == 0.1


def test_metric_watermark_skips_partial_lines_and_never_repeats(job: JobDir) -> None:
    job.trials.write_text(record(0, 0.2) + "\n" + record(1, 0.3) + "\n" + record(2, 0.1)[:20])
    first, mark = series.metrics_since(job, 0)
    assert mark == 2
    assert [(p.name, p.step) for p in first] == [
        ("accuracy", 0), ("accuracy_trial", 0), ("accuracy", 1), ("accuracy_trial", 1)
    ]  # fmt: skip
    assert [p.value for p in first if p.name == "accuracy"] == pytest.approx([0.8, 0.8])  # best so far
    assert series.metrics_since(job, mark) == ([], 2)
    job.trials.write_text(record(0, 0.2) + "\n" + record(1, 0.3) + "\n" + record(2, 0.1) + "\n")
    more, mark = series.metrics_since(job, mark)
    assert mark == 3 and [p.step for p in more] == [2, 2]
    assert [p.value for p in more] == pytest.approx([0.9, 0.9])
    assert more[0].timestamp.timestamp() == pytest.approx(1_700_000_001.5)


def test_logs_since_returns_lines_after_the_sequence_number(job: JobDir) -> None:
    lines = [{"seq": i, "timestamp": "2026-01-01T00:00:00+00:00", "text": f"line {i}"} for i in (1, 2, 3)]
    job.logs.write_text("".join(json.dumps(line) + "\n" for line in lines))
    got, last = series.logs_since(job, 1)
    assert [line.seq for line in got] == [2, 3] and last == 3
    assert series.logs_since(job, 3) == ([], 3)


def test_scores_are_read_from_the_logged_metrics_when_the_loss_carries_a_tie_break(job: JobDir) -> None:
    """Two trials with the same accuracy: the search preferred the one with the lower log loss (a 1e-9 x tie-break
    in its loss); the leaderboard and the best-so-far series still show the exact accuracies."""
    metrics = {"accuracy": 0.75, "AUC_weighted": 0.8, "oof": "3"}
    rows = [
        {"record_id": 0, "learner": "lr", "validation_loss": 0.25 + 4e-10, "logged_metric": metrics, "config": {}},
        {"record_id": 1, "learner": "knn", "validation_loss": 0.25 + 2e-10, "logged_metric": metrics, "config": {}},
        {"record_id": 2, "learner": "VotingEnsemble", "validation_loss": 0.5, "config": {"ensembled_iterations": [1]},
         "logged_metric": {"accuracy": 0.5}},
    ]  # fmt: skip
    job.trials.write_text("".join(json.dumps(r) + "\n" for r in rows))
    trials = series.trials(job)
    assert [t.score for t in trials] == [0.75, 0.75, 0.5]  # exact, not 1 - loss
    assert [t.algorithm for t in trials] == ["LogisticRegression", "KNN", "VotingEnsemble"]
    assert trials[0].metrics == {"accuracy": 0.75, "AUC_weighted": 0.8}  # the "oof" key is no metric
    points, _ = series.metrics_since(job, 0)
    assert [p.value for p in points if p.name == "accuracy"] == [0.75, 0.75, 0.75]
