"""The fast tier's kit: the real store over the in-memory backend (held to the same contract tests as Azurite), and
fakes behind the other ports (AutoML backend, blob store). Services run here as in the app, in milliseconds."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO
from urllib.parse import urlencode

from domain.clock import ManualClock
from domain.entities.automl import (
    DatasetVersionRef,
    DeploymentState,
    EndpointState,
    JobInfo,
    JobStatus,
    LogLine,
    MetricPoint,
    ModelRef,
    Prediction,
    ProvisioningState,
    ScoreRow,
    TrainingSpec,
    Trial,
)
from domain.entities.batch import BatchJobStatus, BatchState, ExplanationResult
from domain.entities.experiments import ExperimentCreate
from domain.entities.principal import Principal
from domain.entities.tenancy import TenantCreate
from domain.errors import NotFound, UpstreamRefused
from domain.services import datasets, experiments, tenants
from domain.services.purge import Cleanup
from domain.settings import AuthMode
from domain.storage.app_store import registry
from domain.storage.memory_backend import MemoryBackend
from domain.storage.schemas import SchemaRegistry
from domain.storage.store import EntityStore

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CSV = b"a,b,label\n1,2.5,x\n2,3.5,y\n3,4.5,x\n4,5.5,y\n5,6.5,x\n6,7.5,y\n"
CONTAINER = "datasets"
MODELS = "models"


def memory_store(clock: ManualClock | None = None) -> EntityStore:
    return EntityStore(MemoryBackend(), table="entities", schemas=registry(), clock=clock or ManualClock(T0))


def memory_series() -> EntityStore:
    return EntityStore(MemoryBackend(), table="series", schemas=SchemaRegistry(), clock=ManualClock(T0))


def person(user: str, *, admin: bool = False) -> Principal:
    return Principal(user_id=user, display_name=user, issuer="test", platform_admin=admin, auth_mode=AuthMode.DEV)


ADMIN = person("admin", admin=True)
OWNER = person("owner")


class FakeBlobs:
    """The `BlobStore` port in a dict."""

    def __init__(self) -> None:
        self.blobs: dict[tuple[str, str], bytes] = {}
        self.written: dict[tuple[str, str], datetime] = {}  # last write, as Blob Storage's Last-Modified

    def put(self, container: str, name: str, data: bytes, *, content_type: str) -> str:
        self.blobs[(container, name)] = data
        self.written[(container, name)] = datetime.now(UTC)
        return f"{container}/{name}"

    def put_stream(self, container: str, name: str, stream: IO[bytes], *, length: int, content_type: str) -> str:
        return self.put(container, name, stream.read(length), content_type=content_type)

    def get(self, container: str, name: str) -> bytes:
        try:
            return self.blobs[(container, name)]
        except KeyError:
            raise NotFound("blob", name) from None

    def open(self, container: str, name: str) -> IO[bytes]:
        return io.BytesIO(self.get(container, name))

    def size(self, container: str, name: str) -> int | None:
        data = self.blobs.get((container, name))
        return None if data is None else len(data)

    def upload_url(self, container: str, name: str, expires_at: datetime) -> str:
        return f"https://blobs.example/{container}/{name}?se={expires_at.isoformat()}&sig=fake"

    def download_url(self, container: str, name: str, expires_at: datetime, filename: str) -> str:
        query = urlencode({"sp": "r", "se": expires_at.isoformat(), "rscd": filename, "sig": "fake"})
        return f"https://blobs.example/{container}/{name}?{query}"

    def list_names(self, container: str, prefix: str = "", older_than: datetime | None = None) -> Iterator[str]:
        names = [n for c, n in self.blobs if c == container and n.startswith(prefix)]
        return iter(sorted(n for n in names if older_than is None or self.written.get((container, n), T0) < older_than))

    def delete(self, container: str, name: str) -> None:
        self.blobs.pop((container, name), None)

    def delete_prefix(self, container: str, prefix: str) -> int:
        gone = [k for k in self.blobs if k[0] == container and k[1].startswith(prefix)]
        for key in gone:
            del self.blobs[key]
        return len(gone)


@dataclass
class Job:
    spec: TrainingSpec
    status: JobStatus = JobStatus.QUEUED
    trials: list[Trial] = field(default_factory=list)
    points: list[MetricPoint] = field(default_factory=list)
    lines: list[LogLine] = field(default_factory=list)
    started_at: datetime | None = None
    ended_at: datetime | None = None


class FakeAutoML:
    """The `AutoMLBackend` port with jobs, models and endpoints in memory. Tests move a job with `advance`/`finish`;
    `refuse_traffic` makes the next `set_traffic` fail as the service would (502)."""

    def __init__(self) -> None:
        self.datasets: list[DatasetVersionRef] = []
        self.jobs: dict[str, Job] = {}
        self.models: list[ModelRef] = []
        self.endpoints: dict[str, EndpointState] = {}
        self.deployments: dict[tuple[str, str], DeploymentState] = {}
        self.provisioning: list[ProvisioningState] = []  # states get_deployment reports next, then Succeeded
        self.refuse_traffic = False
        self.scored: list[tuple[str, list[ScoreRow], str | None]] = []
        self.cancelled: list[str] = []
        self.importances: tuple[tuple[str, float, float | None], ...] = (("b", 0.1, 0.01), ("a", 0.3, 0.02))
        self.explained: list[tuple[str, str | None]] = []
        self.batches: dict[str, tuple[BatchState, str]] = {}  # job name -> (state, output)
        self.stop_after_reads = 0  # > 0: a cancelled job is CancelRequested for this many reads, then Canceled
        self._stopping: dict[str, int] = {}

    # -- jobs
    def register_dataset(self, tenant: str, dataset: DatasetVersionRef) -> str:
        self.datasets.append(dataset)
        return f"azureml://datasets/{dataset.dataset_id}/versions/{dataset.version}"

    def submit_job(self, spec: TrainingSpec) -> JobInfo:
        job = self.jobs.setdefault(spec.job_name, Job(spec))
        return self._info(spec.job_name, job)

    def _job(self, job_name: str) -> Job:
        if job_name not in self.jobs:
            raise NotFound("job", job_name)
        return self.jobs[job_name]

    def _info(self, name: str, job: Job) -> JobInfo:
        scored = [t for t in job.trials if t.score is not None]
        best = max(scored, key=lambda t: t.score or 0.0) if scored else None
        return JobInfo(
            job_name=name,
            status=job.status,
            started_at=job.started_at,
            ended_at=job.ended_at,
            best_trial_id=best.trial_id if best else None,
            best_score=best.score if best else None,
            trials_done=len(job.trials),
        )

    def advance(self, job_name: str, trials: int, at: datetime | None = None) -> None:
        """The job runs (since `at`, default now) and has finished `trials` trials (scores rising)."""
        at = at or datetime.now(UTC)
        job = self._job(job_name)
        job.status, job.started_at = JobStatus.RUNNING, job.started_at or at
        for i in range(len(job.trials), trials):
            job.trials.append(
                Trial(trial_id=f"t{i}", algorithm="LightGBM", score=0.5 + i / 100, metrics={"accuracy": 0.5 + i / 100})
            )
            job.points.append(MetricPoint(name="accuracy", step=i, value=0.5 + i / 100, timestamp=at))
            job.lines.append(LogLine(seq=len(job.lines) + 1, timestamp=at, text=f"trial {i} done"))

    def finish(
        self, job_name: str, status: JobStatus = JobStatus.COMPLETED, after: timedelta = timedelta(seconds=30)
    ) -> None:
        job = self._job(job_name)
        job.status = status
        job.ended_at = (job.started_at or T0) + after

    def get_job(self, tenant: str, job_name: str) -> JobInfo:
        job = self._job(job_name)
        if job_name in self._stopping:
            self._stopping[job_name] -= 1
            if self._stopping[job_name] <= 0:
                del self._stopping[job_name]
                job.status, job.ended_at = JobStatus.CANCELED, (job.started_at or T0) + timedelta(seconds=5)
        return self._info(job_name, job)

    def cancel_job(self, tenant: str, job_name: str) -> JobInfo:
        job = self._job(job_name)
        self.cancelled.append(job_name)
        if job.status.terminal:
            return self._info(job_name, job)
        if self.stop_after_reads:
            job.status = JobStatus.CANCEL_REQUESTED
            self._stopping.setdefault(job_name, self.stop_after_reads)
        else:
            job.status, job.ended_at = JobStatus.CANCELED, (job.started_at or T0) + timedelta(seconds=5)
        return self._info(job_name, job)

    def list_trials(self, tenant: str, job_name: str) -> list[Trial]:
        return list(self._job(job_name).trials)

    def metrics_since(self, tenant: str, job_name: str, watermark: int) -> tuple[list[MetricPoint], int]:
        points = self._job(job_name).points
        return points[watermark:], len(points)

    def logs_since(self, tenant: str, job_name: str, after_seq: int) -> tuple[list[LogLine], int]:
        lines = [ln for ln in self._job(job_name).lines if ln.seq > after_seq]
        return lines, lines[-1].seq if lines else after_seq

    def register_model(self, tenant: str, job_name: str, *, name: str, trial_id: str | None = None) -> ModelRef:
        info = self.get_job(tenant, job_name)
        ref = ModelRef(
            name=name, version=str(len(self.models) + 1), uri=f"models/{name}", trial_id=trial_id or info.best_trial_id
        )
        self.models.append(ref)
        return ref

    def delete_model(self, tenant: str, model: ModelRef) -> None:
        self.models = [m for m in self.models if m.uri != model.uri or m.version != model.version]

    # -- endpoints
    def create_or_update_endpoint(self, tenant: str, endpoint: str) -> EndpointState:
        state = self.endpoints.setdefault(endpoint, EndpointState(name=endpoint, state=ProvisioningState.SUCCEEDED))
        return state

    def get_endpoint(self, tenant: str, endpoint: str) -> EndpointState:
        if endpoint not in self.endpoints:
            raise NotFound("endpoint", endpoint)
        return self.endpoints[endpoint]

    def create_or_update_deployment(
        self,
        tenant: str,
        endpoint: str,
        deployment: str,
        model: ModelRef,
        *,
        instance_type: str = "",
        instance_count: int = 1,
    ) -> DeploymentState:
        state = DeploymentState(endpoint=endpoint, name=deployment, state=ProvisioningState.CREATING, model=model)
        self.deployments[(endpoint, deployment)] = state
        return state

    def get_deployment(self, tenant: str, endpoint: str, deployment: str) -> DeploymentState:
        current = self.deployments[(endpoint, deployment)]
        state = self.provisioning.pop(0) if self.provisioning else ProvisioningState.SUCCEEDED
        error = "quota exhausted" if state is ProvisioningState.FAILED else None
        return current.model_copy(update={"state": state, "error": error})

    def set_traffic(self, tenant: str, endpoint: str, traffic: dict[str, int]) -> EndpointState:
        if self.refuse_traffic:
            self.refuse_traffic = False
            raise UpstreamRefused("the service refused the traffic split")
        state = self.get_endpoint(tenant, endpoint).model_copy(update={"traffic": dict(traffic)})
        self.endpoints[endpoint] = state
        return state

    def score(
        self, tenant: str, endpoint: str, rows: list[ScoreRow], *, deployment: str | None = None
    ) -> list[Prediction]:
        self.scored.append((endpoint, rows, deployment))
        return ["x" for _ in rows]

    def delete_deployment(self, tenant: str, endpoint: str, deployment: str) -> None:
        self.deployments.pop((endpoint, deployment), None)

    def delete_endpoint(self, tenant: str, endpoint: str) -> None:
        self.endpoints.pop(endpoint, None)

    def delete_job(self, tenant: str, job_name: str) -> None:
        self.jobs.pop(job_name, None)

    # -- explanations and batch scoring
    def explain(self, tenant: str, job_name: str, trial_id: str | None = None) -> ExplanationResult:
        info = self.get_job(tenant, job_name)
        self.explained.append((job_name, trial_id or info.best_trial_id))
        return ExplanationResult(
            trial_id=trial_id or info.best_trial_id, method="permutation", metric="accuracy", rows=10,
            features=self.importances,
        )  # fmt: skip

    def start_batch_score(
        self, tenant: str, job_name: str, model: ModelRef, dataset: DatasetVersionRef, output: str, rows: int | None
    ) -> BatchState:
        if job_name not in self.batches:
            self.batches[job_name] = (BatchState(status=BatchJobStatus.RUNNING, rows_total=rows), output)
        return self.batches[job_name][0]

    def get_batch_score(self, tenant: str, job_name: str) -> BatchState:
        if job_name not in self.batches:
            raise NotFound("batch job", job_name)
        return self.batches[job_name][0]

    def set_batch(self, job_name: str, **fields: object) -> None:
        state, output = self.batches[job_name]
        self.batches[job_name] = (state.model_copy(update=fields), output)

    def delete_batch_score(self, tenant: str, job_name: str) -> None:
        self.batches.pop(job_name, None)


@dataclass
class World:
    """A tenant with an owner, a CSV dataset and an experiment on it."""

    store: EntityStore
    blobs: FakeBlobs
    backend: FakeAutoML
    tenant: str
    dataset_id: str
    experiment_id: str
    series: EntityStore = field(default_factory=memory_series)

    def cleanup(self) -> Cleanup:
        """What a cascade cleans besides the store: this world's fakes and series rows."""
        return Cleanup(self.backend, self.blobs, self.series, CONTAINER, MODELS)


def world(*, max_concurrent_runs: int = 2, auto_register: bool = True, max_trials: int = 10) -> World:
    store, blobs = memory_store(), FakeBlobs()
    body = TenantCreate.model_validate(
        {
            "name": f"t-{uuid.uuid4().hex[:8]}",
            "ownerUserId": OWNER.user_id,
            "quotas": {"maxConcurrentRuns": max_concurrent_runs},
        }
    )
    tenant = tenants.create_tenant(store, ADMIN, body).id
    ds = datasets.create_from_upload(
        store, blobs, CONTAINER, OWNER, tenant, name="data", description=None, data=CSV, max_bytes=1 << 20
    )
    exp = experiments.create_experiment(
        store,
        OWNER,
        tenant,
        ExperimentCreate.model_validate(
            {
                "name": "exp",
                "task": "classification",
                "datasetId": ds.id,
                "targetColumn": "label",
                "limits": {"maxTrials": max_trials, "timeoutMinutes": 1},
                "autoRegister": auto_register,
            }
        ),
    )
    return World(store, blobs, FakeAutoML(), tenant, ds.id, exp.id)
