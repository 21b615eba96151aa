"""Blob Storage for the local engine (datasets in, models out); azure-storage-blob is imported when first used."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from domain.errors import NotFound, Unavailable
from domain.settings import Settings

UPLOAD_BLOCK_BYTES = 4 * 2**20

if TYPE_CHECKING:
    from azure.storage.blob import BlobServiceClient


def blob_service(settings: Settings) -> BlobServiceClient:
    from azure.storage.blob import BlobServiceClient

    if settings.data_storage_connection_string:
        return BlobServiceClient.from_connection_string(settings.data_storage_connection_string.get_secret_value())
    from domain.storage.clients import credential

    assert settings.data_blobs_endpoint  # checked by load_settings
    return BlobServiceClient(settings.data_blobs_endpoint, credential=credential(settings))


def split_blob_path(blob_path: str) -> tuple[str, str]:
    container, _, name = blob_path.partition("/")
    if not container or not name:
        raise NotFound("blob", blob_path, message=f"'{blob_path}' is not a '<container>/<blob name>' path.")
    return container, name


def download_to(settings: Settings, blob_path: str, target: Path) -> None:
    """Download `<container>/<name>` to `target` (written via a temp file, then renamed)."""
    from azure.core.exceptions import AzureError, ResourceNotFoundError

    container, name = split_blob_path(blob_path)
    tmp = target.with_name(f".{target.name}.part")
    try:
        with open(tmp, "wb") as f:
            blob_service(settings).get_blob_client(container, name).download_blob().readinto(f)
    except ResourceNotFoundError:
        tmp.unlink(missing_ok=True)
        raise NotFound("blob", blob_path) from None
    except AzureError as exc:
        tmp.unlink(missing_ok=True)
        raise Unavailable(f"Blob Storage is unavailable: {type(exc).__name__}") from None
    tmp.replace(target)


def upload_bytes(settings: Settings, container: str, name: str, data: bytes, *, overwrite: bool = True) -> None:
    """Upload, creating the container on first use. With overwrite=False an existing blob raises ResourceExistsError."""
    from azure.core.exceptions import ResourceExistsError

    service = blob_service(settings)
    with contextlib.suppress(ResourceExistsError):
        service.create_container(container)
    service.get_blob_client(container, name).upload_blob(data, overwrite=overwrite)


def download_bytes(settings: Settings, container: str, name: str) -> bytes:
    from azure.core.exceptions import ResourceNotFoundError

    try:
        return bytes(blob_service(settings).get_blob_client(container, name).download_blob().readall())
    except ResourceNotFoundError:
        raise NotFound("blob", f"{container}/{name}") from None


def list_names(settings: Settings, container: str, prefix: str) -> list[str]:
    from azure.core.exceptions import ResourceNotFoundError

    try:
        return [b.name for b in blob_service(settings).get_container_client(container).list_blobs(prefix)]
    except ResourceNotFoundError:
        return []


def delete_if_exists(settings: Settings, container: str, name: str) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    with contextlib.suppress(ResourceNotFoundError):
        blob_service(settings).get_blob_client(container, name).delete_blob()


def upload_file(settings: Settings, container: str, name: str, path: Path, *, content_type: str) -> None:
    """Upload a file block by block (4 MiB staged at a time, then the block list committed): never whole in memory,
    whatever its size (`upload_blob` would read a file under 64 MiB into memory for a single put)."""
    import uuid

    from azure.core.exceptions import ResourceExistsError
    from azure.storage.blob import BlobBlock, ContentSettings

    service = blob_service(settings)
    with contextlib.suppress(ResourceExistsError):
        service.create_container(container)
    client = service.get_blob_client(container, name)
    blocks = []
    with open(path, "rb") as data:
        while chunk := data.read(UPLOAD_BLOCK_BYTES):
            block = BlobBlock(block_id=uuid.uuid4().hex)
            client.stage_block(block.id, chunk)
            blocks.append(block)
    client.commit_block_list(blocks, content_settings=ContentSettings(content_type=content_type))
