"""The invariants the app keeps, checked over everything it stores (a snapshot: Table rows, blob names, the AutoML
engine's processes). `python -m tools.invariants` (`make check-invariants`) reads the snapshot and prints the counts;
the end-to-end and fault tests expect every count to be 0.

| count | what it finds |
|---|---|
| entitiesWithoutNameRows | a named entity whose `name|...` row is missing or names another entity |
| nameRowsWithoutEntities | a `name|...` row whose entity is gone |
| childrenWithoutParents | a row whose parent is gone: see below |
| blobsWithoutRecords | a dataset file, model artifact or MLTable file that no record points at |
| scoringWithoutLiveDeployment | a deployment the local scoring server serves or holds a model for, without a record |
| trainingWithoutActiveRun | a training worker whose run is gone or finalized |
| batchWithoutRunningJob | a batch scoring worker whose batch job is gone or has ended |
| tenantsWithoutOwner | an active tenant with no member in the owner role |
| activeRunsAboveQuota | a tenant with more active runs (or quota slots held) than its maxConcurrentRuns |

A child is a dataset version or pending upload, a trial, a deployment, a run (of its experiment), a batch job (of its
model; its CSV a blob of the datasets container under `{tenant}/batch/{job}/`), an operation (of
its tenant), a reference row, a quota slot (of an active run), an index row (`_jobs`, `_active`, `_events`,
`usertenant`), a run's metric and log partition, or a tenant's partition. Subtrees being deleted (a tombstoned
root whose cascade runs) are not counted: they are on their way out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import JsonValue

from domain.services.endpoints import backend_endpoint
from domain.storage import keys

COUNTS = (
    "entitiesWithoutNameRows",
    "nameRowsWithoutEntities",
    "childrenWithoutParents",
    "blobsWithoutRecords",
    "scoringWithoutLiveDeployment",
    "trainingWithoutActiveRun",
    "batchWithoutRunningJob",
    "tenantsWithoutOwner",
    "activeRunsAboveQuota",
)
GLOBAL = (keys.PLATFORM, keys.JOBS, keys.ACTIVE_RUNS, keys.EVENTS)


@dataclass(frozen=True)
class Row:
    """One stored row: its partition and key, `_t` (kind, "name", "audit" or None for raw rows), the tombstone
    state, the entity's name, and its data."""

    partition: str
    key: str
    kind: str | None
    deleting: bool
    name: str | None
    data: dict[str, object]


@dataclass(frozen=True)
class Process:
    """A live process of the AutoML engine: a scoring server for (tenant, backend endpoint, deployment), or a
    training worker for (tenant, job)."""

    tenant: str
    endpoint: str = ""
    deployment: str = ""
    job: str = ""


@dataclass
class Snapshot:
    rows: list[Row]
    series_partitions: set[str] = field(default_factory=set)
    blobs: dict[str, set[str]] = field(default_factory=dict)  # container -> blob names
    scoring: list[Process] = field(default_factory=list)
    training: list[Process] = field(default_factory=list)
    batch: list[Process] = field(default_factory=list)
    datasets_container: str = "datasets"
    models_container: str = "models"


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, count: str, example: str) -> None:
        self.counts[count] += 1
        if len(self.examples[count]) < 10:
            self.examples[count].append(example)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_json(self) -> dict[str, JsonValue]:
        examples: dict[str, JsonValue] = {k: list(v) for k, v in self.examples.items()}
        return {"total": self.total, "counts": dict(self.counts), "examples": examples}


