"""The app's environment variables (`VARS`) and their checks, read by `domain/settings.py`. A check turns a
variable's text into its typed value or raises ValueError, whose message is never shown: the loader reports the
variable's name and what it expects, never the value."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

AZURITE_DEV_STORAGE = "UseDevelopmentStorage=true"


class AutoMLBackendKind(StrEnum):
    LOCAL = "local"
    AZUREML = "azureml"


class AuthMode(StrEnum):
    ENTRA = "entra"
    EASYAUTH = "easyauth"
    DEV = "dev"


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret value: `repr` and `str` never show it; `get_secret_value()` does."""

    _value: str

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


Check = Callable[[str], object]  # the typed value of a raw string, or ValueError


def text(value: str) -> str:
    return value


def matching(pattern: str) -> Check:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(pattern)
        return value

    return check


def integer(low: int, high: int) -> Check:
    def check(value: str) -> int:
        if not re.fullmatch(r"[+-]?[0-9]+", value) or not low <= int(value) <= high:
            raise ValueError(f"{low}..{high}")
        return int(value)

    return check


def choice(kind: type[StrEnum]) -> Check:
    def check(value: str) -> StrEnum:
        return kind(value)  # ValueError when not a member

    return check


def hidden(min_length: int = 0) -> Check:
    def check(value: str) -> Secret:
        if len(value) < min_length:
            raise ValueError(f"at least {min_length} characters")
        return Secret(value)

    return check


