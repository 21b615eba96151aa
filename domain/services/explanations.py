"""Explanations: global feature importance of a run's best model and of any registered model, per column of the
uploaded CSV, most important first.

The run's is computed when the run finalizes (`at_finalize`, called by `training.finalize`) and kept on the run; a
model registered from the run's best trial gets a copy, so reading either never calls the backend. A model of another
trial (or a run finalized before explanations existed, or whose computation failed) is explained on its first
request and the result kept, so later reads are served from the store and stay the same.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from domain.entities.automl import JobStatus
from domain.entities.batch import Explanation, ExplanationResult
from domain.errors import Conflict
from domain.ports import AutoMLBackend, Store
from domain.records.kinds import MODELS, RUNS, ExplanationData, FeatureData
from domain.services._patch import read_modify_write

log = logging.getLogger(__name__)
MAX_FEATURES = 200  # kept per explanation (the most important), so a row stays well under Table Storage's limits
EXPLAINABLE = (JobStatus.COMPLETED, JobStatus.CANCELED)


def _data(run_id: str, result: ExplanationResult) -> ExplanationData:
    ranked = sorted(result.features, key=lambda f: (-f[1], f[0]))[:MAX_FEATURES]
    return ExplanationData(
        run_id=run_id,
        trial_id=result.trial_id,
        method=result.method,
        metric=result.metric,
        rows=result.rows,
        features=[FeatureData(feature=n, importance=i, std=s) for n, i, s in ranked],
        computed_at=datetime.now(UTC),
    )


def view(data: ExplanationData) -> Explanation:
    return Explanation.model_validate(data.model_dump())


def _compute(store: Store, backend: AutoMLBackend, tenant: str, run_id: str, trial_id: str | None) -> ExplanationData:
    run = RUNS.get(store, tenant, run_id)
    if run.data.status not in EXPLAINABLE or (trial_id or run.data.best_trial_id) is None:
        raise Conflict(f"The run is {run.data.status.value}: it has no model to explain yet.", target="status")
    return _data(run_id, backend.explain(tenant, run.data.job_name, trial_id or run.data.best_trial_id))


def run_explanation(store: Store, backend: AutoMLBackend, tenant: str, run_id: str) -> Explanation:
    """The best model's explanation (computed now and kept when finalize could not)."""
    run = RUNS.get(store, tenant, run_id)
    if run.data.explanation is not None:
        return view(run.data.explanation)
    data = _compute(store, backend, tenant, run_id, None)
    read_modify_write(lambda: RUNS.update(store, tenant, run_id, {"explanation": data}, actor="system"), None)
    return view(data)


def model_explanation(store: Store, backend: AutoMLBackend, tenant: str, model_id: str) -> Explanation:
    model = MODELS.get(store, tenant, model_id)
    if model.data.explanation is not None:
        return view(model.data.explanation)
    run = RUNS.get(store, tenant, model.data.run_id)
    known = run.data.explanation
    if known is not None and known.trial_id == (model.data.trial_id or run.data.best_trial_id):
        data = known
    else:
        data = _compute(store, backend, tenant, model.data.run_id, model.data.trial_id)
    read_modify_write(lambda: MODELS.update(store, tenant, model_id, {"explanation": data}, actor="system"), None)
    return view(data)


def at_finalize(store: Store, backend: AutoMLBackend, tenant: str, run_id: str) -> ExplanationData | None:
    """The best model's explanation for finalize to keep on the run (None, logged, when it cannot be computed: the
    first request tries again)."""
    run = RUNS.get(store, tenant, run_id)
    if run.data.explanation is not None:
        return run.data.explanation
    try:
        return _compute(store, backend, tenant, run_id, None)
    except Exception as exc:  # an explanation is an extra: the run's results are recorded without it
        log.warning("run %s: no explanation (%s)", run_id, exc)
        return None
