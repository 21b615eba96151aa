"""Azure's metrics on out-of-fold predictions: the engine's own implementations agree with scikit-learn's, and the
Azure-specific ones (normalised errors, norm_macro_recall) follow Azure ML's definitions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)
from sklearn.preprocessing import label_binarize

from domain.automl.local.mapping import METRICS
from domain.automl.local.worker_metrics import (
    aligned_proba,
    classification_metrics,
    loss_of,
    regression_metrics,
    search_loss,
)


def random_case(n_classes: int, n: int = 300, ties: bool = False, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    y[:n_classes] = np.arange(n_classes)  # every class present
    proba = rng.dirichlet(np.ones(n_classes), n)
    proba[np.arange(n), y] += 0.3 * rng.random(n)  # some signal
    if ties:
        proba = np.round(proba, 1)  # tree-like models give few distinct probabilities
    return y, proba / proba.sum(axis=1, keepdims=True)


@pytest.mark.parametrize(("n_classes", "ties"), [(2, False), (2, True), (5, False), (5, True)])
def test_classification_metrics_agree_with_scikit_learn(n_classes: int, ties: bool) -> None:
    y, proba = random_case(n_classes, ties=ties)
    got = classification_metrics(y, proba)
    assert set(got) == set(METRICS["classification"])
    assert set(classification_metrics(y, proba, ("accuracy",))) == {"accuracy"}
    predicted = proba.argmax(axis=1)
    onehot = label_binarize(y, classes=range(n_classes))
    if n_classes == 2:
        onehot = np.column_stack([1 - onehot[:, 0], onehot[:, 0]])
    assert got["accuracy"] == pytest.approx(accuracy_score(y, predicted))
    # one-vs-rest per class, weighted by the class's rows (two classes: both count, as in Azure ML)
    assert got["AUC_weighted"] == pytest.approx(roc_auc_score(onehot, proba, average="weighted"))
    assert got["average_precision_score_weighted"] == pytest.approx(
        average_precision_score(onehot, proba, average="weighted")
    )
    assert got["precision_score_weighted"] == pytest.approx(
        precision_score(y, predicted, average="weighted", zero_division=0)
    )
    macro = recall_score(y, predicted, average="macro")
    assert got["norm_macro_recall"] == pytest.approx(max(0.0, (macro - 1 / n_classes) / (1 - 1 / n_classes)))


def test_a_class_no_model_predicts_and_chance_level_recall() -> None:
    y = np.array([0, 0, 1, 1, 2, 2])
    proba = np.array([[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 1, 0]], dtype=float)
    got = classification_metrics(y, proba)
    assert got["accuracy"] == pytest.approx(0.5)
    # macro recall (1 + 0.5 + 0) / 3 = 0.5; chance is 1/3: (0.5 - 1/3) / (2/3) = 0.25
    assert got["norm_macro_recall"] == pytest.approx(0.25)
    # precision of class 2 (never predicted) counts as 0
    assert got["precision_score_weighted"] == pytest.approx((2 / 3 + 1 / 3 + 0) / 3)


def test_regression_metrics_follow_azure_definitions() -> None:
    y = np.array([1.0, 2.0, 3.0, 4.0])
    predicted = np.array([1.5, 2.0, 2.5, 5.0])
    got = regression_metrics(y, predicted, target_range=10.0)
    assert set(got) == set(METRICS["regression"])
    assert got["r2_score"] == pytest.approx(r2_score(y, predicted))
    assert got["normalized_mean_absolute_error"] == pytest.approx(np.mean(np.abs(predicted - y)) / 10.0)
    assert got["normalized_root_mean_squared_error"] == pytest.approx(np.sqrt(np.mean((predicted - y) ** 2)) / 10.0)
    assert got["spearman_correlation"] == pytest.approx(1.0)
    assert regression_metrics(y, np.full(4, 2.0), 10.0)["spearman_correlation"] == 0.0  # constant: no correlation
    with pytest.raises(ValueError, match="non-finite"):
        regression_metrics(y, np.array([1.0, np.nan, 1.0, 1.0]), 10.0)


def test_losses_are_one_minus_the_score_or_the_normalised_error() -> None:
    assert loss_of("accuracy", 0.8) == pytest.approx(0.2)
    assert loss_of("normalized_root_mean_squared_error", 0.1) == pytest.approx(0.1)


def test_ties_on_a_step_metric_go_to_the_better_probabilities() -> None:
    y = np.array([0, 1, 1, 0])
    sharp = np.array([[0.9, 0.1], [0.1, 0.9], [0.2, 0.8], [0.6, 0.4]])
    vague = np.array([[0.55, 0.45], [0.45, 0.55], [0.45, 0.55], [0.51, 0.49]])
    both = [classification_metrics(y, p) for p in (sharp, vague)]
    assert both[0]["accuracy"] == both[1]["accuracy"] == 1.0
    sharp_loss, vague_loss = (search_loss("accuracy", m, y, p) for m, p in zip(both, (sharp, vague), strict=True))
    assert sharp_loss < vague_loss and vague_loss == pytest.approx(0.0, abs=1e-8)
    # one row of accuracy outweighs any tie-break, even on a million rows; continuous metrics have none
    assert search_loss("accuracy", {"accuracy": 1.0 - 1e-6}, y, np.full((4, 2), 1e-20)) > vague_loss
    assert search_loss("AUC_weighted", {"AUC_weighted": 0.9}, y, vague) == pytest.approx(0.1, abs=1e-15)


def test_probabilities_of_a_model_that_missed_a_class_are_aligned_by_class_code() -> None:
    class TwoOfThree:
        classes_ = np.array([0, 2])

        def predict_proba(self, X: object) -> np.ndarray:
            return np.array([[0.25, 0.75]])

    assert aligned_proba(TwoOfThree(), None, 3).tolist() == [[0.25, 0.0, 0.75]]
