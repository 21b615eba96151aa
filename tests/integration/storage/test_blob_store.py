"""The Blob Storage adapter on Azurite: what the janitor's sweep relies on (Last-Modified as the service keeps it)."""

from __future__ import annotations

from datetime import timedelta

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
