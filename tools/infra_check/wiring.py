"""Deployment wiring rules: the azd postdeploy hook against the templates, and the Event Grid function name.

The hook passes `name="$VAR"` pairs to `az deployment group create --template-file <file>`: every name must be a param
of that file (and every required param given), and every `$VAR` must be an output of main.bicep (azd exports them)
or an azd built-in. The output EVENTGRID_FUNCTION_NAME must be the Python def name of the Event Grid function.
"""

from __future__ import annotations

import re
from pathlib import Path

from tools.infra_check.bicep import BicepFile, string_value, text_of
from tools.infra_check.findings import Finding

EVENTGRID_FUNCTION = "on_automl_run_event"  # functions/events/: @app.event_grid_trigger def on_automl_run_event
AZD_BUILTINS = frozenset({"AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_SUBSCRIPTION_ID", "AZURE_PRINCIPAL_ID"})
_TEMPLATE = re.compile(r"--template-file\s+(\S+)")
_PAIR = re.compile(r"\b([A-Za-z][A-Za-z0-9]*)=\"\$\{?([A-Z][A-Z0-9_]*)\}?\"")
_VAR = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")


def output_literal(main: BicepFile, output: str) -> str | None:
    """The literal value of an output, following one variable if the output is a variable."""
    node = main.outputs.get(output)
    if node is not None and node.type == "identifier":
        node = main.variables.get(text_of(node))
    return string_value(node)


def check_eventgrid_function(main: BicepFile) -> list[Finding]:
    value = output_literal(main, "EVENTGRID_FUNCTION_NAME")
    if value == EVENTGRID_FUNCTION:
        return []
    return [
        Finding(
            main.path,
            0,
            "eventgrid-function",
            f"output EVENTGRID_FUNCTION_NAME must be the literal '{EVENTGRID_FUNCTION}' (is {value!r})",
        )
    ]


def check_hook(hook: Path, repo_root: Path, main: BicepFile, parsed: dict[Path, BicepFile]) -> list[Finding]:
    if not hook.is_file():
        return [Finding(hook, 0, "hook", "postdeploy hook not found")]
    text = hook.read_text(encoding="utf-8")
    findings: list[Finding] = []
    for var in sorted(set(_VAR.findall(text)) - AZD_BUILTINS):
        if var not in main.outputs:
            findings.append(Finding(hook, 0, "hook", f"${var} is not an output of {main.path.name}"))
    match = _TEMPLATE.search(text)
    template = None
    if match:  # the hook runs from the repository root: infra/<file>; a copied infra/ folder may have another name
        named = Path(match.group(1))
        candidates = [repo_root / named, hook.parent.parent / Path(*named.parts[1:])]
        template = next((parsed[c.resolve()] for c in candidates if c.resolve() in parsed), None)
    if template is None:
        return [*findings, Finding(hook, 0, "hook", "no --template-file that names a parsed Bicep file")]
    passed = {name for name, _var in _PAIR.findall(text)}
    findings += [
        Finding(hook, 0, "hook", f"parameter '{name}' is not declared in {template.path.name}")
        for name in sorted(passed - set(template.params))
    ]
    findings += [
        Finding(hook, 0, "hook", f"required parameter '{name}' of {template.path.name} is not passed")
        for name, param in template.params.items()
        if param.required and name not in passed
    ]
    return findings
