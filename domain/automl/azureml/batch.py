"""Batch scoring and explanations on Azure ML (ADR 0020).

Batch scoring is a command job on serverless compute (no `compute`: Azure ML provisions it per job), not a batch
endpoint: a batch deployment needs a compute cluster that must exist beforehand, while the app already runs AutoML on
serverless compute. The job runs `batch_code/score.py` in Azure ML's curated AutoML environment with the registered
MLflow model and the dataset's file as inputs, and writes `predictions.csv` to the app's datastore (the datasets
container) at the path the service chose, so the API serves it from Blob Storage like the local engine's.
Progress is the metric `rows_scored` the script logs (read through the workspace's MLflow REST).

Explanations: AutoML jobs are submitted with `enable_model_explainability=True` (job_builder.py); Azure ML then
explains the best model in the best child run and stores the explanation among that run's artifacts under
`explanation/<id>/` (azureml-interpret's layout: `rich_metadata`, `global_names/<n>`, `global_values/<n>`; one
explanation of the raw columns, one of the engineered features). `read_explanation` reads the raw one.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from domain.automl.azureml import naming
from domain.entities.automl import JobStatus, ModelRef, parse_status
from domain.entities.batch import BatchJobStatus, BatchState, ExplanationResult

CODE = Path(__file__).with_name("batch_code")
ENVIRONMENT = "azureml://registries/azureml/environments/AzureML-AutoML/labels/latest"
OUTPUT = "predictions"
TAG_OUTPUT, TAG_ROWS = "batch_output", "batch_rows"  # the job's own record of where its CSV goes, and its rows


def model_input(model: ModelRef) -> str:
    """The registered model as a job input (`azureml:<name>:<version>`; an azureml:// URI as it is)."""
    return model.uri if model.uri.startswith("azureml:") else f"azureml:{model.name}:{model.version}"


def scoring_job(
    tenant: str,
    job_name: str,
    model: ModelRef,
    data_uri: str,
    output_uri: str,
    *,
    experiment: str,
    output: str,
    rows: int | None,
    compute: str | None = None,
    instance_type: str = "Standard_DS3_v2",
) -> Any:
    """The azure-ai-ml CommandJob (built offline; `ml_client.jobs.create_or_update` submits it): on serverless
    compute of `instance_type`, or on the `compute` cluster when the app names one (AZUREML_COMPUTE). It reads and
    writes data as the identity that submits it (the app's), which holds the data roles on the app's storage."""
    from azure.ai.ml import Input, Output, command
    from azure.ai.ml.constants import AssetTypes, InputOutputModes
    from azure.ai.ml.entities import JobResourceConfiguration, UserIdentityConfiguration

    return command(
        name=job_name,
        display_name=job_name,
        experiment_name=experiment,
        description="Batch scoring (AutoML Functions)",
        tags={
            naming.TAG_APP: naming.APP,
            naming.TAG_TENANT: tenant,
            naming.TAG_JOB: job_name,
            TAG_OUTPUT: output,
            TAG_ROWS: "" if rows is None else str(rows),
        },
        code=str(CODE),
        command="python score.py --model ${{inputs.model}} --data ${{inputs.data}} --output ${{outputs.predictions}}",
        environment=ENVIRONMENT,
        inputs={
            "model": Input(type=AssetTypes.MLFLOW_MODEL, path=model_input(model)),
            "data": Input(type=AssetTypes.URI_FILE, path=data_uri, mode=InputOutputModes.DOWNLOAD),
        },
        outputs={OUTPUT: Output(type=AssetTypes.URI_FOLDER, path=output_uri, mode=InputOutputModes.RW_MOUNT)},
        compute=compute or None,
        resources=None if compute else JobResourceConfiguration(instance_type=instance_type, instance_count=1),
        identity=UserIdentityConfiguration(),
    )


_STATUS = {
    JobStatus.COMPLETED: BatchJobStatus.COMPLETED,
    JobStatus.FAILED: BatchJobStatus.FAILED,
    JobStatus.CANCELED: BatchJobStatus.CANCELED,
    JobStatus.NOT_STARTED: BatchJobStatus.NOT_STARTED,
}


def state_of(job: Any, rows_done: int) -> BatchState:
    """A CommandJob as the API's batch state (rows and output from its tags)."""
    tags = job.tags or {}
    rows_total = int(tags[TAG_ROWS]) if tags.get(TAG_ROWS) else None
    output = tags.get(TAG_OUTPUT)
    status = _STATUS.get(parse_status(str(getattr(job.status, "value", job.status) or "NotStarted")))
    value = status or BatchJobStatus.RUNNING
    return BatchState(
        status=value,
        rows_done=rows_done,
        rows_total=rows_total,
        output=output if value is BatchJobStatus.COMPLETED else None,
        error="Azure ML reports the batch job Failed; see its logs in the studio."
        if value is BatchJobStatus.FAILED
        else None,
    )


def parse_explanation(folder: Path, trial_id: str) -> ExplanationResult:
    """The raw-column explanation among the `explanation/<id>/` folders azureml-interpret writes."""
    candidates = sorted(p.parent for p in folder.rglob("rich_metadata*.json") if "explanation" in p.parts)
    if not candidates:
        raise LookupError("the best child run holds no model explanation (explainability was not enabled?)")

    def raw(path: Path) -> bool:
        meta = json.loads(next(path.glob("rich_metadata*.json")).read_text())
        return bool(meta.get("is_raw", meta.get("raw", False)))

    chosen = next((p for p in candidates if raw(p)), candidates[0])
    names = _shards(chosen / "global_names")
    values = _shards(chosen / "global_values")
    if len(names) != len(values):
        raise LookupError(f"explanation at {chosen.name}: {len(names)} names for {len(values)} values")
    features = tuple((str(n), float(v), None) for n, v in zip(names, values, strict=True))
    return ExplanationResult(trial_id=trial_id, method="azureml", metric="mean |SHAP value|", features=features)


def _shards(folder: Path) -> list[Any]:
    """azureml-interpret splits long arrays into numbered files (`0.interpret.json`, `1.interpret.json`, ...)."""
    out: list[Any] = []
    for path in sorted(folder.glob("*.json"), key=lambda p: int(p.name.split(".")[0])):
        out.extend(json.loads(path.read_text()))
    return out


def download_explanation(ml: Any, best_child: str) -> ExplanationResult:
    """Download the best child run's artifacts (`jobs.download(all=True)`) and read its raw explanation."""
    with tempfile.TemporaryDirectory() as tmp:
        ml.jobs.download(best_child, download_path=tmp, all=True)
        return parse_explanation(Path(tmp), best_child)
