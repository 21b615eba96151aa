"""Azure AutoML settings -> the local engine's plan (pure; the worker applies it).

Metrics: every trial reports Azure ML's primary metrics of its task (`reported_metrics`), computed by
`worker_metrics.py` on out-of-fold predictions exactly as Azure ML defines them; the primary one is what the search
minimises.
Algorithms: Azure names -> learners of the search (`learners.py`); Azure algorithms the engine does not have are
refused when allowed explicitly, and ignored when only blocked. Validation: the spec's folds or share, or neither
(the worker then applies Azure ML's size-based default, `validation.py`).
"""

from __future__ import annotations

from typing import Any

from domain.entities.automl import ALGORITHMS, LOWER_IS_BETTER, Task, TrainingSpec
from domain.entities.automl_rules import check_spec
from domain.errors import ErrorDetail, ValidationFailed

# the primary metrics the engine computes (all of Azure ML's for the task)
METRICS: dict[str, tuple[str, ...]] = {
    "classification": (
        "accuracy",
        "AUC_weighted",
        "norm_macro_recall",
        "precision_score_weighted",
        "average_precision_score_weighted",
    ),
    "regression": (
        "r2_score",
        "spearman_correlation",
        "normalized_root_mean_squared_error",
        "normalized_mean_absolute_error",
    ),
}
# what every trial reports besides its primary metric. Average precision only when it is the primary one: its chance
# level depends on how a model ties its scores, so no sound bound checks it on random labels (ADR 0014).
REPORTED: dict[str, tuple[str, ...]] = {
    "classification": METRICS["classification"][:4],
    "regression": METRICS["regression"],
}


def reported_metrics(task: str, primary: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*REPORTED[task], primary)))


# Azure algorithm -> learners of the search (learners.py: ours are scaled pipelines, the others FLAML's own).
LEARNERS: dict[str, tuple[str, ...]] = {
    "LightGBM": ("lgbm",),
    "RandomForest": ("rf",),
    "ExtremeRandomTrees": ("extra_tree",),
    "XGBoostClassifier": ("xgb_limitdepth", "xgboost"),
    "XGBoostRegressor": ("xgb_limitdepth", "xgboost"),
    "GradientBoosting": ("histgb",),
    "LogisticRegression": ("lr",),
    "ElasticNet": ("elasticnet",),
    "LassoLars": ("lasso_lars",),
    "KNN": ("knn",),
    "LinearSVM": ("linear_svm",),
    "SGD": ("sgd_scaled",),
}
# what runs when the spec allows nothing explicitly (minus what it blocks): the learners that pay on a small budget
DEFAULT_ALGORITHMS: dict[str, tuple[str, ...]] = {
    "classification": (
        "LogisticRegression", "LightGBM", "ExtremeRandomTrees", "RandomForest", "XGBoostClassifier", "KNN",
    ),
    "regression": ("ElasticNet", "LightGBM", "ExtremeRandomTrees", "RandomForest", "XGBoostRegressor", "KNN"),
}  # fmt: skip
DEFAULT_LEARNERS = {"XGBoostClassifier": ("xgb_limitdepth",), "XGBoostRegressor": ("xgb_limitdepth",)}
ENSEMBLE = "VotingEnsemble"  # the learner name of the ensemble trial in the trial log, and its Azure name
_SHARED = {
    "lgbm": "LightGBM",
    "rf": "RandomForest",
    "extra_tree": "ExtremeRandomTrees",
    "histgb": "GradientBoosting",
    "knn": "KNN",
    "sgd_scaled": "SGD",
    "sgd": "SGD",  # trial logs written before the scaled learners
    ENSEMBLE: ENSEMBLE,
}
# learner -> the Azure name shown on trials
AZURE_NAME: dict[str, dict[str, str]] = {
    "classification": {
        **_SHARED,
        "xgboost": "XGBoostClassifier",
        "xgb_limitdepth": "XGBoostClassifier",
        "lr": "LogisticRegression",
        "lrl1": "LogisticRegression",
        "lrl2": "LogisticRegression",
        "linear_svm": "LinearSVM",
    },
    "regression": {
        **_SHARED,
        "xgboost": "XGBoostRegressor",
        "xgb_limitdepth": "XGBoostRegressor",
        "elasticnet": "ElasticNet",
        "lasso_lars": "LassoLars",
    },
}


