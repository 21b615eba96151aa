"""No internals in answers (issue 16 item 7): a stable code and a readable message; the details go to the log under
the request's correlation id, which the answer returns; a failed step's traceback never reaches an operation's or a
deployment's `error`. And never NaN or Infinity in a JSON answer (item 8d)."""

from __future__ import annotations

import asyncio
import json
import logging
import math

import azure.functions as func
import pytest

from domain.errors import NotFound, readable
from functions import _api
from functions._api import Call, Op
from functions._io import Reply, render
from functions.orchestrations.failures import StepFailed, public_errors, public_failure

TRACE = (
    "Traceback (most recent call last):\n"
    '  File "/srv/app/domain/automl/local/jobs.py", line 201, in refit_trial\n'
    "    raise RuntimeError(...)\n"
    "RuntimeError: refitting trial 7 failed"
)


def request(headers: dict[str, str] | None = None) -> func.HttpRequest:
    return func.HttpRequest(method="GET", url="http://h/api/v1/x", headers=headers or {}, body=b"")


def dispatch(handler: object, headers: dict[str, str] | None = None) -> func.HttpResponse:
    op = Op("probe", "GET", "v1/x", "public", "a probe")
    return asyncio.run(_api._dispatch(op, handler, request(headers), None))  # type: ignore[arg-type]


def test_an_unexpected_error_answers_a_code_and_the_request_id_and_logs_the_details(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_api._cors, "headers_for", lambda req: {})

    def boom(call: Call) -> Reply:
        raise RuntimeError("connection string AccountKey=secret in /srv/app/x.py")

    with caplog.at_level(logging.ERROR):
        resp = dispatch(boom)
    rid = resp.headers["x-ms-request-id"]
    body = json.loads(resp.get_body())
    assert resp.status_code == 500 and body["error"]["code"] == "InternalError"
    assert rid in body["error"]["message"] and "secret" not in resp.get_body().decode()
    logged = [r for r in caplog.records if rid in r.getMessage()]
    assert logged and logged[0].exc_info and "AccountKey=secret" in str(logged[0].exc_info[1])


def test_every_answer_carries_the_request_id_and_a_client_id_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_api._cors, "headers_for", lambda req: {})
    ok = dispatch(lambda call: Reply(body={"ok": True}), {"x-ms-client-request-id": "front-end-42"})
    assert ok.status_code == 200 and ok.headers["x-ms-request-id"] == "front-end-42"
    refused = dispatch(lambda call: (_ for _ in ()).throw(NotFound("run", "r1")), {"x-ms-client-request-id": "a b"})
    assert refused.status_code == 404 and len(refused.headers["x-ms-request-id"]) == 32  # not a plain token: new id


def test_a_failed_steps_traceback_never_reaches_the_user(caplog: pytest.LogCaptureFixture) -> None:
    sdk = Exception(f"Activity function 'deploy_create' failed: {TRACE.splitlines()[-1]} \n {TRACE}")
    assert public_failure(sdk) == "refitting trial 7 failed"  # the worker's `Type: ` goes with the SDK's prefix

    @public_errors
    def deploy_create(job: dict[str, str]) -> None:
        raise RuntimeError(TRACE)

    with caplog.at_level(logging.ERROR), pytest.raises(StepFailed) as failed:
        deploy_create({"tenant": "t", "operationId": "op1"})
    assert "op1" in failed.value.message and "Traceback" not in failed.value.message
    assert any("op1" in r.getMessage() and r.exc_info for r in caplog.records)

    @public_errors
    def deploy_state(job: dict[str, str]) -> None:
        raise NotFound("deployment", "blue", message=f"not found: {TRACE}")

    with pytest.raises(NotFound) as domain:
        deploy_state({"tenant": "t", "operationId": "op1"})
    assert domain.value.message == "not found: RuntimeError: refitting trial 7 failed"


def test_readable_keeps_the_reason_and_drops_frames_and_paths() -> None:
    assert readable(f"the worker exited: {TRACE}") == "the worker exited: RuntimeError: refitting trial 7 failed"
    assert readable("cannot open /srv/app/.local/automl/t/job/data.csv") == "cannot open <path>"
    assert readable("see https://learn.microsoft.com/azure/ml") == "see https://learn.microsoft.com/azure/ml"


def test_json_answers_never_carry_nan_or_infinity() -> None:
    body = {"value": [{"score": math.nan, "metrics": {"auc": math.inf, "f1": -math.inf, "ok": 0.5}}]}
    text = render(Reply(body=body), {}).get_body().decode()
    assert json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON")) == {
        "value": [{"score": None, "metrics": {"auc": None, "f1": None, "ok": 0.5}}]
    }
