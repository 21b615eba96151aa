"""TrainingSpec -> azure-ai-ml AutoML job, with the SDK's own factories and setters (no network)."""

from __future__ import annotations

from typing import Any

from domain.automl.azureml import naming
from domain.entities.automl import Task, TrainingSpec


def job_tags(spec: TrainingSpec) -> dict[str, str]:
    return {
        naming.TAG_APP: naming.APP,
        naming.TAG_TENANT: spec.tenant,
        naming.TAG_RUN: spec.run_id,
        naming.TAG_EXPERIMENT: spec.experiment_id,
        naming.TAG_DATASET: spec.dataset.dataset_id,
    }


def factory_args(spec: TrainingSpec, *, compute: str | None) -> dict[str, Any]:
    """Keyword arguments of `automl.classification/regression/forecasting`: data, metric, name, tags, validation."""
    from azure.ai.ml import Input
    from azure.ai.ml.constants import AssetTypes

    args: dict[str, Any] = {
        "training_data": Input(
            type=AssetTypes.MLTABLE,
            path=f"azureml:{naming.data_asset_name(spec.tenant, spec.dataset.dataset_id)}:{spec.dataset.version}",
        ),
        "target_column_name": spec.target_column,
        "primary_metric": spec.primary_metric,
        "name": spec.job_name,
        "display_name": spec.job_name,
        "experiment_name": naming.experiment_name(spec.tenant, spec.experiment_id),
        "tags": job_tags(spec),
    }
    if compute:
        args["compute"] = compute
    if spec.validation.n_cross_validations is not None:
        args["n_cross_validations"] = spec.validation.n_cross_validations
    if spec.validation.validation_size is not None:
        args["validation_data_size"] = spec.validation.validation_size
    return args


def build_job(spec: TrainingSpec, *, compute: str | None) -> Any:
    """The AutoML job for `spec` (call `check_spec(spec)` first). Its name is `spec.job_name`, so a resubmit is a no-op.

    `compute` empty = serverless compute. The data input is the registered MLTable asset of the dataset version."""
    from azure.ai.ml import automl

    factory = {
        Task.CLASSIFICATION: automl.classification,
        Task.REGRESSION: automl.regression,
        Task.FORECASTING: automl.forecasting,
    }[spec.task]
    job = factory(**factory_args(spec, compute=compute))
    if spec.forecast is not None:  # check_spec allows it for forecasting only
        job.set_forecast_settings(
            time_column_name=spec.forecast.time_column,
            forecast_horizon=spec.forecast.horizon,
            time_series_id_column_names=list(spec.forecast.time_series_id_columns) or None,
        )
    limits = spec.limits
    job.set_limits(
        timeout_minutes=limits.timeout_minutes,
        trial_timeout_minutes=limits.trial_timeout_minutes,
        max_trials=limits.max_trials,
        max_concurrent_trials=limits.max_concurrent_trials,
        exit_score=limits.exit_score,
        enable_early_termination=limits.enable_early_termination,
    )
    job.set_training(
        allowed_training_algorithms=list(spec.allowed_algorithms) or None,
        blocked_training_algorithms=list(spec.blocked_algorithms) or None,
        enable_model_explainability=True,  # the best model's explanation (explanations, ADR 0020)
    )
    job.set_featurization(mode=spec.featurization.value)
    return job
