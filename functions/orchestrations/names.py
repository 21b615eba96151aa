"""Orchestration and activity names. Activities are called by these strings (never by function object: the SDK
would use the Python __name__, notes/functions-runtime.md §2), so each equals its Python def name."""

from __future__ import annotations

from typing import TypedDict

CASCADE_DELETE = "cascade_delete"
CASCADE_STEP = "cascade_step"
CASCADE_FINISH = "cascade_finish"
CASCADE_FAIL = "cascade_fail"

TRAINING = "training"
TRAINING_PREPARE = "training_prepare"
TRAINING_POLL = "training_poll"
TRAINING_CANCEL = "training_cancel"
TRAINING_FINALIZE = "training_finalize"
JOB_EVENT = "JobEvent"
CANCEL_EVENT = "Cancel"

DEPLOYMENT = "deployment"
DEPLOY_ENDPOINT = "deploy_endpoint"
DEPLOY_CREATE = "deploy_create"
DEPLOY_STATE = "deploy_state"
DEPLOY_SMOKE = "deploy_smoke"
DEPLOY_TRAFFIC = "deploy_traffic"
DEPLOY_FAIL = "deploy_fail"

BATCH_SCORE = "batch_score"
BATCH_START = "batch_start"
BATCH_POLL = "batch_poll"
BATCH_FAIL = "batch_fail"


def instance_gone(exc: Exception) -> bool:
    """The SDK's `raise_event` error for an instance that has ended (410) or does not exist (404)."""
    text = str(exc)
    return "is gone" in text or "No instance with ID" in text


# Activity inputs. The Python worker refuses a parameter annotated with a parameterised builtin such as
# `dict[str, str]` ("invalid non-type annotation", which fails the indexing of the whole app): activity parameters are
# annotated with these classes, which the worker accepts and mypy checks.
class RunJob(TypedDict):
    tenant: str
    runId: str


class OperationJob(TypedDict):
    tenant: str
    operationId: str


class FailedOperationJob(OperationJob):
    error: str


class BatchJobRef(TypedDict):
    tenant: str
    jobId: str


class FailedBatchJob(BatchJobRef):
    error: str
