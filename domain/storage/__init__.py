"""Table Storage adapter: keys, schema versions, migrations. The only package that imports azure.data.tables.

Public API (see docs/adr/0002-table-storage-core.md):
- `store.EntityStore(service_or_backend, table="entities", schemas=SchemaRegistry, clock=Clock)`, the `Store` port
  of domain/ports.py: `ensure_tables`, `create`, `get`, `get_by_name`, `update`, `tombstone`, `delete`, `list`,
  `list_audit`, `upsert_entities`, `list_rows`, `transact`; `store.delete_ops(record)` for cascades. The rows of one
  change are built by `changes.py`, raw-row transactions by `transact.py`.
- `records.Record`, `records.Page`, `records.Op`, `records.Child`, `records.RawRow`, `records.Value`: the seam's
  vocabulary (services see typed records instead: `domain/records`); `schemas.SchemaRegistry`.
- `memory_backend.MemoryBackend`: the in-memory fake for unit tests (same contract tests as Azurite).
- `counting.CountingTransport`: counts Table requests (pass it to the service client).
- `migrations.Migration`, `migrations.PartitionMigrator`, `runner.run_migrations`;
  CLI `python -m domain.storage.migrate`.
- `keys`: every row key format (entities, names, audit, references, indexes, series); `limits`: Table limits.
"""
