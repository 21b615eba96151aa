"""Build the configured AutoML backend from the settings (composition; heavy SDKs stay lazily imported)."""

from __future__ import annotations

from domain.ports import AutoMLBackend
from domain.settings import AutoMLBackendKind, Settings


def backend_from_settings(settings: Settings) -> AutoMLBackend:
    """The `AutoMLBackend` chosen by AUTOML_BACKEND."""
    if settings.automl_backend is AutoMLBackendKind.LOCAL:
        from domain.automl.local.backend import LocalAutoMLBackend

        return LocalAutoMLBackend(settings)
    from domain.automl.azureml import AzureMLBackend

    return AzureMLBackend(settings)
