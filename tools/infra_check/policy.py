"""Security policy rules: no storage keys or secret connection strings anywhere in the templates, and every storage
account keyless (shared keys off), with no public blob access and TLS 1.2, unless the line says why not with
`// policy-exception: <reason>`."""

from __future__ import annotations

import re
from pathlib import Path

from tools.infra_check.bicep import BicepFile, get, string_value, text_of
from tools.infra_check.findings import Finding

SECRET_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\blist(Keys|AccountSas|ServiceSas|ConnectionStrings|Secrets|Credentials?)\s*\(", re.I),
        "reads keys or secrets of a resource (list*() function)",
    ),
    (re.compile(r"AccountKey\s*=", re.I), "a storage account key in a connection string"),
    (re.compile(r"SharedAccess(Key|Signature)\s*=", re.I), "a shared access key or signature"),
    (re.compile(r"DefaultEndpointsProtocol\s*=", re.I), "a storage connection string"),
    (re.compile(r"\bsig=[A-Za-z0-9%]{10,}", re.I), "a SAS token"),
    (re.compile(r"\bEndpoint=sb://[^;']*;SharedAccessKeyName", re.I), "a Service Bus/Event Hubs connection string"),
)
EXCEPTION_MARK = "policy-exception:"
STORAGE_TYPE = "Microsoft.Storage/storageAccounts"
STORAGE_POLICY: tuple[tuple[str, str, str], ...] = (
    ("allowSharedKeyAccess", "false", "shared key access must be disabled (identity-based access only)"),
    ("allowBlobPublicAccess", "false", "public blob access must be disabled"),
    ("minimumTlsVersion", "TLS1_2", "minimum TLS version must be TLS1_2"),
)


def check_secrets(f: BicepFile) -> list[Finding]:
    return scan_for_secrets(f.path, f.code_without_comments())


def scan_for_secrets(path: Path, text: str) -> list[Finding]:
    """Secret patterns in `text` (a Bicep file without its comments, a parameter file, a hook script)."""
    findings: list[Finding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, what in SECRET_PATTERNS:
            if pattern.search(line):
                findings.append(Finding(path, number, "secret", f"{what}: use managed identities and roles"))
    return findings


def _has_exception(f: BicepFile, line: int) -> bool:
    return EXCEPTION_MARK in f.line_text(line)


def check_storage_policy(f: BicepFile) -> list[Finding]:
    findings: list[Finding] = []
    for res in f.resources:
        if res.type != STORAGE_TYPE or res.existing:
            continue
        props = get(res.body, "properties")
        for key, expected, why in STORAGE_POLICY:
            value = get(props, key)
            actual = None if value is None else (string_value(value) if value.type == "string" else text_of(value))
            if actual == expected:
                continue
            line = value.start_point[0] + 1 if value is not None else res.line
            if _has_exception(f, line) or _has_exception(f, res.line):
                continue
            shown = "missing" if actual is None else f"'{actual}'"
            findings.append(
                Finding(f.path, line, "storage-policy", f"storage account '{res.symbol}': {key} is {shown}; {why}")
            )
    return findings
