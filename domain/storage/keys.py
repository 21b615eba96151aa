"""Row key layout of the `entities` table (PartitionKey = tenant id). See docs/adr/0002-table-storage-core.md.

| row | RowKey |
|---|---|
| entity | `{kind}|{id}` |
| child entity | `{kind}|{parent_id}|{id}` (sorts under its parent: one range query lists the children) |
| unique name | `name|{kind}|{lowercased name}`, written in the same transaction as its entity |
| audit entry | `audit|{inverted ticks:019d}|{id}|{rand}` (newest first; `rand` parts two changes in one tick) |
| internal step | `steps|{inverted ticks:019d}|{id}|{rand}`: raw-row transactions (cascades, index rows) |
| partition schema | `_schema` (schema versions, applied migrations, migration cursor) |
| dataset in use | `ref|dataset|{dataset}|experiment|{experiment}` (written with the experiment) |
| model in use | `ref|model|{model}|deployment|{endpoint}|{deployment}` (written with the deployment) |
| user's tenants | `usertenant|{user}|{tenant}` (platform partition `_platform`) |
| run started with an Idempotency-Key | `idem|run|{experiment}|{sha256 of the key}` -> run id (written with the run) |
| a model name's versions | `modelver|{lowercased name}` -> first spelling, last version (written with each) |
| a run's auto-registered model | `runmodel|{run}` -> model id (written with the model: registered once) |
| job -> run | `job|{job name}` (partition `_jobs`) |
| active run | `run|{tenant}|{run}` (partition `_active`) |
| event handled | `event|{tenant}|{run}|{event id}` (partition `_events`; a run's events go with it) |
| run quota slot | `slot|{n:03d}` (0 <= n < the tenant's maxConcurrentRuns; created in the run's transaction) |
| owners guard | `guard|owners` (its ETag orders every change that can remove an owner) |
| pending upload | `upload|{dataset}|{upload id}` (an entity: child of the dataset, removed by its commit) |

The `series` table: partition `{tenant}.{run}`, rows `m|{metric}|{step:010}`, `l|{seq:012}` and the watermark `_wm`.

`|` separates parts; `}` (the next character) is the exclusive upper bound of a prefix range.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from domain.errors import ValidationFailed

SEP = "|"
END = "}"  # chr(ord("|") + 1): exclusive upper bound of a prefix range
SCHEMA_ROW = "_schema"
PLATFORM = "_platform"  # the partition holding tenants (names unique platform-wide) and their operations
NAME = "name"
AUDIT = "audit"
STEPS = "steps"
_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)
_MAX_TICKS = 2**63 - 1
RESERVED_KINDS = frozenset({NAME, AUDIT, STEPS, "ref", "_schema", "slot", "guard"})


def check_id(value: str, what: str = "id") -> str:
    """Ids (and tenant ids) enter keys: only letters, digits, `.`, `_`, `-` (1-128 chars)."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ValidationFailed(
            f"{what} must be 1-128 characters from A-Z a-z 0-9 . _ - (got {value!r:.60}).", target=what
        )
    return value


def check_kind(kind: str) -> str:
    if not _KIND.fullmatch(kind) or kind in RESERVED_KINDS:
        raise ValueError(f"invalid entity kind {kind!r}: lowercase letters, digits, _; not {sorted(RESERVED_KINDS)}")
    return kind


def entity_key(kind: str, ident: str, parent_id: str | None = None) -> str:
    if parent_id is None:
        return f"{kind}{SEP}{ident}"
    return f"{kind}{SEP}{parent_id}{SEP}{ident}"


def kind_range(kind: str, parent_id: str | None = None) -> tuple[str, str]:
    """[lo, hi) of the row keys of `kind` (under `parent_id` when given)."""
    prefix = f"{kind}{SEP}" if parent_id is None else f"{kind}{SEP}{parent_id}{SEP}"
    return prefix, prefix[:-1] + END


def normalize_name(name: str) -> str:
    return name.strip().lower()


def name_key(kind: str, name: str) -> str:
    return f"{NAME}{SEP}{kind}{SEP}{normalize_name(name)}"


def ticks(at: datetime) -> int:
    """.NET ticks (100 ns since 0001-01-01 UTC)."""
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def inverted_ticks(at: datetime) -> str:
    return f"{_MAX_TICKS - ticks(at):019d}"


