"""The offline checker passes the committed templates and fails a copy with each seeded fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.infra.conftest import INFRA, Edit
from tools.infra_check import Finding, check_infra
from tools.infra_check.__main__ import main


def rules_and_messages(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in findings]


def assert_found(findings: list[Finding], rule: str, text: str) -> Finding:
    matching = [f for f in findings if f.rule == rule and text in f.message]
    assert matching, f"no [{rule}] finding containing {text!r} in {rules_and_messages(findings)}"
    return matching[0]


def test_committed_templates_pass() -> None:
    assert check_infra(INFRA) == []


def test_untouched_copy_passes(infra_copy: Path) -> None:
    assert check_infra(infra_copy) == []


def test_undefined_symbol(infra_copy: Path, edit: Edit) -> None:
    edit("modules/identity.bicep", "  location: location\n", "  location: locaton\n")
    finding = assert_found(check_infra(infra_copy), "undefined-symbol", "'locaton'")
    assert finding.path.name == "identity.bicep"
    assert finding.line == 13


def test_misspelt_function_and_decorator(infra_copy: Path, edit: Edit) -> None:
    edit("main.bicep", "toLower(uniqueString(", "toLower(uniqeString(")
    edit("modules/monitoring.bicep", "@minValue(30)", "@minimumValue(30)")
    findings = check_infra(infra_copy)
    assert_found(findings, "unknown-function", "unknown function 'uniqeString'")
    assert_found(findings, "unknown-function", "unknown decorator 'minimumValue'")


def test_storage_key_in_a_setting(infra_copy: Path, edit: Edit) -> None:
    edit(
        "modules/functionapp.bicep",
        "    AzureWebJobsStorage__credential: 'managedidentity'\n",
        "    AzureWebJobsStorage__credential: 'managedidentity'\n"
        "    MY_STORAGE: 'DefaultEndpointsProtocol=https;AccountName=x;"
        "AccountKey=${listKeys(identityId, '2023-01-01')}'\n",
    )
    findings = check_infra(infra_copy)
    assert_found(findings, "secret", "storage account key")
    assert_found(findings, "secret", "list*()")
    assert_found(findings, "secret", "storage connection string")


def test_secret_in_the_parameter_file(infra_copy: Path, edit: Edit) -> None:
    edit(
        "main.parameters.json",
        '"${AZUREML_COMPUTE}"',
        '"BlobEndpoint=https://x.blob.core.windows.net/;SharedAccessSignature=sv=2022&sig=abcdefghijklmnop"',
    )
    finding = assert_found(check_infra(infra_copy), "secret", "shared access key or signature")
    assert finding.path.name == "main.parameters.json"


def test_keyed_host_storage_setting_is_forbidden(infra_copy: Path, edit: Edit) -> None:
    edit(
        "modules/functionapp.bicep",
        "    AzureWebJobsStorage__credential: 'managedidentity'\n",
        "    AzureWebJobsStorage__credential: 'managedidentity'\n    AzureWebJobsStorage: storageBlobEndpoint\n",
    )
    assert_found(check_infra(infra_copy), "flex-forbidden", "'AzureWebJobsStorage'")


def test_module_output_that_does_not_exist(infra_copy: Path, edit: Edit) -> None:
    edit("main.bicep", "storage.outputs.queueEndpoint", "storage.outputs.queueUrl")
    assert_found(check_infra(infra_copy), "module-output", "'storage.outputs.queueUrl' is not an output")


def test_parameter_file_key_that_does_not_exist(infra_copy: Path, edit: Edit) -> None:
    edit("main.parameters.json", '"azuremlCompute"', '"azureMlCompute"')
    assert_found(check_infra(infra_copy), "parameter-file", "'azureMlCompute' is not declared in main.bicep")


def test_required_parameter_missing_from_parameter_file(infra_copy: Path, edit: Edit) -> None:
    edit("main.parameters.json", '    "location": {"value": "${AZURE_LOCATION}"},\n', "")
    assert_found(check_infra(infra_copy), "parameter-file", "required parameter 'location'")


def test_missing_app_setting(infra_copy: Path, edit: Edit) -> None:
    edit("modules/functionapp.bicep", "    CORS_ALLOWED_ORIGINS: corsAllowedOrigins\n", "")
    finding = assert_found(check_infra(infra_copy), "missing-setting", "'CORS_ALLOWED_ORIGINS'")
    assert "domain/settings.py" in finding.message


def test_empty_literal_for_a_setting_without_default(infra_copy: Path, edit: Edit) -> None:
    edit("modules/functionapp.bicep", "ENTRA_AUDIENCE: entraAudience", "ENTRA_AUDIENCE: ''")
    assert_found(check_infra(infra_copy), "setting-value", "'ENTRA_AUDIENCE' has no local default")


def test_missing_host_storage_setting(infra_copy: Path, edit: Edit) -> None:
    edit("modules/functionapp.bicep", "    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint\n", "")
    assert_found(check_infra(infra_copy), "missing-setting", "'AzureWebJobsStorage__queueServiceUri'")


def test_flex_forbidden_setting(infra_copy: Path, edit: Edit) -> None:
    edit(
        "modules/functionapp.bicep",
        "    TASKHUB_NAME: taskHubName\n",
        "    TASKHUB_NAME: taskHubName\n    FUNCTIONS_WORKER_RUNTIME: 'python'\n",
    )
    assert_found(check_infra(infra_copy), "flex-forbidden", "'FUNCTIONS_WORKER_RUNTIME'")


def test_local_mode_in_azure(infra_copy: Path, edit: Edit) -> None:
    edit("modules/functionapp.bicep", "AUTH_MODE: 'entra'", "AUTH_MODE: 'dev'")
    assert_found(check_infra(infra_copy), "setting-value", "'AUTH_MODE' must be 'entra'")


def test_module_called_with_an_unknown_param(infra_copy: Path, edit: Edit) -> None:
    edit("main.bicep", "    planName: 'plan-${resourceToken}'\n", "    planNam: 'plan-${resourceToken}'\n")
    findings = check_infra(infra_copy)
    assert_found(findings, "module-param", "passes 'planNam', which modules/functionapp.bicep does not declare")
    assert_found(findings, "module-param", "misses required param 'planName'")


def test_storage_with_shared_keys(infra_copy: Path, edit: Edit) -> None:
    edit("modules/storage.bicep", "allowSharedKeyAccess: false", "allowSharedKeyAccess: true")
    assert_found(check_infra(infra_copy), "storage-policy", "allowSharedKeyAccess is 'true'")


def test_policy_exception_comment_is_honoured(infra_copy: Path, edit: Edit) -> None:
    edit(
        "modules/ml-workspace.bicep",
        "    allowSharedKeyAccess: false\n",
        "    allowSharedKeyAccess: true // policy-exception: studio needs keys in this test\n",
    )
    assert check_infra(infra_copy) == []


def test_registry_module(infra_copy: Path, edit: Edit) -> None:
    edit("main.bicep", "'modules/identity.bicep'", "'br/public:avm/res/managed-identity/user-assigned-identity:0.4.0'")
    assert_found(check_infra(infra_copy), "registry-module", "cannot be restored offline")


def test_syntax_error(infra_copy: Path, edit: Edit) -> None:
    edit("modules/monitoring.bicep", "    DisableLocalAuth: true\n", "    DisableLocalAuth: true,,\n")
    assert_found(check_infra(infra_copy), "syntax", "syntax error")


def test_hook_passes_a_param_the_template_lacks(infra_copy: Path, edit: Edit) -> None:
    edit("hooks/postdeploy.sh", 'functionName="$EVENTGRID_FUNCTION_NAME"', 'function="$EVENTGRID_FUNCTION_NAME"')
    findings = check_infra(infra_copy)
    assert_found(findings, "hook", "parameter 'function' is not declared in eventgrid-subscription.bicep")
    assert_found(findings, "hook", "required parameter 'functionName'")


def test_hook_uses_a_variable_main_does_not_output(infra_copy: Path, edit: Edit) -> None:
    edit("main.bicep", "output EVENTGRID_DEADLETTER_CONTAINER string", "output DEADLETTER_CONTAINER string")
    assert_found(check_infra(infra_copy), "hook", "$EVENTGRID_DEADLETTER_CONTAINER is not an output")


def test_eventgrid_function_name_drift(infra_copy: Path, edit: Edit) -> None:
    edit("main.bicep", "var eventGridFunctionName = 'on_automl_run_event'", "var eventGridFunctionName = 'on_run'")
    assert_found(check_infra(infra_copy), "eventgrid-function", "'on_automl_run_event'")


def test_loop_variables_and_lambda_parameters_are_in_scope(infra_copy: Path, edit: Edit) -> None:
    edit(
        "main.bicep",
        "var datasetsContainerName = 'datasets'\n",
        "var datasetsContainerName = 'datasets'\nvar probe = [for (c, i) in map(['a'], x => x): '${c}${i}']\n"
        "var probe2 = filter(probe, (p, j) => j > 0 && p != undefinedThing)\nvar leak = c\n",
    )
    findings = check_infra(infra_copy)
    assert [f.message for f in findings if f.rule == "undefined-symbol"] == [
        "undefined symbol 'undefinedThing' (column 52)",
        "undefined symbol 'c' (column 12)",
    ]


@pytest.mark.parametrize("broken", [False, True])
def test_cli_exit_code(infra_copy: Path, edit: Edit, broken: bool, capsys: pytest.CaptureFixture[str]) -> None:
    if broken:
        edit(
            "main.bicep",
            "storage.outputs.blobEndpoint\n    storageQueueEndpoint",
            "storage.outputs.blob\n    storageQueueEndpoint",
        )
    assert main([str(infra_copy)]) == (1 if broken else 0)
    out = capsys.readouterr().out
    assert ("module-output" in out) is broken
