"""Local deployments through the port: one scoring server for every deployment, models loaded on first use from
Blob Storage (Azurite), least recently used unloaded under the memory budget, deletes unload, a restarted server
serves the live deployments again, unusable models fail the deployment, and the local engine's processes stop by PID.

The models are scikit-learn estimators pickled as the local engine stores them (a bundle) or bare."""

from __future__ import annotations

import pickle
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.automl.local.backend import LocalAutoMLBackend
from domain.automl.local.blobs import upload_bytes
from domain.automl.local.jobdir import pid_alive, read_json
from domain.automl.local.processes import stop_local_processes
from domain.entities.automl import JobStatus, Limits, ModelRef, ProvisioningState
from domain.errors import NotFound, Unavailable
from domain.settings import load_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def iris() -> Any:
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    return frame.drop(columns=["target"]), frame["target"]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, azurite_connection_string: str, kit: Any) -> Iterator[Any]:
    """One backend (so one scoring server) for the tests that need no server of their own; each uses its tenant."""
    workdir = tmp_path_factory.mktemp("serving")
    settings = load_settings(
        {"DATA_STORAGE_CONNECTION_STRING": azurite_connection_string, "LOCAL_AUTOML_WORKDIR": str(workdir)}
    )
    yield LocalAutoMLBackend(settings)
    kit.kill_everything_under(workdir)


@pytest.fixture
def make_backend(tmp_path: Path, azurite_connection_string: str, kit: Any) -> Iterator[Any]:
    made: list[LocalAutoMLBackend] = []

    def build(budget_mb: int = 512, workdir: Path | None = None) -> LocalAutoMLBackend:
        settings = load_settings(
            {
                "DATA_STORAGE_CONNECTION_STRING": azurite_connection_string,
                "LOCAL_AUTOML_WORKDIR": str(workdir or tmp_path / "automl"),
                "LOCAL_AUTOML_SCORING_MEMORY_MB": str(budget_mb),
            }
        )
        made.append(LocalAutoMLBackend(settings))
        return made[-1]

    yield build
    for backend in made:
        kit.kill_everything_under(Path(backend.settings.local_automl_workdir))


def upload_model(backend: LocalAutoMLBackend, estimator: Any, *, bundle: bool = True, pad_mb: int = 0) -> ModelRef:
    obj: Any = estimator
    if bundle:  # the local engine's layout; extra keys are ignored by the server
        obj = {"automl": estimator, "features": list(estimator.feature_names_in_), "padding": b"\0" * pad_mb * 2**20}
    name = f"{uuid.uuid4().hex[:8]}/model.pkl"
    upload_bytes(backend.settings, backend.settings.models_container, name, pickle.dumps(obj, protocol=5))
    return ModelRef(name="m", version="1", uri=f"{backend.settings.models_container}/{name}")


def deploy(backend: LocalAutoMLBackend, tenant: str, endpoint: str, name: str, model: ModelRef) -> Any:
    backend.create_or_update_endpoint(tenant, endpoint)
    backend.create_or_update_deployment(tenant, endpoint, name, model)
    deadline = time.monotonic() + 120
    while (state := backend.get_deployment(tenant, endpoint, name)).state is ProvisioningState.CREATING:
        assert time.monotonic() < deadline, "the deployment never left Creating"
        time.sleep(0.05)
    return state


