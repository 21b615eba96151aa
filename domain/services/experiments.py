"""Experiments: what to train. Checked against the dataset's profile and Azure ML's rules before anything is
stored; the reference row `ref|dataset|{d}|experiment|{e}` is written in the same transaction, so a dataset in use
cannot be deleted."""

from __future__ import annotations

import contextlib
from datetime import datetime

from domain.entities.automl import DEFAULT_PRIMARY_METRIC, JobStatus, Task
from domain.entities.automl_rules import spec_problems
from domain.entities.datasets import ColumnType, Profile
from domain.entities.experiments import Experiment, ExperimentCreate, ExperimentUpdate
from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.entities.queries import ExperimentsQuery
from domain.errors import ErrorDetail, NotFound, ValidationFailed
from domain.ports import Store
from domain.records.kind import Stored
from domain.records.kinds import DATASETS, EXPERIMENTS, ExperimentData, LastRun
from domain.records.rows import DatasetUse
from domain.services._patch import read_modify_write
from domain.services._views import View, actor
from domain.services.datasets import get_version
from domain.storage.keys import dataset_ref_key
from domain.storage.records import Op

EXPERIMENT = View(EXPERIMENTS, Experiment)
# reading, listing a page and patching: the same for every resource (`View`, domain/services/_views.py)
get_experiment = EXPERIMENT.read


def list_experiments(store: Store, tenant: str, query: ExperimentsQuery) -> tuple[list[Experiment], str | None]:
    return EXPERIMENT.page(store, tenant, query, where={"dataset_id": query.dataset_id} if query.dataset_id else None)


def _check(store: Store, tenant: str, fields: dict[str, object]) -> ExperimentData:
    """Resolve the dataset version and apply every rule; all problems are reported at once."""
    dataset_id = str(fields["dataset_id"])
    try:
        dataset = DATASETS.get(store, tenant, dataset_id)
    except NotFound:
        raise ValidationFailed(
            "The dataset does not exist.",
            target="datasetId",
            details=[ErrorDetail("NotFound", "no such dataset in this tenant", "datasetId")],
        ) from None
    version = fields.get("dataset_version") or dataset.data.latest_version
    try:
        dsv = get_version(store, tenant, dataset_id, int(str(version)))
    except NotFound:
        raise ValidationFailed(f"The dataset has no version {version}.", target="datasetVersion") from None
    metric = fields.get("primary_metric") or DEFAULT_PRIMARY_METRIC[Task(str(fields["task"]))]
    resolved = {"dataset_version": dsv.version, "primary_metric": metric, "dataset_name": dataset.data.name}
    data = ExperimentData.model_validate({**fields, **resolved})
    columns = tuple(c.name for c in dsv.profile.columns) if dsv.profile else ()
    problems = _problems(data, columns)
    if dsv.source == "upload" and dsv.profile is not None:  # a profiled file: the target's values are known
        problems += target_problems(data.task, data.target_column, dsv.profile)
    if problems:
        raise ValidationFailed("The experiment is not valid.", details=problems)
    return data


def create_experiment(store: Store, principal: Principal, tenant: str, body: ExperimentCreate) -> Experiment:
    data = _check(store, tenant, body.model_dump())
    experiment_id = new_id()
    use = DatasetUse(dataset_id=body.dataset_id, experiment_id=experiment_id)
    ref = Op.create(dataset_ref_key(body.dataset_id, experiment_id), use.stored())
    stored = EXPERIMENTS.create(
        store, tenant, experiment_id, data, actor=actor(principal), name=body.name, extra_ops=[ref]
    )
    return EXPERIMENT.of(stored)


def update_experiment(
    store: Store, principal: Principal, tenant: str, experiment_id: str, body: ExperimentUpdate, etag: str | None
) -> Experiment:
    """A JSON merge patch (`limits: {maxTrials: 5}` keeps the other limits), checked as a whole before it is
    written: the merged experiment must pass every rule a new one does."""

    def check(current: Stored[ExperimentData], changes: dict[str, object]) -> None:
        _check(store, tenant, {**current.data.model_dump(mode="json"), **changes})

    return EXPERIMENT.patch(store, principal, tenant, experiment_id, body, etag, check=check)


def note_run(store: Store, tenant: str, experiment_id: str, run_id: str, status: JobStatus, at: datetime) -> None:
    """Keep the experiment's `last_run` (its newest run and that run's status) for lists; an experiment deleted
    meanwhile is skipped. Retried against concurrent edits (it never fails a run's own step)."""

    def attempt() -> None:
        current = EXPERIMENTS.get(store, tenant, experiment_id)
        last = current.data.last_run
        if last is not None and last.id != run_id and last.created_at > at:
            return  # a newer run is the last one
        if last is not None and last.id == run_id and last.status == status:
            return
        run = LastRun(id=run_id, status=status, created_at=last.created_at if last and last.id == run_id else at)
        EXPERIMENTS.update(store, tenant, experiment_id, {"last_run": run}, actor="system", current=current)

    with contextlib.suppress(NotFound):
        read_modify_write(attempt, None)


NUMERIC = frozenset({ColumnType.INTEGER, ColumnType.NUMBER, ColumnType.EMPTY})  # EMPTY: no values to judge


def target_problems(task: Task, target: str, profile: Profile) -> list[ErrorDetail]:
    """What the uploaded file's profile says the task cannot learn: a regression or forecast of a column that is
    not numeric, a classification of a column with a single value (the run would fail minutes later)."""
    column = next((c for c in profile.columns if c.name == target), None)
    if column is None:
        return []  # reported by the column rules
    if task in (Task.REGRESSION, Task.FORECASTING) and column.type not in NUMERIC:
        return [
            ErrorDetail(
                "TargetNotNumeric",
                f"{task.value} needs a numeric target; column '{target}' holds {column.type.value} values.",
                "targetColumn",
            )
        ]
    if task is Task.CLASSIFICATION and column.distinct == 1:
        return [
            ErrorDetail(
                "SingleClassTarget",
                f"classification needs at least two classes; column '{target}' has a single distinct value.",
                "targetColumn",
            )
        ]
    return []


def _problems(data: ExperimentData, columns: tuple[str, ...]) -> list[ErrorDetail]:
    """Azure ML's rules (domain/entities/automl_rules.py) on an experiment."""
    problems = spec_problems(
        data.task,
        data.primary_metric,
        tuple(data.allowed_algorithms),
        tuple(data.blocked_algorithms),
        data.target_column,
        columns,
        data.forecast.to_settings() if data.forecast else None,
        data.limits.to_limits(),
    )
    if data.validation.n_cross_validations and data.validation.validation_size:
        problems.append(
            ErrorDetail("InvalidValidation", "set either nCrossValidations or validationSize.", "validation")
        )
    return problems
