"""Service clients built from settings: a connection string locally, the managed identity in Azure."""

from __future__ import annotations

from typing import Any

from azure.data.tables import TableServiceClient

from domain.settings import Settings


def credential(settings: Settings) -> Any:
    """ManagedIdentityCredential in Azure (no slow credential chain); imported only when used."""
    from azure.identity import ManagedIdentityCredential

    return (
        ManagedIdentityCredential(client_id=settings.azure_client_id)
        if settings.azure_client_id
        else ManagedIdentityCredential()
    )


def table_service(settings: Settings, **kwargs: Any) -> TableServiceClient:
    """The Table service client for the app's data (kwargs go to the client: transport, retry policy ...)."""
    if settings.data_storage_connection_string:
        conn = settings.data_storage_connection_string.get_secret_value()
        return TableServiceClient.from_connection_string(conn, **kwargs)
    assert settings.data_tables_endpoint  # checked by load_settings
    return TableServiceClient(endpoint=settings.data_tables_endpoint, credential=credential(settings), **kwargs)
