"""The host's side of the binding conversions: host values to TypedData and back, as the Functions host does it
(`GrpcMessageConversionExtensions` in Azure/azure-functions-host), for the capabilities the Python worker announces
(RawHttpBodyBytes, RpcHttpBodyOnly, TypedDataCollection). The Python side of each conversion is the worker's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC
from typing import Any

from devhost.worker import protos


def string(value: str) -> Any:
    return protos.TypedData(string=value)


def json_text(value: str) -> Any:
    return protos.TypedData(json=value)


def binding(name: str, data: Any) -> Any:
    return protos.ParameterBinding(name=name, data=data)


def _joined(items: Iterable[tuple[str, str]], *, lower: bool) -> dict[str, str]:
    """Repeated names become one comma-joined value (ASP.NET's StringValues.ToString())."""
    out: dict[str, str] = {}
    for key, value in items:
        key = key.lower() if lower else key
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def http_request(
    method: str,
    url: str,
    headers: Iterable[tuple[str, str]],
    query: Iterable[tuple[str, str]],
    route_params: dict[str, str],
    body: bytes,
) -> Any:
    """An HTTP trigger's RpcHttp: header names lower-cased, empty query values left out, route values as params,
    the body as bytes when there is one (RawHttpBodyBytes)."""
    http = protos.RpcHttp(
        method=method,
        url=url,
        headers=_joined(headers, lower=True),
        query={k: v for k, v in _joined(query, lower=False).items() if v},
        params={k: v for k, v in route_params.items() if v is not None},
    )
    if body:
        http.body.CopyFrom(protos.TypedData(bytes=body))
    return protos.TypedData(http=http)


def to_python(data: Any) -> Any:
    """TypedData as the host reads it (ToObject): JSON parsed, strings and bytes as they are, None when empty."""
    kind = data.WhichOneof("data") if data is not None else None
    if kind is None:
        return None
    if kind == "json":
        return json.loads(data.json)
    if kind in ("bytes", "stream"):
        return bytes(getattr(data, kind))
    if kind in ("string", "int", "double"):
        return getattr(data, kind)
    raise TypeError(f"the host cannot read a '{kind}' value here")


def text(data: Any) -> str | None:
    """A TypedData that holds text (string or json) as that text; None when empty."""
    kind = data.WhichOneof("data") if data is not None else None
    if kind is None:
        return None
    if kind in ("string", "json"):
        return str(getattr(data, kind))
    if kind in ("int", "double"):
        return json.dumps(getattr(data, kind))
    if kind in ("bytes", "stream"):
        return bytes(getattr(data, kind)).decode()
    raise TypeError(f"expected text, got a '{kind}' value")


def _cookie(cookie: Any) -> str:
    """A Set-Cookie value from the worker's RpcHttpCookie (the worker sends empty domain and path as set-but-empty:
    they are left out here, as a browser would ignore them)."""
    parts = [f"{cookie.name}={cookie.value}"]
    if cookie.HasField("domain") and cookie.domain.value:
        parts.append(f"domain={cookie.domain.value}")
    if cookie.HasField("path") and cookie.path.value:
        parts.append(f"path={cookie.path.value}")
    if cookie.HasField("expires"):
        expires = cookie.expires.value.ToDatetime(tzinfo=UTC)
        parts.append("expires=" + expires.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    if cookie.HasField("max_age"):
        parts.append(f"max-age={int(cookie.max_age.value)}")
    if cookie.HasField("secure") and cookie.secure.value:
        parts.append("secure")
    same_site = {1: "lax", 2: "strict", 3: "none"}.get(cookie.same_site)
    if same_site:
        parts.append(f"samesite={same_site}")
    if cookie.HasField("http_only") and cookie.http_only.value:
        parts.append("httponly")
    return "; ".join(parts)


def http_response(data: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """An HTTP output's status, raw headers and body. A plain string (a function may return str) answers 200."""
    kind = data.WhichOneof("data") if data is not None else None
    if kind == "string":
        return 200, [(b"content-type", b"text/plain; charset=utf-8")], data.string.encode()
    if kind != "http":
        raise TypeError(f"an HTTP output must be an HttpResponse, the worker returned {kind or 'nothing'}")
    http = data.http
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in http.headers.items()]
    raw += [(b"set-cookie", _cookie(c).encode("latin-1")) for c in http.cookies]
    body_kind = http.body.WhichOneof("data")
    if body_kind is None:
        body = b""
    elif body_kind in ("bytes", "stream"):
        body = bytes(getattr(http.body, body_kind))
    else:
        body = str(getattr(http.body, body_kind)).encode()
    return int(http.status_code or 200), raw, body