def azure_algorithm(task: str, learner: str) -> str:
    return AZURE_NAME.get(task, {}).get(learner, learner)


def _learners(spec: TrainingSpec) -> list[str]:
    supported = [a for a in ALGORITHMS[spec.task] if a in LEARNERS and a in AZURE_NAME[spec.task.value].values()]
    if spec.allowed_algorithms:
        unsupported = [a for a in spec.allowed_algorithms if a not in supported]
        if unsupported:
            raise ValidationFailed(
                "Some allowed algorithms are not available in the local AutoML engine.",
                details=[
                    ErrorDetail(
                        "UnsupportedAlgorithm",
                        f"not available locally: {', '.join(unsupported)}; the local engine supports "
                        f"{', '.join(supported)}.",
                        "allowedAlgorithms",
                    )
                ],
            )
        learners = [learner for a in spec.allowed_algorithms for learner in LEARNERS[a]]
    else:
        # the defaults minus the blocked ones; when those are all blocked, whatever else the engine has
        chosen = [a for a in DEFAULT_ALGORITHMS[spec.task.value] if a not in spec.blocked_algorithms]
        learners = [learner for a in chosen for learner in DEFAULT_LEARNERS.get(a, LEARNERS[a])]
        if not learners:
            learners = [learner for a in supported if a not in spec.blocked_algorithms for learner in LEARNERS[a]]
    if not learners:
        raise ValidationFailed(
            "Every algorithm the local AutoML engine supports is blocked.",
            details=[
                ErrorDetail("InvalidAlgorithms", f"supported locally: {', '.join(supported)}.", "blockedAlgorithms")
            ],
        )
    return list(dict.fromkeys(learners))


def flaml_plan(spec: TrainingSpec) -> dict[str, Any]:
    """The worker's settings for `spec` (JSON-serialisable), or ValidationFailed naming what cannot run locally."""
    check_spec(spec)
    if spec.task is Task.FORECASTING:
        raise ValidationFailed(
            "Forecasting is not supported by the local AutoML engine; use AUTOML_BACKEND=azureml.",
            details=[ErrorDetail("UnsupportedTask", "the local engine trains classification and regression.", "task")],
        )
    limits, validation = spec.limits, spec.validation
    return {
        "task": spec.task.value,
        "target_column": spec.target_column,
        "primary_metric": spec.primary_metric,
        "higher_is_better": spec.primary_metric not in LOWER_IS_BETTER,
        "estimator_list": _learners(spec),
        "time_budget": limits.timeout_minutes * 60,
        "train_time_limit": limits.trial_timeout_minutes * 60 if limits.trial_timeout_minutes else None,
        "max_iter": limits.max_trials,
        "exit_score": limits.exit_score,
        "seed": spec.seed,
        # the worker makes the splits (validation.py); neither set = Azure ML's size-based default
        "validation": {
            "n_cross_validations": validation.n_cross_validations,
            "validation_size": validation.validation_size,
        },
    }


def score_from_loss(loss: float, higher_is_better: bool) -> float:
    """FLAML minimises a loss; for every metric of the plan the loss is 1 - score (maximised) or the score itself."""
    return 1.0 - loss if higher_is_better else loss


def trial_score(record: dict[str, Any], primary: str, higher_is_better: bool) -> float:
    """A trial record's primary score: as logged (its loss may carry a tie-break, worker_metrics.search_loss), else
    from its loss (trial logs written before the engine logged its metrics)."""
    logged = (record.get("logged_metric") or {}).get(primary)
    if isinstance(logged, int | float) and not isinstance(logged, bool):
        return float(logged)
    return score_from_loss(record["validation_loss"], higher_is_better)
