"""Learners of the search (worker process only): FLAML's tree learners as they are, and linear, neighbour and SVM
learners wrapped with the preprocessing they need (scikit-learn, flaml).

FLAML's own linear and neighbour learners see the raw numeric columns (no scaling; KNN drops categorical columns),
so they lose to a scaled default. Here each of them is a scikit-learn Pipeline fitted inside the fold: numeric
columns imputed (median) and standardised, categorical columns (FLAML hands them over as pandas categories)
one-hot encoded with rare levels grouped. Tree learners keep FLAML's handling (native categories, NaN-aware).

`learner_class(name, task)` resolves a learner name of a trial log (ours or FLAML's) to its class, so a trial can be
refit from its record without the search state.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np
from flaml.automl.model import (
    ElasticNetEstimator,
    KNeighborsEstimator,
    LassoLarsEstimator,
    LRL2Classifier,
    SGDEstimator,
    SVCEstimator,
)
from flaml.tune.sample import choice, lograndint, loguniform, uniform
from pandas import Categorical, CategoricalDtype
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline

MAX_LEVELS = 30  # per categorical column; rarer levels share one "infrequent" column
MISSING = "__NAN__"  # FLAML's level for a missing value of a category column


class Prepare(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Numeric columns: missing values -> the column's median, then standardised. Category columns (FLAML hands
    string columns over as pandas categories): missing values -> the most frequent level (as Azure AutoML's
    featurization and scikit-learn's usual pipeline impute; FLAML marks them as a level of its own, "__NAN__",
    whose one-hot column a linear model would fit on noise when values are missing at random), then one-hot; levels
    seen fewer than twice, beyond the MAX_LEVELS most frequent, or unseen share one "other" column. Plain numpy after
    the column split: it runs once per fold of every trial, so it is kept lean."""

    def fit(self, X: Any, y: Any = None) -> Prepare:
        categorical = [isinstance(dtype, CategoricalDtype) for dtype in X.dtypes]
        self.numeric_ = [c for c, cat in zip(X.columns, categorical, strict=True) if not cat]
        self.categorical_ = [c for c, cat in zip(X.columns, categorical, strict=True) if cat]
        values = self._numeric(X)
        missing = np.isnan(values)
        if not missing.any():  # the usual case: FLAML's preparation already filled numeric columns
            self.median_ = np.median(values, axis=0) if len(values) else np.zeros(values.shape[1])
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column has no median
                self.median_ = np.nan_to_num(np.nanmedian(values, axis=0))
        filled = np.where(missing, self.median_, values)
        self.mean_ = filled.mean(axis=0)
        scale = filled.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        self.levels_: list[Any] = []  # per category column: its levels and the output column of each (-1 = other)
        for column in self.categorical_:
            levels = X[column].cat.categories
            counts = np.bincount(self._codes(X[column], levels) + 1, minlength=len(levels) + 1)[1:]
            missing_level = np.flatnonzero(levels == MISSING)
            counts[missing_level] = 0  # a missing value is no level of its own: it gets the most frequent one
            frequent = [k for k in np.argsort(-counts, kind="stable")[:MAX_LEVELS] if counts[k] >= 2]
            slot = np.full(len(levels) + 1, len(frequent))  # the last position: unseen levels, then "other"
            slot[frequent] = np.arange(len(frequent))
            if frequent:
                slot[missing_level] = 0
            self.levels_.append((levels, slot, len(frequent) + 1))
        return self

    @staticmethod
    def _codes(column: Any, levels: Any) -> np.ndarray:
        codes: np.ndarray = Categorical(column, categories=levels).codes.astype(np.int64)
        return codes

    def _numeric(self, X: Any) -> np.ndarray:
        numeric = X if not self.categorical_ else X[self.numeric_]
        values: np.ndarray = numeric.to_numpy(dtype=float)
        return values

    def transform(self, X: Any) -> np.ndarray:
        values = self._numeric(X)
        parts = [(np.where(np.isnan(values), self.median_, values) - self.mean_) / self.scale_]
        for column, (levels, slot, width) in zip(self.categorical_, self.levels_, strict=True):
            onehot = np.zeros((len(X), width))
            onehot[np.arange(len(X)), slot[self._codes(X[column], levels)]] = 1.0  # code -1 (unseen) -> slot[-1]
            parts.append(onehot)
        prepared: np.ndarray = np.hstack(parts) if len(parts) > 1 else parts[0]
        return prepared


def scaled_pipeline(model_class: Any, **params: Any) -> Pipeline:
    """What FLAML calls as `estimator_class(**params)`: the preparation, then the model."""
    return Pipeline([("prepare", Prepare()), ("model", model_class(**params))])


