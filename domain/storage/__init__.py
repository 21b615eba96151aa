"""Table Storage adapter: keys, schema versions, migrations. The only package that imports azure.data.tables.

Public API (see docs/adr/0002-table-storage-core.md):
- `store.EntityStore(service_or_backend, table="entities", schemas=SchemaRegistry, clock=Clock)`:
  `ensure_tables`, `create`, `get`, `get_by_name`, `update`, `tombstone`, `delete`, `list`, `list_audit`,
  `list_rows`, `transact`; `store.delete_ops(record)` for cascades.
- `records.Record`, `records.Page`, `records.Op`; `schemas.SchemaRegistry`.
- `memory_backend.MemoryBackend`: the in-memory fake for unit tests (same contract tests as Azurite).
- `counting.CountingTransport`: counts Table requests (pass it to the service client).
- `migrations.Migration`, `migrations.PartitionMigrator`, `runner.run_migrations`;
  CLI `python -m domain.storage.migrate`.
- `keys`: row key layout (`entity_key`, `name_key`, `kind_range` ...); `limits`: Table Storage limits.
"""
