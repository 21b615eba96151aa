"""CountingTransport: counts every HTTP request (retries included) of every client built on it.

Pass it to the *service* client: `TableServiceClient.from_connection_string(conn, transport=CountingTransport())`.
The transport is shared by the table clients the service hands out, whereas per-call/per-retry policies are not
(azure-data-tables 12.7.0 rebuilds the pipeline in `get_table_client()`; notes/table-storage.md §4).
"""

from __future__ import annotations

import threading
from typing import Any

from azure.core.pipeline.transport import RequestsTransport


class CountingTransport(RequestsTransport):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count = 0
        self._lock = threading.Lock()

    def send(self, request: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.count += 1
        return super().send(request, **kwargs)

    def reset(self) -> int:
        """Zero the counter and return what it held."""
        with self._lock:
            count, self.count = self.count, 0
        return count
