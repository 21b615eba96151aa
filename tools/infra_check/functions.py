"""Calls to functions that Bicep does not have: a misspelt built-in (`uniqeString(...)`) parses fine, so the symbol
rule alone would not see it. Names come from the Bicep documentation (sys and az namespaces, decorators)."""

from __future__ import annotations

from tree_sitter import Node

from tools.infra_check.bicep import BicepFile, line_of, text_of
from tools.infra_check.findings import Finding

SYS_FUNCTIONS = frozenset(
    [
        "any",
        "array",
        "base64",
        "base64ToJson",
        "base64ToString",
        "bool",
        "buildUri",
        "cidrHost",
        "cidrSubnet",
        "coalesce",
        "concat",
        "contains",
        "dataUri",
        "dataUriToString",
        "dateTimeAdd",
        "dateTimeFromEpoch",
        "dateTimeToEpoch",
        "empty",
        "endsWith",
        "externalInput",
        "fail",
        "filter",
        "first",
        "flatten",
        "format",
        "groupBy",
        "guid",
        "indexOf",
        "int",
        "intersection",
        "items",
        "join",
        "json",
        "lambda",
        "last",
        "lastIndexOf",
        "length",
        "loadFileAsBase64",
        "loadJsonContent",
        "loadTextContent",
        "loadYamlContent",
        "map",
        "mapValues",
        "max",
        "min",
        "newGuid",
        "objectKeys",
        "padLeft",
        "parseCidr",
        "parseUri",
        "range",
        "readEnvironmentVariable",
        "reduce",
        "replace",
        "shallowMerge",
        "skip",
        "sort",
        "split",
        "startsWith",
        "string",
        "substring",
        "take",
        "toLower",
        "toObject",
        "toUpper",
        "trim",
        "tryGet",
        "union",
        "uniqueString",
        "uri",
        "uriComponent",
        "uriComponentToString",
        "utcNow",
    ]
)
AZ_FUNCTIONS = frozenset(
    [
        "deployer",
        "deployment",
        "environment",
        "extensionResourceId",
        "listAccountSas",
        "listKeys",
        "listSecrets",
        "listServiceSas",
        "managementGroup",
        "managementGroupResourceId",
        "pickZones",
        "providers",
        "reference",
        "resourceGroup",
        "resourceId",
        "subscription",
        "subscriptionResourceId",
        "tenant",
        "tenantResourceId",
        "toLogicalZone",
        "toPhysicalZone",
    ]
)
DECORATORS = frozenset(
    [
        "allowed",
        "batchSize",
        "description",
        "discriminator",
        "export",
        "maxLength",
        "maxValue",
        "metadata",
        "minLength",
        "minValue",
        "onlyIfNotExists",
        "retryOn",
        "sealed",
        "secure",
        "waitUntil",
    ]
)


def _calls(node: Node, in_decorator: bool = False) -> list[tuple[str, int, bool]]:
    found: list[tuple[str, int, bool]] = []
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "identifier":
            found.append((text_of(function), line_of(node), in_decorator))
    for child in node.named_children:
        found += _calls(child, in_decorator or node.type == "decorator")
    return found


def check_functions(f: BicepFile, user_functions: frozenset[str] = frozenset()) -> list[Finding]:
    declared = user_functions | {
        text_of(d.named_children[0]) for d in f.root.named_children if d.type == "user_defined_function"
    }
    findings: list[Finding] = []
    for name, line, in_decorator in _calls(f.root):
        known = DECORATORS if in_decorator else SYS_FUNCTIONS | AZ_FUNCTIONS | declared
        if name not in known and not name.startswith("list"):  # list*() resource actions (the secret rule sees them)
            kind = "decorator" if in_decorator else "function"
            findings.append(Finding(f.path, line, "unknown-function", f"unknown {kind} '{name}'"))
    return findings
