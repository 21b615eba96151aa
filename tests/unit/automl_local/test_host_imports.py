"""The host side of the local backend loads no flaml/sklearn/pandas/numpy (only its subprocesses do)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ["azure.ai.ml", "flaml", "sklearn", "pandas", "numpy", "scipy", "lightgbm", "xgboost"]


def test_building_the_local_backend_loads_no_heavy_module(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from domain.settings import load_settings\n"
        "from domain.automl.factory import backend_from_settings\n"
        f"b = backend_from_settings(load_settings({{'LOCAL_AUTOML_WORKDIR': {str(tmp_path)!r}}}))\n"
        "import domain.automl.local.serving, domain.automl.local.series, domain.automl.local.jobs\n"
        "import domain.automl.local.scoring_server, domain.automl.local.processes\n"
        f"print(type(b).__name__, json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    name, loaded = out.stdout.strip().split(" ", 1)
    assert name == "LocalAutoMLBackend" and json.loads(loaded) == []


def test_the_scoring_server_module_loads_no_settings_and_no_azure_sdk() -> None:
    """The scoring server holds no storage credentials: the host hands it the model files."""
    code = (
        "import json, sys\n"
        "import domain.automl.local.scorer\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'azure', 'pydantic', 'pandas', 'flaml'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []  # the model libraries are imported when the server starts, not on import
