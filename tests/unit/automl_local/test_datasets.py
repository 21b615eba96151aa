"""register_dataset without blob storage: file:// and http(s):// URIs, and what the local engine cannot read."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.automl.local.backend import LocalAutoMLBackend
from domain.entities.automl import DatasetVersionRef
from domain.errors import NotFound, ValidationFailed
from domain.settings import load_settings


@pytest.fixture
def backend(tmp_path: Path) -> LocalAutoMLBackend:
    return LocalAutoMLBackend(load_settings({"LOCAL_AUTOML_WORKDIR": str(tmp_path / "work")}))


def test_file_and_http_uris_are_used_as_they_are(backend: LocalAutoMLBackend, tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text("a,y\n1,0\n")
    uri = csv.as_uri()
    assert backend.register_dataset("t1", DatasetVersionRef(dataset_id="d", version=1, uri=uri)) == uri
    http = "https://example.org/d.csv"
    assert backend.register_dataset("t1", DatasetVersionRef(dataset_id="d", version=1, uri=http)) == http


def test_unreadable_sources_are_refused(backend: LocalAutoMLBackend, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        backend.register_dataset("t1", DatasetVersionRef(dataset_id="d", version=1, uri=(tmp_path / "x").as_uri()))
    with pytest.raises(ValidationFailed):
        backend.register_dataset("t1", DatasetVersionRef(dataset_id="d", version=1, uri="azureml://datastores/x"))


def test_unknown_jobs_are_not_found(backend: LocalAutoMLBackend) -> None:
    with pytest.raises(NotFound):
        backend.get_job("t1", "automl-t1-nope")
    with pytest.raises(NotFound):
        backend.get_endpoint("t1", "nope")
