"""Out-of-fold predictions of every trial, and its scores on them (worker process only: numpy).

FLAML runs each trial over the engine's fixed splits (validation.FixedSplitter) and calls `metric` once per fold
with that fold's model and validation rows, then `aggregate` once per trial. `metric` stores the fold's predictions
at the rows' positions; `aggregate` scores the pooled predictions (each row predicted by the one model that did not
train on it) with Azure's metric set, and keeps the predictions of the best trials for the ensemble. The trial log
record of a trial carries its metrics and the key of its kept predictions (`logged_metric["oof"]`, a string so the
leaderboard does not list it as a metric).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from domain.automl.local.mapping import reported_metrics
from domain.automl.local.validation import Splits
from domain.automl.local.worker_metrics import aligned_proba, metrics_of, search_loss

MEMORY_BUDGET_BYTES = 300 * 2**20  # for the kept predictions of the best trials
KEEP_PER_LEARNER = 4


@dataclass
class Kept:
    key: str
    learner: str
    loss: float
    prediction: np.ndarray  # rows of `Recorder.rows`, float32


class Recorder:
    """FLAML's `metric=` (a picklable callable) and `cv_score_agg_func=` for one search."""

    def __init__(
        self, task: str, primary: str, splits: Splits, n_classes: int, target_range: float, n_learners: int
    ) -> None:
        self.task, self.primary = task, primary
        self.names = reported_metrics(task, primary)
        self.folds = splits.folds
        self.rows = np.sort(np.concatenate([val for _, val in splits.folds]))
        self.n_classes, self.target_range = n_classes, target_range
        width = n_classes if task == "classification" else 1
        n = int(max(len(t) + len(v) for t, v in splits.folds))
        self._prediction = np.zeros((n, width) if task == "classification" else n)
        self._truth = np.zeros(n)
        self._fold = 0
        self._learner = ""
        self._count = 0
        per_array = max(1, len(self.rows) * width * 4)
        affordable = MEMORY_BUDGET_BYTES // (per_array * max(1, n_learners))
        self.keep_per_learner = int(np.clip(affordable, 1, KEEP_PER_LEARNER))
        self.kept: dict[str, Kept] = {}

    def __getstate__(self) -> dict[str, Any]:  # the AutoML object keeps the metric: pickle no rows with it
        state = self.__dict__.copy()
        state.update(_prediction=None, _truth=None, kept={}, folds=(), rows=None)
        return state

    @property
    def truth(self) -> np.ndarray:
        """The (encoded) target of the validated rows, in the order of `rows`."""
        truth: np.ndarray = self._truth[self.rows]
        return truth

    def __call__(
        self, X_val: Any, y_val: Any, estimator: Any, labels: Any, X_train: Any, y_train: Any, *args: Any
    ) -> tuple[float, dict[str, Any]]:
        rows = self.folds[self._fold % len(self.folds)][1]
        if len(rows) != len(X_val) or not np.array_equal(np.asarray(X_val.index), rows):
            raise RuntimeError("the validation rows FLAML passed are not the engine's split")
        if self.task == "classification":
            self._prediction[rows] = aligned_proba(estimator, X_val, self.n_classes)
        else:
            self._prediction[rows] = np.asarray(estimator.predict(X_val), dtype=float)
        self._truth[rows] = np.asarray(y_val, dtype=float)
        self._learner = type(estimator).__name__
        self._fold += 1
        return 0.0, {}

    def aggregate(self, val_loss_folds: list[float], log_metrics_folds: list[Any]) -> tuple[float, dict[str, Any]]:
        """Score the pooled out-of-fold predictions of the trial that just ran all its folds."""
        if self._fold != len(self.folds):
            raise RuntimeError(f"a trial ran {self._fold} of {len(self.folds)} folds")
        self._fold = 0
        self._count += 1
        prediction = self._prediction[self.rows]
        try:
            metrics = self.score(prediction)
        except ValueError:
            return float("inf"), {}
        loss = search_loss(self.primary, metrics, self.truth, prediction)
        key = str(self._count)
        self._keep(Kept(key, self._learner, loss, prediction.astype(np.float32)))
        return loss, {**metrics, "oof": key}

    def score(self, prediction: np.ndarray) -> dict[str, float]:
        y = self.truth.astype(int) if self.task == "classification" else self.truth
        return metrics_of(self.task, y, prediction, self.target_range, self.names)

    def _keep(self, entry: Kept) -> None:
        same = sorted((k for k in self.kept.values() if k.learner == entry.learner), key=lambda k: k.loss)
        if len(same) < self.keep_per_learner:
            self.kept[entry.key] = entry
        elif entry.loss < same[-1].loss:
            del self.kept[same[-1].key]
            self.kept[entry.key] = entry
