"""Importing the backend (as the AutoML factory does) must not load azure-ai-ml: only its first call does."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_importing_the_backend_does_not_load_azure_ai_ml() -> None:
    code = "import json, sys; import domain.automl.azureml; print(json.dumps('azure.ai.ml' in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) is False
