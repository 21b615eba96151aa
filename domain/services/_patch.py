"""PATCH semantics shared by every resource: JSON merge patch (RFC 7396) and the server's own read-modify-write.

- `merge_patch(target, patch)`: RFC 7396 section 2. Members absent from the patch keep their values, objects are
  merged member by member, `null` removes a member, any other value (arrays included) replaces it.
- `read_modify_write(attempt, etag)`: with If-Match the client owns the race, so one attempt and 412 on a stale ETag.
  Without it the server owns it: it re-reads and retries its own change when another writer got in between, a
  bounded number of times with jittered backoff, so a PATCH without If-Match never answers 412.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from domain.errors import ConcurrencyConflict, Conflict, ErrorDetail, ValidationFailed

T = TypeVar("T")
ATTEMPTS = 25
BACKOFF_BASE, BACKOFF_CAP = 0.01, 0.4


def merge_patch(target: object, patch: object) -> object:
    """RFC 7396 MergePatch(Target, Patch)."""
    if not isinstance(patch, Mapping):
        return patch
    result: dict[str, object] = dict(target) if isinstance(target, Mapping) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


def merged_changes(current: Mapping[str, object], patch: Mapping[str, object]) -> dict[str, object]:
    """The new value of each top-level field the patch names (None: the field is removed / reset to its default)."""
    merged = merge_patch(current, patch)
    assert isinstance(merged, dict)
    return {name: merged.get(name) for name in patch}


def read_modify_write(attempt: Callable[[], T], etag: str | None) -> T:
    """Run `attempt` (read, change, conditional write); retried on ConcurrencyConflict only when `etag` is None."""
    if etag is not None:
        return attempt()
    for n in range(ATTEMPTS):
        try:
            return attempt()
        except ConcurrencyConflict:
            time.sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**n)))  # full jitter
    raise Conflict(
        f"The resource kept changing during {ATTEMPTS} attempts to apply the change; send it again.", target="etag"
    )


MAX_TAGS = 32


def check_merged(model: type[BaseModel], data: Mapping[str, object], prefix: str = "") -> None:
    """The merged resource must still be valid: each problem as a detail naming the request field (camelCase)."""
    tags = data.get("tags")
    if isinstance(tags, Mapping) and len(tags) > MAX_TAGS:
        raise ValidationFailed(f"A resource has at most {MAX_TAGS} tags.", target="tags")
    try:
        model.model_validate(data)
    except ValidationError as exc:
        details = [
            ErrorDetail("InvalidValue", e["msg"].removeprefix("Value error, "), _camel(prefix, e["loc"]))
            for e in exc.errors(include_input=False, include_url=False)
        ]
        raise ValidationFailed(details[0].message, target="body", details=details) from None


def _camel(prefix: str, loc: tuple[int | str, ...]) -> str:
    parts = [to_camel(p) if isinstance(p, str) else str(p) for p in loc]
    return ".".join([prefix, *parts] if prefix else parts)
