"""Azure AutoML settings -> FLAML settings for the local engine."""

from __future__ import annotations

import pytest

from domain.automl.local.mapping import METRICS, azure_algorithm, flaml_plan, score_from_loss
from domain.entities.automl import (
    PRIMARY_METRICS,
    DatasetVersionRef,
    ForecastSettings,
    Limits,
    Task,
    TrainingSpec,
    Validation,
)
from domain.errors import ValidationFailed

DATA = DatasetVersionRef(dataset_id="d", version=1, blob_path="datasets/d.csv", columns=("a", "y", "t"))


def spec(**overrides: object) -> TrainingSpec:
    values: dict[str, object] = {
        "tenant": "t1", "run_id": "r1", "experiment_id": "e1", "task": Task.CLASSIFICATION, "dataset": DATA,
        "target_column": "y", "primary_metric": "accuracy",
    }  # fmt: skip
    values.update(overrides)
    return TrainingSpec.model_validate(values)


def test_every_azure_primary_metric_of_classification_and_regression_is_mapped() -> None:
    for task in (Task.CLASSIFICATION, Task.REGRESSION):
        assert set(PRIMARY_METRICS[task]) <= set(METRICS)


def test_limits_and_settings_map_onto_flaml() -> None:
    plan = flaml_plan(
        spec(limits=Limits(timeout_minutes=3, trial_timeout_minutes=1, max_trials=20, exit_score=0.9), seed=5)
    )
    assert plan["time_budget"] == 180 and plan["train_time_limit"] == 60 and plan["max_iter"] == 20
    assert plan["exit_score"] == 0.9 and plan["seed"] == 5 and plan["metric"] == "accuracy"
    assert plan["eval_method"] == "cv" and plan["n_splits"] == 5  # cross-validation by default, never a tiny holdout


def test_validation_folds_or_share() -> None:
    assert flaml_plan(spec(validation=Validation(n_cross_validations=3)))["n_splits"] == 3
    holdout = flaml_plan(spec(validation=Validation(validation_size=0.2)))
    assert holdout["eval_method"] == "holdout" and holdout["split_ratio"] == 0.2


def test_lower_is_better_metrics_keep_their_direction() -> None:
    plan = flaml_plan(spec(task=Task.REGRESSION, primary_metric="normalized_root_mean_squared_error"))
    assert plan["metric"] == "custom:normalized_root_mean_squared_error" and plan["higher_is_better"] is False
    assert score_from_loss(0.1, False) == 0.1 and score_from_loss(0.1, True) == pytest.approx(0.9)


def test_allowed_algorithms_map_to_flaml_learners() -> None:
    plan = flaml_plan(spec(allowed_algorithms=("LightGBM", "LogisticRegression", "XGBoostClassifier")))
    assert plan["estimator_list"] == ["lgbm", "lrl1", "lrl2", "xgboost", "xgb_limitdepth"]
    assert azure_algorithm("classification", "lrl2") == "LogisticRegression"
    assert azure_algorithm("regression", "xgboost") == "XGBoostRegressor"


def test_allowed_algorithms_missing_locally_are_refused_by_name() -> None:
    with pytest.raises(ValidationFailed) as err:
        flaml_plan(spec(allowed_algorithms=("LightGBM", "SVM", "KNN")))
    assert err.value.details[0].target == "allowedAlgorithms"
    assert "SVM, KNN" in err.value.details[0].message


def test_blocked_algorithms_missing_locally_are_ignored() -> None:
    plan = flaml_plan(spec(blocked_algorithms=("SVM", "LightGBM", "XGBoostClassifier")))
    assert "lgbm" not in plan["estimator_list"] and "xgboost" not in plan["estimator_list"]
    assert "rf" in plan["estimator_list"]


def test_blocking_every_local_algorithm_is_refused() -> None:
    blocked = ("LightGBM", "RandomForest", "ExtremeRandomTrees", "XGBoostRegressor", "SGD")
    with pytest.raises(ValidationFailed, match="Every algorithm"):
        flaml_plan(spec(task=Task.REGRESSION, primary_metric="r2_score", blocked_algorithms=blocked))


def test_forecasting_is_refused_locally() -> None:
    forecasting = spec(
        task=Task.FORECASTING, primary_metric="r2_score", forecast=ForecastSettings(time_column="t", horizon=3)
    )
    with pytest.raises(ValidationFailed, match="Forecasting is not supported"):
        flaml_plan(forecasting)


def test_azure_rules_are_checked_first() -> None:
    with pytest.raises(ValidationFailed) as err:
        flaml_plan(spec(primary_metric="r2_score"))
    assert err.value.details[0].code == "InvalidPrimaryMetric"
