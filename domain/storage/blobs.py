"""BlobStore adapter on azure-storage-blob (Azurite locally, managed identity in Azure)."""

from __future__ import annotations

import contextlib

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient, ContentSettings

from domain.errors import NotFound, Unavailable
from domain.settings import Settings
from domain.storage.clients import credential


class AzureBlobStore:
    def __init__(self, service: BlobServiceClient) -> None:
        self._service = service
        self._ready: set[str] = set()

    def _container(self, name: str) -> None:
        if name in self._ready:
            return
        with contextlib.suppress(ResourceExistsError):
            self._service.create_container(name)
        self._ready.add(name)

    def put(self, container: str, name: str, data: bytes, *, content_type: str) -> str:
        try:
            self._container(container)
            self._service.get_blob_client(container, name).upload_blob(
                data, overwrite=True, content_settings=ContentSettings(content_type=content_type)
            )
        except AzureError as exc:
            raise Unavailable(f"Blob Storage is unavailable ({type(exc).__name__}).", target="blobStorage") from exc
        return f"{container}/{name}"

    def get(self, container: str, name: str) -> bytes:
        try:
            return self._service.get_blob_client(container, name).download_blob().readall()
        except ResourceNotFoundError:
            raise NotFound("blob", f"{container}/{name}") from None
        except AzureError as exc:
            raise Unavailable(f"Blob Storage is unavailable ({type(exc).__name__}).", target="blobStorage") from exc

    def delete_prefix(self, container: str, prefix: str) -> int:
        client = self._service.get_container_client(container)
        count = 0
        try:
            for blob in client.list_blobs(name_starts_with=prefix):
                client.delete_blob(blob.name, delete_snapshots="include")
                count += 1
        except ResourceNotFoundError:
            return count
        return count


def blob_store(settings: Settings) -> AzureBlobStore:
    if settings.data_storage_connection_string:
        conn = settings.data_storage_connection_string.get_secret_value()
        return AzureBlobStore(BlobServiceClient.from_connection_string(conn))
    assert settings.data_blobs_endpoint
    return AzureBlobStore(BlobServiceClient(settings.data_blobs_endpoint, credential=credential(settings)))
