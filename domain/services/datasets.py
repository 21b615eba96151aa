"""Datasets: a CSV upload (stored in Blob Storage, profiled with the csv module) or a reference by URI; each new
upload is a new numbered version. A dataset used by an experiment cannot be deleted (409 with the ids).

An upload is read as a stream (profiled, hashed and sent to Blob Storage in blocks: memory stays bounded) into a blob
of its own (`{tenant}/{dataset}/v{version}.{token}.csv`); if the record cannot be written afterwards (a name taken,
a concurrent new version), that blob is deleted again, so a refused upload leaves nothing behind. Large files can
also go straight to Blob Storage: `uploads.py`.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Callable, Sequence
from typing import IO, TypeVar

from domain.entities.datasets import Dataset, DatasetCreate, DatasetVersion, Profile
from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.entities.queries import ListQuery
from domain.errors import PayloadTooLarge, ReferencedBy, ValidationFailed
from domain.ports import BlobStore, Store
from domain.records import rows
from domain.records.kind import Stored
from domain.records.kinds import DATASET_VERSIONS, DATASETS, UPLOADS, DatasetData, DatasetVersionData
from domain.services._views import View, actor, check_name
from domain.services.csv_profile import profile_csv
from domain.storage.keys import dataset_refs, entity_key
from domain.storage.records import Child, Op

DATASET = View(DATASETS, Dataset)
# reading, listing a page and patching: the same for every resource (`View`, domain/services/_views.py)
get_dataset = DATASET.read
list_datasets = DATASET.page
update_dataset = DATASET.patch
VERSION = View(DATASET_VERSIONS, DatasetVersion)


T = TypeVar("T")


def version_id(version: int) -> str:
    return f"{version:06d}"


class HashingReader(io.RawIOBase):
    """A read-only stream over `source` that hashes (SHA-256) and counts what is read through it."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # io's signature takes any buffer
        chunk = self._source.read(len(buffer))
        n = len(chunk)
        buffer[:n] = chunk
        self.sha256.update(chunk)
        self.size += n
        return n


def read_version(stream: IO[bytes], dataset_id: str, version: int, max_bytes: int) -> DatasetVersionData:
    """Profile, hash and measure the file in one pass (the stream is left at its end); its blob path is set later."""
    hashed = HashingReader(stream)
    profile = profile_csv(io.BufferedReader(hashed))
    if hashed.size > max_bytes:
        raise PayloadTooLarge(f"The file is {hashed.size} bytes; the limit is {max_bytes}.", target="file")
    if profile.row_count == 0 and not profile.columns:
        raise ValidationFailed("The file is empty.", target="file")
    return DatasetVersionData(
        dataset_id=dataset_id,
        version=version,
        source="upload",
        size_bytes=hashed.size,
        sha256=hashed.sha256.hexdigest(),
        profile=profile,
    )


def _upload(
    blobs: BlobStore,
    container: str,
    tenant: str,
    dataset_id: str,
    version: int,
    data: bytes | IO[bytes],
    max_bytes: int,
) -> DatasetVersionData:
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    content = read_version(stream, dataset_id, version, max_bytes)
    if not content.size_bytes:
        raise ValidationFailed("The file is empty.", target="file")
    stream.seek(0)
    name = f"{tenant}/{dataset_id}/v{version:06d}.{secrets.token_hex(4)}.csv"  # never another upload's blob
    path = blobs.put_stream(container, name, stream, length=content.size_bytes, content_type="text/csv")
    return content.model_copy(update={"blob_path": path})


def _or_delete_blob(blobs: BlobStore, content: DatasetVersionData, write: Callable[[], T]) -> T:
    """`write()`; if it fails, the version's blob (written just before) is deleted: a refused upload leaves none."""
    try:
        return write()
    except BaseException:
        if content.blob_path:
            container, name = content.blob_path.split("/", 1)
            blobs.delete(container, name)
        raise


def _version(content: DatasetVersionData) -> Child:
    """The version entity (kind `dsver`, child of the dataset), written in the dataset's transaction."""
    return DATASET_VERSIONS.child(version_id(content.version), content, content.dataset_id)


