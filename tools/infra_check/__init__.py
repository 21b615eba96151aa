"""Offline checks of the Bicep templates under infra/ (docs/adr/0006-offline-infra-checks.md).

No Bicep binary is available offline, so the templates are parsed with tree-sitter-bicep and checked by our own rules:
syntax, undefined symbols, module parameters and outputs, the azd parameter file, the postdeploy hook, secrets, the
storage policy and the app settings (Flex-forbidden ones absent, every setting the app reads present).
`python -m tools.infra_check` runs them; `tools/infra_check/checkov_gate.py` runs checkov beside it.
"""

from __future__ import annotations

from tools.infra_check.findings import Finding
from tools.infra_check.runner import check_infra

__all__ = ["Finding", "check_infra"]
