"""Registered models: from a run's best trial (auto-register at the end of a run) or any trial (`POST .../models`).

Versions as in Azure ML: registering a name again adds version n+1 (each version is its own model, with its own id);
the name's row `modelver|{name}` (its first spelling, its last version) is written in the same transaction as each
version, guarded by its ETag, so two registrations at once never get the same number. A model carries what a table
and a scoring form need: its trial's score, the experiment, and its input columns.

Restrict rule: a model used by a deployment cannot be deleted; the reference row `ref|model|{m}|deployment|{e}|{d}`
is written in the same transaction as the deployment (`deployments.py`)."""

from __future__ import annotations

from collections.abc import Callable

from domain.entities.automl import ModelRef
from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.entities.queries import ModelsQuery
from domain.entities.serving import Model, ModelCreate
from domain.errors import ConcurrencyConflict, Conflict, NotFound, ReferencedBy, ValidationFailed
from domain.ports import AutoMLBackend, Store
from domain.records import rows
from domain.records.kind import Stored
from domain.records.kinds import DATASET_VERSIONS, MODELS, RUNS, TRIALS, InputColumnData, ModelData, RunData
from domain.services._patch import read_modify_write
from domain.services._views import View, actor
from domain.services.datasets import version_id
from domain.storage import keys
from domain.storage.records import Op

MODEL = View(MODELS, Model)
# reading and patching: the same for every resource (`View`, domain/services/_views.py)
get_model = MODEL.read
update_model = MODEL.patch


def list_models(store: Store, tenant: str, query: ModelsQuery) -> tuple[list[Model], str | None]:
    """Filters: `name` (every version of it), `runId`, `experimentId`, `namePrefix`."""
    where: dict[str, str | int | bool] = {}
    if query.name:
        found = rows.read_one(store, tenant, keys.model_version_key(query.name), rows.ModelVersions)
        if found is None:
            return [], None
        where["name"] = found[0].name
    if query.run_id:
        where["run_id"] = query.run_id
    if query.experiment_id:
        where["experiment_id"] = query.experiment_id
    return MODEL.page(store, tenant, query, where=where or None)


def input_columns(store: Store, tenant: str, run: RunData) -> list[InputColumnData]:
    """The model's signature for scoring forms: the run's training columns less the target, typed by the dataset
    version's profile (empty when the run has no recorded spec)."""
    if run.spec is None:
        return []
    dataset = run.spec.dataset
    types = {}
    try:
        version = DATASET_VERSIONS.get(store, tenant, version_id(dataset.version), parent_id=dataset.dataset_id)
        types = {c.name: c.type for c in (version.data.profile.columns if version.data.profile else [])}
    except NotFound:
        pass
    return [
        InputColumnData.model_validate({"name": c, "type": types.get(c, "string")})
        for c in dataset.columns
        if c != run.spec.target_column
    ]


def _describe(store: Store, tenant: str, run_id: str, run: RunData, trial_id: str | None) -> dict[str, object]:
    """The fields a model copies from its run and trial (score, metric, experiment, input columns)."""
    score = None
    if trial_id is not None:
        try:
            score = TRIALS.get(store, tenant, trial_id, parent_id=run_id).data.score
        except NotFound:
            raise ValidationFailed(
                f"Run '{run_id}' has no trial '{trial_id}'; pick one from its leaderboard.", target="trialId"
            ) from None
    return {
        "run_id": run_id,
        "trial_id": trial_id,
        "experiment_id": run.experiment_id,
        "score": score,
        "primary_metric": run.primary_metric,
        "input_columns": input_columns(store, tenant, run),
    }


def _register(store: Store, tenant: str, name: str, fields: dict[str, object], by: str, once: str | None) -> str:
    """Create the next version of `name` (a new model id) in one transaction with the name's version row, and with
    `once` (a row that exists after the first registration) when given; retried if another version got in."""

    def attempt() -> str:
        found = rows.read_one(store, tenant, keys.model_version_key(name), rows.ModelVersions)
        versions, etag = found if found is not None else (rows.ModelVersions(name=name, latest=0), None)
        model_id = new_id()
        bumped = rows.ModelVersions(name=versions.name, latest=versions.latest + 1).stored()
        key = keys.model_version_key(name)
        ops = [Op("replace", key, bumped, etag=etag) if etag else Op.create(key, bumped)]
        if once is not None:
            ops.append(Op.create(once, rows.ModelOfRun(model_id=model_id).stored()))
        data = ModelData.model_validate({**fields, "name": versions.name, "version": versions.latest + 1})
        MODELS.create(store, tenant, model_id, data, actor=by, extra_ops=ops)
        return model_id

    def once_more() -> str:
        try:
            return attempt()
        except Conflict as exc:  # the version row was created meanwhile, or `once` exists (a retried step)
            if once is not None and rows.read_one(store, tenant, once, rows.ModelOfRun) is not None:
                raise
            raise ConcurrencyConflict(str(exc)) from exc

    return read_modify_write(once_more, None)


