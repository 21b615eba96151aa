"""Experiments: what to train. Checked against the dataset's profile and Azure ML's rules before anything is
stored; the reference row `ref|dataset|{d}|experiment|{e}` is written in the same transaction, so a dataset in use
cannot be deleted."""

from __future__ import annotations

from typing import Any

from domain.entities.automl import DEFAULT_PRIMARY_METRIC, ForecastSettings, Limits, Task
from domain.entities.automl_rules import spec_problems
from domain.entities.experiments import Experiment, ExperimentCreate, ExperimentUpdate
from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.errors import ErrorDetail, NotFound, ValidationFailed
from domain.services._records import actor, changes_of, to_model
from domain.services.datasets import get_version
from domain.storage.records import Op


def ref_key(dataset_id: str, experiment_id: str) -> str:
    return f"ref|dataset|{dataset_id}|experiment|{experiment_id}"


def _check(store: Any, tenant: str, data: dict[str, Any]) -> dict[str, Any]:
    """Resolve the dataset version and apply every rule; all problems are reported at once."""
    try:
        dataset = store.get(tenant, "dataset", data["dataset_id"])
    except NotFound:
        raise ValidationFailed(
            "The dataset does not exist.",
            target="datasetId",
            details=[ErrorDetail("NotFound", "no such dataset in this tenant", "datasetId")],
        ) from None
    version = data.get("dataset_version") or int(dataset.data["latest_version"])
    try:
        dsv = get_version(store, tenant, data["dataset_id"], version)
    except NotFound:
        raise ValidationFailed(f"The dataset has no version {version}.", target="datasetVersion") from None
    columns = tuple(c.name for c in dsv.profile.columns) if dsv.profile else ()
    task = Task(data["task"])
    metric = data.get("primary_metric") or DEFAULT_PRIMARY_METRIC[task]
    problems = _model_problems(data, columns, task, metric)
    if problems:
        raise ValidationFailed("The experiment is not valid.", details=problems)
    return {**data, "dataset_version": version, "primary_metric": metric}


def create_experiment(store: Any, principal: Principal, tenant: str, body: ExperimentCreate) -> Experiment:
    data = _check(store, tenant, body.model_dump(mode="json")) | {"state": "Active"}
    experiment_id = new_id()
    ref = Op.create(
        ref_key(body.dataset_id, experiment_id), {"dataset_id": body.dataset_id, "experiment_id": experiment_id}
    )
    record = store.create(
        tenant, "experiment", experiment_id, data, actor=actor(principal), name=body.name, extra_ops=[ref]
    )
    return to_model(Experiment, record)


def get_experiment(store: Any, tenant: str, experiment_id: str) -> Experiment:
    return to_model(Experiment, store.get(tenant, "experiment", experiment_id))


def list_experiments(
    store: Any, tenant: str, top: int, continuation: str | None
) -> tuple[list[Experiment], str | None]:
    page = store.list(tenant, "experiment", top=top, continuation=continuation)
    return [to_model(Experiment, r) for r in page.items], page.continuation


def update_experiment(
    store: Any, principal: Principal, tenant: str, experiment_id: str, body: ExperimentUpdate, etag: str | None
) -> Experiment:
    current = store.get(tenant, "experiment", experiment_id)
    changes = changes_of(body)
    _check(store, tenant, {**current.data, **changes})
    record = store.update(
        tenant, "experiment", experiment_id, changes, actor=actor(principal), etag=etag or current.etag
    )
    return to_model(Experiment, record)


def _model_problems(data: dict[str, Any], columns: tuple[str, ...], task: Task, metric: str) -> list[ErrorDetail]:
    """Azure ML's rules (domain/entities/automl_rules.py) on the stored form of an experiment."""
    f = data.get("forecast")
    forecast = None
    if f:
        forecast = ForecastSettings(
            time_column=f["time_column"],
            horizon=f["horizon"],
            time_series_id_columns=tuple(f.get("time_series_id_columns", ())),
        )
    problems = spec_problems(
        task,
        metric,
        tuple(data.get("allowed_algorithms", ())),
        tuple(data.get("blocked_algorithms", ())),
        data["target_column"],
        columns,
        forecast,
        Limits(**(data.get("limits") or {})),
    )
    validation = data.get("validation") or {}
    if validation.get("n_cross_validations") and validation.get("validation_size"):
        problems.append(
            ErrorDetail("InvalidValidation", "set either nCrossValidations or validationSize.", "validation")
        )
    return problems
