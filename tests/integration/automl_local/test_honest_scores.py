"""Honest scores: on labels drawn at random (no signal in the features) every score of every trial on the leaderboard,
the VotingEnsemble included, stays within chance bounds. With FLAML's own validation the same data gave accuracy
0.97 for 50 classes (chance 0.02) and AUC 0.99 for a 3 % rare class (chance 0.5): copies of small classes' rows on
both sides of its splits.

How the bounds are chosen. Labels are a random permutation of fixed class counts, so whatever a model predicts for a
row it never trained on is independent of that row's label (the null hypothesis an honest engine satisfies). Each
bound is an upper (1 - a) quantile of a metric under that null, made to hold whatever the predictions are:
- two classes (accuracy, norm_macro_recall, precision_score_weighted): exact. The confusion matrix is fixed by how
  many rows a model predicts as the first class (m) and how many of those are (hypergeometric); the bound is the
  largest quantile over every m, so no model, however it predicts, passes it by chance more often than a;
- 50 balanced classes: accuracy (= macro recall) has mean 1/C and variance at most (1/C)(1 - 1/C)/(n - 1) whatever
  the predictions (largest when every class is predicted equally often); weighted precision has mean 1/C and a
  standard deviation at most sqrt((1/C)(1 - 1/C)); normal quantiles;
- AUC_weighted: each class's one-vs-rest AUC has mean 1/2 and variance at most (n + 1) / (12 n_k (n - n_k)) (ties only
  lower it); the weighted mean's standard deviation is at most the weighted mean of those (any correlation); normal.
a is 1e-3 shared by every comparison of the module (Bonferroni over cases, trials and metrics, about 4.3 standard
deviations), so an honest engine fails this test about once in a thousand runs, while every leaky figure above is
far outside its bound (checked by test_the_bounds_reject_the_leaky_figures).
"""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import pytest
from scipy.stats import hypergeom, norm

from domain.automl.local.blobs import upload_bytes
from domain.entities.automl import DatasetVersionRef, JobStatus, Limits, Task, TrainingSpec

ROWS = 400
TRIALS = 12  # 11 searched + the VotingEnsemble
CASES = {  # class counts, primary metric
    "two": ({"heads": 200, "tails": 200}, "accuracy"),
    "fifty": ({f"class {k:02d}": 8 for k in range(50)}, "AUC_weighted"),
    "rare": ({"common": 388, "rare": 12}, "AUC_weighted"),
}
REPORTED = ("accuracy", "AUC_weighted", "norm_macro_recall", "precision_score_weighted")
ALPHA = 1e-3 / (len(CASES) * TRIALS * len(REPORTED))


def binary_bounds(n0: int, n1: int, alpha: float) -> dict[str, float]:
    """Exact worst-case upper quantiles of the label-based metrics of two classes (see the module docstring)."""
    n = n0 + n1
    worst = dict.fromkeys(("accuracy", "norm_macro_recall", "precision_score_weighted"), 0.0)
    for m0 in range(n + 1):  # rows predicted as class 0
        x00 = np.arange(max(0, m0 - n1), min(m0, n0) + 1)  # of which truly class 0
        pmf = hypergeom.pmf(x00, n, n0, m0)
        x11 = n1 - (m0 - x00)
        values = {
            "accuracy": (x00 + x11) / n,
            "norm_macro_recall": np.maximum(0.0, (x00 / n0 + x11 / n1) / 2 - 0.5) / 0.5,
            "precision_score_weighted": (n0 / n) * (x00 / m0 if m0 else 0.0)
            + (n1 / n) * (x11 / (n - m0) if n - m0 else 0.0),
        }
        for name, value in values.items():
            order = np.argsort(value)
            tail = 1.0 - np.cumsum(pmf[order])  # P(metric > value[order[i]])
            worst[name] = max(worst[name], float(value[order][np.argmax(tail <= alpha)]))
    return worst


def auc_bound(counts: list[int], alpha: float) -> float:
    n = sum(counts)
    sd = sum((c / n) * np.sqrt((n + 1) / (12 * c * (n - c))) for c in counts)
    return 0.5 + norm.isf(alpha) * sd


def balanced_bounds(n_classes: int, n: int, alpha: float) -> dict[str, float]:
    chance, z = 1 / n_classes, norm.isf(alpha)
    accuracy = chance + z * np.sqrt(chance * (1 - chance) / (n - 1))
    return {
        "accuracy": accuracy,
        "norm_macro_recall": (accuracy - chance) / (1 - chance),  # balanced: macro recall = accuracy
        "precision_score_weighted": chance + z * np.sqrt(chance * (1 - chance)),
    }


