"""Datasets: a CSV upload (stored in Blob Storage, profiled with the csv module) or a reference by URI; each new
upload is a new numbered version. A dataset used by an experiment cannot be deleted (409 with the ids)."""

from __future__ import annotations

import hashlib
from typing import Any

from domain.entities.datasets import Dataset, DatasetCreate, DatasetUpdate, DatasetVersion
from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.errors import PayloadTooLarge, ReferencedBy, ValidationFailed
from domain.services._records import actor, changes_of, check_name, to_model
from domain.services.csv_profile import profile_csv
from domain.storage.keys import entity_key
from domain.storage.records import Child, Op


def version_id(version: int) -> str:
    return f"{version:06d}"


def ref_prefix(dataset_id: str) -> str:
    return f"ref|dataset|{dataset_id}|experiment|"


def _upload(
    blobs: Any, container: str, tenant: str, dataset_id: str, version: int, data: bytes, max_bytes: int
) -> dict[str, Any]:
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"The file is {len(data)} bytes; the limit is {max_bytes}.", target="file")
    if not data.strip():
        raise ValidationFailed("The file is empty.", target="file")
    profile = profile_csv(data)
    path = blobs.put(container, f"{tenant}/{dataset_id}/v{version:06d}.csv", data, content_type="text/csv")
    return {
        "source": "upload",
        "blob_path": path,
        "size_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "profile": profile.model_dump(mode="json"),
    }


def _version(dataset_id: str, version: int, content: dict[str, Any]) -> Child:
    """The version entity (kind `dsver`, child of the dataset), written in the dataset's transaction."""
    return Child("dsver", version_id(version), {"dataset_id": dataset_id, "version": version, **content}, dataset_id)


def create_from_upload(
    store: Any,
    blobs: Any,
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
    record = store.create(
        tenant,
        "dataset",
        dataset_id,
        {
            "name": checked_name,
            "description": description,
            "latest_version": 1,
            "source": "upload",
            "profile": content["profile"],
            "tags": {},
        },
        actor=actor(principal),
        name=checked_name,
        children=[_version(dataset_id, 1, content)],
    )
    return to_model(Dataset, record)


def create_from_uri(store: Any, principal: Principal, tenant: str, body: DatasetCreate) -> Dataset:
    dataset_id = new_id()
    profile = None
    if body.columns:
        profile = {"columns": [{"name": c, "type": "string", "missing": 0} for c in body.columns], "row_count": 0}
    content = {"source": "uri", "uri": body.uri, "profile": profile}
    record = store.create(
        tenant,
        "dataset",
        dataset_id,
        {
            "name": body.name,
            "description": body.description,
            "latest_version": 1,
            "source": "uri",
            "profile": profile,
            "tags": body.tags,
        },
        actor=actor(principal),
        name=body.name,
        children=[_version(dataset_id, 1, content)],
    )
    return to_model(Dataset, record)


def add_version(
    store: Any,
    blobs: Any,
    container: str,
    principal: Principal,
    tenant: str,
    dataset_id: str,
    data: bytes,
    max_bytes: int,
) -> DatasetVersion:
    current = store.get(tenant, "dataset", dataset_id)
    version = int(current.data["latest_version"]) + 1
    content = _upload(blobs, container, tenant, dataset_id, version, data, max_bytes)
    store.update(
        tenant,
        "dataset",
        dataset_id,
        {"latest_version": version, "profile": content["profile"]},
        actor=actor(principal),
        etag=None,
        current=current,
        children=[_version(dataset_id, version, content)],
    )
    return get_version(store, tenant, dataset_id, version)


def get_version(store: Any, tenant: str, dataset_id: str, version: int) -> DatasetVersion:
    record = store.get(tenant, "dsver", version_id(version), parent_id=dataset_id)
    return to_model(DatasetVersion, record)


def list_versions(
    store: Any, tenant: str, dataset_id: str, top: int, continuation: str | None
) -> tuple[list[DatasetVersion], str | None]:
    store.get(tenant, "dataset", dataset_id)
    page = store.list(tenant, "dsver", parent_id=dataset_id, top=top, continuation=continuation)
    return [to_model(DatasetVersion, r) for r in page.items], page.continuation


def get_dataset(store: Any, tenant: str, dataset_id: str) -> Dataset:
    return to_model(Dataset, store.get(tenant, "dataset", dataset_id))


def list_datasets(store: Any, tenant: str, top: int, continuation: str | None) -> tuple[list[Dataset], str | None]:
    page = store.list(tenant, "dataset", top=top, continuation=continuation)
    return [to_model(Dataset, r) for r in page.items], page.continuation


def update_dataset(
    store: Any, principal: Principal, tenant: str, dataset_id: str, body: DatasetUpdate, etag: str | None
) -> Dataset:
    record = store.update(tenant, "dataset", dataset_id, changes_of(body), actor=actor(principal), etag=etag)
    return to_model(Dataset, record)


def delete_dataset(
    store: Any, blobs: Any, container: str, principal: Principal, tenant: str, dataset_id: str, etag: str | None
) -> None:
    """Restricted: refused with 409 while an experiment uses the dataset; versions go in the same transaction."""
    current = store.get(tenant, "dataset", dataset_id)
    refs, _ = store.list_rows(tenant, ref_prefix(dataset_id), top=50)
    if refs:
        raise ReferencedBy("dataset", dataset_id, [("experiment", data["experiment_id"]) for _, data, _ in refs])
    versions = store.list(tenant, "dsver", parent_id=dataset_id, top=95).items
    ops = [Op.delete(entity_key("dsver", v.id, dataset_id), if_exists=True) for v in versions]
    store.delete(tenant, "dataset", dataset_id, actor=actor(principal), etag=etag, current=current, extra_ops=ops)
    blobs.delete_prefix(container, f"{tenant}/{dataset_id}/")
