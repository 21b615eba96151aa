"""Fixtures for the local AutoML backend: settings on a private work dir + Azurite, an Event Grid capture server,
scikit-learn's bundled datasets as CSV blobs with held-out rows, and cleanup of every process the tests started."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from domain.automl.local.backend import LocalAutoMLBackend
from domain.automl.local.jobdir import pid_alive, read_json
from domain.entities.automl import DatasetVersionRef, JobInfo, Limits, Task, TrainingSpec, Validation
from domain.settings import Settings, load_settings


@dataclass
class EventCapture:
    url: str
    batches: list[list[dict[str, Any]]] = field(default_factory=list)

    def for_run(self, job_name: str) -> list[dict[str, Any]]:
        return [e for batch in self.batches for e in batch if e["data"]["runId"] == job_name]


@pytest.fixture(scope="session")
def event_capture() -> Iterator[EventCapture]:
    capture = EventCapture(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            capture.batches.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    capture.url = f"http://127.0.0.1:{server.server_address[1]}/runtime/webhooks/eventgrid"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield capture
    server.shutdown()


def make_settings(workdir: Path, connection: str, url: str, max_jobs: int) -> Settings:
    return load_settings(
        {
            "DATA_STORAGE_CONNECTION_STRING": connection,
            "LOCAL_AUTOML_WORKDIR": str(workdir),
            "LOCAL_AUTOML_MAX_CONCURRENT_JOBS": str(max_jobs),
            "LOCAL_AUTOML_EVENT_URL": url,
        }
    )


def kill_everything_under(workdir: Path) -> None:
    """Stop every worker and scoring process whose pid file lies under `workdir` (by pid, never by name)."""
    for pid_file in workdir.rglob("pid.json"):
        record = read_json(pid_file)
        if pid_alive(record):
            os.killpg(int(record["pid"]), signal.SIGKILL)


@pytest.fixture(scope="session")
def settings_factory(
    tmp_path_factory: pytest.TempPathFactory, azurite_connection_string: str, event_capture: EventCapture
) -> Iterator[Callable[[int], Settings]]:
    made: list[Path] = []

    def build(max_jobs: int = 2) -> Settings:
        workdir = tmp_path_factory.mktemp("automl-local")
        made.append(workdir)
        return make_settings(workdir, azurite_connection_string, event_capture.url, max_jobs)

    yield build
    for workdir in made:
        kill_everything_under(workdir)


@pytest.fixture(scope="session")
def backend(settings_factory: Callable[[int], Settings]) -> LocalAutoMLBackend:
    return LocalAutoMLBackend(settings_factory(2))


@dataclass
class Dataset:
    name: str
    task: Task
    ref: DatasetVersionRef
    test_rows: list[dict[str, Any]]
    test_y: list[Any]


def upload_dataset(settings: Settings, name: str, unique: str) -> Dataset:
    """One of scikit-learn's bundled datasets: 75% as a CSV blob in Azurite, 25% held out (never seen by the job)."""
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    from domain.automl.local.blobs import upload_bytes

    loader = getattr(datasets, f"load_{name}")
    frame = loader(as_frame=True).frame
    task = Task.REGRESSION if name == "diabetes" else Task.CLASSIFICATION
    stratify = frame["target"] if task is Task.CLASSIFICATION else None
    train, test = train_test_split(frame, test_size=0.25, random_state=0, stratify=stratify)
    blob = f"{unique}/{name}.csv"
    upload_bytes(settings, settings.datasets_container, blob, train.to_csv(index=False).encode())
    ref = DatasetVersionRef(
        dataset_id=f"{name}-{unique}", version=1, blob_path=f"{settings.datasets_container}/{blob}",
        columns=tuple(frame.columns),
    )  # fmt: skip
    return Dataset(name, task, ref, test.drop(columns=["target"]).to_dict("records"), test["target"].tolist())


def spec_for(source: Dataset, unique: str, **overrides: Any) -> TrainingSpec:
    values: dict[str, Any] = {
        "tenant": f"t{unique}",
        "run_id": f"{source.name}-{unique}",
        "experiment_id": f"exp-{unique}",
        "task": source.task,
        "dataset": source.ref,
        "target_column": "target",
        "primary_metric": "accuracy" if source.task is Task.CLASSIFICATION else "r2_score",
        "limits": Limits(timeout_minutes=2, max_trials=12),
        "validation": Validation(n_cross_validations=3),
        "seed": 7,
    }
    values.update(overrides)
    return TrainingSpec(**values)


def wait_until(
    backend: LocalAutoMLBackend, tenant: str, job: str, done: Callable[[JobInfo], bool], timeout: float = 120.0
) -> JobInfo:
    deadline = time.monotonic() + timeout
    while True:
        info = backend.get_job(tenant, job)
        if done(info):
            return info
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job} still {info.status} after {timeout}s (error: {info.error})")
        time.sleep(0.2)


def terminal(info: JobInfo) -> bool:
    return info.status.terminal


class Kit:
    """The helpers above, handed to tests as a fixture (test modules cannot import conftest under importlib mode)."""

    upload_dataset = staticmethod(upload_dataset)
    spec_for = staticmethod(spec_for)
    wait_until = staticmethod(wait_until)
    terminal = staticmethod(terminal)
    make_settings = staticmethod(make_settings)
    kill_everything_under = staticmethod(kill_everything_under)


@pytest.fixture(scope="session")
def kit() -> type[Kit]:
    return Kit
