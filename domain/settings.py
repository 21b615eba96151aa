"""Typed settings, read once at cold start, failing fast with every problem listed by variable name.

The loader is ours (see docs/adr/0001-settings-loader.md): a table maps each environment variable to a field of a
frozen pydantic model; pydantic validates the values; every error is reported under the variable's name with what is
expected, and never with the value, so a secret cannot leak into a message or a log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from domain.errors import SettingsError

AZURITE_DEV_STORAGE = "UseDevelopmentStorage=true"


class AutoMLBackendKind(StrEnum):
    LOCAL = "local"
    AZUREML = "azureml"


class AuthMode(StrEnum):
    ENTRA = "entra"
    EASYAUTH = "easyauth"
    DEV = "dev"


@dataclass(frozen=True, slots=True)
class Var:
    """One environment variable: its field, its local default (None = required or optional), and what it expects."""

    env: str
    field: str
    expects: str
    default: str | None = None
    secret: bool = False


VARS: tuple[Var, ...] = (
    Var("TASKHUB_NAME", "taskhub_name", "letters and digits, starting with a letter (3-45 chars)", "automlhublocal"),
    Var(
        "DATA_STORAGE_CONNECTION_STRING",
        "data_storage_connection_string",
        "a storage connection string (local), or leave empty and set DATA_TABLES_ENDPOINT/DATA_BLOBS_ENDPOINT",
        AZURITE_DEV_STORAGE,
        secret=True,
    ),
    Var("DATA_TABLES_ENDPOINT", "data_tables_endpoint", "https URL of the Table service (identity-based access)"),
    Var("DATA_BLOBS_ENDPOINT", "data_blobs_endpoint", "https URL of the Blob service (identity-based access)"),
    Var("DATA_TABLE_PREFIX", "data_table_prefix", "letters and digits (prefix of the app's table names)", ""),
    Var(
        "DATASETS_CONTAINER",
        "datasets_container",
        "a blob container name (3-63 lowercase letters, digits, -)",
        "datasets",
    ),
    Var("MODELS_CONTAINER", "models_container", "a blob container name (3-63 lowercase letters, digits, -)", "models"),
    Var("AZURE_CLIENT_ID", "azure_client_id", "the client id of the app's user-assigned managed identity"),
    Var("AUTOML_BACKEND", "automl_backend", "one of: local, azureml", "local"),
    Var("AZUREML_SUBSCRIPTION_ID", "azureml_subscription_id", "an Azure subscription id (GUID)"),
    Var("AZUREML_RESOURCE_GROUP", "azureml_resource_group", "the Azure ML workspace's resource group"),
    Var("AZUREML_WORKSPACE_NAME", "azureml_workspace_name", "the Azure ML workspace name"),
    Var("AZUREML_COMPUTE", "azureml_compute", "a compute cluster name, or empty for serverless compute", ""),
    Var(
        "AZUREML_BATCH_INSTANCE_TYPE",
        "azureml_batch_instance_type",
        "an Azure VM size for batch scoring jobs on serverless compute (e.g. Standard_DS3_v2)",
        "Standard_DS3_v2",
    ),
    Var(
        "AZUREML_DATASTORE",
        "azureml_datastore",
        "the Azure ML datastore registered over the app's datasets container",
        "appdatasets",
    ),
    Var("LOCAL_AUTOML_WORKDIR", "local_automl_workdir", "a writable folder for local training jobs", ".local/automl"),
    Var("LOCAL_AUTOML_MAX_CONCURRENT_JOBS", "local_automl_max_concurrent_jobs", "an integer from 1 to 16", "1"),
    Var(
        "LOCAL_AUTOML_SCORING_MEMORY_MB",
        "local_automl_scoring_memory_mb",
        "an integer number of MB from 16 to 65536 (models the local scoring server keeps loaded)",
        "512",
    ),
    Var(
        "LOCAL_AUTOML_EVENT_URL",
        "local_automl_event_url",
        "the URL the local engine posts Event Grid events to (the devhost's EventGrid webhook), or empty",
        "",
    ),
    Var(
        "EVENTGRID_ALLOWED_TOPICS",
        "eventgrid_allowed_topics",
        "comma-separated Event Grid topics (workspace resource ids) accepted by the event handler",
        "",
    ),
    Var("AUTH_MODE", "auth_mode", "one of: entra, easyauth, dev", "dev"),
    Var("ENTRA_TENANT_ID", "entra_tenant_id", "the Entra ID tenant (GUID) that issues the app's tokens"),
    Var("ENTRA_AUDIENCE", "entra_audience", "the API's application id URI or client id (token audience)"),
    Var("PLATFORM_ADMIN_ROLE", "platform_admin_role", "the app role name of platform administrators", "Platform.Admin"),
    Var(
        "DEV_AUTH_SECRET",
        "dev_auth_secret",
        "at least 32 characters (signs local dev tokens; the local host makes one per checkout in .local/)",
        secret=True,
    ),
    Var(
        "CORS_ALLOWED_ORIGINS",
        "cors_allowed_origins",
        "comma-separated origins (https://host[:port])",
        "http://localhost:3000,http://127.0.0.1:3000,http://localhost:5173,http://127.0.0.1:5173",
    ),
    Var("MAX_UPLOAD_BYTES", "max_upload_bytes", "an integer number of bytes from 1024 to 104857600", "52428800"),
    Var("RUN_COLLECTOR_SCHEDULE", "run_collector_schedule", "a six-field NCRONTAB expression", "0 */1 * * * *"),
    Var("RECONCILE_SCHEDULE", "reconcile_schedule", "a six-field NCRONTAB expression", "30 */5 * * * *"),
    Var("WEBSITE_SITE_NAME", "website_site_name", "set by Azure App Service; marks the app as running in Azure"),
    Var(
        "WEBSITE_AUTH_ENABLED",
        "website_auth_enabled",
        "True or False (set by App Service when its authentication, Easy Auth, is on)",
        "False",
    ),
)


class Settings(BaseModel):
    """Every setting the app reads. Built only by `load_settings`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    taskhub_name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9]{2,44}$")
    data_storage_connection_string: SecretStr | None = None
    data_tables_endpoint: str | None = Field(default=None, pattern=r"^https?://\S+$")
    data_blobs_endpoint: str | None = Field(default=None, pattern=r"^https?://\S+$")
    data_table_prefix: str = Field(pattern=r"^[A-Za-z0-9]{0,20}$")
    datasets_container: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
    models_container: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
    azure_client_id: str | None = None
    automl_backend: AutoMLBackendKind
    azureml_subscription_id: str | None = Field(default=None, pattern=r"^[0-9a-fA-F-]{36}$")
    azureml_resource_group: str | None = None
    azureml_workspace_name: str | None = None
    azureml_compute: str
    azureml_batch_instance_type: str = Field(default="Standard_DS3_v2", pattern=r"^Standard_[A-Za-z0-9_]{1,60}$")
    azureml_datastore: str = Field(default="appdatasets", pattern=r"^[A-Za-z0-9_]{1,255}$")
    local_automl_workdir: str = Field(min_length=1)
    local_automl_max_concurrent_jobs: int = Field(ge=1, le=16)
    local_automl_scoring_memory_mb: int = Field(ge=16, le=65536)
    local_automl_event_url: str = Field(pattern=r"^(https?://\S+)?$")
    eventgrid_allowed_topics: tuple[str, ...]
    auth_mode: AuthMode
    entra_tenant_id: str | None = Field(default=None, pattern=r"^[0-9a-fA-F-]{36}$")
    entra_audience: str | None = None
    platform_admin_role: str = Field(min_length=1)
    dev_auth_secret: SecretStr | None = Field(default=None, min_length=32)  # no default: one per checkout
    cors_allowed_origins: tuple[str, ...]
    max_upload_bytes: int = Field(ge=1024, le=100 * 1024 * 1024)
    run_collector_schedule: str = Field(pattern=r"^\S+( \S+){5}$")
    reconcile_schedule: str = Field(pattern=r"^\S+( \S+){5}$")
    website_site_name: str | None = None
    website_auth_enabled: bool = False

    @field_validator("eventgrid_allowed_topics", "cors_allowed_origins", mode="before")
    @classmethod
    def _split_csv(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("cors_allowed_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError("each origin must start with http:// or https://")
        return value

    @property
    def running_in_azure(self) -> bool:
        return bool(self.website_site_name)


def _cross_field_problems(s: Settings) -> list[str]:
    """Rules that join several variables; each message names the variables involved."""
    problems: list[str] = []
    conn = s.data_storage_connection_string.get_secret_value() if s.data_storage_connection_string else ""
    if not conn and not (s.data_tables_endpoint and s.data_blobs_endpoint):
        problems.append(
            "DATA_STORAGE_CONNECTION_STRING: expected a connection string, or set both "
            "DATA_TABLES_ENDPOINT and DATA_BLOBS_ENDPOINT for identity-based access"
        )
    if s.automl_backend is AutoMLBackendKind.AZUREML:
        for env, value in (
            ("AZUREML_SUBSCRIPTION_ID", s.azureml_subscription_id),
            ("AZUREML_RESOURCE_GROUP", s.azureml_resource_group),
            ("AZUREML_WORKSPACE_NAME", s.azureml_workspace_name),
        ):
            if not value:
                problems.append(f"{env}: required when AUTOML_BACKEND=azureml")
    if s.auth_mode is AuthMode.ENTRA:
        for env, value in (("ENTRA_TENANT_ID", s.entra_tenant_id), ("ENTRA_AUDIENCE", s.entra_audience)):
            if not value:
                problems.append(f"{env}: required when AUTH_MODE=entra")
    if s.running_in_azure and s.auth_mode is AuthMode.DEV:
        problems.append(
            "AUTH_MODE: 'dev' is refused when the app runs in Azure (WEBSITE_SITE_NAME is set); use entra or easyauth"
        )
    if s.running_in_azure and s.automl_backend is AutoMLBackendKind.LOCAL:
        problems.append("AUTOML_BACKEND: 'local' is refused when the app runs in Azure; use azureml")
    return problems


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every variable of `VARS` from `environ` (default: the process environment) or raise `SettingsError`.

    An empty value counts as unset, so a local default applies. The error lists every problem, one per line.
    """
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    for var in VARS:
        value = env.get(var.env, "").strip()
        if value:
            raw[var.field] = value
        elif var.default is not None:
            raw[var.field] = var.default
    by_field = {var.field: var for var in VARS}
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_input=False, include_url=False):
            field = str(err["loc"][0]) if err["loc"] else ""
            known = by_field.get(field)
            name = known.env if known else field
            expects = known.expects if known else err["msg"]
            problems.append(f"{name}: expected {expects}")
        raise SettingsError(problems) from None
    problems = _cross_field_problems(settings)
    if problems:
        raise SettingsError(problems)
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once (cold start)."""
    return load_settings()
