"""Direct uploads of large files (API: `POST .../datasets/{id}/uploads`, then `POST .../uploads/{uploadId}:commit`).

The API hands out a short-lived URL that lets the front end write one blob straight to Blob Storage (a user
delegation SAS in Azure: signed with the app's identity, no account key), so a large file never passes through the
Functions host. The commit reads that blob as a stream (4 MiB chunks: memory stays bounded), profiles and hashes it,
and creates the dataset's next version in one transaction with the removal of the pending upload, so a commit is
applied once: a repeated commit finds the version it created.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.entities.datasets import DatasetVersion, DirectUpload
from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from domain.ports import BlobStore, Store
from domain.records.kind import Stored
from domain.records.kinds import DATASET_VERSIONS, DATASETS, UPLOADS, UploadData
from domain.services._views import actor
from domain.services.datasets import VERSION, commit_version, get_version, read_version
from domain.storage import keys
from domain.storage.records import Op

LIFETIME = timedelta(minutes=15)
HEADERS = {"x-ms-blob-type": "BlockBlob", "Content-Type": "text/csv"}


def start_upload(
    store: Store, blobs: BlobStore, container: str, principal: Principal, tenant: str, dataset_id: str, max_bytes: int
) -> DirectUpload:
    """A pending upload (an entity under the dataset) and the URL that writes its blob, valid for LIFETIME."""
    DATASETS.get(store, tenant, dataset_id)
    upload_id = new_id()
    name = f"{tenant}/{dataset_id}/uploads/{upload_id}.csv"
    expires = datetime.now(UTC).replace(microsecond=0) + LIFETIME
    url = blobs.upload_url(container, name, expires)
    data = UploadData(dataset_id=dataset_id, blob_path=f"{container}/{name}", expires_at=expires)
    stored = UPLOADS.create(store, tenant, upload_id, data, actor=actor(principal), parent_id=dataset_id)
    return DirectUpload(
        id=stored.id,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
        created_by=stored.created_by,
        etag=stored.etag,
        dataset_id=dataset_id,
        upload_url=url,
        headers=HEADERS,
        expires_at=expires,
        max_bytes=max_bytes,
    )


def _committed(store: Store, tenant: str, dataset_id: str, upload_id: str) -> DatasetVersion:
    """The version an earlier commit of this upload created (NotFound when there is none)."""
    suffix = f"/uploads/{upload_id}.csv"
    token = None
    while True:
        found, token = DATASET_VERSIONS.list(store, tenant, parent_id=dataset_id, top=200, continuation=token)
        for v in found:
            if (v.data.blob_path or "").endswith(suffix):
                return VERSION.of(v)
        if not token:
            raise NotFound("upload", upload_id)


def commit_upload(
    store: Store,
    blobs: BlobStore,
    principal: Principal,
    tenant: str,
    dataset_id: str,
    upload_id: str,
    max_bytes: int,
) -> tuple[DatasetVersion, bool]:
    """Profile the uploaded blob and create the dataset's next version; (version, created). A file that is too
    large or not a usable CSV is refused (413/400) and its blob deleted; nothing uploaded yet is a 409."""
    current = DATASETS.get(store, tenant, dataset_id)
    try:
        upload: Stored[UploadData] = UPLOADS.get(store, tenant, upload_id, parent_id=dataset_id)
    except NotFound:
        return _committed(store, tenant, dataset_id, upload_id), False
    container, name = upload.data.blob_path.split("/", 1)
    size = blobs.size(container, name)
    if size is None:
        raise Conflict("Nothing was uploaded yet: PUT the file to the upload URL first.", target="upload")
    try:
        if size > max_bytes:
            raise PayloadTooLarge(f"The file is {size} bytes; the limit is {max_bytes}.", target="file")
        with blobs.open(container, name) as stream:
            content = read_version(stream, dataset_id, current.data.latest_version + 1, max_bytes)
    except (PayloadTooLarge, ValidationFailed) as exc:
        _abandon(store, blobs, tenant, upload, principal)
        raise exc from None
    content = content.model_copy(update={"blob_path": upload.data.blob_path})
    done = Op.delete(keys.entity_key(UPLOADS.name, upload_id, dataset_id), etag=upload.etag)
    return commit_version(store, principal, tenant, current, content, extra_ops=[done]), True


def _abandon(store: Store, blobs: BlobStore, tenant: str, upload: Stored[UploadData], principal: Principal) -> None:
    """A refused file: its blob and its pending upload go (the caller starts a new upload)."""
    container, name = upload.data.blob_path.split("/", 1)
    blobs.delete(container, name)
    UPLOADS.delete(store, tenant, upload.id, actor=actor(principal), parent_id=upload.data.dataset_id)


__all__ = ["commit_upload", "get_version", "start_upload"]
