"""A Bicep file parsed with tree-sitter-bicep, and the declarations the rules need.

tree-sitter gives a concrete syntax tree and no semantics; this module extracts what the rules compare: parameters
(required or not), outputs, top-level symbols, resources (type, existing or not, body), module calls (path, the keys
of `params`), and the identifiers used as references, each with its scope resolved (loop variables, lambda
parameters).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import tree_sitter_bicep
from tree_sitter import Language, Node, Parser

DECLARATIONS = {
    "parameter_declaration": "param",
    "variable_declaration": "var",
    "resource_declaration": "resource",
    "module_declaration": "module",
    "output_declaration": "output",
    "user_defined_function": "func",
    "type_declaration": "type",
}
NAMESPACES = frozenset({"az", "sys"})  # az.resourceGroup(), sys.concat(): namespaces, not symbols


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_bicep.language()))


def line_of(node: Node) -> int:
    return node.start_point[0] + 1


def text_of(node: Node) -> str:
    return (node.text or b"").decode("utf-8")


def string_value(node: Node | None) -> str | None:
    """The value of a string literal without interpolation, else None."""
    if node is None or node.type != "string":
        return None
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "interpolation":
            return None
        if child.type == "escape_sequence":
            parts.append(text_of(child)[1:])
        else:
            parts.append(text_of(child))
    return "".join(parts)


def key_of(prop: Node) -> str | None:
    """The key of an object_property: an identifier or a string literal."""
    key = prop.named_children[0] if prop.named_children else None
    if key is None:
        return None
    if key.type == "identifier":
        return text_of(key)
    return string_value(key)


def value_of(prop: Node) -> Node | None:
    """The value node of an object_property (its last named child that is not a comment)."""
    kids = [c for c in prop.named_children if c.type != "comment"]
    return kids[-1] if len(kids) >= 2 else None


def properties(obj: Node | None) -> Iterator[tuple[str, Node, Node]]:
    """(key, property node, value node) of each property of an object literal."""
    if obj is None or obj.type != "object":
        return
    for prop in obj.named_children:
        if prop.type != "object_property":
            continue
        key, value = key_of(prop), value_of(prop)
        if key is not None and value is not None:
            yield key, prop, value


def get(obj: Node | None, *path: str) -> Node | None:
    """The value at `path` in nested object literals, or None."""
    node = obj
    for step in path:
        found = None
        for key, _prop, value in properties(node):
            if key == step:
                found = value
        if found is None:
            return None
        node = found
    return node


def body_object(decl: Node) -> Node | None:
    """The object literal of a resource or module declaration, through `if (...)` and `[for ...: ...]`."""
    for child in reversed(decl.named_children):
        node: Node | None = child
        while node is not None and node.type in ("for_statement", "if_statement"):
            node = node.child_by_field_name("body") or node.named_children[-1]
        if node is not None and node.type == "object":
            return node
        if child.type in ("object", "if_statement", "for_statement"):
            return None
    return None


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    line: int
    required: bool


@dataclass(frozen=True, slots=True)
class Resource:
    symbol: str
    type: str  # "Microsoft.Storage/storageAccounts" (no API version)
    existing: bool
    line: int
    body: Node | None
    node: Node


@dataclass(frozen=True, slots=True)
class ModuleCall:
    symbol: str
    path: str
    line: int
    params: dict[str, int]  # key -> line


@dataclass(frozen=True, slots=True)
class Reference:
    name: str
    line: int
    column: int


@dataclass
class BicepFile:
    path: Path
    source: bytes
    root: Node
    params: dict[str, Param] = field(default_factory=dict)
    outputs: dict[str, Node] = field(default_factory=dict)
    variables: dict[str, Node] = field(default_factory=dict)
    symbols: set[str] = field(default_factory=set)
    resources: list[Resource] = field(default_factory=list)
    modules: list[ModuleCall] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    syntax_errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def module_symbols(self) -> dict[str, ModuleCall]:
        return {m.symbol: m for m in self.modules}

    def code_without_comments(self) -> str:
        """The source with every comment blanked (same offsets), for text scans that must ignore comments."""
        data = bytearray(self.source)
        for node in _walk(self.root):
            if node.type == "comment":
                for i in range(node.start_byte, node.end_byte):
                    if data[i] not in (0x0A, 0x0D):
                        data[i] = 0x20
        return data.decode("utf-8")

    def line_text(self, line: int) -> str:
        lines = self.source.decode("utf-8").splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


# `extension <alias>` (an extension named in bicepconfig.json, e.g. microsoftGraphV1) is newer than the grammar: the
# line is blanked (same offsets) before parsing. The inline form `extension 'br:…'` stays a syntax error.
_EXTENSION = re.compile(rb"^extension[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*$", re.M)


def parse_bicep(path: Path) -> BicepFile:
    raw = path.read_bytes()
    source = _EXTENSION.sub(lambda m: b" " * len(m.group(0)), raw)
    tree = _parser().parse(source)
    f = BicepFile(path=path, source=source, root=tree.root_node)
    for node in _walk(tree.root_node):
        if node.type == "ERROR" or node.is_missing:
            f.syntax_errors.append((line_of(node), text_of(node)[:40] or node.type))
    for decl in tree.root_node.named_children:
        _declare(f, decl)
    _collect_references(f, tree.root_node, frozenset())
    return f


def _declare(f: BicepFile, decl: Node) -> None:
    kind = DECLARATIONS.get(decl.type)
    if kind is None or not decl.named_children:
        return
    name = text_of(decl.named_children[0])
    if kind != "output":
        f.symbols.add(name)
    if kind == "param":
        type_node = decl.named_children[1] if len(decl.named_children) > 1 else None
        nullable = type_node is not None and text_of(type_node).endswith("?")
        has_default = len([c for c in decl.named_children if c.type != "comment"]) >= 3
        f.params[name] = Param(name, line_of(decl), required=not (has_default or nullable))
    elif kind == "output":
        f.outputs[name] = decl.named_children[-1]
    elif kind == "var":
        f.variables[name] = decl.named_children[-1]
    elif kind == "resource":
        _declare_resource(f, decl)
    elif kind == "module":
        body = body_object(decl)
        path = string_value(decl.named_children[1]) or ""
        params = {key: line_of(prop) for key, prop, _v in properties(get(body, "params"))}
        f.modules.append(ModuleCall(name, path, line_of(decl), params))


def _declare_resource(f: BicepFile, decl: Node) -> None:
    name = text_of(decl.named_children[0])
    type_with_version = string_value(decl.named_children[1]) or ""
    existing = any(child.type == "existing" for child in decl.children)
    body = body_object(decl)
    f.resources.append(Resource(name, type_with_version.split("@")[0], existing, line_of(decl), body, decl))
    for _key, _prop, value in properties(body):
        if value.type == "resource_declaration":  # nested child resource: reachable as parent::child
            f.symbols.add(text_of(value.named_children[0]))
            _declare_resource(f, value)


def _is_reference(node: Node) -> bool:
    parent = node.parent
    if parent is None:
        return False
    first = parent.named_children[0] if parent.named_children else None
    if parent.type in DECLARATIONS or parent.type in ("object_property", "parameter", "type_declaration"):
        return not (first is not None and first.id == node.id)
    if parent.type == "call_expression":
        return parent.child_by_field_name("function") != node
    if parent.type == "resource_expression":
        return first is not None and first.id == node.id
    return parent.type not in ("type", "decorator")


def _collect_references(f: BicepFile, node: Node, local: frozenset[str]) -> None:
    if node.type in ("type", "comment"):
        return
    if node.type == "for_statement" and node.named_children:
        head = node.named_children[0]
        names = {text_of(head)} if head.type == "identifier" else {text_of(c) for c in head.named_children}
        for child in node.named_children[1:]:
            _collect_references(f, child, local | names)
        return
    if node.type == "lambda_expression" and node.named_children:
        head = node.named_children[0]
        names = {text_of(c) for c in head.named_children} if head.type != "identifier" else {text_of(head)}
        for child in node.named_children[1:]:
            _collect_references(f, child, local | names)
        return
    if node.type == "user_defined_function":
        args = node.child_by_field_name("parameters") or (node.named_children[1] if node.named_children else None)
        names = {text_of(p.named_children[0]) for p in args.named_children} if args is not None else set()
        for child in node.named_children[1:]:
            _collect_references(f, child, local | names)
        return
    if node.type == "identifier" and _is_reference(node):
        name = text_of(node)
        if name not in local:
            f.references.append(Reference(name, line_of(node), node.start_point[1] + 1))
        return
    for child in node.named_children:
        _collect_references(f, child, local)
