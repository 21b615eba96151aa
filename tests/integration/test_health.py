"""GET /api/health against a real Azurite, through the registered function, with real func.HttpRequest objects."""

import json

import azure.functions as func
import pytest

from domain.services.health import check_health
from domain.settings import load_settings
from domain.storage.clients import table_service
from domain.storage.health import TableServiceProbe

pytestmark = pytest.mark.integration


def test_storage_probe_reaches_azurite(azurite_connection_string: str) -> None:
    settings = load_settings({"DATA_STORAGE_CONNECTION_STRING": azurite_connection_string})
    report = check_health([TableServiceProbe(table_service(settings))])
    assert report.ok, report


def test_storage_probe_reports_unreachable_storage() -> None:
    conn = (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
        "TableEndpoint=http://127.0.0.1:9/devstoreaccount1;"
    )
    settings = load_settings({"DATA_STORAGE_CONNECTION_STRING": conn})
    from azure.core.pipeline.policies import RetryPolicy

    report = check_health([TableServiceProbe(table_service(settings, retry_policy=RetryPolicy(retry_total=0)))])
    assert not report.ok
    assert report.checks[0].error is not None and "unreachable" in report.checks[0].error


def test_health_function_answers_200(azurite_connection_string: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA_STORAGE_CONNECTION_STRING", azurite_connection_string)
    from domain.settings import get_settings
    from functions import _wiring
    from functions.http import health

    get_settings.cache_clear()
    _wiring.health_probes.cache_clear()
    try:
        req = func.HttpRequest(method="GET", url="http://localhost/api/health", body=b"")
        resp = health.health(req)
        assert resp.status_code == 200
        assert json.loads(resp.get_body())["status"] == "healthy"
    finally:
        get_settings.cache_clear()
        _wiring.health_probes.cache_clear()
