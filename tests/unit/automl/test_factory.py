from domain.automl.azureml import AzureMLBackend
from domain.automl.factory import backend_from_settings
from domain.automl.local.backend import LocalAutoMLBackend
from domain.settings import load_settings


def test_local_is_the_default() -> None:
    assert isinstance(backend_from_settings(load_settings({})), LocalAutoMLBackend)


def test_azureml_when_configured() -> None:
    settings = load_settings(
        {
            "AUTOML_BACKEND": "azureml",
            "AZUREML_SUBSCRIPTION_ID": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
            "AZUREML_RESOURCE_GROUP": "rg",
            "AZUREML_WORKSPACE_NAME": "ws",
        }
    )
    assert isinstance(backend_from_settings(settings), AzureMLBackend)
