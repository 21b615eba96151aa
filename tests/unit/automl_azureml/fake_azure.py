"""An offline Azure: a recording azure-core HttpTransport that answers from routes shaped like the real REST APIs
(ARM Microsoft.MachineLearningServices, Blob Storage, the workspace's MLflow endpoint), and a static credential.

No socket is opened: `send` builds a `requests.Response` over a real `urllib3.HTTPResponse` and wraps it exactly as
azure-core's RequestsTransport does, so the SDK's own deserialisers run on it.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests
import urllib3
from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.pipeline.transport import HttpTransport, RequestsTransportResponse
from azure.core.rest._requests_basic import RestRequestsTransportResponse

SUB = "00000000-0000-0000-0000-000000000001"
RG = "rg-automl"
WS = "ws-automl"
WS_ID = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.MachineLearningServices/workspaces/{WS}"
REGION = "westeurope"
MLFLOW_BASE = f"/mlflow/v2.0{WS_ID}/api/2.0/mlflow"


class StaticTokenCredential:
    """A TokenCredential (and SupportsTokenInfo) that never touches the network."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken("fake-token", int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        self.scopes.append(scopes)
        return AccessTokenInfo("fake-token", int(time.time()) + 3600)


@dataclass
class Call:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlparse(self.url).path

    @property
    def host(self) -> str:
        return urlparse(self.url).netloc

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlparse(self.url).query).items()}

    @property
    def api_version(self) -> str | None:
        return self.query.get("api-version")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Answer]


class RecordingTransport(HttpTransport):  # type: ignore[misc]
    """Routes: (METHOD, path regex) -> handler. Unknown requests answer 404 in ARM's error shape (and are recorded)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def route(self, method: str, path_regex: str, handler: Handler | Answer) -> None:
        fn: Handler = handler if callable(handler) else (lambda _c, a=handler: a)
        self.routes.insert(0, (method, re.compile(path_regex + r"$"), fn))  # later routes win

    def find(self, method: str, fragment: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and fragment in c.path]

    # HttpTransport
    def __enter__(self) -> RecordingTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        return None

    def open(self) -> None:
        return None

    def close(self) -> None:
        return None

    def send(self, request: Any, **kwargs: Any) -> Any:
        body = request.content if hasattr(request, "content") else request.data
        if isinstance(body, str):
            body = body.encode()
        elif body is None:
            body = b""
        elif not isinstance(body, bytes):
            body = json.dumps(body).encode() if isinstance(body, (dict, list)) else bytes(body)
        call = Call(request.method, request.url, dict(request.headers), body)
        self.calls.append(call)
        answer = Answer(404, {"error": {"code": "NotFound", "message": f"no fake route for {call.method} {call.path}"}})
        for method, regex, handler in self.routes:
            if method == call.method and regex.search(call.path):
                answer = handler(call)
                break
        return _wrap(request, answer)


def _wrap(request: Any, answer: Answer) -> Any:
    if isinstance(answer.body, (bytes, str)):
        data = answer.body.encode() if isinstance(answer.body, str) else answer.body
        ctype = "application/octet-stream"
    else:
        data = b"" if answer.body is None else json.dumps(answer.body).encode()
        ctype = "application/json"
    headers = {"Content-Type": ctype, "Content-Length": str(len(data)), **answer.headers}
    raw = urllib3.HTTPResponse(
        body=io.BytesIO(data), headers=headers, status=answer.status, preload_content=False, decode_content=False
    )
    resp = requests.Response()
    resp.status_code = answer.status
    resp.headers = requests.structures.CaseInsensitiveDict(headers)
    resp.raw = raw
    resp.url = request.url
    resp.reason = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content"}.get(answer.status, "Error")
    if request.__class__.__module__.startswith("azure.core.rest"):
        from azure.core.pipeline.transport._requests_basic import _handle_non_stream_rest_response

        out = RestRequestsTransportResponse(request=request, internal_response=resp, block_size=4096)
        _handle_non_stream_rest_response(out)
        return out
    return RequestsTransportResponse(request, resp, 4096)
