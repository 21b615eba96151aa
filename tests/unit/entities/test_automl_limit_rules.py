"""Azure ML rules across fields, checked by check_spec(spec) before anything is submitted."""

import pytest

from domain.entities.automl import DatasetVersionRef, ForecastSettings, Limits, TrainingSpec
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


FC = {"task": "forecasting", "primary_metric": "r2_score"}


@pytest.mark.parametrize(
    ("changes", "target"),
    [
        ({"limits": Limits(timeout_minutes=30, trial_timeout_minutes=31)}, "limits.trialTimeoutMinutes"),
        ({"limits": Limits(max_trials=4, max_concurrent_trials=5)}, "limits.maxConcurrentTrials"),
        ({"limits": Limits(exit_score=1.2)}, "limits.exitScore"),
        ({"limits": Limits(exit_score=-0.1)}, "limits.exitScore"),
        ({"primary_metric": "r2_score", "task": "regression", "limits": Limits(exit_score=1.5)}, "limits.exitScore"),
        ({"forecast": ForecastSettings(time_column="when", horizon=3)}, "forecast"),
        ({**FC, "forecast": ForecastSettings(time_column="y", horizon=3)}, "forecast.timeColumn"),
        (
            {**FC, "forecast": ForecastSettings(time_column="when", horizon=3, time_series_id_columns=("y",))},
            "forecast.timeSeriesIdColumns",
        ),
    ],
)
def test_each_cross_field_rule_names_its_field(changes: dict[str, object], target: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        check_spec(spec(**changes))
    assert target in [d.target for d in info.value.details]


@pytest.mark.parametrize(
    "changes",
    [
        {"limits": Limits(timeout_minutes=30, trial_timeout_minutes=30, max_trials=3, max_concurrent_trials=3)},
        {"limits": Limits(exit_score=0.9)},
        {"primary_metric": "r2_score", "task": "regression", "limits": Limits(exit_score=-3.0)},
        {
            "primary_metric": "normalized_root_mean_squared_error",
            "task": "regression",
            "limits": Limits(exit_score=0.05),
        },
        {**FC, "forecast": ForecastSettings(time_column="when", horizon=3, time_series_id_columns=("a",))},
    ],
)
def test_valid_combinations_pass(changes: dict[str, object]) -> None:
    check_spec(spec(**changes))
