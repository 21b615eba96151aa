"""ASP.NET Core route templates as the Functions host matches them: case-insensitive, literal segments first.

Supported: literal segments, `{id}`, `{id?}`, `{id=default}`, `{id:int}` and other constraints (chained, with
arguments), `{*rest}` / `{**rest}` catch-all, and complex segments such as `{name}.{ext}`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")

_PARAM = re.compile(r"\{([^{}]+)\}")
# inbound precedence per segment (ASP.NET Core RoutePrecedence.ComputeInbound): lower wins
_LITERAL, _COMPLEX, _CONSTRAINED, _PARAMETER, _CATCH_ALL = 1, 2, 3, 4, 5


def _number(cast: Callable[[str], object]) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            cast(value)
        except ValueError:
            return False
        return True

    return check


def _guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


_SIMPLE: dict[str, Callable[[str], bool]] = {
    "int": lambda v: re.fullmatch(r"-?\d+", v) is not None and -(2**31) <= int(v) < 2**31,
    "long": lambda v: re.fullmatch(r"-?\d+", v) is not None and -(2**63) <= int(v) < 2**63,
    "bool": lambda v: v.lower() in ("true", "false"),
    "guid": _guid,
    "alpha": lambda v: re.fullmatch(r"[A-Za-z]+", v) is not None,
    "decimal": _number(float),
    "double": _number(float),
    "float": _number(float),
    "datetime": _datetime,
}


def _constraint(spec: str) -> Callable[[str], bool]:
    name, _, arg = spec.partition("(")
    name, arg = name.strip().lower(), arg[:-1] if arg.endswith(")") else arg
    if name in _SIMPLE and not arg:
        return _SIMPLE[name]
    args = [a.strip() for a in arg.split(",")] if name != "regex" else [arg]
    if name == "minlength":
        return lambda v: len(v) >= int(args[0])
    if name == "maxlength":
        return lambda v: len(v) <= int(args[0])
    if name == "length":
        shortest, longest = int(args[0]), int(args[-1])
        return lambda v: shortest <= len(v) <= longest
    if name in ("min", "max", "range"):
        low = int(args[0]) if name in ("min", "range") else None
        high = int(args[-1]) if name in ("max", "range") else None
        return lambda v: _SIMPLE["long"](v) and (low is None or int(v) >= low) and (high is None or int(v) <= high)
    if name == "regex":
        pattern = re.compile(args[0], re.IGNORECASE)
        return lambda v: pattern.search(v) is not None
    raise ValueError(f"unsupported route constraint '{spec}'")


@dataclass(frozen=True)
class _Param:
    name: str
    group: str
    optional: bool
    default: str | None
    catch_all: bool
    checks: tuple[Callable[[str], bool], ...]


def _parse_param(body: str, group: str) -> _Param:
    catch_all = body.startswith("*")
    body = body.lstrip("*")
    default = None
    if "=" in body:
        body, default = body.split("=", 1)
    # constraints may contain ':' inside regex(...): split on ':' outside parentheses
    parts, depth, current = [], 0, ""
    for ch in body:
        if ch == ":" and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        current += ch
    parts.append(current)
    name, specs = parts[0], parts[1:]
    optional = name.endswith("?")
    name = name.rstrip("?")
    return _Param(name, group, optional, default, catch_all, tuple(_constraint(s) for s in specs))


@dataclass
class Route(Generic[T]):
    template: str
    target: T
    methods: frozenset[str] | None  # None = every method
    regex: re.Pattern[str] = field(init=False)
    params: list[_Param] = field(init=False)
    precedence: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.params = []
        pieces: list[str] = []
        precedence: list[int] = []
        for segment in [s for s in self.template.strip("/").split("/") if s]:
            matches = list(_PARAM.finditer(segment))
            if not matches:
                pieces.append("/" + re.escape(segment))
                precedence.append(_LITERAL)
                continue
            if len(matches) == 1 and matches[0].group(0) == segment:
                p = self._add(matches[0].group(1))
                body = f"(?P<{p.group}>.*)" if p.catch_all else f"(?P<{p.group}>[^/]+)"
                optional = p.optional or p.default is not None or p.catch_all
                pieces.append(f"(?:/{body})?" if optional else f"/{body}")
                precedence.append(_CATCH_ALL if p.catch_all else _CONSTRAINED if p.checks else _PARAMETER)
                continue
            regex, last = "", 0
            for m in matches:
                regex += re.escape(segment[last : m.start()])
                p = self._add(m.group(1))
                regex += f"(?P<{p.group}>[^/]+?)"
                last = m.end()
            pieces.append("/" + regex + re.escape(segment[last:]))
            precedence.append(_COMPLEX)
        self.regex = re.compile("^" + "".join(pieces) + "/?$", re.IGNORECASE)
        self.precedence = tuple(precedence)

    def _add(self, body: str) -> _Param:
        param = _parse_param(body, f"p{len(self.params)}")
        self.params.append(param)
        return param

    def match(self, path: str) -> dict[str, str] | None:
        """Route values for `path` (which starts with '/'), or None when the path or a constraint does not match."""
        m = self.regex.match(path if path.startswith("/") else "/" + path)
        if m is None:
            return None
        values: dict[str, str] = {}
        for p in self.params:
            value = m.group(p.group)
            if value is None or value == "":
                if p.default is not None:
                    values[p.name] = p.default
                continue
            if not all(check(value) for check in p.checks):
                return None
            values[p.name] = value
        return values

    def allows(self, method: str) -> bool:
        return self.methods is None or method.upper() in self.methods


@dataclass
class Match(Generic[T]):
    route: Route[T] | None
    values: dict[str, str]
    path_matched: bool  # True when some route matched the path but not the method


class RouteTable(Generic[T]):
    """Routes ordered by precedence (literal < complex < constrained < parameter < catch-all, segment by segment)."""

    def __init__(self, routes: Iterable[Route[T]]) -> None:
        self.routes = sorted(routes, key=lambda r: (r.precedence, r.template.lower()))

    def match(self, path: str, method: str) -> Match[T]:
        path_matched = False
        for route in self.routes:
            values = route.match(path)
            if values is None:
                continue
            if route.allows(method):
                return Match(route, values, True)
            path_matched = True
        return Match(None, {}, path_matched)
