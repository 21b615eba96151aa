"""Azure ML AutoML backend (azure-ai-ml imported lazily, MLflow REST through azure-core). See ADR 0009."""

from domain.automl.azureml.backend import AzureMLBackend

__all__ = ["AzureMLBackend"]
