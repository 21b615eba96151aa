"""Azure ML's rules for an AutoML job, checked before anything is submitted or stored (the SDK does not check ranges):
metric valid for the task, algorithm names, target and time columns, limits across fields, forecast settings.
Every function returns all the problems at once, one `ErrorDetail` per field."""

from __future__ import annotations

from domain.entities.automl import ALGORITHMS, PRIMARY_METRICS, ForecastSettings, Limits, Task, TrainingSpec
from domain.errors import ErrorDetail, ValidationFailed


def check_spec(spec: TrainingSpec) -> None:
    """Azure ML's rules on a job's spec, all problems at once -> ValidationFailed with one detail per field."""
    problems = spec_problems(
        spec.task,
        spec.primary_metric,
        spec.allowed_algorithms,
        spec.blocked_algorithms,
        spec.target_column,
        spec.dataset.columns,
        spec.forecast,
        spec.limits,
    )
    if problems:
        raise ValidationFailed("The training settings break Azure ML's rules.", details=problems)


def spec_problems(
    task: Task,
    metric: str,
    allowed: tuple[str, ...],
    blocked: tuple[str, ...],
    target: str,
    columns: tuple[str, ...],
    forecast: ForecastSettings | None,
    limits: Limits,
) -> list[ErrorDetail]:
    """Every rule: names and columns, then limits across fields."""
    return rule_problems(task, metric, allowed, blocked, target, columns, forecast) + limit_problems(
        task, metric, limits, forecast, target
    )


def rule_problems(
    task: Task,
    metric: str,
    allowed: tuple[str, ...],
    blocked: tuple[str, ...],
    target: str,
    columns: tuple[str, ...],
    forecast: ForecastSettings | None,
) -> list[ErrorDetail]:
    out: list[ErrorDetail] = []
    if metric not in PRIMARY_METRICS[task]:
        out.append(
            ErrorDetail(
                "InvalidPrimaryMetric",
                f"'{metric}' is not a primary metric for {task.value}; use one of {', '.join(PRIMARY_METRICS[task])}.",
                "primaryMetric",
            )
        )
    for field, names in (("allowedAlgorithms", allowed), ("blockedAlgorithms", blocked)):
        unknown = [n for n in names if n not in ALGORITHMS[task]]
        if unknown:
            out.append(
                ErrorDetail(
                    "UnknownAlgorithm",
                    f"not Azure ML {task.value} algorithms: {', '.join(unknown)}; "
                    f"known: {', '.join(ALGORITHMS[task])}.",
                    field,
                )
            )
    if allowed and blocked and set(allowed) & set(blocked):
        out.append(
            ErrorDetail("InvalidAlgorithms", "an algorithm cannot be both allowed and blocked.", "blockedAlgorithms")
        )
    if not allowed and blocked and set(ALGORITHMS[task]) <= set(blocked):
        out.append(ErrorDetail("InvalidAlgorithms", "every algorithm is blocked.", "blockedAlgorithms"))
    if columns and target not in columns:
        out.append(
            ErrorDetail("UnknownColumn", f"target column '{target}' is not a column of the dataset.", "targetColumn")
        )
    if task is Task.FORECASTING and forecast is None:
        out.append(ErrorDetail("Required", "forecasting needs forecast settings (timeColumn, horizon).", "forecast"))
    if forecast is not None and columns and forecast.time_column not in columns:
        out.append(
            ErrorDetail(
                "UnknownColumn",
                f"time column '{forecast.time_column}' is not a column of the dataset.",
                "forecast.timeColumn",
            )
        )
    return out


# the range a primary metric's value can take (exit_score must lie inside it)
_METRIC_RANGE: dict[str, tuple[float, float]] = {
    "accuracy": (0.0, 1.0),
    "AUC_weighted": (0.0, 1.0),
    "norm_macro_recall": (0.0, 1.0),
    "average_precision_score_weighted": (0.0, 1.0),
    "precision_score_weighted": (0.0, 1.0),
    "spearman_correlation": (-1.0, 1.0),
    "r2_score": (float("-inf"), 1.0),
    "normalized_root_mean_squared_error": (0.0, float("inf")),
    "normalized_mean_absolute_error": (0.0, float("inf")),
}


def limit_problems(
    task: Task, metric: str, limits: Limits, forecast: ForecastSettings | None, target: str
) -> list[ErrorDetail]:
    """Rules across fields that Azure ML enforces at run time (the SDK serialises them unchecked)."""
    out: list[ErrorDetail] = []
    if limits.trial_timeout_minutes is not None and limits.trial_timeout_minutes > limits.timeout_minutes:
        out.append(
            ErrorDetail(
                "InvalidLimits",
                "the trial timeout cannot exceed the job timeout.",
                "limits.trialTimeoutMinutes",
            )
        )
    if limits.max_concurrent_trials > limits.max_trials:
        out.append(
            ErrorDetail(
                "InvalidLimits", "max concurrent trials cannot exceed max trials.", "limits.maxConcurrentTrials"
            )
        )
    low, high = _METRIC_RANGE.get(metric, (float("-inf"), float("inf")))
    if limits.exit_score is not None and not low <= limits.exit_score <= high:
        out.append(
            ErrorDetail(
                "InvalidLimits",
                f"the exit score for {metric} must lie between {low} and {high}.",
                "limits.exitScore",
            )
        )
    if forecast is not None and task is not Task.FORECASTING:
        out.append(ErrorDetail("NotAllowed", "forecast settings apply to forecasting only.", "forecast"))
    if forecast is not None and forecast.time_column == target:
        out.append(
            ErrorDetail("InvalidForecast", "the time column cannot be the target column.", "forecast.timeColumn")
        )
    if forecast is not None and {forecast.time_column, target} & set(forecast.time_series_id_columns):
        out.append(
            ErrorDetail(
                "InvalidForecast",
                "time series id columns cannot include the target or the time column.",
                "forecast.timeSeriesIdColumns",
            )
        )
    return out
