"""Connection limits, as the Functions host's Kestrel applies them: headers over 32 KiB in total answer
431 Request Header Fields Too Large (never a reset connection), and an idle keep-alive connection stays open 130 s.

uvicorn's HTTP parser (h11) refuses a request whose headers are still incomplete after 16 KiB of buffered input: it
answers 400 and closes, often while the client is still sending, which the client sees as a connection reset. So the
host lets h11 buffer up to `READ_BYTES` and answers the size itself, after the headers arrived whole.

uvicorn closes an idle keep-alive connection after 5 s. The Durable client in the worker (azure-functions-durable's
shared aiohttp session) keeps pooled connections for 15 s, so a start_new posted 5-15 s after its previous call could
go out on a socket the server was closing: "Connection reset by peer", and the HTTP call that started the work
answered 500. Kestrel keeps idle connections 130 s (KeepAliveTimeout), longer than any client pool here, so the
client always closes first; `KEEP_ALIVE_SECONDS` gives uvicorn the same.
"""

from __future__ import annotations

from typing import Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_HEADER_BYTES = 32 * 1024  # Kestrel's MaxRequestHeadersTotalSize
READ_BYTES = 1024 * 1024  # what h11 may buffer before it gives up on a request's headers
KEEP_ALIVE_SECONDS = 130  # Kestrel's KeepAliveTimeout


def server_config(app: ASGIApp, host: str, port: int, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration of every devhost server: Kestrel's header and keep-alive limits, lifespan on."""
    return uvicorn.Config(
        HeaderLimit(app), host=host, port=port, lifespan="on", access_log=False,
        h11_max_incomplete_event_size=READ_BYTES, timeout_keep_alive=KEEP_ALIVE_SECONDS, **options,
    )  # fmt: skip


class HeaderLimit:
    """An ASGI wrapper answering 431 when a request's headers exceed `MAX_HEADER_BYTES`."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_HEADER_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = sum(len(k) + len(v) + 4 for k, v in scope.get("headers", ()))
            if size > self.max_bytes:
                body = b"Request Header Fields Too Large"
                headers = [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ]
                await send({"type": "http.response.start", "status": 431, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
