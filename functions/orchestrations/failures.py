"""What a failed step tells the user, and what it tells the log.

An activity's unexpected exception (anything but a `DomainError`, whose message is written for the user) is logged
with its trace under the operation or run id, and the step fails with a plain message naming that id
(`public_errors`). The durable SDK hands the orchestrator a failure as `"<reason> \\n <details>"`, the details being
the activity's traceback: `public_failure` keeps the reason only, without the SDK's wrapping, readable
(`domain.errors.readable`). So an operation's or a deployment's `error` never carries a traceback or a file path.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from domain.errors import DomainError, readable

log = logging.getLogger(__name__)
# The wrapping of an activity's failure: the extension's prefix, then the worker's `ExceptionType: message`
ACTIVITY_PREFIX = re.compile(r"^Activity function '[^']*' failed: (?:[A-Za-z_][\w.]*: )?")
R = TypeVar("R")


class StepFailed(DomainError):
    code = "StepFailed"


def public_failure(exc: BaseException, limit: int = 1000) -> str:
    """The user's view of a failed activity or orchestration step."""
    reason = str(exc).split(" \n ", 1)[0]
    return readable(ACTIVITY_PREFIX.sub("", reason), limit)


def public_errors(fn: Callable[[Any], R]) -> Callable[[Any], R]:
    """An activity whose unexpected exceptions are logged (with the trace) and re-raised as a plain message."""

    @functools.wraps(fn)
    def step(job: Any) -> R:
        try:
            return fn(job)
        except DomainError as exc:
            exc.message = readable(exc.message)
            raise
        except Exception:
            ref = (job.get("operationId") or job.get("runId") or job.get("jobId")) if isinstance(job, dict) else None
            log.exception("step %s failed unexpectedly (operation or run %s)", fn.__name__, ref)
            raise StepFailed(
                f"The step '{fn.__name__}' failed unexpectedly; the details are in the log under '{ref}'."
            ) from None

    return step
