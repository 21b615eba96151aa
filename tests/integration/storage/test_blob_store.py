"""The Blob Storage adapter on Azurite: what the janitor's sweep relies on (Last-Modified as the service keeps it), and
the read-only URL a batch job's CSV downloads through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from azure.storage.blob import BlobServiceClient

from domain.storage.blobs import OPTIONS, AzureBlobStore


def test_list_names_older_than_reads_the_service_last_modified(azurite_connection_string: str, unique: str) -> None:
    service = BlobServiceClient.from_connection_string(azurite_connection_string, **OPTIONS)
    blobs = AzureBlobStore(service)
    container = f"sweep{unique}"
    blobs.put(container, "t/d/v000001.a.csv", b"a\n1\n", content_type="text/csv")
    written = service.get_blob_client(container, "t/d/v000001.a.csv").get_blob_properties().last_modified
    assert list(blobs.list_names(container, "t/")) == ["t/d/v000001.a.csv"]
    assert list(blobs.list_names(container, older_than=written)) == []  # written at that instant: not older
    assert list(blobs.list_names(container, older_than=written + timedelta(seconds=1))) == ["t/d/v000001.a.csv"]
    assert list(blobs.list_names(f"none{unique}", older_than=written)) == []  # no container: nothing


def test_download_url_reads_the_blob_as_a_named_csv_attachment_and_nothing_else(
    azurite_connection_string: str, unique: str
) -> None:
    blobs = AzureBlobStore(BlobServiceClient.from_connection_string(azurite_connection_string, **OPTIONS))
    container, name = f"dl{unique}", "t/batch/job1/predictions.csv"
    data = b"a,prediction\n" + b"".join(f"{i},x\n".encode() for i in range(1000))
    blobs.put(container, name, data, content_type="application/octet-stream")
    url = blobs.download_url(container, name, datetime.now(UTC) + timedelta(minutes=15), "batch-job1.csv")

    got = httpx.get(url)  # no credentials but the URL's
    assert got.status_code == 200, got.text
    assert got.content == data
    assert got.headers["content-disposition"] == 'attachment; filename="batch-job1.csv"'
    assert got.headers["content-type"] == "text/csv"  # the SAS's, not the blob's stored type

    written = httpx.put(url, content=b"x\n", headers={"x-ms-blob-type": "BlockBlob"})
    assert written.status_code == 403, written.text  # read-only
    assert blobs.get(container, name) == data
    deleted = httpx.delete(url)
    assert deleted.status_code == 403, deleted.text
    other = url.replace("/predictions.csv?", "/other.csv?")  # the signature covers this one blob
    blobs.put(container, "t/batch/job1/other.csv", b"secret\n", content_type="text/csv")
    assert httpx.get(other).status_code == 403

    expired = blobs.download_url(container, name, datetime.now(UTC) - timedelta(seconds=1), "batch-job1.csv")
    refused = httpx.get(expired)
    assert refused.status_code == 403, refused.text
    assert refused.headers["x-ms-error-code"] == "AuthorizationFailure"  # Azurite's word (Azure: AuthenticationFailed)