def create_from_upload(
    store: Store,
    blobs: BlobStore,
    container: str,
    principal: Principal,
    tenant: str,
    *,
    name: str,
    description: str | None,
    data: bytes | IO[bytes],
    max_bytes: int,
) -> Dataset:
    checked_name = check_name(name)
    dataset_id = new_id()
    content = _upload(blobs, container, tenant, dataset_id, 1, data, max_bytes)
    dataset = DatasetData(
        name=checked_name, description=description, latest_version=1, source="upload", profile=content.profile
    )
    stored = _or_delete_blob(
        blobs,
        content,
        lambda: DATASETS.create(
            store, tenant, dataset_id, dataset, actor=actor(principal), name=checked_name, children=[_version(content)]
        ),
    )
    return DATASET.of(stored)


def create_from_uri(store: Store, principal: Principal, tenant: str, body: DatasetCreate) -> Dataset:
    dataset_id = new_id()
    profile = None
    if body.columns:
        profile = Profile.model_validate(
            {"columns": [{"name": c, "type": "string", "missing": 0} for c in body.columns], "row_count": 0}
        )
    content = DatasetVersionData(dataset_id=dataset_id, version=1, source="uri", uri=body.uri, profile=profile)
    dataset = DatasetData(
        name=body.name, description=body.description, latest_version=1, source="uri", profile=profile, tags=body.tags
    )
    stored = DATASETS.create(
        store, tenant, dataset_id, dataset, actor=actor(principal), name=body.name, children=[_version(content)]
    )
    return DATASET.of(stored)


def add_version(
    store: Store,
    blobs: BlobStore,
    container: str,
    principal: Principal,
    tenant: str,
    dataset_id: str,
    data: bytes | IO[bytes],
    max_bytes: int,
) -> DatasetVersion:
    current = DATASETS.get(store, tenant, dataset_id)
    version = current.data.latest_version + 1
    content = _upload(blobs, container, tenant, dataset_id, version, data, max_bytes)
    return _or_delete_blob(blobs, content, lambda: commit_version(store, principal, tenant, current, content))


def commit_version(
    store: Store,
    principal: Principal,
    tenant: str,
    current: Stored[DatasetData],
    content: DatasetVersionData,
    extra_ops: Sequence[Op] = (),
) -> DatasetVersion:
    """The new version and the dataset's latest version, in one transaction (412 if the dataset changed meanwhile)."""
    DATASETS.update(
        store,
        tenant,
        current.id,
        {"latest_version": content.version, "profile": content.profile},
        actor=actor(principal),
        current=current,
        children=[_version(content)],
        extra_ops=extra_ops,
    )
    return get_version(store, tenant, current.id, content.version)


def get_version(store: Store, tenant: str, dataset_id: str, version: int) -> DatasetVersion:
    return VERSION.read(store, tenant, version_id(version), parent_id=dataset_id)


def list_versions(
    store: Store, tenant: str, dataset_id: str, query: ListQuery
) -> tuple[list[DatasetVersion], str | None]:
    DATASETS.get(store, tenant, dataset_id)
    return VERSION.page(store, tenant, query, parent_id=dataset_id)


def delete_dataset(
    store: Store,
    blobs: BlobStore,
    container: str,
    principal: Principal,
    tenant: str,
    dataset_id: str,
    etag: str | None,
) -> None:
    """Restricted: refused with 409 while an experiment uses the dataset; versions go in the same transaction."""
    current = DATASETS.get(store, tenant, dataset_id)
    uses, _ = rows.read(store, tenant, dataset_refs(dataset_id), rows.DatasetUse, top=50)
    if uses:
        raise ReferencedBy("dataset", dataset_id, [("experiment", u.experiment_id) for u in uses])
    versions, _ = DATASET_VERSIONS.list(store, tenant, parent_id=dataset_id, top=90)
    ops = [Op.delete(entity_key(DATASET_VERSIONS.name, v.id, dataset_id), if_exists=True) for v in versions]
    pending, _ = UPLOADS.list(store, tenant, parent_id=dataset_id, top=5, include_deleted=True)
    ops += [Op.delete(entity_key(UPLOADS.name, u.id, dataset_id), if_exists=True) for u in pending]
    DATASETS.delete(store, tenant, dataset_id, actor=actor(principal), etag=etag, current=current, extra_ops=ops)
    blobs.delete_prefix(container, f"{tenant}/{dataset_id}/")
