"""App-settings rules: what the Function App gets in Azure, compared with what the code reads.

The settings the app reads are `domain/settings.py` VARS plus the keys of `local.settings.sample.json`. Each of them
must be set by the templates, except the local-only ones below (each with its reason). The templates must not set
what Flex Consumption forbids, nor what would put a secret or a local-only mode into Azure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from domain.settings import VARS  # the single source of the settings the app reads
from tools.infra_check.bicep import BicepFile, get, line_of, properties, string_value
from tools.infra_check.findings import Finding

APP_SETTINGS_RESOURCE = "Microsoft.Web/sites/config"

# Read by the code or listed in local.settings.sample.json, but deliberately NOT set in Azure.
LOCAL_ONLY: dict[str, str] = {
    "FUNCTIONS_WORKER_RUNTIME": "Flex Consumption forbids it; the runtime is functionAppConfig.runtime (python 3.12)",
    "AzureWebJobsStorage": "a connection string; in Azure the host uses AzureWebJobsStorage__* (managed identity)",
    "DATA_STORAGE_CONNECTION_STRING": "a secret; in Azure the app uses DATA_TABLES_ENDPOINT/DATA_BLOBS_ENDPOINT "
    "with AZURE_CLIENT_ID (managed identity)",
    "DEV_AUTH_SECRET": "signs local dev tokens; AUTH_MODE=dev is refused in Azure (AUTH_MODE=entra there)",
    "LOCAL_AUTOML_WORKDIR": "local AutoML backend only; AUTOML_BACKEND=local is refused in Azure (azureml there)",
    "LOCAL_AUTOML_MAX_CONCURRENT_JOBS": "local AutoML backend only (see LOCAL_AUTOML_WORKDIR)",
    "LOCAL_AUTOML_SCORING_MEMORY_MB": "local AutoML backend only (see LOCAL_AUTOML_WORKDIR)",
    "LOCAL_AUTOML_EVENT_URL": "local AutoML backend only; in Azure the events come from the Event Grid system topic",
    "WEBSITE_SITE_NAME": "set by the platform on every Function App; setting it would be overwritten",
    "WEBSITE_AUTH_ENABLED": "set by the platform when App Service authentication (Easy Auth) is turned on",
}

# Must not be set in Azure: Flex Consumption deprecations (functions-app-settings) and secret-bearing settings.
FORBIDDEN: dict[str, str] = {
    "FUNCTIONS_WORKER_RUNTIME": "not allowed on Flex Consumption (runtime comes from functionAppConfig.runtime)",
    "FUNCTIONS_EXTENSION_VERSION": "not allowed on Flex Consumption",
    "WEBSITE_RUN_FROM_PACKAGE": "not allowed on Flex Consumption (deployment is functionAppConfig.deployment)",
    "WEBSITE_CONTENTSHARE": "not allowed on Flex Consumption (no Azure Files content share)",
    "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING": "not allowed on Flex Consumption, and carries a storage key",
    "WEBSITE_CONTENTOVERVNET": "not allowed on Flex Consumption",
    "WEBSITE_NODE_DEFAULT_VERSION": "not allowed on Flex Consumption",
    "WEBSITE_TIME_ZONE": "not allowed on Flex Consumption",
    "TZ": "not allowed on Flex Consumption",
    "WEBSITE_SKIP_CONTENTSHARE_VALIDATION": "not allowed on Flex Consumption",
    "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT": "not allowed on Flex (use scaleAndConcurrency.maximumInstanceCount)",
    "SCM_DO_BUILD_DURING_DEPLOYMENT": "not allowed on Flex Consumption (remote build is built in)",
    "ENABLE_ORYX_BUILD": "not allowed on Flex Consumption",
    "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED": "not allowed on Flex Consumption",
    "AzureWebJobsStorage": "a connection string with a key; use AzureWebJobsStorage__* with the managed identity",
    "AzureWebJobsDashboard": "legacy, and a connection string with a key",
    "APPINSIGHTS_INSTRUMENTATIONKEY": "legacy; use APPLICATIONINSIGHTS_CONNECTION_STRING with Entra auth",
    "DATA_STORAGE_CONNECTION_STRING": "a secret; use DATA_TABLES_ENDPOINT/DATA_BLOBS_ENDPOINT with the identity",
    "DEV_AUTH_SECRET": "local dev tokens are refused in Azure",
    "WEBSITE_SITE_NAME": "set by the platform",
}

# Set in Azure although the code does not read them: the host's identity-based storage and Application Insights.
HOST_REQUIRED: tuple[str, ...] = (
    "AzureWebJobsStorage__credential",
    "AzureWebJobsStorage__clientId",
    "AzureWebJobsStorage__blobServiceUri",
    "AzureWebJobsStorage__queueServiceUri",
    "AzureWebJobsStorage__tableServiceUri",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
)

# Settings whose value in Azure is fixed.
FIXED_VALUES: dict[str, str] = {
    "AUTOML_BACKEND": "azureml",
    "AUTH_MODE": "entra",
    "AzureWebJobsStorage__credential": "managedidentity",
}


@dataclass(frozen=True, slots=True)
class AppSetting:
    name: str
    value: str | None  # the literal value, or None when it is an expression
    file: BicepFile
    line: int


def collect_app_settings(files: list[BicepFile]) -> list[AppSetting]:
    """Keys of `Microsoft.Web/sites/config` 'appsettings' resources and of `siteConfig.appSettings` arrays."""
    found: list[AppSetting] = []
    for f in files:
        for res in f.resources:
            if res.type == APP_SETTINGS_RESOURCE and string_value(get(res.body, "name")) == "appsettings":
                for key, prop, value in properties(get(res.body, "properties")):
                    found.append(AppSetting(key, string_value(value), f, line_of(prop)))
            array = get(res.body, "properties", "siteConfig", "appSettings")
            for item in array.named_children if array is not None else []:
                name = string_value(get(item, "name"))
                if name is not None:
                    found.append(AppSetting(name, string_value(get(item, "value")), f, line_of(item)))
    return found


def settings_the_app_reads(repo: Path) -> dict[str, str]:
    """Name -> where it is declared: domain/settings.py VARS and the keys of local.settings.sample.json."""
    names = {var.env: "domain/settings.py VARS" for var in VARS}
    sample = json.loads((repo / "local.settings.sample.json").read_text(encoding="utf-8"))
    for key in sample.get("Values", {}):
        names.setdefault(key, "local.settings.sample.json")
    return names


def host_json_settings(repo: Path) -> set[str]:
    """App settings host.json refers to as %NAME% (e.g. the task hub)."""
    return set(re.findall(r"%([A-Za-z0-9_]+)%", (repo / "host.json").read_text(encoding="utf-8")))


def check_app_settings(files: list[BicepFile], repo: Path, anchor: BicepFile) -> list[Finding]:
    settings = collect_app_settings(files)
    if not settings:
        return [
            Finding(anchor.path, 0, "app-settings", "no app settings found (Microsoft.Web/sites/config appsettings)")
        ]
    by_name = {s.name: s for s in settings}
    anchor = settings[0].file
    findings = [
        Finding(s.file.path, s.line, "flex-forbidden", f"app setting '{s.name}' must not be set: {FORBIDDEN[s.name]}")
        for s in settings
        if s.name in FORBIDDEN
    ]
    required = {n: w for n, w in settings_the_app_reads(repo).items() if n not in LOCAL_ONLY}
    required.update(dict.fromkeys(HOST_REQUIRED, "the Functions host (identity-based storage, App Insights)"))
    required.update(dict.fromkeys(host_json_settings(repo), "host.json"))
    findings += [
        Finding(anchor.path, 0, "missing-setting", f"app setting '{name}' (read by {where}) is not set in Azure")
        for name, where in sorted(required.items())
        if name not in by_name
    ]
    no_default = {var.env for var in VARS if var.default is None} - set(LOCAL_ONLY)
    findings += [
        Finding(s.file.path, s.line, "setting-value", f"app setting '{s.name}' has no local default: must not be empty")
        for s in settings
        if s.name in no_default and s.value is not None and not s.value.strip()
    ]
    for name, expected in FIXED_VALUES.items():
        s = by_name.get(name)
        if s is not None and s.value != expected:
            findings.append(
                Finding(s.file.path, s.line, "setting-value", f"app setting '{name}' must be '{expected}' in Azure")
            )
    return findings