class _Scaled:
    """Mixin for a FLAML SKLearnEstimator subclass: its model becomes `scaled_pipeline(<the model class>)`."""

    estimator_class: Any

    def _wrap(self) -> None:
        self.estimator_class = functools.partial(scaled_pipeline, self.estimator_class)

    def _preprocess(self, X: Any) -> Any:
        return X  # the pipeline one-hot encodes the category columns itself


class ScaledLogisticRegression(_Scaled, LRL2Classifier):
    @classmethod
    def search_space(cls, data_size: Any = None, task: Any = None, **params: Any) -> dict[str, Any]:
        return {"C": {"domain": loguniform(lower=1e-3, upper=1e3), "init_value": 1.0}}

    @classmethod
    def cost_relative2lgbm(cls) -> float:
        return 1.0

    def config2params(self, config: dict[str, Any]) -> dict[str, Any]:
        params = super().config2params(config)
        params["max_iter"] = 1000
        return params

    def __init__(self, task: Any = "binary", **config: Any) -> None:
        super().__init__(task, **config)  # type: ignore[no-untyped-call]
        self._wrap()


class ScaledSGD(_Scaled, SGDEstimator):
    def __init__(self, task: Any = "binary", **config: Any) -> None:
        super().__init__(task, **config)  # type: ignore[no-untyped-call]
        self._wrap()


class ScaledKNN(_Scaled, KNeighborsEstimator):
    @classmethod
    def search_space(cls, data_size: Any, task: Any = None, **params: Any) -> dict[str, Any]:
        upper = max(2, min(100, int(data_size[0] / 4)))
        return {
            "n_neighbors": {"domain": lograndint(lower=1, upper=upper), "init_value": min(5, upper)},
            "weights": {"domain": choice(["uniform", "distance"]), "init_value": "distance"},
        }

    @classmethod
    def cost_relative2lgbm(cls) -> float:
        return 1.0

    def __init__(self, task: Any = "binary", **config: Any) -> None:
        super().__init__(task, **config)  # type: ignore[no-untyped-call]
        self._wrap()


class ScaledLinearSVM(_Scaled, SVCEstimator):
    @classmethod
    def search_space(cls, data_size: Any = None, task: Any = None, **params: Any) -> dict[str, Any]:
        return {"C": {"domain": loguniform(lower=1e-3, upper=1e2), "init_value": 1.0}}

    def config2params(self, config: dict[str, Any]) -> dict[str, Any]:
        params = super().config2params(config)
        params["max_iter"] = 2000
        return params

    def __init__(self, task: Any = "binary", **config: Any) -> None:
        super().__init__(task, **config)  # type: ignore[no-untyped-call]
        self._wrap()

    def predict_proba(self, X: Any, **kwargs: Any) -> Any:
        """LinearSVC has no probabilities: a softmax of its decision values (a logistic for two classes)."""
        model: Any = self._model
        scores = np.asarray(model.decision_function(X))
        if scores.ndim == 1:
            positive = 1.0 / (1.0 + np.exp(-scores))
            return np.column_stack([1.0 - positive, positive])
        exp = np.exp(scores - scores.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)


class ScaledElasticNet(_Scaled, ElasticNetEstimator):
    @classmethod
    def search_space(cls, data_size: Any = None, task: Any = None, **params: Any) -> dict[str, Any]:
        return {
            "alpha": {"domain": loguniform(lower=1e-4, upper=10.0), "init_value": 0.01},
            "l1_ratio": {"domain": uniform(lower=0.0, upper=1.0), "init_value": 0.5},
        }

    @classmethod
    def cost_relative2lgbm(cls) -> float:
        return 1.0

    def __init__(self, task: Any = "regression", **config: Any) -> None:
        super().__init__(task, **config)  # type: ignore[no-untyped-call]
        self._wrap()


class ScaledLassoLars(_Scaled, LassoLarsEstimator):
    @classmethod
    def search_space(cls, task: Any = None, **params: Any) -> dict[str, Any]:  # type: ignore[override]
        return {"alpha": {"domain": loguniform(lower=1e-4, upper=10.0), "init_value": 0.01}}

    def __init__(self, task: Any = "regression", **config: Any) -> None:
        super().__init__(task, **config)  # type: ignore[no-untyped-call]
        self._wrap()


CUSTOM: dict[str, type] = {
    "lr": ScaledLogisticRegression,
    "sgd_scaled": ScaledSGD,
    "knn": ScaledKNN,
    "linear_svm": ScaledLinearSVM,
    "elasticnet": ScaledElasticNet,
    "lasso_lars": ScaledLassoLars,
}


def learner_class(name: str, task: Any) -> Any:
    """The class of a learner name (ours first, then FLAML's built-ins)."""
    if name in CUSTOM:
        return CUSTOM[name]
    return task.estimator_class_from_str(name)
