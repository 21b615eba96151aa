"""Build the configured AutoML backend from the settings (composition; heavy SDKs stay lazily imported)."""

from __future__ import annotations

from collections.abc import Callable

from domain.ports import AutoMLBackend
from domain.settings import AutoMLBackendKind, Settings


def backend_from_settings(
    settings: Settings, workspace_of: Callable[[str], tuple[str, str, str] | None] | None = None
) -> AutoMLBackend:
    """The `AutoMLBackend` chosen by AUTOML_BACKEND; `workspace_of(tenant)` gives a tenant's own Azure ML workspace
    (the azureml backend routes that tenant's work there)."""
    if settings.automl_backend is AutoMLBackendKind.LOCAL:
        from domain.automl.local.backend import LocalAutoMLBackend

        return LocalAutoMLBackend(settings)
    from domain.automl.azureml import AzureMLBackend

    return AzureMLBackend(settings, workspace_of=workspace_of)
