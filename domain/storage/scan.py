"""Listings Table Storage cannot answer with one filtered query: a case-insensitive name prefix, and newest first.

Ids sort by creation time (`domain/entities/ids.py`), so "newest first" is the reverse of RowKey order; Table
Storage only reads forwards. Both listings therefore walk the kind's key range with the server-side `eq` filters
and keep a cursor of their own (the last RowKey examined, in an opaque token):

- **name prefix, oldest first**: up to `MAX_REQUESTS` queries of 1000 rows per page; the rows whose name starts
  with the prefix (case-insensitive) are kept. A page may come back short (even empty) with a continuation when the
  scan budget ran out before `top` matches, as Table Storage's own pages do.
- **newest first**: the keys below the cursor are read with `$select` (RowKey and name: a few bytes per row), the
  last `top` matching keys kept, then those rows fetched with one range query. A page costs one request per 1000
  rows below the cursor, plus one: one or two requests for a kind with up to 1000 rows.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.errors import ValidationFailed
from domain.storage import codec
from domain.storage.backend import Backend, Query, Row
from domain.storage.paging import decode_token, encode_token

MAX_REQUESTS = 5
BATCH = 1000
_Rows = list[tuple[Row, str]]


def name_of(row: Row) -> str:
    """The name a listing filters on: the unique name (`_n`) or, for kinds without name rows, the `name` field."""
    return str(row.get(codec.NAME) or row.get("name") or "")


def _matcher(prefix: str | None) -> Callable[[Row], bool]:
    if not prefix:
        return lambda row: True
    lowered = prefix.lower()
    return lambda row: name_of(row).lower().startswith(lowered)


def _cursor(token: str | None, mode: str, lo: str, hi: str) -> str | None:
    if not token:
        return None
    value = decode_token(token)
    key = value.get("k")
    if value.get("scan") != mode or not isinstance(key, str) or not lo <= key <= hi:
        raise ValidationFailed("The continuation token is not valid for this listing.", target="continuation")
    return key


def _token(mode: str, key: str) -> str:
    return encode_token({"scan": mode, "k": key})


def page(
    backend: Backend, query: Query, token: str | None, prefix: str | None, newest_first: bool
) -> tuple[_Rows, str | None]:
    """One page of `query` in the order asked for (one plain Table query when neither option is set)."""
    if newest_first:
        return backward(backend, query, query.top, token, prefix)
    if prefix:
        return forward(backend, query, query.top, token, prefix)
    return backend.query(query, token)


def forward(
    backend: Backend, query: Query, top: int, token: str | None, prefix: str | None
) -> tuple[_Rows, str | None]:
    """Oldest first, filtered by name prefix in memory; a cursor after the last row examined."""
    match = _matcher(prefix)
    cursor = _cursor(token, "asc", query.lo, query.hi)
    scan = Query(query.partition, cursor or query.lo, query.hi, query.where, BATCH, after=cursor is not None)
    out: _Rows = []
    page_token: str | None = None
    last = cursor
    for _ in range(MAX_REQUESTS):
        rows, page_token = backend.query(scan, page_token)
        for row, etag in rows:
            last = str(row["RowKey"])
            if match(row):
                out.append((row, etag))
                if len(out) == top:
                    return out, _token("asc", last)
        if page_token is None:
            return out, None
    return out, _token("asc", last) if last is not None else None


def backward(
    backend: Backend, query: Query, top: int, token: str | None, prefix: str | None
) -> tuple[_Rows, str | None]:
    """Newest first: the last `top` matching keys below the cursor, then their rows (one range query)."""
    match = _matcher(prefix)
    upper = _cursor(token, "desc", query.lo, query.hi) or query.hi
    keys_query = Query(query.partition, query.lo, upper, query.where, BATCH, select=("RowKey", codec.NAME, "name"))
    keys: list[str] = []
    page_token: str | None = None
    while True:
        rows, page_token = backend.query(keys_query, page_token)
        keys += [str(row["RowKey"]) for row, _ in rows if match(row)]
        keys = keys[-(top + 1) :]
        if page_token is None:
            break
    wanted = keys[-top:]
    if not wanted:
        return [], None
    # every key between the first and the last wanted key that passes the filters is wanted (+ " ": just above)
    fetch = Query(query.partition, wanted[0], wanted[-1] + " ", query.where, BATCH)
    rows, _ = backend.query(fetch, None)
    chosen = set(wanted)
    out = [(row, etag) for row, etag in rows if row["RowKey"] in chosen]
    out.reverse()
    return out, _token("desc", wanted[0]) if len(keys) > top else None
