"""Infra that must agree with the code: the Python version Azure runs (the worker library's), the Event Grid filter
on the tag the app puts on its jobs, a workspace whose only identity is user-assigned."""

from __future__ import annotations

import re
import sys

from domain.automl.azureml import naming
from tests.infra.conftest import INFRA, REPO


def test_flex_runs_the_python_the_project_tests_with() -> None:
    app = (INFRA / "modules" / "functionapp.bicep").read_text()
    runtime = re.search(r"runtime:\s*\{\s*name:\s*'python'\s*version:\s*'([\d.]+)'", app)
    assert runtime is not None and runtime.group(1) == "3.13" == f"{sys.version_info[0]}.{sys.version_info[1]}"
    pinned = (REPO / "requirements.txt").read_text()
    assert re.search(r"^azure-functions-runtime==\d+\.\d+\.\d+$", pinned, re.M)
    assert re.search(r"^azure-functions==2\.", pinned, re.M)


def test_event_subscription_keeps_only_the_apps_parent_runs() -> None:
    sub = (INFRA / "eventgrid-subscription.bicep").read_text()
    assert f"param appTag string = '{naming.APP}'" in sub
    assert f"key: 'data.runTags.{naming.TAG_APP}'" in sub and "operatorType: 'StringIn'" in sub
    assert "ModelRegistered" not in sub  # delivered and ignored before: an invocation each


def test_workspace_identity_may_be_user_assigned_only() -> None:
    access = (INFRA / "modules" / "ml-access.bicep").read_text()
    assert "primaryUserAssignedIdentity" in access and "'WorkspaceUserAssignedIdentity'" in access
    rbac = (INFRA / "modules" / "rbac.bicep").read_text()
    assert "= if (!empty(mlWorkspacePrincipalId))" in rbac