class _Index:
    """The snapshot's entities by (tenant, kind, id) — a child's id is `{parent}|{id}`: ids repeat across parents
    (every dataset has a version 000001) — and what is being deleted."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self.entities: dict[tuple[str, str, str], Row] = {}
        self.names: list[Row] = []
        self.raw: list[Row] = []
        self.partitions: set[str] = set()
        for row in rows:
            self.partitions.add(row.partition)
            if row.kind == "name":
                self.names.append(row)
            elif row.kind not in (None, "audit") and not row.key.startswith(keys.SCHEMA_ROW):
                tenant = row.partition if row.partition != keys.PLATFORM else self._platform_tenant(row)
                self.entities[(tenant, row.kind, row.key.split(keys.SEP, 1)[1])] = row
            elif row.kind is None:
                self.raw.append(row)

    @staticmethod
    def _platform_tenant(row: Row) -> str:
        parts = row.key.split(keys.SEP)  # tenant|{id} or operation|{tenant}|{id}
        return parts[1]

    def get(self, tenant: str, kind: str, ident: str | None) -> Row | None:
        return self.entities.get((tenant, kind, ident or ""))

    def live(self, tenant: str, kind: str, ident: str | None) -> bool:
        found = self.get(tenant, kind, ident)
        return found is not None and not found.deleting

    def deleting(self, tenant: str) -> bool:
        """The tenant is being deleted (its whole partition is on its way out)."""
        found = self.get(tenant, "tenant", tenant)
        return found is not None and found.deleting


def _parent(row: Row) -> str | None:
    parts = row.key.split(keys.SEP)
    return parts[1] if len(parts) == 3 else None


PARENT_KIND = {"dsver": "dataset", "upload": "dataset", "trial": "run", "deployment": "endpoint"}


def check(snap: Snapshot) -> Report:
    report = Report()
    ix = _Index(snap.rows)
    _names(ix, report)
    _children(ix, snap, report)
    _blobs(ix, snap, report)
    _processes(ix, snap, report)
    _owners_and_quotas(ix, report)
    return report


def _names(ix: _Index, report: Report) -> None:
    by_key = {(r.partition, r.key): r for r in ix.names}
    for (_, kind, ident), row in ix.entities.items():
        if row.name is None:
            continue
        name_row = by_key.get((row.partition, keys.name_key(kind, row.name)))
        if name_row is None or name_row.data.get("entity_id") != ident:
            report.add("entitiesWithoutNameRows", f"{row.partition}/{row.key}")
    for name_row in ix.names:
        kind, ident = str(name_row.data.get("kind")), str(name_row.data.get("entity_id"))
        tenant = name_row.partition if name_row.partition != keys.PLATFORM else ident
        if ix.get(tenant, kind, ident) is None:
            report.add("nameRowsWithoutEntities", f"{name_row.partition}/{name_row.key}")


def _children(ix: _Index, snap: Snapshot, report: Report) -> None:
    for (tenant, kind, _), row in ix.entities.items():
        if ix.deleting(tenant):
            continue
        parent_kind = PARENT_KIND.get(kind)
        if parent_kind and ix.get(tenant, parent_kind, _parent(row)) is None:
            report.add("childrenWithoutParents", f"{row.partition}/{row.key}")
        if kind == "run" and ix.get(tenant, "experiment", str(row.data.get("experiment_id"))) is None:
            report.add("childrenWithoutParents", f"{row.partition}/{row.key}")
        if kind == "batchjob" and not row.deleting and ix.get(tenant, "model", str(row.data.get("model_id"))) is None:
            report.add("childrenWithoutParents", f"{row.partition}/{row.key}")
        its_delete = row.data.get("target_kind") == "tenant" and row.data.get("target_id") == tenant
        if kind == "operation" and ix.get(tenant, "tenant", tenant) is None and not its_delete:
            report.add("childrenWithoutParents", f"{row.partition}/{row.key}")  # the tenant's delete op stays
    for row in ix.raw:
        if row.partition in (keys.JOBS, keys.ACTIVE_RUNS, keys.EVENTS):
            tenant, run_id = str(row.data.get("tenant")), str(row.data.get("run_id"))
            run = ix.get(tenant, "run", run_id)
            stale = run is None or (row.partition == keys.ACTIVE_RUNS and not run.data.get("active"))
            if stale and not ix.deleting(tenant):
                report.add("childrenWithoutParents", f"{row.partition}/{row.key}")
        elif row.partition == keys.PLATFORM and row.key.startswith("usertenant" + keys.SEP):
            _, user, tenant = row.key.split(keys.SEP)
            if ix.get(tenant, "member", user) is None and not ix.deleting(tenant):
                report.add("childrenWithoutParents", f"{row.partition}/{row.key}")
        elif row.partition not in GLOBAL and not ix.deleting(row.partition):
            _raw_row(ix, row, report)
    for partition in ix.partitions - set(GLOBAL):
        if ix.get(partition, "tenant", partition) is None:
            report.add("childrenWithoutParents", f"{partition} (a partition without its tenant)")
    for partition in snap.series_partitions:
        tenant, _, run_id = partition.partition(".")
        if ix.get(tenant, "run", run_id) is None:
            report.add("childrenWithoutParents", f"series/{partition}")


def _raw_row(ix: _Index, row: Row, report: Report) -> None:
    tenant, parts = row.partition, row.key.split(keys.SEP)
    if parts[0] == "ref" and parts[1] == "dataset":
        ok = ix.get(tenant, "dataset", parts[2]) is not None and ix.get(tenant, "experiment", parts[4]) is not None
    elif parts[0] == "ref" and parts[1] == "model":
        deployment = ix.get(tenant, "deployment", f"{parts[4]}{keys.SEP}{parts[5]}")
        ok = ix.get(tenant, "model", parts[2]) is not None and deployment is not None
    elif parts[0] == "slot":
        run = ix.get(tenant, "run", str(row.data.get("run_id")))
        ok = run is not None and bool(run.data.get("active"))
    else:
        return  # guards and other raw rows need no parent
    if not ok:
        report.add("childrenWithoutParents", f"{row.partition}/{row.key}")


def _blobs(ix: _Index, snap: Snapshot, report: Report) -> None:
    pointed = {
        str(row.data.get("blob_path"))
        for (_, kind, _), row in ix.entities.items()
        if kind in ("dsver", "upload") and row.data.get("blob_path")
    }
    model_uris = {str(row.data.get("uri")) for (_, kind, _), row in ix.entities.items() if kind == "model"}
    jobs = {(t, str(row.data.get("job_name"))) for (t, kind, _), row in ix.entities.items() if kind == "run"}
    for name in sorted(snap.blobs.get(snap.datasets_container, set())):
        parts = name.split("/")
        if parts[0] == "_mltable":
            ok = len(parts) > 2 and ix.get(parts[1], "dataset", parts[2]) is not None
        elif len(parts) > 2 and parts[1] == "batch":
            ok = ix.get(parts[0], "batchjob", parts[2]) is not None
        else:
            ok = f"{snap.datasets_container}/{name}" in pointed
        if not ok and not ix.deleting(parts[1] if parts[0] == "_mltable" else parts[0]):
            report.add("blobsWithoutRecords", f"{snap.datasets_container}/{name}")
    for name in sorted(snap.blobs.get(snap.models_container, set())):
        parts = name.split("/")
        if len(parts) == 4 and parts[1] == "jobs":
            ok = (parts[0], parts[2]) in jobs
        else:
            ok = f"{snap.models_container}/{name}" in model_uris
        if not ok and not ix.deleting(parts[0]):
            report.add("blobsWithoutRecords", f"{snap.models_container}/{name}")


def _processes(ix: _Index, snap: Snapshot, report: Report) -> None:
    deployments = {
        (tenant, backend_endpoint(tenant, str(row.data.get("endpoint_id"))), ident.rsplit(keys.SEP, 1)[1])
        for (tenant, kind, ident), row in ix.entities.items()
        if kind == "deployment" and not row.deleting
    }
    for p in snap.scoring:
        if (p.tenant, p.endpoint, p.deployment) not in deployments:
            report.add("scoringWithoutLiveDeployment", f"{p.tenant}/{p.endpoint}/{p.deployment}")
    active = {
        (tenant, str(row.data.get("job_name")))
        for (tenant, kind, _), row in ix.entities.items()
        if kind == "run" and row.data.get("active")
    }
    for p in snap.training:
        if (p.tenant, p.job) not in active:
            report.add("trainingWithoutActiveRun", f"{p.tenant}/{p.job}")
    jobs = [(t, r) for (t, k, _), r in ix.entities.items() if k == "batchjob"]
    batch = {(t, str(r.data.get("job_name"))) for t, r in jobs if r.data.get("status") in ("NotStarted", "Running")}
    for p in snap.batch:
        if (p.tenant, p.job) not in batch:
            report.add("batchWithoutRunningJob", f"{p.tenant}/{p.job}")


def _owners_and_quotas(ix: _Index, report: Report) -> None:
    owners: dict[str, int] = defaultdict(int)
    active: dict[str, int] = defaultdict(int)
    slots: dict[str, int] = defaultdict(int)
    for (tenant, kind, _), row in ix.entities.items():
        if kind == "member" and row.data.get("role") == "owner":
            owners[tenant] += 1
        if kind == "run" and row.data.get("active"):
            active[tenant] += 1
    for row in ix.raw:
        if row.key.startswith(keys.SLOT_PREFIX):
            slots[row.partition] += 1
    for (tenant, kind, _), row in ix.entities.items():
        if kind != "tenant" or row.deleting:
            continue
        if owners[tenant] == 0:
            report.add("tenantsWithoutOwner", tenant)
        quotas = row.data.get("quotas")
        limit = quotas.get("max_concurrent_runs", 2) if isinstance(quotas, dict) else 2
        if isinstance(limit, int) and max(active[tenant], slots[tenant]) > limit:
            report.add("activeRunsAboveQuota", f"{tenant}: {active[tenant]} active, {slots[tenant]} slots, {limit}")
