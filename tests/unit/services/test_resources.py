"""The resource services on the memory backend: tenants and members, datasets and versions, experiments, models,
audit; the shared read/list/patch helper (ETags, pages) through each of them."""

from __future__ import annotations

import pytest

from domain.entities.datasets import DatasetUpdate
from domain.entities.experiments import ExperimentCreate, ExperimentUpdate
from domain.entities.queries import ListQuery, MembersQuery, ModelsQuery, Order
from domain.entities.role import Role
from domain.entities.serving import ModelCreate, ModelUpdate
from domain.entities.tenancy import MemberPut, TenantUpdate
from domain.errors import ConcurrencyConflict, Conflict, NameTaken, NotFound, ReferencedBy, ValidationFailed
from domain.services import audit, datasets, experiments, models, tenants, training
from tests.unit.services.kit import ADMIN, CONTAINER, CSV, OWNER, World, person, world


@pytest.fixture
def w() -> World:
    return world()


def test_members_roles_and_me(w: World) -> None:
    tenants.put_member(w.store, OWNER, w.tenant, "ann", MemberPut(role=Role.READER))
    tenants.put_member(w.store, OWNER, w.tenant, "ann", MemberPut(role=Role.CONTRIBUTOR, display_name="Ann"))
    me = tenants.get_me(w.store, person("ann"))
    assert [(t.tenant_id, t.role) for t in me.tenants] == [(w.tenant, Role.CONTRIBUTOR)]
    members, token = tenants.list_members(w.store, w.tenant, MembersQuery(top=1))
    assert len(members) == 1 and token is not None
    rest, end = tenants.list_members(w.store, w.tenant, MembersQuery(top=10, continuation=token))
    assert {m.user_id for m in members + rest} == {"ann", OWNER.user_id} and end is None
    owners, _ = tenants.list_members(w.store, w.tenant, MembersQuery(role=Role.OWNER))
    assert [m.user_id for m in owners] == [OWNER.user_id]
    with pytest.raises(Conflict, match="at least one owner"):  # the tenant's state refuses it: 409
        tenants.put_member(w.store, OWNER, w.tenant, OWNER.user_id, MemberPut(role=Role.READER))
    with pytest.raises(Conflict, match="at least one owner"):
        tenants.delete_member(w.store, OWNER, w.tenant, OWNER.user_id, None)
    tenants.delete_member(w.store, OWNER, w.tenant, "ann", None)
    assert tenants.get_me(w.store, person("ann")).tenants == []


def test_patch_applies_what_was_sent_and_honours_if_match(w: World) -> None:
    tenant = tenants.get_tenant(w.store, w.tenant)
    changed = tenants.update_tenant(w.store, ADMIN, w.tenant, TenantUpdate(display_name="Acme"), tenant.etag)
    assert changed.display_name == "Acme" and changed.quotas == tenant.quotas and changed.etag != tenant.etag
    with pytest.raises(ConcurrencyConflict):
        tenants.update_tenant(w.store, ADMIN, w.tenant, TenantUpdate(display_name="Stale"), tenant.etag)
    cleared = tenants.update_tenant(w.store, ADMIN, w.tenant, TenantUpdate(display_name=None), None)
    assert cleared.display_name is None


def test_dataset_versions_and_the_restrict_rule(w: World) -> None:
    v2 = datasets.add_version(w.store, w.blobs, CONTAINER, OWNER, w.tenant, w.dataset_id, CSV + b"7,8.5,x\n", 1 << 20)
    assert v2.version == 2 and v2.profile is not None and v2.profile.row_count == 7
    assert datasets.get_dataset(w.store, w.tenant, w.dataset_id).latest_version == 2
    versions, _ = datasets.list_versions(w.store, w.tenant, w.dataset_id, ListQuery(top=10))
    assert [v.version for v in versions] == [1, 2]
    newest, _ = datasets.list_versions(w.store, w.tenant, w.dataset_id, ListQuery(orderby=Order.NEWEST_FIRST))
    assert [v.version for v in newest] == [2, 1]
    with pytest.raises(ReferencedBy) as info:
        datasets.delete_dataset(w.store, w.blobs, CONTAINER, OWNER, w.tenant, w.dataset_id, None)
    assert info.value.referencing == [("experiment", w.experiment_id)]
    renamed = datasets.update_dataset(w.store, OWNER, w.tenant, w.dataset_id, DatasetUpdate(tags={"a": "b"}), None)
    assert renamed.tags == {"a": "b"} and renamed.name == "data"
    with pytest.raises(NotFound):
        datasets.list_versions(w.store, w.tenant, "missing", ListQuery())


def test_experiments_are_checked_against_the_data_and_azure_mls_rules(w: World) -> None:
    bad = ExperimentCreate.model_validate(
        {
            "name": "bad",
            "task": "classification",
            "datasetId": w.dataset_id,
            "targetColumn": "nope",
            "primaryMetric": "r2_score",
        }
    )
    with pytest.raises(ValidationFailed) as info:
        experiments.create_experiment(w.store, OWNER, w.tenant, bad)
    assert {d.target for d in info.value.details} == {"targetColumn", "primaryMetric"}
    exp = experiments.get_experiment(w.store, w.tenant, w.experiment_id)
    assert exp.primary_metric == "AUC_weighted" and exp.dataset_version == 1  # defaults resolved when stored
    with pytest.raises(ValidationFailed, match="no version 9"):
        experiments.update_experiment(w.store, OWNER, w.tenant, exp.id, ExperimentUpdate(dataset_version=9), None)
    changed = experiments.update_experiment(
        w.store, OWNER, w.tenant, exp.id, ExperimentUpdate(target_column="a", auto_register=False), exp.etag
    )
    assert changed.target_column == "a" and not changed.auto_register and changed.primary_metric == "AUC_weighted"
    same_name = {"name": "EXP", "task": "regression", "datasetId": w.dataset_id, "targetColumn": "b"}
    with pytest.raises(NameTaken):
        experiments.create_experiment(w.store, OWNER, w.tenant, ExperimentCreate.model_validate(same_name))


def test_models_from_runs(w: World) -> None:
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    model = models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="m", run_id=run.id, description="d"))
    assert model.version == 1 and model.run_id == run.id and model.uri is None
    assert model.experiment_id == w.experiment_id and [c.name for c in model.input_columns] == ["a", "b"]
    updated = models.update_model(w.store, OWNER, w.tenant, model.id, ModelUpdate(tags={"k": "v"}), model.etag)
    assert updated.tags == {"k": "v"} and updated.description == "d"
    assert [m.id for m in models.list_models(w.store, w.tenant, ModelsQuery(top=10))[0]] == [model.id]
    with pytest.raises(NotFound):
        models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="x", run_id="missing"))
    models.delete_model(w.store, OWNER, w.tenant, model.id, updated.etag)
    with pytest.raises(NotFound):
        models.get_model(w.store, w.tenant, model.id)


def test_audit_entries_name_their_target(w: World) -> None:
    entries, _ = audit.list_audit(w.store, w.tenant, None, 50, None)
    created = [e for e in entries if e.kind == "experiment"]
    assert [(e.action, e.target_id, e.actor) for e in created] == [("create", w.experiment_id, OWNER.user_id)]
    assert created[0].changes["targetColumn"] == [None, "label"]  # the API's names, not the stored ones
    assert created[0].changes["limits"][1]["maxTrials"] == 10  # nested too
