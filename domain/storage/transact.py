"""Generic atomic batches of raw rows (reference rows, child deletes in pages), with their audit row."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import LimitExceeded
from domain.ports import Clock
from domain.storage import codec, keys
from domain.storage.backend import Backend, BackendError, BatchOp, Row, RowMissing
from domain.storage.errmap import row_error
from domain.storage.keys import SEP, STEPS
from domain.storage.records import Op, Record
from domain.storage.rows import audit_row

MAX_OPS = 99  # + the audit row = 100, the service's limit


def run_transaction(
    backend: Backend,
    tenant: str,
    batch: list[BatchOp],
    ops: Sequence[Op],
    actor: str,
    action: str,
    clock: Clock,
    audit: bool = True,
) -> list[str]:
    """`audit=False` for rows that are not the tenant's data (indexes, metric series, a partition being wiped)."""
    if not batch:
        return []
    if len(batch) > MAX_OPS:
        raise LimitExceeded(f"A transaction holds {len(batch)} operations; the limit is {MAX_OPS} plus its audit row.")
    live = list(range(len(batch)))  # indexes into `batch` still to send
    keys = [op.row["RowKey"] for op in batch]
    listed = keys if len(keys) <= 50 else [*keys[:50], f"... {len(keys) - 50} more"]
    while True:
        now = clock.now()
        trail = (
            [
                BatchOp(
                    "create",
                    audit_row(
                        tenant,
                        now,
                        actor,
                        action,
                        "rows",
                        keys[0].replace(SEP, ".")[:64],
                        {"rows": [None, listed]},
                        prefix=STEPS,
                    ),
                )
            ]
            if audit
            else []
        )
        try:
            etags = backend.submit(tenant, [batch[i] for i in live] + trail)
        except BackendError as exc:
            pos = exc.index
            if pos is not None and pos < len(live):
                failed = live[pos]
                if isinstance(exc, RowMissing) and ops[failed].if_exists and ops[failed].action == "delete":
                    live.pop(pos)
                    if not live:
                        return ["" for _ in batch]
                    continue
                raise row_error(exc, "row", keys[failed], keys[failed]) from exc
            raise row_error(exc, "row", keys[0], None) from exc
        out = ["" for _ in batch]
        for i, etag in zip(live, etags, strict=False):
            out[i] = etag
        return out


def delete_ops(record: Record) -> list[Op]:
    """The operations removing an entity and its name row, idempotently (for cascades in pages via `transact`)."""
    ops = [Op.delete(keys.entity_key(record.kind, record.id, record.parent_id), if_exists=True)]
    if record.name is not None:
        ops.append(Op.delete(keys.name_key(record.kind, record.name), if_exists=True))
    return ops


def batch_op(tenant: str, op: Op) -> BatchOp:
    row: Row = {"PartitionKey": tenant, "RowKey": op.row_key}
    if op.action != "delete":
        size = codec.encode_data(op.data, f"row '{op.row_key}'", row)
        codec.check_row(row, size, f"row '{op.row_key}'")
    else:
        codec.check_row(row, 0, f"row '{op.row_key}'")
    return BatchOp(op.action, row, op.etag)
