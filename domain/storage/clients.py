"""Service clients built from settings: a connection string locally, the managed identity in Azure.

Every storage call is bounded (docs/adr/0018-invariants-and-faults.md): a connect timeout, a read timeout, a few
quick retries of what cannot have reached the service (connection errors, 408/429/5xx answers), no retry of a read
error (the request may have been applied: a retried transaction would then report its own success as a conflict),
and an overall budget per call. A storage outage is a 503 with Retry-After within about 5 s, never a hung request.
"""

from __future__ import annotations

from typing import Any

from azure.data.tables import TableServiceClient

from domain.settings import Settings

# one call, retries included, ends within about TOTAL_SECONDS (the API answers 503 with Retry-After after that)
TOTAL_SECONDS = 5
BOUNDED: dict[str, Any] = {
    "connection_timeout": 2,
    "read_timeout": 4,
    "retry_total": 3,
    "retry_connect": 2,
    "retry_read": 0,
    "retry_status": 2,
    "retry_backoff_factor": 0.25,
    "retry_backoff_max": 1.5,
    "timeout": TOTAL_SECONDS,
    # requests' environment lookups (~/.netrc, *_PROXY) on every call cost ~5% of a list's CPU (ADR 0019); the app
    # talks to its own storage account (or Azurite on loopback), never through a proxy
    "use_env_settings": False,
}
# the health probe answers within about 2 s: one attempt, short timeouts
PROBE: dict[str, Any] = {"connection_timeout": 1, "read_timeout": 1, "retry_total": 0, "timeout": 1.5}


def credential(settings: Settings) -> Any:
    """ManagedIdentityCredential in Azure (no slow credential chain); imported only when used."""
    from azure.identity import ManagedIdentityCredential

    return (
        ManagedIdentityCredential(client_id=settings.azure_client_id)
        if settings.azure_client_id
        else ManagedIdentityCredential()
    )


def table_service(settings: Settings, **kwargs: Any) -> TableServiceClient:
    """The Table service client for the app's data, bounded as above (kwargs override: transport, a probe's
    shorter limits ...)."""
    options = {**BOUNDED, **kwargs}
    if settings.data_storage_connection_string:
        conn = settings.data_storage_connection_string.get_secret_value()
        return TableServiceClient.from_connection_string(conn, **options)
    assert settings.data_tables_endpoint  # checked by load_settings
    return TableServiceClient(endpoint=settings.data_tables_endpoint, credential=credential(settings), **options)
