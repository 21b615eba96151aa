"""The served OpenAPI document is self-contained: every `$ref` points at a schema the document defines (a generated
client fails on a dangling one, such as the runs list's `status` filter once pointing at `#/$defs/JobStatus`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import function_app  # noqa: F401 - registers the routes the document is built from
from functions._openapi import document


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_every_ref_resolves_inside_the_document() -> None:
    doc = document()
    schemas = doc["components"]["schemas"]
    refs = set(_refs(doc))
    assert refs, "the document uses references"
    prefix = "#/components/schemas/"
    dangling = sorted(r for r in refs if not r.startswith(prefix) or r.removeprefix(prefix) not in schemas)
    assert dangling == []


def test_the_runs_status_filter_is_the_job_status_enum() -> None:
    runs = document()["paths"]["/api/v1/tenants/{tenant}/runs"]["get"]
    status = next(p for p in runs["parameters"] if p["name"] == "status")
    refs = list(_refs(status["schema"]))
    assert refs == ["#/components/schemas/JobStatus"]
    assert "Completed" in document()["components"]["schemas"]["JobStatus"]["enum"]
