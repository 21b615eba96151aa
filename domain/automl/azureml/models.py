"""Register a trial's MLflow model (AutoML writes it to `outputs/mlflow-model/` of each child run) as an
`mlflow_model` asset named per tenant; Azure ML auto-increments the version."""

from __future__ import annotations

from domain.automl.azureml import naming
from domain.automl.azureml.client import Workspace
from domain.automl.azureml.errors import azure_errors
from domain.entities.automl import ModelRef

KIND = "model"


def model_output_uri(trial_id: str) -> str:
    return f"azureml://jobs/{trial_id}/outputs/artifacts/paths/outputs/mlflow-model/"


def archive(ws: Workspace, model: ModelRef) -> None:
    """Archive `azureml:<asset>:<version>`; an absent model is already gone."""
    from domain.errors import NotFound

    _, asset, version = model.uri.split(":", 2) if model.uri.count(":") == 2 else ("", "", "")
    if not asset:
        return
    try:
        with azure_errors(KIND, asset):
            ws.ml.models.archive(name=asset, version=version)
    except NotFound:
        return


def register(ws: Workspace, tenant: str, job_name: str, *, name: str, trial_id: str) -> ModelRef:
    from azure.ai.ml.constants import AssetTypes
    from azure.ai.ml.entities import Model

    asset = naming.model_name(tenant, name)
    model = Model(
        name=asset,
        path=model_output_uri(trial_id),
        type=AssetTypes.MLFLOW_MODEL,
        description=f"best model of {job_name}" if trial_id else None,
        tags={
            naming.TAG_APP: naming.APP,
            naming.TAG_TENANT: tenant,
            naming.TAG_JOB: job_name,
            naming.TAG_TRIAL: trial_id,
        },
    )
    with azure_errors(KIND, asset, creating=True):
        created = ws.ml.models.create_or_update(model)
    return ModelRef(
        name=name, version=str(created.version), uri=f"azureml:{asset}:{created.version}", trial_id=trial_id
    )
