"""The console's committed API client matches the served contract: the document GET /api/v1/openapi.json answers is
the committed web/openapi.json, and openapi-typescript turns it into exactly the committed web/src/api/schema.d.ts.
When this fails, run `make client` and commit the result."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from devhost.testing import HostProcess

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"

pytestmark = pytest.mark.e2e


def test_the_committed_contract_is_the_served_one(devhost: HostProcess) -> None:
    served = httpx.get(f"{devhost.base_url}/api/v1/openapi.json").json()
    committed = json.loads((WEB / "openapi.json").read_text())
    assert served == committed, "web/openapi.json is not the served document: run `make client`"


def test_the_committed_client_is_generated_from_the_served_contract(devhost: HostProcess, tmp_path: Path) -> None:
    served = tmp_path / "served.json"
    served.write_text(httpx.get(f"{devhost.base_url}/api/v1/openapi.json").text)
    out = tmp_path / "schema.d.ts"
    result = subprocess.run(
        ["npm", "run", "--silent", "client"],
        cwd=WEB,
        env=os.environ | {"OPENAPI_IN": str(served), "CLIENT_OUT": str(out)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    generated = out.read_text()
    assert "export interface paths" in generated
    assert generated == (WEB / "src" / "api" / "schema.d.ts").read_text(), (
        "web/src/api/schema.d.ts is not what the served document generates: run `make client`"
    )
