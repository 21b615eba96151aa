import dataclasses
import json
from pathlib import Path

import pytest

from domain.errors import SettingsError
from domain.settings import VARS, AuthMode, AutoMLBackendKind, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_are_enough_locally() -> None:
    s = load_settings({})
    assert s.automl_backend is AutoMLBackendKind.LOCAL
    assert s.auth_mode is AuthMode.DEV
    assert s.taskhub_name == "automlhublocal"
    assert s.cors_allowed_origins == (  # a front end's dev servers (3000; Vite's 5173 for the console)
        "http://localhost:3000",
        "http://127.0.0.1:3000",
        "http://localhost:5173",
        "http://127.0.0.1:5173",
    )
    assert not s.running_in_azure


def test_every_problem_is_listed_by_variable_name() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(
            {
                "TASKHUB_NAME": "9bad",
                "MAX_UPLOAD_BYTES": "lots",
                "AUTH_MODE": "magic",
                "LOCAL_AUTOML_MAX_CONCURRENT_JOBS": "0",
            }
        )
    text = str(info.value)
    for name in ("TASKHUB_NAME", "MAX_UPLOAD_BYTES", "AUTH_MODE", "LOCAL_AUTOML_MAX_CONCURRENT_JOBS"):
        assert name in text
    assert len(info.value.problems) == 4
    assert "expected one of: entra, easyauth, dev" in text


def test_cross_field_rules() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({"AUTOML_BACKEND": "azureml", "AUTH_MODE": "entra"})
    names = {p.split(":")[0] for p in info.value.problems}
    assert names == {
        "AZUREML_SUBSCRIPTION_ID",
        "AZUREML_RESOURCE_GROUP",
        "AZUREML_WORKSPACE_NAME",
        "ENTRA_TENANT_ID",
        "ENTRA_AUDIENCE",
    }


def test_dev_auth_and_local_backend_refused_in_azure() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({"WEBSITE_SITE_NAME": "func-x"})
    names = {p.split(":")[0] for p in info.value.problems}
    assert names == {"AUTH_MODE", "AUTOML_BACKEND"}


def test_secrets_never_appear_in_messages() -> None:
    secret = "short-secret-value"  # too short: must be reported without its value
    conn = "DefaultEndpointsProtocol=https;AccountKey=c2VjcmV0;NotAValidThing"
    with pytest.raises(SettingsError) as info:
        load_settings({"DEV_AUTH_SECRET": secret, "DATA_STORAGE_CONNECTION_STRING": conn, "TASKHUB_NAME": "x"})
    text = str(info.value) + repr(info.value.problems)
    assert "DEV_AUTH_SECRET" in text
    assert secret not in text
    assert "c2VjcmV0" not in text
    s = load_settings({"DATA_STORAGE_CONNECTION_STRING": conn})
    assert "c2VjcmV0" not in repr(s) and "c2VjcmV0" not in str(s)
    assert s.data_storage_connection_string is not None
    assert s.data_storage_connection_string.get_secret_value() == conn


def test_identity_based_storage_needs_both_endpoints() -> None:
    env = {"DATA_STORAGE_CONNECTION_STRING": "", "DATA_TABLES_ENDPOINT": "https://a.table.core.windows.net/"}
    # an empty value counts as unset, so the local default applies and the endpoints are not needed
    assert load_settings(env).data_storage_connection_string is not None
    with pytest.raises(SettingsError):
        load_settings({**env, "DATA_STORAGE_CONNECTION_STRING": " ", "DATA_TABLES_ENDPOINT": "not a url"})


def test_sample_settings_list_every_variable_and_load() -> None:
    values = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    missing = [v.env for v in VARS if v.env not in values]
    assert missing == []
    s = load_settings(values)
    assert s.automl_backend is AutoMLBackendKind.LOCAL and s.auth_mode is AuthMode.DEV


def test_settings_are_frozen() -> None:
    s = load_settings({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.taskhub_name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("value", ["8", "70000", "lots", "1.5"])
def test_scoring_memory_budget_is_validated(value: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({"LOCAL_AUTOML_SCORING_MEMORY_MB": value})
    assert info.value.problems == [
        "LOCAL_AUTOML_SCORING_MEMORY_MB: expected an integer number of MB from 16 to 65536 "
        "(models the local scoring server keeps loaded)"
    ]


def test_scoring_memory_budget_default_and_override() -> None:
    assert load_settings({}).local_automl_scoring_memory_mb == 512
    assert load_settings({"LOCAL_AUTOML_SCORING_MEMORY_MB": "64"}).local_automl_scoring_memory_mb == 64


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATA_TABLES_ENDPOINT", "ftp://x"),
        ("DATASETS_CONTAINER", "Upper"),
        ("AUTOML_BACKEND", "Local"),
        ("AZUREML_SUBSCRIPTION_ID", "not-a-guid"),
        ("CORS_ALLOWED_ORIGINS", "http://ok, example.com"),
        ("MAX_UPLOAD_BYTES", "1e6"),
        ("RUN_COLLECTOR_SCHEDULE", "* * * *"),
        ("WEBSITE_AUTH_ENABLED", "maybe"),
        ("LOCAL_AUTOML_EVENT_URL", "localhost:7071"),
    ],
)
def test_each_check_refuses_a_bad_value_by_name(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({name: value})
    assert [p.split(":")[0] for p in info.value.problems] == [name]
    assert value not in str(info.value)


def test_typed_values() -> None:
    s = load_settings(
        {
            "WEBSITE_AUTH_ENABLED": "True",
            "EVENTGRID_ALLOWED_TOPICS": " /a/b , ,/c/d ",
            "LOCAL_AUTOML_MAX_CONCURRENT_JOBS": "+3",
            "DEV_AUTH_SECRET": "x" * 32,
        }
    )
    assert s.website_auth_enabled is True
    assert s.eventgrid_allowed_topics == ("/a/b", "/c/d")
    assert s.local_automl_max_concurrent_jobs == 3
    assert s.dev_auth_secret is not None and s.dev_auth_secret.get_secret_value() == "x" * 32
    assert load_settings({}).website_auth_enabled is False
    assert load_settings({}).eventgrid_allowed_topics == ()


def test_every_setting_has_one_variable() -> None:
    assert sorted(f.name for f in dataclasses.fields(Settings)) == sorted(v.field for v in VARS)