def audit_key(at: datetime, ident: str, prefix: str = AUDIT) -> str:
    return f"{prefix}{SEP}{inverted_ticks(at)}{SEP}{ident}{SEP}{secrets.token_hex(3)}"


def audit_range(since: datetime | None) -> tuple[str, str]:
    """Audit rows newest first; with `since`, only entries at or after it."""
    lo = f"{AUDIT}{SEP}"
    if since is None:
        return lo, f"{AUDIT}{END}"
    return lo, f"{AUDIT}{SEP}{inverted_ticks(since)}{END}"


# ---- reference rows: a referenced entity cannot be deleted while they exist (restrict rule) ----------------------


def dataset_ref_key(dataset_id: str, experiment_id: str) -> str:
    return f"ref{SEP}dataset{SEP}{dataset_id}{SEP}experiment{SEP}{experiment_id}"


def dataset_refs(dataset_id: str) -> str:
    """The prefix of the experiments using the dataset."""
    return f"ref{SEP}dataset{SEP}{dataset_id}{SEP}experiment{SEP}"


def model_ref_key(model_id: str, endpoint_id: str, deployment: str) -> str:
    return f"ref{SEP}model{SEP}{model_id}{SEP}deployment{SEP}{endpoint_id}{SEP}{deployment}"


def model_refs(model_id: str) -> str:
    """The prefix of the deployments using the model."""
    return f"ref{SEP}model{SEP}{model_id}{SEP}deployment{SEP}"


def idempotent_run_key(experiment_id: str, key_digest: str) -> str:
    return f"idem{SEP}run{SEP}{experiment_id}{SEP}{key_digest}"


def model_version_key(name: str) -> str:
    return f"modelver{SEP}{normalize_name(name)}"


def run_model_key(run_id: str) -> str:
    return f"runmodel{SEP}{run_id}"


def user_tenant_key(user_id: str, tenant: str) -> str:
    return f"usertenant{SEP}{user_id}{SEP}{tenant}"


def user_tenants(user_id: str) -> str:
    """The prefix of the user's tenants (platform partition)."""
    return f"usertenant{SEP}{user_id}{SEP}"


# ---- global index partitions (eventually consistent, repaired by reconciliation) ----------------------------------
JOBS, ACTIVE_RUNS, EVENTS = "_jobs", "_active", "_events"
ACTIVE_RUN_PREFIX = f"run{SEP}"


def job_key(job_name: str) -> str:
    return f"job{SEP}{job_name}"


def active_run_key(tenant: str, run_id: str) -> str:
    return f"run{SEP}{tenant}{SEP}{run_id}"


def event_key(tenant: str, run_id: str, event_id: str) -> str:
    return f"event{SEP}{tenant}{SEP}{run_id}{SEP}{event_id}"


def run_events(tenant: str, run_id: str | None = None) -> str:
    """The prefix of the events handled for a run (for every run of the tenant when `run_id` is None)."""
    return f"event{SEP}{tenant}{SEP}" + (f"{run_id}{SEP}" if run_id else "")


def active_runs_of(tenant: str) -> str:
    """The prefix of the tenant's rows in `_active`."""
    return f"run{SEP}{tenant}{SEP}"


# ---- guards in the tenant's partition: rows whose create or ETag makes a rule hold under concurrency --------------
SLOT_PREFIX = f"slot{SEP}"
OWNERS_GUARD = f"guard{SEP}owners"


def slot_key(slot: int) -> str:
    return f"{SLOT_PREFIX}{slot:03d}"


def slot_of(row_key: str) -> int:
    return int(row_key.removeprefix(SLOT_PREFIX))


# ---- the series table: one partition per run ---------------------------------------------------------------------
WATERMARK = "_wm"
LOG_PREFIX = f"l{SEP}"


def series_partition(tenant: str, run_id: str) -> str:
    return f"{tenant}.{run_id}"


def metric_key(name: str, step: int) -> str:
    return f"m{SEP}{name}{SEP}{step:010d}"


def metric_prefix(name: str | None = None) -> str:
    """Every metric point (of `name` when given), in name and step order."""
    return f"m{SEP}{name}{SEP}" if name else f"m{SEP}"


def log_key(seq: int) -> str:
    return f"l{SEP}{seq:012d}"
