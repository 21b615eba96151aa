"""The environment `make run` prepares when storage is given (no Azurite is started then)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devhost.keys import HostKeys
from devhost.stack import prepare_environment

KEYS = HostKeys.generate()


def test_given_storage_is_used_and_urls_are_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AzureWebJobsStorage", "UseDevelopmentStorage=true;mine")
    monkeypatch.delenv("DATA_STORAGE_CONNECTION_STRING", raising=False)
    monkeypatch.setenv("LOCAL_AUTOML_EVENT_URL", "")
    assert prepare_environment(7123, tmp_path, KEYS) is None
    assert not (tmp_path / ".local").exists()
    assert os.environ["DATA_STORAGE_CONNECTION_STRING"] == "UseDevelopmentStorage=true;mine"
    assert (
        os.environ["LOCAL_AUTOML_EVENT_URL"]
        == "http://127.0.0.1:7123/runtime/webhooks/EventGrid?functionName=on_automl_run_event"
        f"&code={KEYS.system['eventgrid_extension']}"  # the local engine posts with the Event Grid system key
    )


def test_an_explicit_data_storage_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AzureWebJobsStorage", "hub-storage")
    monkeypatch.setenv("DATA_STORAGE_CONNECTION_STRING", "data-storage")
    monkeypatch.setenv("LOCAL_AUTOML_EVENT_URL", "")
    prepare_environment(7071, tmp_path, KEYS)
    assert os.environ["DATA_STORAGE_CONNECTION_STRING"] == "data-storage"
