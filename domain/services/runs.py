"""Reading runs and their trials. Runs are created and advanced by the training orchestration (issue 6); here they
can be listed, read, and deleted (a cascade through `domain.services.cascade`)."""

from __future__ import annotations

from typing import Any

from domain.entities.automl import LOWER_IS_BETTER
from domain.entities.runs import Run, TrialModel
from domain.services._records import to_model


def get_run(store: Any, tenant: str, run_id: str) -> Run:
    return to_model(Run, store.get(tenant, "run", run_id))


def list_runs(
    store: Any, tenant: str, *, experiment_id: str | None, status: str | None, top: int, continuation: str | None
) -> tuple[list[Run], str | None]:
    where: dict[str, Any] = {}
    if experiment_id:
        where["experiment_id"] = experiment_id
    if status:
        where["status"] = status
    page = store.list(tenant, "run", where=where or None, top=top, continuation=continuation)
    return [to_model(Run, r) for r in page.items], page.continuation


def leaderboard(store: Any, tenant: str, run_id: str) -> list[TrialModel]:
    """Every trial of the run, best first by the run's primary metric (sorted here: Table Storage cannot)."""
    run = store.get(tenant, "run", run_id)
    lower = run.data.get("primary_metric") in LOWER_IS_BETTER
    trials, token = [], None
    while True:
        page = store.list(tenant, "trial", parent_id=run_id, top=1000, continuation=token)
        trials += page.items
        token = page.continuation
        if not token:
            break
    scored = sorted(
        (t for t in trials if t.data.get("score") is not None), key=lambda t: t.data["score"], reverse=not lower
    )
    unscored = [t for t in trials if t.data.get("score") is None]
    out = []
    for rank, t in enumerate(scored + unscored, start=1):
        fields = {k: v for k, v in t.data.items() if k in TrialModel.model_fields}
        out.append(TrialModel.model_validate({**fields, "trial_id": t.id, "rank": rank}))
    return out
