"""Dataset blobs that a failed write left behind, swept by the reconcile timer.

A dataset upload writes its blob first and its record second; when the record write fails, the request deletes the
blob again (`datasets._or_delete_blob`). When storage itself is failing (an outage, a throttled account), that delete
can fail as well and the blob stays without a record: no request can repair that at the time. The reconcile timer
(`functions/timers/collect.py`) sweeps them later: a dataset blob older than `GRACE` that no version record and no
direct upload of its dataset points at is deleted. `GRACE` is far longer than any upload takes, so the blob of an
upload whose record is still being written is never touched. Blobs under `_mltable/` (written by the Azure ML backend
for a registered version) are left to their dataset's delete, and batch jobs' CSVs (`{tenant}/batch/`) to their job's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.ports import BlobStore, Store
from domain.records.kinds import DATASET_VERSIONS, UPLOADS
from domain.services.batch import OUTPUT_FOLDER

GRACE = timedelta(minutes=15)
PAGE = 100


def sweep_dataset_blobs(
    store: Store, blobs: BlobStore, container: str, now: datetime, grace: timedelta = GRACE
) -> list[str]:
    """Delete the dataset blobs older than `grace` that no record points at; returns their names."""
    by_dataset: dict[tuple[str, str], list[str]] = {}
    for name in blobs.list_names(container, older_than=now - grace):
        parts = name.split("/")
        if len(parts) >= 3 and parts[0] != "_mltable" and parts[1] != OUTPUT_FOLDER:  # a batch job's CSV is its own
            by_dataset.setdefault((parts[0], parts[1]), []).append(name)
    removed = []
    for (tenant, dataset_id), names in sorted(by_dataset.items()):
        pointed = _pointed(store, tenant, dataset_id)
        for name in names:
            if f"{container}/{name}" not in pointed:
                blobs.delete(container, name)
                removed.append(name)
    return removed


def _pointed(store: Store, tenant: str, dataset_id: str) -> set[str]:
    """The blob paths the dataset's versions and direct uploads point at (deleted ones too: their delete takes them)."""
    paths: set[str] = set()
    for kind in (DATASET_VERSIONS, UPLOADS):
        token = None
        while True:
            items, token = kind.list(
                store, tenant, parent_id=dataset_id, top=PAGE, continuation=token, include_deleted=True
            )
            paths |= {item.data.blob_path for item in items if item.data.blob_path}
            if not token:
                break
    return paths
