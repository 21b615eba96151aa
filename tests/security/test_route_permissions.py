"""Every HTTP route declares its permission: walks every function the app registers."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from domain.auth.permissions import PERMISSIONS, Permission
from functions._api import OPS

ROOT = Path(__file__).resolve().parents[2]
LIST = (
    "import json, function_app\n"
    "print(json.dumps([[f.get_function_name(), f.get_trigger().type] for f in function_app.app.get_functions()]))"
)

PUBLIC = {"health", "openapi_document", "docs_page", "docs_asset", "cors_preflight"}


@pytest.fixture(scope="module")
def http_functions() -> set[str]:
    """Every HTTP function the app registers, indexed in a fresh interpreter (get_functions() runs once only)."""
    out = subprocess.run([sys.executable, "-c", LIST], cwd=ROOT, capture_output=True, text=True, check=True)
    return {name for name, kind in json.loads(out.stdout.strip().splitlines()[-1]) if kind == "httpTrigger"}


def test_every_http_route_declares_a_permission(http_functions: set[str]) -> None:
    import function_app  # noqa: F401 - registers OPS in this process too

    declared = {op.name: op.permission for op in OPS}
    assert len(http_functions) > 40
    undeclared = sorted(set(http_functions) - set(declared) - PUBLIC)
    assert undeclared == [], f"routes without a declared permission: {undeclared}"


def test_declared_permissions_exist_in_the_table() -> None:
    import function_app  # noqa: F401

    for op in OPS:
        assert Permission(op.permission) in PERMISSIONS, op.name


def test_only_the_contract_routes_are_public() -> None:
    assert {op.name for op in OPS if op.permission == Permission.PUBLIC} == set()


def test_operation_names_are_unique() -> None:
    names = [op.name for op in OPS]
    assert len(names) == len(set(names))
