"""The reconcile timer's sweep of dataset blobs that a failed upload could not delete (storage failing too)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import Unavailable
from domain.services import datasets, janitor, uploads
from tests.unit.services.kit import CONTAINER, CSV, OWNER, FakeBlobs, World, world


class FailingDeletes(FakeBlobs):
    """Blob Storage during an outage: a delete does not get through."""

    def delete(self, container: str, name: str) -> None:
        raise Unavailable("storage is unavailable", retry_after=5)


def _refused_upload_during_an_outage(w: World) -> str:
    """An upload refused (its name is taken) whose blob could not be deleted: the name of the blob it left."""
    before = set(w.blobs.blobs)
    failing = FailingDeletes()
    failing.blobs, failing.written = w.blobs.blobs, w.blobs.written
    with pytest.raises(Unavailable):  # the name is taken (409), then the blob's delete fails as well
        datasets.create_from_upload(
            w.store, failing, CONTAINER, OWNER, w.tenant, name="data", description=None, data=CSV, max_bytes=1 << 20
        )
    (left,) = {n for _, n in set(w.blobs.blobs) - before}
    return left


def test_a_blob_no_record_points_at_is_swept_once_older_than_the_grace() -> None:
    w = world()
    kept = set(w.blobs.blobs)  # the world's dataset version
    left = _refused_upload_during_an_outage(w)
    now = datetime.now(UTC)
    assert janitor.sweep_dataset_blobs(w.store, w.blobs, CONTAINER, now) == []  # young: maybe an upload in flight
    later = now + janitor.GRACE + timedelta(seconds=1)
    assert janitor.sweep_dataset_blobs(w.store, w.blobs, CONTAINER, later) == [left]
    assert set(w.blobs.blobs) == kept
    assert janitor.sweep_dataset_blobs(w.store, w.blobs, CONTAINER, later) == []  # nothing else goes


def test_versions_direct_uploads_and_mltable_files_are_kept() -> None:
    w = world()
    up = uploads.start_upload(w.store, w.blobs, CONTAINER, OWNER, w.tenant, w.dataset_id, 1 << 20)
    w.blobs.put(CONTAINER, f"{w.tenant}/{w.dataset_id}/uploads/{up.id}.csv", CSV, content_type="text/csv")
    w.blobs.put(CONTAINER, f"_mltable/{w.tenant}/{w.dataset_id}/MLTable", b"paths: []", content_type="text/yaml")
    before = dict(w.blobs.blobs)
    later = datetime.now(UTC) + janitor.GRACE * 2
    assert janitor.sweep_dataset_blobs(w.store, w.blobs, CONTAINER, later) == []
    assert w.blobs.blobs == before


def test_the_blobs_of_a_tenant_that_is_gone_are_swept() -> None:
    w = world()
    kept = set(w.blobs.blobs)
    gone = f"t-gone/{w.dataset_id}/v000001.abcd.csv"
    w.blobs.put(CONTAINER, gone, CSV, content_type="text/csv")
    later = datetime.now(UTC) + janitor.GRACE * 2
    assert janitor.sweep_dataset_blobs(w.store, w.blobs, CONTAINER, later) == [gone]
    assert set(w.blobs.blobs) == kept


def test_a_batch_jobs_csv_is_not_a_dataset_blob_and_is_never_swept() -> None:
    w = world()
    w.blobs.put(CONTAINER, f"{w.tenant}/batch/b1/predictions.csv", b"a,prediction\n", content_type="text/csv")
    later = datetime.now(UTC) + janitor.GRACE + timedelta(seconds=1)
    assert janitor.sweep_dataset_blobs(w.store, w.blobs, CONTAINER, later) == []
    assert (CONTAINER, f"{w.tenant}/batch/b1/predictions.csv") in w.blobs.blobs
