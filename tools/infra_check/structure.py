"""Structural rules: syntax, undefined symbols, module calls against the modules' params and outputs, registry
modules, and the azd parameter file against main.bicep."""

from __future__ import annotations

import json
from pathlib import Path

from tree_sitter import Node

from tools.infra_check.bicep import NAMESPACES, BicepFile, line_of, text_of
from tools.infra_check.findings import Finding

REGISTRY_PREFIXES = ("br:", "br/", "ts:", "ts/")


def check_syntax(f: BicepFile) -> list[Finding]:
    return [Finding(f.path, line, "syntax", f"syntax error near {near!r}") for line, near in f.syntax_errors]


def check_symbols(f: BicepFile) -> list[Finding]:
    known = f.symbols | NAMESPACES
    return [
        Finding(f.path, ref.line, "undefined-symbol", f"undefined symbol '{ref.name}' (column {ref.column})")
        for ref in f.references
        if ref.name not in known
    ]


def resolve_module(f: BicepFile, module_path: str) -> Path | None:
    if module_path.startswith(REGISTRY_PREFIXES):
        return None
    return (f.path.parent / module_path).resolve()


def check_modules(f: BicepFile, parsed: dict[Path, BicepFile]) -> list[Finding]:
    """Each module call against the called file: path exists, no registry, params known and complete, outputs exist."""
    findings: list[Finding] = []
    for call in f.modules:
        if call.path.startswith(REGISTRY_PREFIXES):
            findings.append(
                Finding(
                    f.path,
                    call.line,
                    "registry-module",
                    f"module '{call.symbol}' uses registry "
                    f"'{call.path}', which cannot be restored offline; use a local module",
                )
            )
            continue
        target_path = resolve_module(f, call.path)
        target = parsed.get(target_path) if target_path is not None else None
        if target is None:
            findings.append(
                Finding(f.path, call.line, "module-path", f"module '{call.symbol}': '{call.path}' not found")
            )
            continue
        for key, line in call.params.items():
            if key not in target.params:
                findings.append(
                    Finding(
                        f.path,
                        line,
                        "module-param",
                        f"module '{call.symbol}' passes '{key}', which {call.path} does not declare",
                    )
                )
        for name, param in target.params.items():
            if param.required and name not in call.params:
                findings.append(
                    Finding(
                        f.path,
                        call.line,
                        "module-param",
                        f"module '{call.symbol}' misses required param '{name}' of {call.path}",
                    )
                )
    findings += _check_output_references(f, parsed)
    return findings


def _module_output_refs(node: Node) -> list[tuple[str, str, int]]:
    """(module symbol, output name, line) for every `mod.outputs.x` / `mod[i].outputs.x` / `mod.?outputs.x`."""
    found: list[tuple[str, str, int]] = []
    if node.type == "member_expression":
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if obj is not None and prop is not None and obj.type == "member_expression":
            inner_obj, inner_prop = obj.child_by_field_name("object"), obj.child_by_field_name("property")
            if inner_prop is not None and text_of(inner_prop) == "outputs" and inner_obj is not None:
                if inner_obj.type == "subscript_expression":
                    inner_obj = inner_obj.child_by_field_name("object")
                if inner_obj is not None and inner_obj.type == "identifier":
                    found.append((text_of(inner_obj), text_of(prop), line_of(node)))
    for child in node.named_children:
        found += _module_output_refs(child)
    return found


def _check_output_references(f: BicepFile, parsed: dict[Path, BicepFile]) -> list[Finding]:
    findings: list[Finding] = []
    modules = f.module_symbols
    for symbol, output, line in _module_output_refs(f.root):
        call = modules.get(symbol)
        if call is None:
            continue  # a resource's `.outputs` or an undefined symbol (reported by check_symbols)
        target_path = resolve_module(f, call.path)
        target = parsed.get(target_path) if target_path is not None else None
        if target is not None and output not in target.outputs:
            findings.append(
                Finding(f.path, line, "module-output", f"'{symbol}.outputs.{output}' is not an output of {call.path}")
            )
    return findings


def check_parameter_file(main: BicepFile, parameter_file: Path) -> list[Finding]:
    """Every key of main.parameters.json is a param of main.bicep, and every required param is given."""
    try:
        document = json.loads(parameter_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [Finding(parameter_file, 0, "parameter-file", f"unreadable: {exc}")]
    given = document.get("parameters", {}) if isinstance(document, dict) else {}
    findings = [
        Finding(parameter_file, 0, "parameter-file", f"parameter '{key}' is not declared in {main.path.name}")
        for key in given
        if key not in main.params
    ]
    findings += [
        Finding(parameter_file, 0, "parameter-file", f"required parameter '{name}' of {main.path.name} is not given")
        for name, param in main.params.items()
        if param.required and name not in given
    ]
    return findings
