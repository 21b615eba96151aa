"""The service-storage seam is typed (docs/adr/0013-typed-seam-and-records.md): no `Any` in the ports, the seam's
vocabulary, the typed records, the services, the wiring and the orchestration starters; and every store, series,
backend and blob-store parameter of a service names its port. mypy enforces the first part too
(`disallow_any_explicit` for these modules in pyproject.toml); this test counts, so the number is printed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEAM = [
    ROOT / "domain/ports.py",
    ROOT / "domain/ports_automl.py",
    ROOT / "domain/storage/records.py",
    *sorted((ROOT / "domain/records").rglob("*.py")),
    *sorted((ROOT / "domain/services").rglob("*.py")),
    ROOT / "functions/_wiring.py",
    ROOT / "functions/orchestrations/starters.py",
]
PORTS = {"store": {"Store", "RowStore"}, "series": {"RowStore"}, "backend": {"AutoMLBackend"}, "blobs": {"BlobStore"}}


def any_uses(source: str) -> list[int]:
    """Lines naming `Any` (typing.Any, `Any`, or inside a string annotation)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            (isinstance(node, ast.Name) and node.id == "Any")
            or (isinstance(node, ast.Attribute) and node.attr == "Any")
            or (isinstance(node, ast.alias) and node.name == "Any")
        ):
            lines.append(node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
            try:
                inner = ast.parse(node.value, mode="eval")
            except SyntaxError:
                continue  # prose, not a type
            if any(isinstance(n, ast.Name) and n.id == "Any" for n in ast.walk(inner)):
                lines.append(node.lineno)
    return sorted(set(lines))


def untyped_ports(source: str) -> list[str]:
    """Parameters named like a port (store, series, backend, blobs) not annotated with that port."""
    bad = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for arg in [*node.args.args, *node.args.kwonlyargs]:
                want = PORTS.get(arg.arg)
                if want is not None and (arg.annotation is None or ast.unparse(arg.annotation) not in want):
                    bad.append(f"{node.name}({arg.arg}: {ast.unparse(arg.annotation) if arg.annotation else '?'})")
    return bad


def test_no_any_at_the_seam() -> None:
    found = {str(p.relative_to(ROOT)): any_uses(p.read_text()) for p in SEAM}
    found = {k: v for k, v in found.items() if v}
    count = sum(len(v) for v in found.values())
    print(f"Any at the service-storage seam: {count} in {len(SEAM)} files")
    assert count == 0, found


def test_services_name_their_ports() -> None:
    services = [p for p in SEAM if "domain/services" in p.as_posix() or p.name == "starters.py"]
    bad = {str(p.relative_to(ROOT)): untyped_ports(p.read_text()) for p in services}
    assert {k: v for k, v in bad.items() if v} == {}


def test_wiring_returns_the_concrete_adapters() -> None:
    tree = ast.parse((ROOT / "functions/_wiring.py").read_text())
    returns = {n.name: ast.unparse(n.returns) for n in tree.body if isinstance(n, ast.FunctionDef) and n.returns}
    assert returns["store"] == "EntityStore" and returns["series"] == "EntityStore"
    assert returns["backend"] == "AutoMLBackend" and returns["blobs"] == "BlobStore"


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("from typing import Any\ndef f(store: Any) -> None: ...\n", [1, 2]),
        ("import typing\nx: dict[str, typing.Any] = {}\n", [2]),
        ("def f(store: 'dict[str, Any]') -> None: ...\n", [1]),
        ("def f(store: Store) -> None:\n    '''Any way you like.'''\n", []),
    ],
)
def test_the_count_sees_every_spelling(source: str, lines: list[int]) -> None:
    assert any_uses(source) == lines


def test_a_port_parameter_without_its_port_is_named() -> None:
    assert untyped_ports("def f(store: object, backend: AutoMLBackend) -> None: ...") == ["f(store: object)"]
