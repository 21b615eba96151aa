"""Azure ML's metrics, computed on out-of-fold predictions (worker process only: numpy, scipy, scikit-learn).

Every trial reports the same set (`mapping.reported_metrics`: the task's Azure primary metrics, average precision
only when it is the primary one), so the leaderboard can be read by any of them. Definitions follow Azure ML's metric
docs: AUC, average precision and precision are one-vs-rest per class, weighted by the class's rows (for two classes
both classes count); norm_macro_recall = (R - 1/C) / (1 - 1/C), R the macro recall, floored at 0; normalised errors
divide by the range of the training target. The predicted label is the class of highest probability, as for every
model the engine keeps.

`search_loss` is what FLAML minimises: 1 - score for maximised metrics, the score itself for the normalised errors,
and for metrics of predicted labels a tie-break by log loss (1e-9 x); the leaderboard reads the logged metrics
(`mapping.trial_score`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import rankdata, spearmanr

from domain.automl.local.mapping import METRICS
from domain.entities.automl import LOWER_IS_BETTER

# metrics of predicted labels only: many trials tie on them (accuracy moves by whole rows)
STEP_METRICS = frozenset({"accuracy", "norm_macro_recall", "precision_score_weighted"})
TIE_BREAK = 1e-9  # x log loss (at most ~35): far below one row of accuracy up to millions of rows


def loss_of(name: str, value: float) -> float:
    return value if name in LOWER_IS_BETTER else 1.0 - value


def log_loss(y: np.ndarray, proba: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(proba[np.arange(len(y)), y], 1e-15, 1.0))))


def search_loss(primary: str, metrics: dict[str, float], y: np.ndarray, prediction: np.ndarray) -> float:
    """What the search minimises: the primary metric's loss; for a step metric, ties go to the lower log loss (the
    better probabilities), which picks the steadier of equally accurate configurations."""
    loss = loss_of(primary, metrics[primary])
    if primary in STEP_METRICS:  # classification: `y` holds class codes, `prediction` probabilities
        loss += TIE_BREAK * log_loss(np.asarray(y).astype(int), prediction)
    return loss


def _auc_per_class(onehot: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """One-vs-rest ROC AUC of every column (ties count one half), NaN where a class has no or only positive rows."""
    ranks = rankdata(proba, axis=0)
    positives = onehot.sum(axis=0)
    negatives = len(onehot) - positives
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = ((ranks * onehot).sum(axis=0) - positives * (positives + 1) / 2) / (positives * negatives)
    return np.where((positives > 0) & (negatives > 0), auc, np.nan)


def _average_precision(truth: np.ndarray, score: np.ndarray) -> float:
    """scikit-learn's average_precision_score for one binary column (a step at each distinct score)."""
    order = np.argsort(-score, kind="mergesort")
    score, truth = score[order], truth[order]
    last = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]  # the last row of each run of tied scores
    tp = np.cumsum(truth)[last]
    precision = tp / (last + 1)
    recall = tp / tp[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def classification_metrics(
    y: np.ndarray, proba: np.ndarray, names: tuple[str, ...] = METRICS["classification"]
) -> dict[str, float]:
    """`y` holds class codes 0..C-1 and `proba` one column per code (rows of classes a model never saw are 0)."""
    n_classes = proba.shape[1]
    onehot = np.eye(n_classes)[y]
    support = onehot.sum(axis=0)
    weights = support / support.sum()
    predicted = proba.argmax(axis=1)
    hits = onehot[np.arange(len(y)), predicted]
    predicted_counts = np.bincount(predicted, minlength=n_classes)
    correct = np.bincount(predicted, weights=hits, minlength=n_classes)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted_counts > 0, correct / predicted_counts, 0.0)
        recall = np.where(support > 0, correct / support, 0.0)
    present = support > 0
    macro_recall = float(recall[present].mean())
    chance = 1.0 / max(int(present.sum()), 2)
    out = {
        "accuracy": float(hits.mean()),
        "norm_macro_recall": max(0.0, (macro_recall - chance) / (1.0 - chance)),
        "precision_score_weighted": float(np.sum(precision * weights)),
    }
    if "AUC_weighted" in names:
        auc = _auc_per_class(onehot, proba)
        out["AUC_weighted"] = float(np.nansum(auc * weights) / weights[~np.isnan(auc)].sum())
    if "average_precision_score_weighted" in names:
        ap = [_average_precision(onehot[:, k], proba[:, k]) if present[k] else 0.0 for k in range(n_classes)]
        out["average_precision_score_weighted"] = float(np.sum(np.array(ap) * weights))
    return {name: out[name] for name in names}


def regression_metrics(y: np.ndarray, predicted: np.ndarray, target_range: float) -> dict[str, float]:
    y, predicted = np.asarray(y, dtype=float), np.asarray(predicted, dtype=float)
    if not np.all(np.isfinite(predicted)):
        raise ValueError("the model predicted non-finite values")
    errors = predicted - y
    spread = float(np.sum((y - y.mean()) ** 2))
    rho = spearmanr(y, predicted).statistic if np.ptp(predicted) > 0 else np.nan
    scale = target_range if target_range > 0 else 1.0
    return {
        "r2_score": 1.0 - float(np.sum(errors**2)) / spread if spread > 0 else 0.0,
        "spearman_correlation": 0.0 if np.isnan(rho) else float(rho),
        "normalized_root_mean_squared_error": float(np.sqrt(np.mean(errors**2))) / scale,
        "normalized_mean_absolute_error": float(np.mean(np.abs(errors))) / scale,
    }


def metrics_of(
    task: str, y: np.ndarray, prediction: np.ndarray, target_range: float, names: tuple[str, ...]
) -> dict[str, float]:
    if task == "classification":
        return classification_metrics(y, prediction, names)
    return {k: v for k, v in regression_metrics(y, prediction, target_range).items() if k in names}


def aligned_proba(estimator: Any, X: Any, n_classes: int) -> np.ndarray:
    """predict_proba with one column per class code 0..C-1 (a model trained without some class has no column)."""
    proba = np.asarray(estimator.predict_proba(X), dtype=float)
    classes = np.asarray(getattr(estimator, "classes_", np.arange(proba.shape[1]))).astype(int)
    if proba.shape[1] == n_classes and np.array_equal(classes, np.arange(n_classes)):
        return proba
    out = np.zeros((proba.shape[0], n_classes))
    out[:, classes] = proba
    return out
