"""The model the engine saves: FLAML's column preparation, the fitted estimator (or ensemble), the label decoder.

`bundle["automl"]` of a saved model bundle is a `LocalModel`: `predict(frame)` takes the uploaded CSV's columns and
returns labels as they were in the CSV, `predict_proba(frame)` one column per class of `classes_` (classification),
`model` is the fitted estimator (FLAML's, with `.estimator`, or a `VotingEnsemble`). It has the interface of the
FLAML `AutoML` object bundles held before, so a loader that unpickles a bundle and calls `predict` serves both.
`fit_trial` refits one trial of a trial log from its record, without the search state (register a trial, refit
after a stop).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from domain.automl.local.ensemble import ENSEMBLE_LEARNER, VotingEnsemble
from domain.automl.local.learners import learner_class


class LocalModel:
    def __init__(self, transformer: Any, label_transformer: Any, estimator: Any, learner: str) -> None:
        self.transformer = transformer
        self.label_transformer = label_transformer
        self.estimator = estimator
        self.learner = learner

    @property
    def model(self) -> Any:
        return self.estimator

    @property
    def classes_(self) -> Any:
        return None if self.label_transformer is None else self.label_transformer.classes_

    def _prepare(self, X: Any) -> Any:
        return self.transformer.transform(X) if self.transformer is not None else X

    def predict(self, X: Any) -> Any:
        predicted = np.asarray(self.estimator.predict(self._prepare(X)))
        if predicted.ndim > 1:
            predicted = predicted.ravel()
        if self.label_transformer is not None:
            return self.label_transformer.inverse_transform(predicted.astype(int))
        return predicted

    def predict_proba(self, X: Any) -> Any:
        return self.estimator.predict_proba(self._prepare(X))


def flaml_task(task: str, y: Any) -> Any:
    """FLAML's task object for our task name ("binary"/"multiclass" from the labels for classification)."""
    from flaml.automl.task.factory import task_factory

    if task != "classification":
        return task_factory(task)
    return task_factory("binary" if len(set(y)) <= 2 else "multiclass")


def prepare(X: Any, y: Any, task: Any) -> tuple[Any, Any, Any]:
    """FLAML's DataTransformer fitted on all rows: (prepared X, encoded y, transformer)."""
    from flaml.automl.data import DataTransformer

    transformer = DataTransformer()
    Xt, yt = transformer.fit_transform(X.copy(), y, task)
    return Xt, yt, transformer


def fit_config(task: Any, learner: str, config: dict[str, Any], Xt: Any, yt: Any) -> Any:
    from flaml.automl.state import AutoMLState

    estimator = learner_class(learner, task)(task=task, n_jobs=1, **AutoMLState.sanitize(config))
    estimator.fit(Xt, yt)
    return estimator


def fit_trial(task_name: str, records: dict[int, dict[str, Any]], record_id: int, X: Any, y: Any) -> LocalModel:
    """Refit trial `record_id` (a learner's config, or an ensemble of other records) on all rows."""
    task = flaml_task(task_name, y)
    Xt, yt, transformer = prepare(X, y, task)
    record = records[record_id]
    if record["learner"] == ENSEMBLE_LEARNER:
        members = [
            (float(w), fit_config(task, records[int(r)]["learner"], records[int(r)]["config"], Xt, yt))
            for r, w in zip(record["config"]["ensembled_iterations"], record["config"]["ensemble_weights"], strict=True)
        ]
        n_classes = len(transformer.label_transformer.classes_) if task_name == "classification" else None
        estimator: Any = VotingEnsemble(members, n_classes)
    else:
        estimator = fit_config(task, record["learner"], record["config"], Xt, yt)
    return LocalModel(transformer, transformer.label_transformer, estimator, record["learner"])
