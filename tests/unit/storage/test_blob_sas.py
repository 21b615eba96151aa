"""The Blob adapter's SAS URLs with the app's identity (no account key), as in Azure: a user delegation SAS (the key
asked for with the identity, its `skoid`/`sktid`/... fields in the URL, signed with the key's value), read-only for
a download with the file name and type the service answers. Azurite cannot issue user delegation keys over HTTP (the
integration test covers the account-key SAS); here the key is one the service's documented fields describe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from azure.core.credentials import AccessToken
from azure.storage.blob import BlobServiceClient, UserDelegationKey

from domain.storage.blobs import AzureBlobStore


class Identity:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("token", 2**31)


def delegation_key(start: datetime, expiry: datetime) -> UserDelegationKey:
    key = UserDelegationKey()
    key.signed_oid, key.signed_tid = "11111111-0000-0000-0000-000000000001", "22222222-0000-0000-0000-000000000002"
    key.signed_start, key.signed_expiry = start.strftime("%Y-%m-%dT%H:%M:%SZ"), expiry.strftime("%Y-%m-%dT%H:%M:%SZ")
    key.signed_service, key.signed_version = "b", "2025-01-05"
    key.value = "a2V5IHZhbHVlIG9mIHRoZSBkZWxlZ2F0aW9uIGtleQ=="
    return key


def test_a_download_url_with_the_apps_identity_is_a_read_only_user_delegation_sas() -> None:
    service = BlobServiceClient("https://acct.blob.core.windows.net", credential=Identity())
    asked: list[tuple[datetime, datetime]] = []

    def get_user_delegation_key(start: datetime, expiry: datetime, **kwargs: Any) -> UserDelegationKey:
        asked.append((start, expiry))
        return delegation_key(start, expiry)

    service.get_user_delegation_key = get_user_delegation_key  # type: ignore[method-assign]
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=15)
    url = AzureBlobStore(service).download_url("datasets", "t1/batch/j1/predictions.csv", expires, "batch-j1.csv")

    parts = urlsplit(url)
    assert f"{parts.netloc}{parts.path}" == "acct.blob.core.windows.net/datasets/t1/batch/j1/predictions.csv"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["sp"] == "r" and query["sr"] == "b"  # read, this one blob
    assert query["skoid"] == "11111111-0000-0000-0000-000000000001" and query["sktid"].startswith("22222222")
    assert query["se"] == expires.strftime("%Y-%m-%dT%H:%M:%SZ") and asked[0][1] == expires
    assert query["rscd"] == 'attachment; filename="batch-j1.csv"' and query["rsct"] == "text/csv"
    assert query["sig"] and "sv" in query
