"""Azure AutoML settings -> FLAML `AutoML.fit` settings (pure; the worker applies them).

Metrics: FLAML's built-ins where they mean the same thing (accuracy, AUC, r2); everything else is a custom metric of
`worker_metrics.py` computed exactly as Azure ML defines it (normalised errors divide by the training target's range).
Algorithms: Azure names -> FLAML learner names; Azure algorithms FLAML does not have are refused when allowed
explicitly, and ignored when only blocked.
"""

from __future__ import annotations

from typing import Any

from domain.entities.automl import LOWER_IS_BETTER, Task, TrainingSpec
from domain.entities.automl_rules import check_spec
from domain.errors import ErrorDetail, ValidationFailed

# Azure primary metric -> (FLAML metric or "custom:<name>" of worker_metrics.CUSTOM).
# AUC_weighted: FLAML "roc_auc" for binary targets (weighted binary AUC is the plain AUC) and "roc_auc_ovr_weighted"
# for multiclass; the worker picks once it has seen the labels.
METRICS: dict[str, str] = {
    "accuracy": "accuracy",
    "AUC_weighted": "auc_weighted",
    "norm_macro_recall": "custom:norm_macro_recall",
    "average_precision_score_weighted": "custom:average_precision_score_weighted",
    "precision_score_weighted": "custom:precision_score_weighted",
    "r2_score": "r2",
    "normalized_root_mean_squared_error": "custom:normalized_root_mean_squared_error",
    "normalized_mean_absolute_error": "custom:normalized_mean_absolute_error",
    "spearman_correlation": "custom:spearman_correlation",
}

# Azure algorithm -> FLAML learners. LogisticRegression covers both FLAML's L1 and L2 variants.
LEARNERS: dict[str, tuple[str, ...]] = {
    "LightGBM": ("lgbm",),
    "RandomForest": ("rf",),
    "ExtremeRandomTrees": ("extra_tree",),
    "XGBoostClassifier": ("xgboost", "xgb_limitdepth"),
    "XGBoostRegressor": ("xgboost", "xgb_limitdepth"),
    "LogisticRegression": ("lrl1", "lrl2"),
    "SGD": ("sgd",),
}
# FLAML learner -> the Azure name shown on trials
AZURE_NAME: dict[str, dict[str, str]] = {
    "classification": {
        "lgbm": "LightGBM",
        "rf": "RandomForest",
        "extra_tree": "ExtremeRandomTrees",
        "xgboost": "XGBoostClassifier",
        "xgb_limitdepth": "XGBoostClassifier",
        "lrl1": "LogisticRegression",
        "lrl2": "LogisticRegression",
        "sgd": "SGD",
    },
    "regression": {
        "lgbm": "LightGBM",
        "rf": "RandomForest",
        "extra_tree": "ExtremeRandomTrees",
        "xgboost": "XGBoostRegressor",
        "xgb_limitdepth": "XGBoostRegressor",
        "sgd": "SGD",
    },
}
DEFAULT_FOLDS = 5


def azure_algorithm(task: str, learner: str) -> str:
    return AZURE_NAME.get(task, {}).get(learner, learner)


def _learners(spec: TrainingSpec) -> list[str]:
    supported = [a for a in LEARNERS if a in AZURE_NAME[spec.task.value].values()]
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
        chosen = list(spec.allowed_algorithms)
    else:
        chosen = [a for a in supported if a not in spec.blocked_algorithms]
    learners = [learner for a in chosen for learner in LEARNERS[a]]
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
    if validation.validation_size is not None:
        evaluation: dict[str, Any] = {"eval_method": "holdout", "split_ratio": validation.validation_size}
    else:
        evaluation = {"eval_method": "cv", "n_splits": validation.n_cross_validations or DEFAULT_FOLDS}
    return {
        "task": spec.task.value,
        "target_column": spec.target_column,
        "primary_metric": spec.primary_metric,
        "metric": METRICS[spec.primary_metric],
        "higher_is_better": spec.primary_metric not in LOWER_IS_BETTER,
        "estimator_list": _learners(spec),
        "time_budget": limits.timeout_minutes * 60,
        "train_time_limit": limits.trial_timeout_minutes * 60 if limits.trial_timeout_minutes else None,
        "max_iter": limits.max_trials,
        "exit_score": limits.exit_score,
        "seed": spec.seed,
        **evaluation,
    }


def score_from_loss(loss: float, higher_is_better: bool) -> float:
    """FLAML minimises a loss; for every metric of the plan the loss is 1 - score (maximised) or the score itself."""
    return 1.0 - loss if higher_is_better else loss