def boolean(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise ValueError("a boolean")


def csv(item: Check = text) -> Check:
    def check(value: str) -> tuple[object, ...]:
        return tuple(item(part.strip()) for part in value.split(",") if part.strip())

    return check


def origin(value: str) -> str:
    if value != "*" and not value.startswith(("http://", "https://")):
        raise ValueError("http:// or https://")
    return value


URL = matching(r"https?://\S+")
GUID = matching(r"[0-9a-fA-F-]{36}")
CONTAINER = matching(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
NCRONTAB = matching(r"\S+( \S+){5}")


@dataclass(frozen=True, slots=True)
class Var:
    """One environment variable: its field, what it expects, its local default (None = required or optional), and
    the check that turns its text into the field's value."""

    env: str
    field: str
    expects: str
    default: str | None = None
    secret: bool = False
    check: Check = text


VARS: tuple[Var, ...] = (
    Var(
        "TASKHUB_NAME",
        "taskhub_name",
        "letters and digits, starting with a letter (3-45 chars)",
        "automlhublocal",
        check=matching(r"[A-Za-z][A-Za-z0-9]{2,44}"),
    ),
    Var(
        "DATA_STORAGE_CONNECTION_STRING",
        "data_storage_connection_string",
        "a storage connection string (local), or leave empty and set DATA_TABLES_ENDPOINT/DATA_BLOBS_ENDPOINT",
        AZURITE_DEV_STORAGE,
        secret=True,
        check=hidden(),
    ),
    Var(
        "DATA_TABLES_ENDPOINT",
        "data_tables_endpoint",
        "https URL of the Table service (identity-based access)",
        check=URL,
    ),
    Var(
        "DATA_BLOBS_ENDPOINT", "data_blobs_endpoint", "https URL of the Blob service (identity-based access)", check=URL
    ),
    Var(
        "DATA_TABLE_PREFIX",
        "data_table_prefix",
        "letters and digits (prefix of the app's table names)",
        "",
        check=matching(r"[A-Za-z0-9]{0,20}"),
    ),
    Var(
        "DATASETS_CONTAINER",
        "datasets_container",
        "a blob container name (3-63 lowercase letters, digits, -)",
        "datasets",
        check=CONTAINER,
    ),
    Var(
        "MODELS_CONTAINER",
        "models_container",
        "a blob container name (3-63 lowercase letters, digits, -)",
        "models",
        check=CONTAINER,
    ),
    Var("AZURE_CLIENT_ID", "azure_client_id", "the client id of the app's user-assigned managed identity"),
    Var("AUTOML_BACKEND", "automl_backend", "one of: local, azureml", "local", check=choice(AutoMLBackendKind)),
    Var("AZUREML_SUBSCRIPTION_ID", "azureml_subscription_id", "an Azure subscription id (GUID)", check=GUID),
    Var("AZUREML_RESOURCE_GROUP", "azureml_resource_group", "the Azure ML workspace's resource group"),
    Var("AZUREML_WORKSPACE_NAME", "azureml_workspace_name", "the Azure ML workspace name"),
    Var("AZUREML_COMPUTE", "azureml_compute", "a compute cluster name, or empty for serverless compute", ""),
    Var(
        "AZUREML_BATCH_INSTANCE_TYPE",
        "azureml_batch_instance_type",
        "an Azure VM size for batch scoring jobs on serverless compute (e.g. Standard_DS3_v2)",
        "Standard_DS3_v2",
        check=matching(r"Standard_[A-Za-z0-9_]{1,60}"),
    ),
    Var(
        "AZUREML_DATASTORE",
        "azureml_datastore",
        "the Azure ML datastore registered over the app's datasets container",
        "appdatasets",
        check=matching(r"[A-Za-z0-9_]{1,255}"),
    ),
    Var(
        "LOCAL_AUTOML_WORKDIR",
        "local_automl_workdir",
        "a writable folder for local training jobs",
        ".local/automl",
        check=matching(r".+"),
    ),
    Var(
        "LOCAL_AUTOML_MAX_CONCURRENT_JOBS",
        "local_automl_max_concurrent_jobs",
        "an integer from 1 to 16",
        "1",
        check=integer(1, 16),
    ),
    Var(
        "LOCAL_AUTOML_SCORING_MEMORY_MB",
        "local_automl_scoring_memory_mb",
        "an integer number of MB from 16 to 65536 (models the local scoring server keeps loaded)",
        "512",
        check=integer(16, 65536),
    ),
    Var(
        "LOCAL_AUTOML_EVENT_URL",
        "local_automl_event_url",
        "the URL the local engine posts Event Grid events to (the devhost's EventGrid webhook), or empty",
        "",
        check=matching(r"(https?://\S+)?"),
    ),
    Var(
        "EVENTGRID_ALLOWED_TOPICS",
        "eventgrid_allowed_topics",
        "comma-separated Event Grid topics (workspace resource ids) accepted by the event handler",
        "",
        check=csv(),
    ),
    Var("AUTH_MODE", "auth_mode", "one of: entra, easyauth, dev", "dev", check=choice(AuthMode)),
    Var("ENTRA_TENANT_ID", "entra_tenant_id", "the Entra ID tenant (GUID) that issues the app's tokens", check=GUID),
    Var("ENTRA_AUDIENCE", "entra_audience", "the API's application id URI or client id (token audience)"),
    Var(
        "PLATFORM_ADMIN_ROLE",
        "platform_admin_role",
        "the app role name of platform administrators",
        "Platform.Admin",
        check=matching(r".+"),
    ),
    Var(
        "DEV_AUTH_SECRET",
        "dev_auth_secret",
        "at least 32 characters (signs local dev tokens; the local host makes one per checkout in .local/)",
        secret=True,
        check=hidden(min_length=32),
    ),
    Var(
        "CORS_ALLOWED_ORIGINS",
        "cors_allowed_origins",
        "comma-separated origins (https://host[:port])",
        "http://localhost:3000,http://127.0.0.1:3000,http://localhost:5173,http://127.0.0.1:5173",
        check=csv(origin),
    ),
    Var(
        "MAX_UPLOAD_BYTES",
        "max_upload_bytes",
        "an integer number of bytes from 1024 to 104857600",
        "52428800",
        check=integer(1024, 100 * 1024 * 1024),
    ),
    Var(
        "RUN_COLLECTOR_SCHEDULE",
        "run_collector_schedule",
        "a six-field NCRONTAB expression",
        "0 */1 * * * *",
        check=NCRONTAB,
    ),
    Var(
        "RECONCILE_SCHEDULE", "reconcile_schedule", "a six-field NCRONTAB expression", "30 */5 * * * *", check=NCRONTAB
    ),
    Var("WEBSITE_SITE_NAME", "website_site_name", "set by Azure App Service; marks the app as running in Azure"),
    Var(
        "WEBSITE_AUTH_ENABLED",
        "website_auth_enabled",
        "True or False (set by App Service when its authentication, Easy Auth, is on)",
        "False",
        check=boolean,
    ),
)