def bounds(counts: dict[str, int]) -> dict[str, float]:
    values = list(counts.values())
    if len(values) == 2:
        out = binary_bounds(values[0], values[1], ALPHA)
    else:
        assert len(set(values)) == 1, "the bounds of more than two classes assume balanced classes"
        out = balanced_bounds(len(values), sum(values), ALPHA)
    return {**out, "AUC_weighted": auc_bound(values, ALPHA)}


def test_the_bounds_reject_the_leaky_figures() -> None:
    """The bounds can fail: the figures FLAML's own validation reported on these data are far outside them."""
    fifty, rare, two = bounds(CASES["fifty"][0]), bounds(CASES["rare"][0]), bounds(CASES["two"][0])
    assert fifty["accuracy"] < 0.06 < 0.959 and fifty["AUC_weighted"] < 0.96 < 0.979
    assert rare["AUC_weighted"] < 0.88 < 0.995
    assert two["accuracy"] < 0.62 < 0.77 and rare["accuracy"] < 0.98  # always predicting "common" scores 0.97


@pytest.mark.parametrize("case", list(CASES))
def test_the_bounds_hold_for_models_that_know_nothing(case: str) -> None:
    """And they are not hair-triggers: random predictions (sharp or flat, balanced or not) stay inside them."""
    from domain.automl.local.worker_metrics import classification_metrics

    counts = list(CASES[case][0].values())
    limit = bounds(CASES[case][0])
    rng = np.random.default_rng(7)
    labels = np.repeat(np.arange(len(counts)), counts)
    for i in range(100):
        concentration = [0.1, 1.0, 10.0][i % 3]
        proba = rng.dirichlet(np.full(len(counts), concentration) * rng.uniform(0.2, 1.0, len(counts)), ROWS)
        got = classification_metrics(rng.permutation(labels), proba, REPORTED)
        assert all(got[name] <= limit[name] for name in REPORTED), got


def frame_for(case: str) -> Any:
    import pandas as pd

    counts, _ = CASES[case]
    rng = np.random.default_rng(sum(map(ord, case)))
    features = rng.normal(size=(ROWS, 3))
    labels = rng.permutation(np.repeat(list(counts), list(counts.values())))
    frame = pd.DataFrame(features, columns=["x one", "x two", "x three"])
    frame["label"] = labels
    return frame


@pytest.fixture(scope="module")
def runs(backend: Any, kit: Any) -> dict[str, tuple[TrainingSpec, Any]]:
    unique = uuid.uuid4().hex[:8]
    settings = backend.settings
    specs = {}
    for case, (_, primary) in CASES.items():
        blob = f"{unique}/random-{case}.csv"
        upload_bytes(settings, settings.datasets_container, blob, frame_for(case).to_csv(index=False).encode())
        ref = DatasetVersionRef(
            dataset_id=f"random-{case}", version=1, blob_path=f"{settings.datasets_container}/{blob}",
            columns=("x one", "x two", "x three", "label"),
        )  # fmt: skip
        specs[case] = TrainingSpec(
            tenant=f"t{unique}", run_id=f"random-{case}", experiment_id="honest", task=Task.CLASSIFICATION,
            dataset=ref, target_column="label", primary_metric=primary,
            limits=Limits(timeout_minutes=3, max_trials=TRIALS), seed=3,
        )  # fmt: skip
        backend.submit_job(specs[case])
    return {
        case: (spec, kit.wait_until(backend, spec.tenant, spec.job_name, kit.terminal, timeout=300))
        for case, spec in specs.items()
    }


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_every_leaderboard_score_is_within_chance_bounds(runs: Any, backend: Any, case: str) -> None:
    spec, info = runs[case]
    assert info.status is JobStatus.COMPLETED, info.error
    trials = backend.list_trials(spec.tenant, spec.job_name)
    assert len(trials) == TRIALS and "VotingEnsemble" in {t.algorithm for t in trials}
    limit = bounds(CASES[case][0])
    for trial in trials:
        assert set(trial.metrics) == set(REPORTED), trial.metrics  # every reported metric is checked
        for name, value in trial.metrics.items():
            assert value <= limit[name], f"{trial.algorithm} {trial.trial_id}: {name} {value:.3f} > {limit[name]:.3f}"
    assert info.best_score is not None and info.best_score <= limit[spec.primary_metric]


@pytest.mark.integration
@pytest.mark.slow
def test_classes_smaller_than_the_folds_are_warned_about_in_the_run_log(runs: Any, backend: Any) -> None:
    spec, _ = runs["fifty"]
    lines, _ = backend.logs_since(spec.tenant, spec.job_name, 0)
    text = [line.text for line in lines]
    assert "Validation: 10-fold cross-validation (400 rows, each validated once)" in text
    (warning,) = [t for t in text if t.startswith("Warning:")]
    assert "50 classes of the target have fewer rows than the 10 folds" in warning
