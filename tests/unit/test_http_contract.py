"""The HTTP layer's contract with a front end, through the real route handlers (no storage): pydantic's errors in
the product's words with the field named, JSON merge patch accepted, 304 for a current ETag, and the fallback
route's JSON 404 and 405 (TRACE included)."""

from __future__ import annotations

import json
from typing import Any

import azure.functions as func
import pytest

import function_app  # noqa: F401 - registers every route
from domain.entities.experiments import ExperimentUpdate
from domain.errors import ValidationFailed
from functions._io import MERGE_PATCH, Reply, parse_json, render
from functions.http import cors


def request(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> func.HttpRequest:
    return func.HttpRequest(
        method=method,
        url=f"http://127.0.0.1:7071/api/{path}",
        headers=headers or {},
        params={},
        route_params={"path": path},
        body=body,
    )


def fallback(method: str, path: str) -> tuple[int, dict[str, Any], Any]:
    handler = cors.api_fallback.build().get_user_function()
    resp = handler(request(method, path))
    return resp.status_code, dict(resp.headers), json.loads(resp.get_body() or b"null")


def test_an_unknown_path_gets_a_json_404() -> None:
    status, headers, body = fallback("GET", "v1/nothing/here")
    assert status == 404 and headers["x-ms-error-code"] == "NotFound"
    assert body["error"]["message"] == "No API route at /api/v1/nothing/here."


@pytest.mark.parametrize("method", ["TRACE", "PUT", "POST"])
def test_a_known_path_with_another_method_gets_405_and_allow(method: str) -> None:
    status, headers, body = fallback(method, "v1/tenants/t1/runs/r1")
    assert status == 405 and body["error"]["code"] == "MethodNotAllowed"
    assert headers["Allow"] == "DELETE, GET, OPTIONS"


def test_a_value_a_route_constraint_refused_is_404_not_405() -> None:
    status, _, _ = fallback("GET", "v1/tenants/t1/datasets/d1/versions/99999999999")
    assert status == 404


def test_pydantic_errors_are_in_the_products_words_and_name_the_field() -> None:
    req = request("PATCH", "x", b'{"limits": {"maxTrials": "many"}, "color": 1}', {"Content-Type": MERGE_PATCH})
    with pytest.raises(ValidationFailed) as caught:
        parse_json(req, ExperimentUpdate, (MERGE_PATCH, "application/json"))
    details = {d.target: d for d in caught.value.details}
    assert set(details) == {"limits.maxTrials", "color"}
    assert details["color"].message == "This field is not part of the request."
    bad = request("PATCH", "x", b"{", {"Content-Type": "application/json"})
    with pytest.raises(ValidationFailed) as caught:
        parse_json(bad, ExperimentUpdate, (MERGE_PATCH, "application/json"))
    assert caught.value.message == "The body is not valid JSON."
    null = request("PATCH", "x", b'{"targetColumn": null}', {"Content-Type": "application/json"})
    with pytest.raises(ValidationFailed) as caught:
        parse_json(null, ExperimentUpdate, (MERGE_PATCH, "application/json"))
    (detail,) = caught.value.details
    assert detail.target == "targetColumn" and not detail.message.startswith("Value error")


def test_a_get_with_the_current_etag_is_304_without_a_body() -> None:
    reply = Reply(body={"id": "x"}, etag='W/"1"')
    fresh = render(reply, {}, request("GET", "x", headers={"If-None-Match": 'W/"1"'}))
    assert fresh.status_code == 304 and fresh.get_body() == b"" and fresh.headers["ETag"] == 'W/"1"'
    stale = render(reply, {}, request("GET", "x", headers={"If-None-Match": 'W/"0"'}))
    assert stale.status_code == 200 and json.loads(stale.get_body()) == {"id": "x"}


def test_a_patch_route_takes_merge_patch_json_and_json_only() -> None:
    from functions._api import OPS

    patches = [op for op in OPS if op.method == "PATCH"]
    assert patches and all(op.body_media == (MERGE_PATCH, "application/json") for op in patches)
