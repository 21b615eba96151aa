"""Registered models: from a run's best trial (auto-register at the end of a run) or any trial (`POST .../models`).

Restrict rule: a model used by a deployment cannot be deleted; the reference row `ref|model|{m}|deployment|{e}|{d}`
is written in the same transaction as the deployment (`deployments.py`)."""

from __future__ import annotations

import contextlib

from domain.entities.automl import ModelRef
from domain.entities.datasets import ColumnType
from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.entities.serving import InputColumn, Model, ModelCreate
from domain.errors import Conflict, NameTaken, NotFound, ReferencedBy, ValidationFailed
from domain.ports import AutoMLBackend, Store
from domain.records import rows
from domain.records.kinds import MODELS, RUNS, TRIALS, ModelData, RunData
from domain.services._views import View, actor
from domain.services.datasets import get_version
from domain.storage.keys import model_refs

MODEL = View(MODELS, Model)
# reading, listing a page and patching: the same for every resource (`View`, domain/services/_views.py)
get_model = MODEL.read
list_models = MODEL.page
update_model = MODEL.patch


def input_columns(store: Store, tenant: str, run: RunData) -> list[InputColumn]:
    """A model's signature for scoring forms: its run's training columns less the target, typed by the dataset
    version's profile (empty when the run has no recorded spec)."""
    if run.spec is None:
        return []
    dataset = run.spec.dataset
    types: dict[str, ColumnType] = {}
    with contextlib.suppress(NotFound):
        version = get_version(store, tenant, dataset.dataset_id, dataset.version)
        types = {c.name: c.type for c in (version.profile.columns if version.profile else [])}
    target = run.spec.target_column
    return [InputColumn(name=c, type=types.get(c, ColumnType.STRING)) for c in dataset.columns if c != target]


def create_model(store: Store, principal: Principal, tenant: str, body: ModelCreate) -> Model:
    """From the run's best trial, or the trial named: it must be one of the run's recorded trials (400 otherwise,
    so a deployment never meets a bogus trial)."""
    run = RUNS.get(store, tenant, body.run_id)
    if body.trial_id is not None and not TRIALS.exists(store, tenant, body.trial_id, parent_id=body.run_id):
        raise ValidationFailed(
            f"Run '{body.run_id}' has no trial '{body.trial_id}'; pick one from its leaderboard.", target="trialId"
        )
    data = ModelData(
        name=body.name,
        run_id=body.run_id,
        trial_id=body.trial_id or run.data.best_trial_id,
        description=body.description,
        tags=body.tags,
        input_columns=input_columns(store, tenant, run.data),
    )
    return MODEL.of(MODELS.create(store, tenant, new_id(), data, actor=actor(principal), name=body.name))


def delete_model(store: Store, principal: Principal, tenant: str, model_id: str, etag: str | None) -> None:
    current = MODELS.get(store, tenant, model_id)
    uses, _ = rows.read(store, tenant, model_refs(model_id), rows.ModelUse, top=50)
    if uses:
        raise ReferencedBy("model", model_id, [("deployment", f"{u.endpoint_id}/{u.deployment}") for u in uses])
    MODELS.delete(store, tenant, model_id, actor=actor(principal), etag=etag or current.etag, current=current)


def register_best(store: Store, backend: AutoMLBackend, tenant: str, run_id: str, run: RunData) -> str:
    """Register the run's best model with the backend and record it (auto-register); idempotent for a retried
    activity (the model's id is derived from the run's)."""
    name = f"{run.experiment_name}-{run_id[-8:]}"[:64]
    ref = backend.register_model(tenant, run.job_name, name=name)
    model_id = f"m{run_id}"[:64]
    data = ModelData(
        name=name,
        version=ref.version,
        run_id=run_id,
        trial_id=ref.trial_id,
        uri=ref.uri,
        description=f"Best model of run {run_id}",
        tags={"source": "autoRegister"},
        input_columns=input_columns(store, tenant, run),
    )
    with contextlib.suppress(Conflict, NameTaken):  # a retried activity: the model record exists
        MODELS.create(store, tenant, model_id, data, actor="system", name=name)
    return model_id


def model_artifact(store: Store, backend: AutoMLBackend, tenant: str, model_id: str) -> ModelRef:
    """The model's artifact. A model registered through the API (`POST .../models`: a run's best or any trial) has
    none yet: the backend registers it from the run's job on its first deployment, and the record keeps the URI."""
    model = MODELS.get(store, tenant, model_id)
    if not model.data.uri:
        job = RUNS.get(store, tenant, model.data.run_id).data.job_name
        ref = backend.register_model(tenant, job, name=model.data.name, trial_id=model.data.trial_id)
        changes = {"uri": ref.uri, "version": ref.version, "trial_id": ref.trial_id}
        MODELS.update(store, tenant, model_id, changes, actor="system")
        return ref
    return ModelRef(name=model.data.name, version=model.data.version, uri=model.data.uri, trial_id=model.data.trial_id)