def scoring_processes(workdir: Path) -> list[int]:
    """Live processes running the scoring module for `workdir` (by command line)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().decode().split("\0") if proc.name.isdigit() else []
        except OSError:
            continue
        if "domain.automl.local.scorer" in argv and any(str(workdir.resolve()) in a for a in argv):
            found.append(int(proc.name))
    return found


def loaded(backend: LocalAutoMLBackend, tenant: str = "") -> list[str]:
    health = backend.serving.server.health()
    return sorted(k for k in health["models"] if k.startswith(tenant)) if health else []


def fitted(iris: Any, kind: str) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    X, y = iris
    return (LogisticRegression(max_iter=500) if kind == "logistic" else DecisionTreeClassifier(max_depth=2)).fit(X, y)


def test_one_server_serves_every_deployment_of_every_endpoint(shared: Any, iris: Any) -> None:
    backend = shared
    sample = iris[0].sample(20, random_state=1)
    rows = sample.to_dict("records")
    estimators = {"blue": fitted(iris, "logistic"), "green": fitted(iris, "tree"), "red": fitted(iris, "tree")}
    for name, estimator in estimators.items():
        state = deploy(backend, "t1", "ep1" if name != "red" else "ep2", name, upload_model(backend, estimator))
        assert state.state is ProvisioningState.SUCCEEDED and state.error is None
    for name, estimator in estimators.items():
        got = backend.score("t1", "ep1" if name != "red" else "ep2", rows, deployment=name)
        assert got == estimator.predict(sample).tolist()
    assert scoring_processes(Path(backend.settings.local_automl_workdir)) == [backend.serving.server.record()["pid"]]
    assert loaded(backend, "t1/") == ["t1/ep1/blue/1", "t1/ep1/green/1", "t1/ep2/red/1"]
    backend.set_traffic("t1", "ep1", {"blue": 0, "green": 100})
    assert backend.score("t1", "ep1", rows) == estimators["green"].predict(sample).tolist()


def test_deletes_unload_their_models_and_updates_unload_the_old_generation(shared: Any, iris: Any) -> None:
    backend = shared
    X, _ = iris
    row = X.head(5).to_dict("records")
    tree, logistic = fitted(iris, "tree"), fitted(iris, "logistic")
    for endpoint, name in (("a", "blue"), ("a", "green"), ("b", "blue")):
        deploy(backend, "t2", endpoint, name, upload_model(backend, tree, bundle=False))
    assert loaded(backend, "t2/") == ["t2/a/blue/1", "t2/a/green/1", "t2/b/blue/1"]

    assert deploy(backend, "t2", "a", "green", upload_model(backend, logistic)).state is ProvisioningState.SUCCEEDED
    assert loaded(backend, "t2/") == ["t2/a/blue/1", "t2/a/green/2", "t2/b/blue/1"]
    assert backend.score("t2", "a", row, deployment="green") == logistic.predict(X.head(5)).tolist()

    backend.delete_deployment("t2", "a", "blue")
    assert loaded(backend, "t2/") == ["t2/a/green/2", "t2/b/blue/1"]
    with pytest.raises(NotFound):
        backend.score("t2", "a", row, deployment="blue")
    backend.delete_endpoint("t2", "a")
    assert loaded(backend, "t2/") == ["t2/b/blue/1"]
    with pytest.raises(NotFound):
        backend.get_endpoint("t2", "a")
    backend.delete_endpoint("t2", "a")  # idempotent
    assert backend.score("t2", "b", row, deployment="blue") == tree.predict(X.head(5)).tolist()


def test_least_recently_used_models_are_unloaded_under_the_budget(make_backend: Any, iris: Any) -> None:
    backend = make_backend(budget_mb=16)
    X, _ = iris
    rows = X.head(3).to_dict("records")
    tree = fitted(iris, "tree")
    for name in ("one", "two", "three"):
        deploy(backend, "t3", "ep", name, upload_model(backend, tree, pad_mb=6))
    health = backend.serving.server.health()
    assert health is not None and health["evictions"] >= 1 and "t3/ep/three/1" in health["models"]
    assert len(health["models"]) < 3 and health["total_bytes"] <= 16 * 2**20
    evicted = next(n for n in ("one", "two") if f"t3/ep/{n}/1" not in health["models"])
    assert backend.score("t3", "ep", rows, deployment=evicted) == tree.predict(X.head(3)).tolist()  # loaded again
    assert f"t3/ep/{evicted}/1" in loaded(backend)


def test_a_restarted_server_serves_the_live_deployments_again(make_backend: Any, iris: Any) -> None:
    backend = make_backend()
    X, _ = iris
    estimator = fitted(iris, "logistic")
    deploy(backend, "t4", "ep", "blue", upload_model(backend, estimator))
    first = backend.serving.server.record()
    assert backend.serving.server.stop() and not pid_alive(first)

    restarted = make_backend()  # a new host process: only the work dir and Blob Storage are shared
    assert restarted.get_deployment("t4", "ep", "blue").state is ProvisioningState.SUCCEEDED
    assert (
        restarted.score("t4", "ep", X.head(4).to_dict("records"), deployment="blue")
        == estimator.predict(X.head(4)).tolist()
    )
    assert restarted.serving.server.record()["pid"] != first["pid"]
    assert loaded(restarted) == ["t4/ep/blue/1"]


def test_a_server_started_with_another_budget_is_replaced(make_backend: Any, iris: Any) -> None:
    backend = make_backend(budget_mb=512)
    deploy(backend, "t5", "ep", "blue", upload_model(backend, fitted(iris, "tree")))
    old = backend.serving.server.record()
    other = make_backend(budget_mb=64)
    assert other.score("t5", "ep", iris[0].head(2).to_dict("records"), deployment="blue")
    assert not pid_alive(old)
    assert other.serving.server.health()["budget_bytes"] == 64 * 2**20  # type: ignore[index]


def test_unusable_or_missing_models_fail_the_deployment(shared: Any) -> None:
    backend = shared
    name = f"{uuid.uuid4().hex[:8]}/model.pkl"
    upload_bytes(backend.settings, backend.settings.models_container, name, b"this is not a model")
    garbage = ModelRef(name="g", version="1", uri=f"{backend.settings.models_container}/{name}")
    state = deploy(backend, "t6", "ep", "garbage", garbage)
    assert state.state is ProvisioningState.FAILED and "the model could not be loaded" in (state.error or "")
    missing = ModelRef(name="m", version="1", uri=f"{backend.settings.models_container}/no/such/model.pkl")
    state = deploy(backend, "t6", "ep", "missing", missing)
    assert state.state is ProvisioningState.FAILED and "was not found" in (state.error or "")
    with pytest.raises(Unavailable, match="is not serving"):
        backend.score("t6", "ep", [{"a": 1}], deployment="garbage")


def test_stopping_the_local_engine_cancels_workers_and_stops_the_server_of_its_owner_only(
    make_backend: Any, iris: Any, kit: Any, tmp_path: Path
) -> None:
    backend = make_backend()
    deploy(backend, "t7", "ep", "blue", upload_model(backend, fitted(iris, "tree")))
    server = backend.serving.server.record()
    dataset = kit.upload_dataset(backend.settings, "breast_cancer", uuid.uuid4().hex[:8])
    spec = kit.spec_for(dataset, uuid.uuid4().hex[:8], limits=Limits(timeout_minutes=5, max_trials=1000))
    backend.submit_job(spec)
    kit.wait_until(backend, spec.tenant, spec.job_name, lambda i: i.trials_done >= 1 or i.status.terminal)
    worker = read_json(backend.workdir / spec.tenant / spec.job_name / "pid.json")

    stranger = subprocess.Popen(["sleep", "60"])  # a live process that started none of them
    try:
        untouched = stop_local_processes(backend.workdir, owner=stranger.pid)
        assert untouched.scoring_servers == [] and untouched.training_workers == []
        assert pid_alive(server) and pid_alive(worker)
    finally:
        stranger.kill()
        stranger.wait()

    stopped = stop_local_processes(backend.workdir)
    assert stopped.scoring_servers == [server["pid"]] and stopped.training_workers == [worker["pid"]]
    assert not pid_alive(server) and not pid_alive(worker)
    assert backend.get_job(spec.tenant, spec.job_name).status is JobStatus.CANCELED
