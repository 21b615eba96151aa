"""Partition migrations (both backends): upgrade, resume after a crash, two migrators, key-layout change, runner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.clock import SystemClock
from domain.errors import ConcurrencyConflict
from domain.storage import keys
from domain.storage.backend import BatchOp, Query
from domain.storage.examples import MIGRATIONS
from domain.storage.migrations import PartitionMigrator, Progress, StaleChunk
from domain.storage.runner import run_migrations
from tests.contract.storage.conftest import Env

WIDGETS, GADGETS = MIGRATIONS


def seed_v1_widgets(env: Env, n: int, start: int = 0) -> None:
    now = datetime.now(UTC)
    rows = [
        {
            "PartitionKey": env.tenant,
            "RowKey": f"widget|w{i:04d}",
            "_t": "widget",
            "_v": 1 + i % 2,
            "_state": "active",
            "created_at": now,
            "updated_at": now,
            "created_by": "seed",
            "size": "S",
            **({"title": f"T{i}"} if i % 2 == 0 else {"display_name": f"T{i}"}),
        }
        for i in range(start, start + n)
    ]
    for i in range(0, len(rows), 100):
        env.backend.submit(env.tenant, [BatchOp("create", r) for r in rows[i : i + 100]])


def all_rows(env: Env, lo: str, hi: str) -> list[dict[str, object]]:
    out, token = [], None
    while True:
        rows, token = env.backend.query(Query(env.tenant, lo, hi, None, 1000), token)
        out += [r for r, _ in rows]
        if token is None:
            return out


def migrator(env: Env, migration: object = WIDGETS, chunk: int = 99) -> PartitionMigrator:
    return PartitionMigrator(env.backend, env.store.schemas, SystemClock(), env.tenant, migration, chunk)  # type: ignore[arg-type]


def assert_widgets_migrated(env: Env, n: int) -> None:
    rows = all_rows(env, *keys.kind_range("widget"))
    assert len(rows) == n  # nothing lost, nothing doubled
    assert {r["_v"] for r in rows} == {3}
    assert all(r["display_name"] == f"T{int(str(r['RowKey'])[-4:])}" and r["size_cm"] == 10 for r in rows)
    assert not any("title" in r or "size" in r for r in rows)
    state = migrator(env).state()
    assert WIDGETS.id in state.applied and state.versions["widget"] == 3 and state.migrating is None


def test_migration_rewrites_every_old_entity_in_chunks_and_is_idempotent(env: Env) -> None:
    seed_v1_widgets(env, 250)
    env.store.create(env.tenant, "widget", "w9999", {"display_name": "T9999", "size_cm": 10}, actor="a")
    env.requests()
    progress = migrator(env).run()
    assert (progress.rewritten, progress.scanned, progress.done) == (250, 251, True)
    assert progress.chunks == 3
    requests = env.requests()
    assert requests == 2 + 2 * 3  # _schema read + create, then one query and one transaction per chunk
    assert_widgets_migrated(env, 251)
    env.requests()
    again = migrator(env).run()
    assert again.rewritten == 0 and again.done and env.requests() == 1  # reads _schema, sees it applied


def test_migration_killed_halfway_resumes_without_loss_or_duplicates(env: Env) -> None:
    seed_v1_widgets(env, 300)

    class Killed(Exception):
        pass

    def kill_after_two(p: Progress) -> None:
        if p.chunks == 2:
            raise Killed

    with pytest.raises(Killed):
        migrator(env, chunk=50).run(kill_after_two)
    state = migrator(env).state()
    assert state.migrating == WIDGETS.id and state.cursor == "widget|w0099" and WIDGETS.id not in state.applied
    assert sum(r["_v"] == 3 for r in all_rows(env, *keys.kind_range("widget"))) == 100  # 2 chunks of 50
    assert migrator(env, chunk=50).run().done
    assert_widgets_migrated(env, 300)


def test_two_migrators_on_one_partition_one_commits_the_other_sees_the_conflict(env: Env) -> None:
    seed_v1_widgets(env, 150)
    a, b = migrator(env), migrator(env)
    state_a, state_b = a.state(), b.state()
    plan_a, plan_b = a.plan(state_a), b.plan(state_b)
    a.commit(state_a, plan_a)
    with pytest.raises(ConcurrencyConflict):
        b.commit(state_b, plan_b)
    assert b.run().done  # b, started again, picks up where a left off
    assert_widgets_migrated(env, 150)


def test_app_write_between_plan_and_commit_is_kept(env: Env) -> None:
    seed_v1_widgets(env, 10)
    m = migrator(env)
    state = m.state()
    plan = m.plan(state)
    rec = env.store.get(env.tenant, "widget", "w0003")
    env.store.update(env.tenant, "widget", "w0003", {"size_cm": 99}, actor="app", etag=rec.etag, current=rec)
    with pytest.raises(StaleChunk):  # the chunk fails as a whole: the app's write wins
        m.commit(state, plan)
    assert m.run().done
    assert env.store.get(env.tenant, "widget", "w0003").data["size_cm"] == 99


def test_key_layout_change_copies_verifies_and_deletes(env: Env) -> None:
    now = datetime.now(UTC)
    old = [
        {
            "PartitionKey": env.tenant,
            "RowKey": f"gadget-g{i:03d}",
            "_t": "gadget",
            "_v": 1,
            "_state": "active",
            "created_at": now,
            "updated_at": now,
            "created_by": "seed",
            "n": i,
        }
        for i in range(120)
    ]
    for i in range(0, 120, 100):
        env.backend.submit(env.tenant, [BatchOp("create", r) for r in old[i : i + 100]])
    progress = migrator(env, GADGETS).run()
    assert progress.done and progress.rewritten == 120
    assert all_rows(env, "gadget-", "gadget.") == []
    assert len(all_rows(env, *keys.kind_range("gadget"))) == 120
    assert env.store.get(env.tenant, "gadget", "g007").data == {"n": 7}
    assert migrator(env, GADGETS).run().rewritten == 0


def test_runner_migrates_every_tenant_and_records_it(env: Env) -> None:
    seed_v1_widgets(env, 5)
    other = Env(env.store, env.backend, env.tenant + "b", env.requests, env.kind)
    seed_v1_widgets(other, 7)
    seen: list[str] = []
    report = run_migrations(
        env.backend, env.store.schemas, SystemClock(), MIGRATIONS, progress=lambda p: seen.append(p.tenant)
    )
    assert report.applied == [WIDGETS.id, GADGETS.id] and report.busy == [] and report.rewritten == 12
    assert {env.tenant, other.tenant} <= set(seen)
    assert_widgets_migrated(env, 5)
    assert_widgets_migrated(other, 7)
    row, _ = env.backend.get("_meta", f"migration|{WIDGETS.id}")
    assert row["to_version"] == 3
