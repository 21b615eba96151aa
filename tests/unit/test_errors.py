import json

import pytest

from domain import errors
from functions._errors import error_response, internal_error


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (errors.ValidationFailed("bad", target="name"), 400, "InvalidInput"),
        (errors.Unauthenticated("no token"), 401, "Unauthenticated"),
        (errors.Forbidden("reader"), 403, "Forbidden"),
        (errors.NotFound("experiment", "e1"), 404, "NotFound"),
        (errors.NameTaken("dataset", "Iris"), 409, "NameTaken"),
        (errors.ReferencedBy("dataset", "d1", [("experiment", "e1")]), 409, "ReferencedBy"),
        (errors.ConcurrencyConflict("changed"), 412, "PreconditionFailed"),
        (errors.PayloadTooLarge("big"), 413, "PayloadTooLarge"),
        (errors.UnsupportedMediaType("xml"), 415, "UnsupportedMediaType"),
        (errors.QuotaExceeded("too many", target="concurrentRuns"), 429, "QuotaExceeded"),
        (errors.UpstreamRefused("azure said no"), 502, "UpstreamRefused"),
        (errors.Unavailable("down", retry_after=7), 503, "ServiceUnavailable"),
        (errors.LimitExceeded("too many properties"), 400, "StorageLimitExceeded"),
    ],
)
def test_each_domain_error_maps_to_its_status_and_body(exc: errors.DomainError, status: int, code: str) -> None:
    resp = error_response(exc)
    assert resp.status_code == status
    assert resp.headers["x-ms-error-code"] == code
    body = json.loads(resp.get_body())
    assert body["error"]["code"] == code
    assert body["error"]["message"] == exc.message
    if status == 503:
        assert resp.headers["Retry-After"] == "7"


def test_references_are_listed_in_details() -> None:
    body = json.loads(error_response(errors.ReferencedBy("dataset", "d1", [("experiment", "e1")])).get_body())
    assert body["error"]["details"] == [
        {"code": "Reference", "message": "experiment 'e1' refers to it.", "target": "experiment/e1"}
    ]


def test_internal_error_has_no_stack_trace() -> None:
    resp = internal_error(RuntimeError("secret detail"))
    assert resp.status_code == 500
    assert b"secret detail" not in resp.get_body() and b"Traceback" not in resp.get_body()


def test_every_error_has_the_same_shape_and_a_field_problem_names_its_field() -> None:
    body = json.loads(error_response(errors.ValidationFailed("The file is empty.", target="file")).get_body())
    assert body["error"] == {
        "code": "InvalidInput",
        "message": "The file is empty.",
        "target": "file",
        "details": [{"code": "InvalidInput", "message": "The file is empty.", "target": "file"}],
    }
    body = json.loads(error_response(errors.NotFound("run", "r1")).get_body())
    assert set(body["error"]) == {"code", "message", "target", "details"} and body["error"]["details"] == []
    refused = error_response(errors.MethodNotAllowed("TRACE", ["GET", "OPTIONS"]))
    assert refused.status_code == 405 and refused.headers["Allow"] == "GET, OPTIONS"


def test_an_exception_is_told_in_words_without_the_librarys_class_or_wrapper() -> None:
    import urllib.error

    refused = urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
    assert errors.readable(refused) == "Connection refused"  # not "<urlopen error [Errno 111] ...>"
    assert errors.readable(ValueError("The number of classes has to be greater than one")) == (
        "The number of classes has to be greater than one"  # not "ValueError: ..."
    )
    assert errors.readable(RuntimeError("first line\nTraceback (most recent call last):")) == "first line"
