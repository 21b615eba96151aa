"""Rules that must hold under any concurrency (issue 16 items 1-3), on the memory backend. Each race is made certain,
not likely: every caller's first write waits at a barrier until all callers have read, so each one decides on the
same state before anyone writes (the interleaving that broke these rules against `make run`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from domain.entities.role import Role
from domain.entities.tenancy import MemberPut, TenantUpdate
from domain.errors import Conflict, DomainError, Forbidden, QuotaExceeded, ValidationFailed
from domain.records.kinds import MEMBERS, RUNS
from domain.services import quota, tenants, training
from domain.storage import keys
from domain.storage.store import EntityStore
from tests.unit.services.kit import ADMIN, OWNER, person, world

WRITES = ("create", "update", "delete")


class Rendezvous:
    """The store, but each thread's first entity write waits until `parties` threads have reached theirs."""

    def __init__(self, store: EntityStore, parties: int) -> None:
        self._store = store
        self._barrier = threading.Barrier(parties, timeout=20)
        self._waited: set[int] = set()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if name not in WRITES:
            return attr

        def write(*args: Any, **kwargs: Any) -> Any:
            me = threading.get_ident()
            if me not in self._waited:
                self._waited.add(me)
                self._barrier.wait()
            return attr(*args, **kwargs)

        return write


def together(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls in threads at once; each result is its return value or the DomainError it raised."""
    results: list[object] = [None] * len(calls)

    def one(i: int) -> None:
        try:
            results[i] = calls[i]()
        except DomainError as exc:
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def owners(store: EntityStore, tenant: str) -> list[str]:
    found, _ = MEMBERS.list(store, tenant, where={"role": Role.OWNER.value}, top=10)
    return [m.id for m in found]


@pytest.mark.parametrize("how", ["demote", "delete"])
def test_two_owners_removing_each_other_at_once_leave_one_owner(how: str) -> None:
    w = world()
    o2 = person("o2")
    tenants.put_member(w.store, OWNER, w.tenant, "o2", MemberPut(role=Role.OWNER))
    assert sorted(owners(w.store, w.tenant)) == ["o2", OWNER.user_id]
    racing = Rendezvous(w.store, 2)

    def remove(by: Any, user: str) -> Callable[[], object]:
        if how == "demote":
            return lambda: tenants.put_member(racing, by, w.tenant, user, MemberPut(role=Role.READER))  # type: ignore[arg-type]
        return lambda: tenants.delete_member(racing, by, w.tenant, user, None)  # type: ignore[arg-type]

    results = together([remove(OWNER, "o2"), remove(o2, OWNER.user_id)])
    assert len(owners(w.store, w.tenant)) == 1, results
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict), results
    assert "at least one owner" in refused[0].message


def test_concurrent_starts_never_exceed_the_run_quota() -> None:
    w = world(max_concurrent_runs=2)
    racing = Rendezvous(w.store, 6)
    results = together(
        [
            lambda: training.start_run(racing, OWNER, w.tenant, w.experiment_id, None)  # type: ignore[arg-type]
            for _ in range(6)
        ]
    )
    started = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, QuotaExceeded)]
    assert len(started) == 2 and len(refused) == 4, results
    active, _ = RUNS.list(w.store, w.tenant, where={"active": True}, top=50)
    assert len(active) == 2
    assert sorted(quota.held(w.store, w.tenant)) == [0, 1]
    assert {r.data.slot for r in active} == {0, 1}


def test_a_finalized_run_frees_its_slot_in_the_same_transaction() -> None:
    w = world(max_concurrent_runs=1)
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    with pytest.raises(QuotaExceeded):
        training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    job = RUNS.get(w.store, w.tenant, run.id).data.job_name
    w.backend.advance(job, 2)
    w.backend.finish(job)
    from tests.unit.services.kit import memory_series

    training.finalize(w.store, memory_series(), w.backend, w.tenant, run.id)
    assert quota.held(w.store, w.tenant) == {}
    assert training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)[1]


def test_a_lowered_quota_refuses_until_the_tenant_is_below_it() -> None:
    w = world(max_concurrent_runs=3)
    for _ in range(3):
        training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    tenants.update_tenant(
        w.store, ADMIN, w.tenant, TenantUpdate.model_validate({"quotas": {"maxConcurrentRuns": 2}}), None
    )
    with pytest.raises(QuotaExceeded):
        training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)


@pytest.mark.parametrize(
    "body",
    [
        {"quotas": {"maxConcurrentRuns": 50}},
        {"azureml": {"subscriptionId": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "resourceGroup": "rg",
                     "workspaceName": "ws1"}},
    ],
)  # fmt: skip
def test_owners_cannot_change_quotas_or_the_workspace_binding(body: dict[str, Any]) -> None:
    w = world()
    before = tenants.get_tenant(w.store, w.tenant)
    with pytest.raises(Forbidden) as refused:
        tenants.update_tenant(w.store, OWNER, w.tenant, TenantUpdate.model_validate(body), None)
    assert refused.value.target in ("quotas", "azureml")
    assert tenants.get_tenant(w.store, w.tenant).etag == before.etag  # nothing written
    if "quotas" in body:
        changed = tenants.update_tenant(w.store, ADMIN, w.tenant, TenantUpdate.model_validate(body), None)
        assert changed.etag != before.etag
    else:  # a platform admin passes the role check (the local backend then refuses a binding: 400, not 403)
        with pytest.raises(ValidationFailed):
            tenants.update_tenant(w.store, ADMIN, w.tenant, TenantUpdate.model_validate(body), None)
    shown = tenants.update_tenant(
        w.store, OWNER, w.tenant, TenantUpdate.model_validate({"displayName": "Mine"}), None
    )  # the display fields stay the owner's
    assert shown.display_name == "Mine"


def test_a_tenant_is_never_created_without_its_owner() -> None:
    """The owner's id is checked before the tenant is written, and a tenant whose owner cannot be written is removed
    (found by the invariant checker: schemathesis created tenants whose `ownerUserId` could not be a member id)."""
    from domain.entities.tenancy import TenantCreate
    from domain.errors import Unavailable
    from domain.storage.backend import BackendUnavailable
    from tests.unit.services.kit import memory_store

    store = memory_store()
    with pytest.raises(ValidationFailed) as refused:
        tenants.create_tenant(store, ADMIN, TenantCreate.model_construct(name="t1", owner_user_id="a b", quotas=None))
    assert refused.value.target == "ownerUserId"
    assert store.list_rows(keys.PLATFORM, "tenant|")[0] == []
    failing = store.backend
    calls = {"n": 0}
    submit = failing.submit

    def second_write_fails(partition: str, ops: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:  # the tenant went through, its owner does not
            raise BackendUnavailable("Table Storage is unavailable")
        return submit(partition, ops)

    failing.submit = second_write_fails  # type: ignore[method-assign]
    with pytest.raises(Unavailable):
        tenants.create_tenant(store, ADMIN, TenantCreate(name="t2", owner_user_id="alice"))
    assert [r.key for r in store.list_rows(keys.PLATFORM, "tenant|")[0]] == []
    created = tenants.create_tenant(store, ADMIN, TenantCreate(name="t3"))  # no ownerUserId: the creator owns it
    assert owners(store, created.id) == [ADMIN.user_id]
