import pytest

from domain.entities.automl import (
    ALGORITHMS,
    PRIMARY_METRICS,
    DatasetVersionRef,
    ForecastSettings,
    JobStatus,
    Limits,
    Task,
    TrainingSpec,
    Validation,
    job_name_for,
    parse_status,
)
from domain.entities.automl_rules import check_spec
from domain.errors import ValidationFailed

DS = DatasetVersionRef(dataset_id="d1", version=1, columns=("a", "b", "y", "when"))


def spec(**kw: object) -> TrainingSpec:
    base: dict[str, object] = {
        "tenant": "t1",
        "run_id": "r1",
        "experiment_id": "e1",
        "task": "classification",
        "dataset": DS,
        "target_column": "y",
        "primary_metric": "accuracy",
    }
    return TrainingSpec.model_validate({**base, **kw})


def test_valid_spec_passes() -> None:
    check_spec(spec(allowed_algorithms=("LightGBM", "RandomForest")))


@pytest.mark.parametrize(
    ("changes", "target"),
    [
        ({"primary_metric": "r2_score"}, "primaryMetric"),
        ({"task": "regression"}, "primaryMetric"),
        ({"allowed_algorithms": ("XGBoostRegressor",)}, "allowedAlgorithms"),
        ({"blocked_algorithms": ("Prophet",)}, "blockedAlgorithms"),
        ({"target_column": "missing"}, "targetColumn"),
        ({"blocked_algorithms": ALGORITHMS[Task.CLASSIFICATION]}, "blockedAlgorithms"),
        ({"allowed_algorithms": ("SGD",), "blocked_algorithms": ("SGD",)}, "blockedAlgorithms"),
        ({"task": "forecasting", "primary_metric": "r2_score"}, "forecast"),
        (
            {
                "task": "forecasting",
                "primary_metric": "r2_score",
                "forecast": ForecastSettings(time_column="nope", horizon=3),
            },
            "forecast.timeColumn",
        ),
    ],
)
def test_each_rule_names_its_field(changes: dict[str, object], target: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        check_spec(spec(**changes))
    assert target in [d.target for d in info.value.details]


def test_every_task_has_metrics_and_algorithms() -> None:
    for task in Task:
        assert PRIMARY_METRICS[task]
        assert ALGORITHMS[task]


@pytest.mark.parametrize(
    "limits",
    [
        {"max_trials": 0},
        {"max_trials": 1001},
        {"timeout_minutes": 0},
        {"max_concurrent_trials": 0},
        {"trial_timeout_minutes": 0},
    ],
)
def test_limits_out_of_azure_ranges_are_refused(limits: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        Limits.model_validate(limits)


def test_validation_is_folds_or_share_not_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        Validation(n_cross_validations=5, validation_size=0.2)


def test_status_moves_forward_only() -> None:
    assert JobStatus.QUEUED.can_move_to(JobStatus.RUNNING)
    assert not JobStatus.RUNNING.can_move_to(JobStatus.QUEUED)
    assert JobStatus.RUNNING.can_move_to(JobStatus.FAILED)
    for terminal in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED):
        assert terminal.terminal
        assert not terminal.can_move_to(JobStatus.COMPLETED)


def test_azure_only_statuses_fold_onto_the_api_vocabulary() -> None:
    assert parse_status("Starting") is JobStatus.PREPARING
    assert parse_status("Completed") is JobStatus.COMPLETED
    with pytest.raises(ValueError, match="is not a valid JobStatus"):
        parse_status("Exploded")


def test_job_name_is_deterministic_and_safe() -> None:
    assert job_name_for("Tenant.1", "R/2") == job_name_for("Tenant.1", "R/2") == "automl-tenant-1-r-2"
