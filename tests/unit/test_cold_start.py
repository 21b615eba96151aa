"""`import function_app` must stay light (ADR 0019): what only a request needs is imported by that request."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HEAVY = [
    # the AutoML backends (domain/automl, through functions/_wiring.backend)
    "azure.ai.ml", "flaml", "sklearn", "pandas", "numpy", "domain.automl",
    # the storage adapters and their SDKs (functions/_wiring): the first Table or Blob call imports them
    "azure.data.tables", "azure.storage.blob", "azure.identity", "azure.core.pipeline", "requests", "urllib3",
    "isodate", "domain.storage.store", "domain.storage.blobs",
    # identity: PyJWT and cryptography come with the authenticator, built on the first authenticated request
    "jwt", "cryptography", "domain.auth.dev", "domain.auth.entra", "domain.auth.jwks",
    # the docs: swagger-ui-py (jinja2, PyYAML) and the OpenAPI generator, on the first docs request
    "swagger_ui", "jinja2", "yaml", "functions._openapi",
    # pydantic and the API's models: the route declarations name them through lambdas, the settings check is plain
    # Python, so the first request that parses or renders a model imports them (and only its resource's models)
    "pydantic", "pydantic_core",
]  # fmt: skip
# every entity module but these (dataclasses and enums that authorization needs) is a pydantic module
LIGHT_ENTITIES = ["domain.entities.principal", "domain.entities.role"]
# a module bound with functions/_lazy.lazy is in sys.modules before it runs; it counts once its code has run
LOADED = (
    "[m for m in sorted(sys.modules) if (m in {heavy!r} or m.startswith('domain.entities.') and m not in "
    f"{LIGHT_ENTITIES!r}) and type(sys.modules[m]).__name__ != '_LazyModule']"
)


def in_fresh_process(code: str) -> Any:
    """The JSON that `code` prints last, run in a new interpreter in the app's folder (as the worker imports it)."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DEV_AUTH_SECRET": "s" * 40},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_function_app_loads_no_heavy_module() -> None:
    assert (
        in_fresh_process(f"import json, sys; import function_app; print(json.dumps({LOADED.format(heavy=HEAVY)}))")
        == []
    )


def test_dev_auth_without_a_secret_stops_the_app_naming_it() -> None:
    """No default signing secret in code (issue 16): AUTH_MODE=dev needs DEV_AUTH_SECRET, which the local host
    creates per checkout; without one the app does not start."""
    out = subprocess.run(
        [sys.executable, "-c", "import function_app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert out.returncode != 0 and "DEV_AUTH_SECRET: required when AUTH_MODE=dev" in out.stderr


def test_function_app_fails_fast_with_every_problem() -> None:
    env = {"PATH": "/usr/bin:/bin", "TASKHUB_NAME": "1", "AUTH_MODE": "nope"}
    out = subprocess.run(
        [sys.executable, "-c", "import function_app"], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert out.returncode != 0
    assert "TASKHUB_NAME" in out.stderr and "AUTH_MODE" in out.stderr
    assert "Invalid app settings (2 problem(s))" in out.stderr


def test_a_route_loads_its_models_on_first_use() -> None:
    """The lazy declarations resolve: reading one route's models imports pydantic and that resource's modules."""
    code = (
        "import json, sys; import function_app; from functions._api import OPS\n"
        "op = next(o for o in OPS if o.name == 'create_experiment')\n"
        "names = (op.body.__name__, op.response.__name__)\n"
        f"print(json.dumps([names, {LOADED.format(heavy=HEAVY)}]))"
    )
    names, loaded = in_fresh_process(code)
    assert names == ["ExperimentCreate", "Experiment"]
    assert {"pydantic", "domain.entities.experiments"} <= set(loaded)
    assert "domain.entities.serving" not in loaded and "azure.data.tables" not in loaded
