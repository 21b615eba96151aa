"""Profile a CSV file with the standard library (no pandas at cold start): columns, inferred types, row count,
missing values, distinct counts (capped)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from domain.entities.datasets import ColumnProfile, ColumnType, Profile
from domain.errors import ValidationFailed

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none"})
DISTINCT_CAP = 10_000
_ORDER = [ColumnType.INTEGER, ColumnType.NUMBER, ColumnType.BOOLEAN, ColumnType.DATETIME, ColumnType.STRING]


def _fits(kind: ColumnType, value: str) -> bool:
    try:
        if kind is ColumnType.INTEGER:
            int(value)
        elif kind is ColumnType.NUMBER:
            float(value)
        elif kind is ColumnType.BOOLEAN:
            return value.lower() in ("true", "false")
        elif kind is ColumnType.DATETIME:
            datetime.fromisoformat(value)
        return True
    except ValueError:
        return False


def profile_csv(data: bytes) -> Profile:
    """Raise ValidationFailed for data that is not a usable CSV (not UTF-8, no header, ragged rows)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("The file is not UTF-8 text.", target="file") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise ValidationFailed("The CSV file has no header row.", target="file")
    names = [h.strip() for h in header]
    if len(set(names)) != len(names) or "" in names:
        raise ValidationFailed("Column names must be present and unique.", target="file")
    candidates = [list(_ORDER) for _ in names]
    missing = [0] * len(names)
    distinct: list[set[str]] = [set() for _ in names]
    rows = 0
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(names):
            raise ValidationFailed(f"Row {line} has {len(row)} fields; the header has {len(names)}.", target="file")
        rows += 1
        for i, value in enumerate(row):
            value = value.strip()
            if value.lower() in MISSING:
                missing[i] += 1
                continue
            if len(distinct[i]) <= DISTINCT_CAP:
                distinct[i].add(value)
            candidates[i] = [k for k in candidates[i] if _fits(k, value)]
    if rows == 0:
        raise ValidationFailed("The CSV file has a header but no data rows.", target="file")
    columns = []
    for i, name in enumerate(names):
        kind = ColumnType.EMPTY if missing[i] == rows else candidates[i][0]
        columns.append(
            ColumnProfile(
                name=name,
                type=kind,
                missing=missing[i],
                distinct=len(distinct[i]) if len(distinct[i]) <= DISTINCT_CAP else None,
            )
        )
    return Profile(columns=columns, row_count=rows)
