"""BlobStore adapter on azure-storage-blob (Azurite locally, managed identity in Azure).

Calls are bounded like the Table client's (`clients.BOUNDED`: the read timeout is the longest silence while waiting
for the service, not the time to send a block; the budget per call allows a slow 4 MiB block), and large blobs
move in 4 MiB blocks both ways, so an upload or a download never holds a whole file in memory. `upload_url` hands out
a write-only SAS for one blob, `download_url` a read-only one (a batch job's CSV): a user delegation SAS in Azure, a
service SAS signed with the account key locally (Azurite answers user delegation keys only over HTTPS with OAuth;
docs/adr/0018-invariants-and-faults.md, 0020).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobSasPermissions, BlobServiceClient, ContentSettings, generate_blob_sas

from domain.errors import NotFound, Unavailable
from domain.settings import Settings
from domain.storage.clients import BOUNDED, credential

BLOCK = 4 * 1024 * 1024
OPTIONS: dict[str, Any] = {
    **BOUNDED,
    "timeout": 30,
    "max_single_put_size": BLOCK,
    "max_block_size": BLOCK,
    "max_single_get_size": BLOCK,
    "max_chunk_get_size": BLOCK,
}


def _unavailable(exc: AzureError) -> Unavailable:
    return Unavailable(f"Blob Storage is unavailable ({type(exc).__name__}).", retry_after=5, target="blobStorage")


class _Download(io.RawIOBase):
    """A blob download as a readable stream (the SDK fetches it in 4 MiB chunks)."""

    def __init__(self, downloader: Any) -> None:
        self._chunks = downloader.chunks()
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # io's signature takes any buffer
        while not self._pending:
            try:
                self._pending = memoryview(next(self._chunks))
            except StopIteration:
                return 0
            except AzureError as exc:
                raise _unavailable(exc) from exc
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


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
        return self.put_stream(container, name, io.BytesIO(data), length=len(data), content_type=content_type)

    def put_stream(self, container: str, name: str, stream: IO[bytes], *, length: int, content_type: str) -> str:
        try:
            self._container(container)
            self._service.get_blob_client(container, name).upload_blob(
                stream,
                length=length,
                overwrite=True,
                max_concurrency=1,
                content_settings=ContentSettings(content_type=content_type),
            )
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return f"{container}/{name}"

    def get(self, container: str, name: str) -> bytes:
        with self.open(container, name) as stream:
            return stream.read()

    def open(self, container: str, name: str) -> IO[bytes]:
        try:
            downloader = self._service.get_blob_client(container, name).download_blob(max_concurrency=1)
        except ResourceNotFoundError:
            raise NotFound("blob", f"{container}/{name}") from None
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return io.BufferedReader(_Download(downloader), buffer_size=BLOCK)

    def size(self, container: str, name: str) -> int | None:
        try:
            return int(self._service.get_blob_client(container, name).get_blob_properties().size)
        except ResourceNotFoundError:
            return None
        except AzureError as exc:
            raise _unavailable(exc) from exc

    def upload_url(self, container: str, name: str, expires_at: datetime) -> str:
        try:
            self._container(container)
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return self._sas_url(container, name, expires_at, BlobSasPermissions(create=True, write=True))

    def download_url(self, container: str, name: str, expires_at: datetime, filename: str) -> str:
        """Read-only; Blob Storage answers the GET with the SAS's `rscd`/`rsct` as Content-Disposition and
        Content-Type, so a browser saves the file as `filename`."""
        disposition = f'attachment; filename="{filename}"'
        return self._sas_url(container, name, expires_at, BlobSasPermissions(read=True), disposition, "text/csv")

    def _sas_url(
        self,
        container: str,
        name: str,
        expires_at: datetime,
        permission: BlobSasPermissions,
        content_disposition: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """A SAS for one blob: a service SAS signed with the account key when the client has one (Azurite's
        connection string), else a user delegation SAS signed with a key the app's identity asks for."""
        blob = self._service.get_blob_client(container, name)
        start = datetime.now(UTC) - timedelta(minutes=5)  # clock skew between us and the service
        account_key = getattr(self._service.credential, "account_key", None)
        try:
            delegation = None if account_key else self._service.get_user_delegation_key(start, expires_at)
        except AzureError as exc:
            raise _unavailable(exc) from exc
        sas = generate_blob_sas(
            str(self._service.account_name), container, name,
            account_key=account_key, user_delegation_key=delegation,
            permission=permission, start=start, expiry=expires_at,
            content_disposition=content_disposition, content_type=content_type,
        )  # fmt: skip
        return f"{blob.url}?{sas}"

    def delete(self, container: str, name: str) -> None:
        try:
            self._service.get_blob_client(container, name).delete_blob(delete_snapshots="include")
        except ResourceNotFoundError:
            return
        except AzureError as exc:
            raise _unavailable(exc) from exc

    def delete_prefix(self, container: str, prefix: str) -> int:
        client = self._service.get_container_client(container)
        count = 0
        try:
            for blob in client.list_blobs(name_starts_with=prefix):
                with contextlib.suppress(ResourceNotFoundError):
                    client.delete_blob(blob.name, delete_snapshots="include")
                    count += 1
        except ResourceNotFoundError:
            return count
        except AzureError as exc:
            raise _unavailable(exc) from exc
        return count

    def list_names(self, container: str, prefix: str = "", older_than: datetime | None = None) -> Iterator[str]:
        client = self._service.get_container_client(container)
        try:
            for blob in client.list_blobs(name_starts_with=prefix or None):
                if older_than is None or blob.last_modified < older_than:
                    yield blob.name
        except ResourceNotFoundError:
            return
        except AzureError as exc:
            raise _unavailable(exc) from exc


def blob_store(settings: Settings) -> AzureBlobStore:
    if settings.data_storage_connection_string:
        conn = settings.data_storage_connection_string.get_secret_value()
        return AzureBlobStore(BlobServiceClient.from_connection_string(conn, **OPTIONS))
    assert settings.data_blobs_endpoint
    return AzureBlobStore(BlobServiceClient(settings.data_blobs_endpoint, credential=credential(settings), **OPTIONS))
