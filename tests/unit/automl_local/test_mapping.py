"""Azure AutoML settings -> FLAML settings for the local engine."""

from __future__ import annotations

import pytest

from domain.automl.local.mapping import (
    AZURE_NAME,
    LEARNERS,
    METRICS,
    azure_algorithm,
    flaml_plan,
    reported_metrics,
    score_from_loss,
)
from domain.entities.automl import (
    ALGORITHMS,
    ENSEMBLE_ALGORITHMS,
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


def test_every_azure_primary_metric_of_classification_and_regression_is_computed() -> None:
    for task in (Task.CLASSIFICATION, Task.REGRESSION):
        assert set(PRIMARY_METRICS[task]) == set(METRICS[task.value])
    assert reported_metrics("classification", "accuracy") == (
        "accuracy", "AUC_weighted", "norm_macro_recall", "precision_score_weighted",
    )  # fmt: skip
    assert reported_metrics("classification", "average_precision_score_weighted")[-1] == (
        "average_precision_score_weighted"
    )
    assert len(reported_metrics("regression", "r2_score")) == 4


def test_limits_and_settings_map_onto_the_plan() -> None:
    plan = flaml_plan(
        spec(limits=Limits(timeout_minutes=3, trial_timeout_minutes=1, max_trials=20, exit_score=0.9), seed=5)
    )
    assert plan["time_budget"] == 180 and plan["train_time_limit"] == 60 and plan["max_iter"] == 20
    assert plan["exit_score"] == 0.9 and plan["seed"] == 5 and plan["primary_metric"] == "accuracy"
    # neither folds nor a share: the worker applies Azure ML's size-based default (validation.py)
    assert plan["validation"] == {"n_cross_validations": None, "validation_size": None}


def test_validation_folds_or_share() -> None:
    assert flaml_plan(spec(validation=Validation(n_cross_validations=3)))["validation"]["n_cross_validations"] == 3
    assert flaml_plan(spec(validation=Validation(validation_size=0.2)))["validation"]["validation_size"] == 0.2


def test_lower_is_better_metrics_keep_their_direction() -> None:
    plan = flaml_plan(spec(task=Task.REGRESSION, primary_metric="normalized_root_mean_squared_error"))
    assert plan["higher_is_better"] is False
    assert score_from_loss(0.1, False) == 0.1 and score_from_loss(0.1, True) == pytest.approx(0.9)


def test_allowed_algorithms_map_to_learners() -> None:
    plan = flaml_plan(spec(allowed_algorithms=("LightGBM", "LogisticRegression", "XGBoostClassifier", "KNN")))
    assert plan["estimator_list"] == ["lgbm", "lr", "xgb_limitdepth", "xgboost", "knn"]
    assert azure_algorithm("classification", "lr") == "LogisticRegression"
    assert azure_algorithm("classification", "lrl2") == "LogisticRegression"  # trial logs of older jobs
    assert azure_algorithm("regression", "xgboost") == "XGBoostRegressor"
    assert azure_algorithm("regression", "elasticnet") == "ElasticNet"
    assert azure_algorithm("classification", "VotingEnsemble") == "VotingEnsemble"


def test_every_learner_has_an_azure_name_of_its_task() -> None:
    for task in (Task.CLASSIFICATION, Task.REGRESSION):
        names = {**dict.fromkeys(ALGORITHMS[task]), **dict.fromkeys(ENSEMBLE_ALGORITHMS)}
        assert set(AZURE_NAME[task.value].values()) <= set(names)
        for algorithm, learners in LEARNERS.items():
            if algorithm in ALGORITHMS[task] and algorithm in AZURE_NAME[task.value].values():
                assert all(azure_algorithm(task.value, learner) == algorithm for learner in learners)


def test_default_search_has_scaled_linear_trees_and_neighbours() -> None:
    assert flaml_plan(spec())["estimator_list"] == ["lr", "lgbm", "extra_tree", "rf", "xgb_limitdepth", "knn"]
    regression = flaml_plan(spec(task=Task.REGRESSION, primary_metric="r2_score"))
    assert regression["estimator_list"] == ["elasticnet", "lgbm", "extra_tree", "rf", "xgb_limitdepth", "knn"]


def test_allowed_algorithms_missing_locally_are_refused_by_name() -> None:
    with pytest.raises(ValidationFailed) as err:
        flaml_plan(spec(allowed_algorithms=("LightGBM", "SVM", "MultinomialNaiveBayes")))
    assert err.value.details[0].target == "allowedAlgorithms"
    assert "SVM, MultinomialNaiveBayes" in err.value.details[0].message


def test_blocked_algorithms_missing_locally_are_ignored() -> None:
    plan = flaml_plan(spec(blocked_algorithms=("SVM", "LightGBM", "XGBoostClassifier")))
    assert "lgbm" not in plan["estimator_list"] and "xgb_limitdepth" not in plan["estimator_list"]
    assert "rf" in plan["estimator_list"]


def test_blocking_every_default_falls_back_to_the_other_local_algorithms() -> None:
    defaults = ("ElasticNet", "LightGBM", "RandomForest", "ExtremeRandomTrees", "XGBoostRegressor", "KNN")
    plan = flaml_plan(spec(task=Task.REGRESSION, primary_metric="r2_score", blocked_algorithms=defaults))
    assert sorted(plan["estimator_list"]) == ["histgb", "lasso_lars", "sgd_scaled"]


def test_blocking_every_local_algorithm_is_refused() -> None:
    local = [a for a in LEARNERS if a in AZURE_NAME["regression"].values() and a in ALGORITHMS[Task.REGRESSION]]
    with pytest.raises(ValidationFailed, match="Every algorithm"):
        flaml_plan(spec(task=Task.REGRESSION, primary_metric="r2_score", blocked_algorithms=tuple(local)))


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