def create_model(store: Store, principal: Principal, tenant: str, body: ModelCreate) -> Model:
    """A new version of `name` from a trial of the run (default: its best); the trial must exist (400 otherwise)."""
    run = RUNS.get(store, tenant, body.run_id)
    fields = _describe(store, tenant, body.run_id, run.data, body.trial_id or run.data.best_trial_id)
    fields |= {"description": body.description, "tags": body.tags}
    return get_model(store, tenant, _register(store, tenant, body.name, fields, actor(principal), None))


def delete_model(
    store: Store,
    principal: Principal,
    tenant: str,
    model_id: str,
    etag: str | None,
    *,
    children: Callable[[str], object] | None = None,
) -> None:
    """Restricted by deployments (409); cascades to what `children` removes (its batch jobs): the model is hidden
    first (a tombstone: no new job can name it), then `children(model_id)` runs, then the row goes. A delete
    interrupted after the tombstone is finished by the next DELETE (a tombstoned model is still found here)."""
    current = MODELS.get(store, tenant, model_id, include_deleted=True)
    uses, _ = rows.read(store, tenant, keys.model_refs(model_id), rows.ModelUse, top=50)
    if uses:
        raise ReferencedBy("model", model_id, [("deployment", f"{u.endpoint_id}/{u.deployment}") for u in uses])
    if children is not None:
        if not current.record.deleting:
            current = MODELS.tombstone(store, tenant, model_id, actor=actor(principal), etag=etag or current.etag)
        children(model_id)
        etag = None  # the tombstone took the If-Match; from here on the delete finishes what it started
    MODELS.delete(store, tenant, model_id, actor=actor(principal), etag=etag or current.etag, current=current)


def register_best(store: Store, backend: AutoMLBackend, tenant: str, run_id: str, run: RunData) -> str:
    """Register the run's best model with the backend and record it as the next version of the experiment's name
    (auto-register). Once per run: a retried activity finds the model it registered (`runmodel|{run}`)."""
    once = keys.run_model_key(run_id)
    found = rows.read_one(store, tenant, once, rows.ModelOfRun)
    if found is not None:
        return found[0].model_id
    name = (run.experiment_name or f"run-{run_id}")[:64]
    ref = backend.register_model(tenant, run.job_name, name=name)
    fields = _describe(store, tenant, run_id, run, ref.trial_id)
    fields |= {
        "uri": ref.uri,
        "backend_version": ref.version,
        "description": f"Best model of run {run_id}",
        "tags": {"source": "autoRegister"},
    }
    try:
        return _register(store, tenant, name, fields, "system", once)
    except Conflict:
        found = rows.read_one(store, tenant, once, rows.ModelOfRun)
        if found is None:
            raise
        return found[0].model_id


def model_artifact(store: Store, backend: AutoMLBackend, tenant: str, model_id: str) -> ModelRef:
    """The model's artifact. A model registered through the API (`POST .../models`: a run's best or any trial) has
    none yet: the backend registers it from the run's job on its first deployment, and the record keeps the URI."""
    model: Stored[ModelData] = MODELS.get(store, tenant, model_id)
    if not model.data.uri:
        job = RUNS.get(store, tenant, model.data.run_id).data.job_name
        ref = backend.register_model(tenant, job, name=model.data.name, trial_id=model.data.trial_id)
        changes = {"uri": ref.uri, "backend_version": ref.version, "trial_id": ref.trial_id}
        MODELS.update(store, tenant, model_id, changes, actor="system")
        return ref
    version = model.data.backend_version or str(model.data.version)
    return ModelRef(name=model.data.name, version=version, uri=model.data.uri, trial_id=model.data.trial_id)
