"""Every entity kind of the app: its stored data (a typed record) and its place in the store. The schema catalog
(`domain/storage/catalog.py`) registers these; the API models in `domain/entities` are what the routes show.

A data model holds what the row holds, internal fields included (a run's spec, an operation's target): the API view
picks the fields it shows (`domain/services/_views.py`). Adding a field with a default needs no migration; renaming
or reshaping one needs a schema version and an upgrader (docs/adding-a-resource.md).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import JsonValue

from domain.entities.automl import FeaturizationMode, JobStatus, ProvisioningState, Task, TrainingSpec
from domain.entities.batch import BatchJobStatus, BatchProgress
from domain.entities.datasets import ColumnType, Profile
from domain.entities.experiments import ForecastModel, LimitsModel, ValidationModel
from domain.entities.operations import OperationKind, OperationProgress, OperationStatus
from domain.entities.role import Role
from domain.entities.runs import Progress
from domain.entities.tenancy import AzureMLBinding, Quotas
from domain.records.kind import Kind, KindInfo, StoredModel


class TenantData(StoredModel):
    name: str
    display_name: str | None = None
    quotas: Quotas = Quotas()
    azureml: AzureMLBinding | None = None
    state: str = "Active"


class MemberData(StoredModel):
    user_id: str
    role: Role
    display_name: str | None = None


class DatasetData(StoredModel):
    name: str
    description: str | None = None
    latest_version: int
    source: str  # "upload" or "uri"
    profile: Profile | None = None
    tags: dict[str, str] = {}


class DatasetVersionData(StoredModel):
    dataset_id: str
    version: int
    source: str
    uri: str | None = None
    blob_path: str | None = None  # '<container>/<blob name>' of an upload
    size_bytes: int | None = None
    sha256: str | None = None
    profile: Profile | None = None


class LastRun(StoredModel):
    """The experiment's newest run, kept on the experiment so a list of experiments needs no call per row."""

    id: str
    status: JobStatus
    created_at: datetime


class UploadData(StoredModel):
    """A direct upload to Blob Storage that was handed out and not yet committed (`uploads.py`)."""

    dataset_id: str
    blob_path: str  # '<container>/<blob name>' the upload URL writes
    expires_at: datetime


class ExperimentData(StoredModel):
    name: str
    description: str | None = None
    task: Task
    dataset_id: str
    dataset_name: str | None = None  # dataset names never change: copied at create (rows before: None)
    dataset_version: int
    target_column: str
    primary_metric: str
    limits: LimitsModel = LimitsModel()
    validation: ValidationModel = ValidationModel()
    allowed_algorithms: list[str] = []
    blocked_algorithms: list[str] = []
    featurization: FeaturizationMode = FeaturizationMode.AUTO
    forecast: ForecastModel | None = None
    auto_register: bool = True
    state: str = "Active"
    last_run: LastRun | None = None


class FeatureData(StoredModel):
    feature: str
    importance: float
    std: float | None = None


class ExplanationData(StoredModel):
    """Global feature importance of one trial's model, on the uploaded CSV's columns, most important first."""

    run_id: str
    trial_id: str | None = None
    method: str
    metric: str
    rows: int | None = None
    features: list[FeatureData] = []
    computed_at: datetime


class RunData(StoredModel):
    experiment_id: str
    status: JobStatus
    active: bool = False  # not yet finalized: listed in the `_active` index, holds a quota slot
    slot: int | None = None  # the quota slot (`slot|{n}` row) the run holds while active
    job_name: str
    primary_metric: str
    auto_register: bool = False
    experiment_name: str = ""
    spec: TrainingSpec | None = None  # what the run was started with (later experiment edits never change a run)
    progress: Progress = Progress()
    best_trial_id: str | None = None
    model_id: str | None = None
    error: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    metrics: dict[str, float] = {}
    explanation: ExplanationData | None = None  # the best trial's, computed at finalize (or on first request)


