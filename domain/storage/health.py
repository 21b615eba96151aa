"""A HealthProbe for the Table service: one cheap request (list at most one table)."""

from __future__ import annotations

from azure.core.exceptions import AzureError
from azure.data.tables import TableServiceClient

from domain.errors import Unavailable


class TableServiceProbe:
    name = "tableStorage"

    def __init__(self, service: TableServiceClient) -> None:
        self._service = service

    def ping(self) -> None:
        try:
            next(iter(self._service.list_tables(results_per_page=1).by_page()), None)
        except AzureError as exc:
            raise Unavailable(f"Table Storage is unreachable ({type(exc).__name__}).", target="tableStorage") from exc
