"""Every HTTP route declares its permission: walks every function the app registers.

The app is indexed in a fresh interpreter: `get_functions()` runs once per app, and other tests import other apps
named `function_app` (the devhost's sample apps)."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from domain.auth.permissions import PERMISSIONS, Permission

ROOT = Path(__file__).resolve().parents[2]
LIST = (
    "import json, function_app\n"
    "from functions._api import OPS\n"
    "fns = [[f.get_function_name(), f.get_trigger().type] for f in function_app.app.get_functions()]\n"
    "print(json.dumps({'functions': fns, 'ops': [[o.name, str(o.permission)] for o in OPS]}))"
)
PUBLIC = {"health", "openapi_document", "docs_page", "docs_asset", "api_fallback"}


@pytest.fixture(scope="module")
def app() -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", LIST], cwd=ROOT, capture_output=True, text=True, check=True)
    found: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def test_every_http_route_declares_a_permission(app: dict[str, Any]) -> None:
    http = {name for name, kind in app["functions"] if kind == "httpTrigger"}
    declared = {name for name, _ in app["ops"]}
    assert len(http) > 40
    assert sorted(http - declared - PUBLIC) == [], "routes without a declared permission"
    assert sorted(declared - http) == [], "declared operations that are not registered"


def test_declared_permissions_exist_in_the_table(app: dict[str, Any]) -> None:
    for name, permission in app["ops"]:
        assert Permission(permission) in PERMISSIONS, name


def test_no_declared_route_is_public(app: dict[str, Any]) -> None:
    assert [name for name, permission in app["ops"] if permission == Permission.PUBLIC] == []


def test_operation_names_are_unique(app: dict[str, Any]) -> None:
    names = [name for name, _ in app["ops"]]
    assert len(names) == len(set(names))
