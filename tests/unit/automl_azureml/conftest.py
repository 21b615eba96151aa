from __future__ import annotations

import socket
from typing import Any

import pytest

from domain.automl.azureml import AzureMLBackend
from domain.automl.azureml.client import RetryOptions
from domain.entities.automl import DatasetVersionRef, TrainingSpec
from tests.unit.automl_azureml.fake_azure import StaticTokenCredential
from tests.unit.automl_azureml.fake_workspace import FakeWorkspace, settings


@pytest.fixture(autouse=True)
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any real connection attempt fails loudly: every call must go through the fake transport."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def fw() -> FakeWorkspace:
    return FakeWorkspace()


@pytest.fixture
def credential() -> StaticTokenCredential:
    return StaticTokenCredential()


@pytest.fixture
def backend(fw: FakeWorkspace, credential: StaticTokenCredential) -> AzureMLBackend:
    return AzureMLBackend(
        settings(), credential=credential, transport=fw.t, retry=RetryOptions(total=0, backoff_factor=0)
    )


DS = DatasetVersionRef(
    dataset_id="d1", version=3, blob_path="datasets/t1/d1/v3/data.csv", columns=("a", "b", "y", "when")
)


def make_spec(**kw: Any) -> TrainingSpec:
    base: dict[str, Any] = {
        "tenant": "t1",
        "run_id": "r1",
        "experiment_id": "e1",
        "task": "classification",
        "dataset": DS,
        "target_column": "y",
        "primary_metric": "AUC_weighted",
    }
    return TrainingSpec.model_validate({**base, **kw})
