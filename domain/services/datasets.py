"""Datasets: a CSV upload (stored in Blob Storage, profiled with the csv module) or a reference by URI; each new
upload is a new numbered version. A dataset used by an experiment cannot be deleted (409 with the ids)."""

from __future__ import annotations

import hashlib

from domain.entities.datasets import Dataset, DatasetCreate, DatasetVersion, Profile
from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.entities.queries import ListQuery
from domain.errors import PayloadTooLarge, ReferencedBy, ValidationFailed
from domain.ports import BlobStore, Store
from domain.records import rows
from domain.records.kinds import DATASET_VERSIONS, DATASETS, DatasetData, DatasetVersionData
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


def version_id(version: int) -> str:
    return f"{version:06d}"


def _upload(
    blobs: BlobStore, container: str, tenant: str, dataset_id: str, version: int, data: bytes, max_bytes: int
) -> DatasetVersionData:
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"The file is {len(data)} bytes; the limit is {max_bytes}.", target="file")
    if not data.strip():
        raise ValidationFailed("The file is empty.", target="file")
    profile = profile_csv(data)
    path = blobs.put(container, f"{tenant}/{dataset_id}/v{version:06d}.csv", data, content_type="text/csv")
    return DatasetVersionData(
        dataset_id=dataset_id,
        version=version,
        source="upload",
        blob_path=path,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        profile=profile,
    )


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
    data: bytes,
    max_bytes: int,
) -> Dataset:
    checked_name = check_name(name)
    dataset_id = new_id()
    content = _upload(blobs, container, tenant, dataset_id, 1, data, max_bytes)
    dataset = DatasetData(
        name=checked_name, description=description, latest_version=1, source="upload", profile=content.profile
    )
    stored = DATASETS.create(
        store, tenant, dataset_id, dataset, actor=actor(principal), name=checked_name, children=[_version(content)]
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
    data: bytes,
    max_bytes: int,
) -> DatasetVersion:
    current = DATASETS.get(store, tenant, dataset_id)
    version = current.data.latest_version + 1
    content = _upload(blobs, container, tenant, dataset_id, version, data, max_bytes)
    DATASETS.update(
        store,
        tenant,
        dataset_id,
        {"latest_version": version, "profile": content.profile},
        actor=actor(principal),
        current=current,
        children=[_version(content)],
    )
    return get_version(store, tenant, dataset_id, version)


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
    versions, _ = DATASET_VERSIONS.list(store, tenant, parent_id=dataset_id, top=95)
    ops = [Op.delete(entity_key(DATASET_VERSIONS.name, v.id, dataset_id), if_exists=True) for v in versions]
    DATASETS.delete(store, tenant, dataset_id, actor=actor(principal), etag=etag, current=current, extra_ops=ops)
    blobs.delete_prefix(container, f"{tenant}/{dataset_id}/")
