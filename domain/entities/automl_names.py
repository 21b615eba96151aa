"""The names Azure AutoML uses, per task: tasks, primary metrics, algorithms and the ensembles' names, in Azure ML's
own terms (azure-ai-ml enums). Re-exported by `domain/entities/automl.py`, the AutoML vocabulary."""

from __future__ import annotations

from enum import StrEnum


class Task(StrEnum):
    CLASSIFICATION = "classification"
    REGRESSION = "regression"
    FORECASTING = "forecasting"


# primary metric names as azure-ai-ml accepts them (snake-case MLflow keys), per task
PRIMARY_METRICS: dict[Task, tuple[str, ...]] = {
    Task.CLASSIFICATION: (
        "accuracy",
        "AUC_weighted",
        "norm_macro_recall",
        "average_precision_score_weighted",
        "precision_score_weighted",
    ),
    Task.REGRESSION: (
        "spearman_correlation",
        "normalized_root_mean_squared_error",
        "r2_score",
        "normalized_mean_absolute_error",
    ),
    Task.FORECASTING: (
        "spearman_correlation",
        "normalized_root_mean_squared_error",
        "r2_score",
        "normalized_mean_absolute_error",
    ),
}
DEFAULT_PRIMARY_METRIC = {
    Task.CLASSIFICATION: "AUC_weighted",
    Task.REGRESSION: "normalized_root_mean_squared_error",
    Task.FORECASTING: "normalized_root_mean_squared_error",
}
# metrics where lower is better (all others: higher is better)
LOWER_IS_BETTER = frozenset({"normalized_root_mean_squared_error", "normalized_mean_absolute_error"})

_REGRESSION_MODELS = (
    "ElasticNet",
    "GradientBoosting",
    "DecisionTree",
    "KNN",
    "LassoLars",
    "SGD",
    "RandomForest",
    "ExtremeRandomTrees",
    "LightGBM",
    "XGBoostRegressor",
)
ALGORITHMS: dict[Task, tuple[str, ...]] = {
    Task.CLASSIFICATION: (
        "LogisticRegression",
        "SGD",
        "MultinomialNaiveBayes",
        "BernoulliNaiveBayes",
        "SVM",
        "LinearSVM",
        "KNN",
        "DecisionTree",
        "RandomForest",
        "ExtremeRandomTrees",
        "LightGBM",
        "GradientBoosting",
        "XGBoostClassifier",
    ),
    Task.REGRESSION: _REGRESSION_MODELS,
    Task.FORECASTING: (
        "AutoArima",
        "Prophet",
        "Naive",
        "SeasonalNaive",
        "Average",
        "SeasonalAverage",
        "ExponentialSmoothing",
        "Arimax",
        "TCNForecaster",
        *_REGRESSION_MODELS,
    ),
}

# the ensembles Azure AutoML runs as its last trials (enable_vote_ensemble, enable_stack_ensemble): names a trial's
# algorithm can have, not algorithms a spec can allow or block
ENSEMBLE_ALGORITHMS: tuple[str, ...] = ("VotingEnsemble", "StackEnsemble")


# Every name the server accepts, as enums for the API's document (which task takes which: PRIMARY_METRICS, ALGORITHMS;
# automl_rules checks the pair).
PrimaryMetric = StrEnum(  # type: ignore[misc]
    "PrimaryMetric", {m: m for m in dict.fromkeys(m for ms in PRIMARY_METRICS.values() for m in ms)}
)
Algorithm = StrEnum(  # type: ignore[misc]
    "Algorithm", {a: a for a in dict.fromkeys(a for names in ALGORITHMS.values() for a in names)}
)
