"""Azure ML primary metrics FLAML does not have, as FLAML custom metrics (worker process only: numpy, sklearn).

Each returns (loss, {azure_name: score}); the loss is 1 - score for maximised metrics and the score itself for the
normalised errors, so `mapping.score_from_loss` turns any logged `validation_loss` back into Azure's score.
Definitions follow Azure ML's metric docs: normalised errors divide by the range of the training target;
norm_macro_recall = (R - 1/n_classes) / (1 - 1/n_classes) with R the macro recall.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import (
    average_precision_score,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    recall_score,
)
from sklearn.preprocessing import label_binarize


class AzureMetric:
    """A picklable FLAML custom metric (the AutoML object keeps a reference to it)."""

    def __init__(self, name: str, target_range: float = 1.0) -> None:
        self.name = name
        self.target_range = target_range if target_range > 0 else 1.0

    def score(self, y_true: Any, estimator: Any, X: Any, labels: Any) -> float:
        name = self.name
        if name == "normalized_root_mean_squared_error":
            return float(np.sqrt(mean_squared_error(y_true, estimator.predict(X)))) / self.target_range
        if name == "normalized_mean_absolute_error":
            return float(mean_absolute_error(y_true, estimator.predict(X))) / self.target_range
        if name == "spearman_correlation":
            rho = spearmanr(y_true, estimator.predict(X)).statistic
            return 0.0 if np.isnan(rho) else float(rho)
        if name == "precision_score_weighted":
            return float(precision_score(y_true, estimator.predict(X), average="weighted", zero_division=0))
        if name == "norm_macro_recall":
            n = max(len(labels), 2)
            recall = float(recall_score(y_true, estimator.predict(X), average="macro", zero_division=0))
            return max(0.0, (recall - 1.0 / n) / (1.0 - 1.0 / n))
        if name == "average_precision_score_weighted":
            proba = estimator.predict_proba(X)
            if proba.shape[1] == 2:
                return float(average_precision_score(y_true, proba[:, 1], pos_label=labels[1]))
            onehot = label_binarize(y_true, classes=labels)
            return float(average_precision_score(onehot, proba, average="weighted"))
        raise ValueError(f"unknown metric {name}")

    def __call__(
        self, X_val: Any, y_val: Any, estimator: Any, labels: Any, X_train: Any, y_train: Any, *args: Any
    ) -> tuple[float, dict[str, float]]:
        value = self.score(y_val, estimator, X_val, labels)
        lower_is_better = self.name.startswith("normalized_")
        return (value if lower_is_better else 1.0 - value), {self.name: value}
