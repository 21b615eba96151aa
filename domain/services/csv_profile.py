"""Profile a CSV file with the standard library (no pandas at cold start): columns, inferred types, row count,
missing values, distinct counts (capped). The file is read as a stream (memory stays bounded), and anything the
reader cannot read is a ValidationFailed naming the line: not UTF-8, a field over the csv module's limit, a NUL
byte, a ragged row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import IO

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


def _lines(stream: IO[bytes], count: list[int]) -> Iterator[str]:
    """The file's physical lines, decoded one by one (UTF-8 resynchronises at each newline), so a line that is not
    UTF-8 is named; `count[0]` is the number of lines read."""
    for raw in stream:
        count[0] += 1
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed(f"Line {count[0]}: the file is not UTF-8 text.", target="file") from None
        yield line.removeprefix("\ufeff") if count[0] == 1 else line


def _rows(reader: Iterator[list[str]], count: list[int]) -> Iterator[list[str]]:
    """The reader's rows; what it cannot read becomes a ValidationFailed naming the line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problem = str(exc)
            if "field larger than field limit" in problem:
                problem = f"a field is longer than {csv.field_size_limit()} characters"
            raise ValidationFailed(f"Line {count[0]}: the CSV cannot be read ({problem}).", target="file") from None
        yield row


def profile_csv(data: bytes | IO[bytes]) -> Profile:
    """Raise ValidationFailed for data that is not a usable CSV (not UTF-8, no header, ragged rows, unreadable)."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    count = [0]
    reader = _rows(csv.reader(_lines(stream, count)), count)
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
    for row in reader:
        if not row:
            continue
        if len(row) != len(names):
            raise ValidationFailed(
                f"Line {count[0]} has {len(row)} fields; the header has {len(names)}.", target="file"
            )
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
