"""The OpenAPI document the devhost serves is valid and complete enough for a generated client (issue 16 item 13,
issue 13's contract): openapi-spec-validator accepts it, every $ref resolves, path ids carry the pattern the server
enforces, 415 is documented wherever a body is read, and a TypeScript client generated from it with
openapi-typescript, as the web console generates its own (`npm run client` in web/), type-checks a console's calls
(scripts/client-check.sh). The fallback answers match it: TRACE
on a documented path is 405, an unknown path a JSON 404; a header-only CSV is refused."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from tests.e2e.support import upload

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def served(devhost: Any) -> dict[str, Any]:
    resp = httpx.get(f"{devhost.base_url}/api/v1/openapi.json", timeout=30)
    assert resp.status_code == 200
    return dict(resp.json())


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


def test_the_served_document_is_valid(served: dict[str, Any]) -> None:
    validate(served)  # raises on any violation of the OpenAPI 3.1 schema
    schemas = served["components"]["schemas"]
    for ref in refs(served):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    status = next(
        p for p in served["paths"]["/api/v1/tenants/{tenant}/runs"]["get"]["parameters"] if p["name"] == "status"
    )
    assert status["schema"]["allOf"][0]["$ref"] == "#/components/schemas/JobStatus"


def test_path_ids_carry_the_pattern_the_server_enforces(served: dict[str, Any]) -> None:
    for path, methods in served["paths"].items():
        for method, op in methods.items():
            for param in (p for p in op["parameters"] if p["in"] == "path"):
                schema = param["schema"]
                assert "pattern" in schema or schema["type"] == "integer", (method, path, param["name"])


def test_every_body_documents_415_and_every_patch_takes_merge_patch(served: dict[str, Any]) -> None:
    for path, methods in served["paths"].items():
        for method, op in methods.items():
            if "requestBody" in op:
                assert "415" in op["responses"], (method, path)
            if method == "patch":
                assert "application/merge-patch+json" in op["requestBody"]["content"], path
                assert {"409", "412"} <= set(op["responses"]), path


def test_trace_is_405_and_an_unknown_path_a_json_404(devhost: Any) -> None:
    trace = httpx.request("TRACE", f"{devhost.base_url}/api/v1/tenants/t1/runs/r1", timeout=30)
    assert trace.status_code == 405 and trace.headers["Allow"] == "DELETE, GET, OPTIONS"
    assert trace.json()["error"]["code"] == "MethodNotAllowed"
    unknown = httpx.get(f"{devhost.base_url}/api/v1/no/such/route", timeout=30)
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("application/json")
    assert unknown.json()["error"]["code"] == "NotFound"


def test_a_header_only_csv_is_refused(world: dict[str, Any], unique: str) -> None:
    resp = upload(world["contrib"], f"empty-{unique}", "a,b,label\n")
    assert resp.status_code == 400 and resp.json()["error"]["details"][0]["target"] == "file"


def test_a_generated_typescript_client_type_checks_a_consoles_calls(served: dict[str, Any], tmp_path: Path) -> None:
    import json

    document = tmp_path / "served-openapi.json"
    document.write_text(json.dumps(served))
    done = subprocess.run(
        [str(ROOT / "scripts" / "client-check.sh"), str(document)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
