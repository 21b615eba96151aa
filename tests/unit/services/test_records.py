"""The typed seam itself (domain/records): writes are checked against the kind's data model before anything is
sent, reads tolerate fields they do not know, platform kinds are filed where they belong, raw rows are typed."""

from __future__ import annotations

import pydantic
import pytest

from domain.entities.automl import JobStatus
from domain.errors import NotFound
from domain.records import rows
from domain.records.kinds import ALL, OPERATIONS, RUNS, TENANTS, RunData
from domain.storage import catalog, keys
from domain.storage.records import Op
from tests.unit.services.kit import memory_store

RUN = RunData(experiment_id="e", status=JobStatus.QUEUED, job_name="j", primary_metric="accuracy")


def test_a_typed_record_round_trips_through_the_store() -> None:
    store = memory_store()
    created = RUNS.create(store, "t1", "r1", RUN, actor="test")
    read = RUNS.get(store, "t1", "r1")
    assert read.data == created.data == RUN and read.etag == created.etag
    assert store.get("t1", "run", "r1").data["status"] == "Queued"  # stored as the enum's value


def test_an_unknown_field_or_a_wrong_type_is_refused_before_anything_is_sent() -> None:
    store = memory_store()
    RUNS.create(store, "t1", "r1", RUN, actor="test")
    before = store.backend.requests  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="no field"):
        RUNS.update(store, "t1", "r1", {"stauts": "Running"}, actor="test")
    assert store.backend.requests == before  # type: ignore[attr-defined]
    with pytest.raises(pydantic.ValidationError):
        RUNS.update(store, "t1", "r1", {"status": "Sideways"}, actor="test")
    with pytest.raises(ValueError, match="no field"):
        RUNS.list(store, "t1", where={"stauts": "Running"})


def test_reads_ignore_fields_a_newer_version_wrote() -> None:
    store = memory_store()
    store.create("t1", "run", "r1", {**RUN.stored(), "carbon_grams": 12}, actor="newer-version")
    assert RUNS.get(store, "t1", "r1").data == RUN


def test_updates_change_only_the_fields_named_and_none_clears() -> None:
    store = memory_store()
    RUNS.create(store, "t1", "r1", RUN.model_copy(update={"error": "boom"}), actor="test")
    updated = RUNS.update(store, "t1", "r1", {"status": JobStatus.RUNNING, "error": None}, actor="test")
    assert updated.data.status is JobStatus.RUNNING and updated.data.error is None
    assert "error" not in store.get("t1", "run", "r1").data and updated.data.job_name == "j"


def test_platform_kinds_live_in_the_platform_partition_under_their_tenant() -> None:
    store = memory_store()
    TENANTS.create(store, "t1", "t1", TENANTS.data(name="acme"), actor="admin", name="acme")
    assert store.get(keys.PLATFORM, "tenant", "t1").data["name"] == "acme"
    op = OPERATIONS.data.model_validate({"kind": "delete", "status": "Running", "target": "run/r", "tenant": "t1"})
    OPERATIONS.create(store, "t1", "o1", op, actor="admin")
    assert store.get(keys.PLATFORM, "operation", "o1", parent_id="t1").data["target"] == "run/r"
    with pytest.raises(NotFound):
        OPERATIONS.get(store, "t2", "o1")


def test_raw_rows_are_read_typed_by_key() -> None:
    store = memory_store()
    store.transact(keys.JOBS, [Op.upsert(keys.job_key("j1"), rows.RunRef(tenant="t", run_id="r").stored())], actor="x")
    assert rows.read_one(store, keys.JOBS, keys.job_key("j1"), rows.RunRef) == (
        rows.RunRef(tenant="t", run_id="r"),
        store.list_rows(keys.JOBS, "job|")[0][0].etag,
    )
    assert rows.read_one(store, keys.JOBS, keys.job_key("j"), rows.RunRef) is None  # a prefix is not the key


def test_the_schema_catalog_registers_every_kind_once() -> None:
    assert sorted(catalog.KINDS) == sorted(k.name for k in ALL)
    assert catalog.KINDS["trial"] == (1, "run") and catalog.KINDS["operation"] == (1, "tenant")
