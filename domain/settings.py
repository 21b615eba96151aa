"""Typed settings, read once at cold start, failing fast with every problem listed by variable name.

The loader is ours (see docs/adr/0001-settings-loader.md): a table (`VARS`, in `domain/settings_vars.py`) maps each
environment variable to a field of a frozen dataclass and to the check its value must pass; every problem is
reported under the variable's name with what is expected, and never with the value, so a secret cannot leak into a
message or a log. Plain Python, no pydantic: the check runs when the worker indexes the app, and pydantic is not
needed there (ADR 0019).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache

from domain.errors import SettingsError
from domain.settings_vars import AZURITE_DEV_STORAGE, VARS, AuthMode, AutoMLBackendKind, Secret, Var

__all__ = [
    "AZURITE_DEV_STORAGE",
    "VARS",
    "AuthMode",
    "AutoMLBackendKind",
    "Secret",
    "Settings",
    "Var",
    "get_settings",
    "load_settings",
]


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting the app reads. Built only by `load_settings`."""

    taskhub_name: str
    data_storage_connection_string: Secret | None
    data_tables_endpoint: str | None
    data_blobs_endpoint: str | None
    data_table_prefix: str
    datasets_container: str
    models_container: str
    azure_client_id: str | None
    automl_backend: AutoMLBackendKind
    azureml_subscription_id: str | None
    azureml_resource_group: str | None
    azureml_workspace_name: str | None
    azureml_compute: str
    azureml_batch_instance_type: str
    azureml_datastore: str
    local_automl_workdir: str
    local_automl_max_concurrent_jobs: int
    local_automl_scoring_memory_mb: int
    local_automl_event_url: str
    eventgrid_allowed_topics: tuple[str, ...]
    auth_mode: AuthMode
    entra_tenant_id: str | None
    entra_audience: str | None
    platform_admin_role: str
    dev_auth_secret: Secret | None  # no default: one per checkout
    cors_allowed_origins: tuple[str, ...]
    max_upload_bytes: int
    run_collector_schedule: str
    reconcile_schedule: str
    website_site_name: str | None
    website_auth_enabled: bool

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
    values: dict[str, object] = {}
    problems: list[str] = []
    for var in VARS:
        raw = env.get(var.env, "").strip() or var.default
        if raw is None:
            values[var.field] = None
            continue
        try:
            values[var.field] = var.check(raw)
        except ValueError:
            problems.append(f"{var.env}: expected {var.expects}")
    if problems:
        raise SettingsError(problems)
    settings = Settings(**values)  # type: ignore[arg-type]  # each check returns its field's type
    problems = _cross_field_problems(settings)
    if problems:
        raise SettingsError(problems)
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once (cold start)."""
    return load_settings()


def _fields_match_vars() -> None:
    """Import-time guard: every field of `Settings` has exactly one variable in `VARS`, and the reverse."""
    names = [f.name for f in fields(Settings)]
    declared = [v.field for v in VARS]
    if sorted(names) != sorted(declared):
        raise RuntimeError(f"Settings fields and VARS differ: {sorted(set(names) ^ set(declared))}")


_fields_match_vars()