class TrialData(StoredModel):
    algorithm: str
    hyperparameters: dict[str, JsonValue] = {}
    score: float | None = None  # the run's primary metric
    metrics: dict[str, float] = {}
    duration_seconds: float | None = None
    status: JobStatus = JobStatus.COMPLETED


class InputColumnData(StoredModel):
    name: str
    type: ColumnType


class ModelData(StoredModel):
    """One version of a registered model. Versions of one name share its first spelling (`name`) and count up from 1
    (`keys.model_version_key` holds the last one); rows before versions held the string "1" (parsed as 1)."""

    name: str
    version: int = 1
    run_id: str
    experiment_id: str | None = None
    trial_id: str | None = None
    score: float | None = None  # the trial's primary metric
    primary_metric: str | None = None
    input_columns: list[InputColumnData] = []  # the training columns less the target: what a scoring row carries
    uri: str | None = None  # set once the backend registered the artifact
    backend_version: str | None = None  # the backend registry's own version of the artifact
    description: str | None = None
    tags: dict[str, str] = {}
    explanation: ExplanationData | None = None  # its trial's (copied from the run when it is the run's best)


class BatchJobData(StoredModel):
    """A batch scoring job: a registered model over a dataset version, its CSV in the models container
    (`output`: '<container>/<blob>'), the backend's job named `job_name`."""

    model_id: str
    model_name: str
    model_version: int
    dataset_id: str
    dataset_version: int
    job_name: str
    status: BatchJobStatus = BatchJobStatus.NOT_STARTED
    progress: BatchProgress = BatchProgress()
    output: str | None = None
    output_columns: list[str] = []
    error: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


class EndpointData(StoredModel):
    name: str
    description: str | None = None
    traffic: dict[str, int] = {}
    state: ProvisioningState = ProvisioningState.SUCCEEDED
    scoring_uri: str | None = None


class DeploymentData(StoredModel):
    name: str
    endpoint_id: str
    model_id: str
    instance_type: str = "Standard_DS3_v2"
    instance_count: int = 1
    state: ProvisioningState = ProvisioningState.CREATING
    error: str | None = None


class OperationData(StoredModel):
    """A long-running operation: a cascading delete (`target_kind`, `target_id`), a deployment (`endpoint_id`,
    `deployment`, the share it asked for and the traffic to restore if it fails) or a training (`run_id`)."""

    kind: OperationKind
    status: OperationStatus
    target: str
    tenant: str
    progress: OperationProgress = OperationProgress()
    error: str | None = None
    target_kind: str | None = None
    target_id: str | None = None
    endpoint_id: str | None = None
    deployment: str | None = None
    previous_traffic: dict[str, int] | None = None
    traffic: int | None = None  # the share the deployment asked for (None: 100 for a first deployment, else 0)
    run_id: str | None = None  # a training operation's run (its id is the run's too)


TENANTS = Kind("tenant", TenantData, platform=True)
OPERATIONS = Kind("operation", OperationData, parent="tenant", platform=True)
MEMBERS = Kind("member", MemberData)
DATASETS = Kind("dataset", DatasetData)
DATASET_VERSIONS = Kind("dsver", DatasetVersionData, parent="dataset")
UPLOADS = Kind("upload", UploadData, parent="dataset")
EXPERIMENTS = Kind("experiment", ExperimentData)
RUNS = Kind("run", RunData)
TRIALS = Kind("trial", TrialData, parent="run")
MODELS = Kind("model", ModelData)
ENDPOINTS = Kind("endpoint", EndpointData)
DEPLOYMENTS = Kind("deployment", DeploymentData, parent="endpoint")
BATCH_JOBS = Kind("batchjob", BatchJobData)

ALL: tuple[KindInfo, ...] = (
    TENANTS,
    OPERATIONS,
    MEMBERS,
    DATASETS,
    DATASET_VERSIONS,
    UPLOADS,
    EXPERIMENTS,
    RUNS,
    TRIALS,
    MODELS,
    ENDPOINTS,
    DEPLOYMENTS,
    BATCH_JOBS,
)
