"""AutoML backends behind the `AutoMLBackend` port: `local` (FLAML in subprocesses) and `azureml` (azure-ai-ml)."""
