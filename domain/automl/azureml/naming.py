"""Azure ML names and tags for the app's objects. Names are deterministic (a retried call finds the same object) and
every object carries the tenant as a tag, which reads check: another tenant's object answers NotFound."""

from __future__ import annotations

import hashlib
import re

TAG_APP = "app"
APP = "automl-functions"
TAG_TENANT = "tenant"
TAG_RUN = "run_id"
TAG_EXPERIMENT = "experiment_id"
TAG_DATASET = "dataset_id"
TAG_ENDPOINT = "endpoint"
TAG_TRIAL = "trial_id"
TAG_JOB = "job_name"

_ASSET_BAD = re.compile(r"[^a-z0-9_-]")
_ENDPOINT_BAD = re.compile(r"[^a-z0-9-]")


def _slug(value: str, bad: re.Pattern[str]) -> str:
    return re.sub(r"-{2,}", "-", bad.sub("-", value.lower())).strip("-")


def _digest(*parts: str, size: int = 10) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:size]


def data_asset_name(tenant: str, dataset_id: str) -> str:
    """`ds-<tenant>-<dataset>`; one data asset per dataset, one asset version per dataset version."""
    return f"ds-{_slug(tenant, _ASSET_BAD)}-{_slug(dataset_id, _ASSET_BAD)}"[:255]


def model_name(tenant: str, name: str) -> str:
    return f"m-{_slug(tenant, _ASSET_BAD)}-{_slug(name, _ASSET_BAD)}"[:255]


def experiment_name(tenant: str, experiment_id: str) -> str:
    return f"{_slug(tenant, _ASSET_BAD)}-{_slug(experiment_id, _ASSET_BAD)}"[:255]


def endpoint_name(tenant: str, endpoint: str) -> str:
    """Managed online endpoint names are unique per Azure region and 3-32 characters (letter first, letters, digits,
    '-'): a readable prefix plus a digest of (tenant, endpoint), so two tenants never share one."""
    prefix = _slug(endpoint, _ENDPOINT_BAD)[:19].strip("-") or "ep"
    if not prefix[0].isalpha():
        prefix = "e" + prefix[:18]
    return f"{prefix}-{_digest(tenant, endpoint, size=12)}"


def deployment_name(deployment: str) -> str:
    """Deployment names: 3-32 characters, letter first, letters, digits and '-' (unique within the endpoint)."""
    name = _slug(deployment, _ENDPOINT_BAD)[:32].strip("-")
    if len(name) < 3 or not name[0].isalpha():
        name = ("d-" + name)[:32].strip("-")
        name = name if len(name) >= 3 else name + "-0"
    return name
