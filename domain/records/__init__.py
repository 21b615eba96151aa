"""Typed records: the service side of the service-storage seam (docs/adr/0013-typed-seam-and-records.md).

- `kind.Kind[D]`: the one generic helper reading and writing one entity kind over the `Store` port as `Stored[D]`
  (D a `StoredModel`: the kind's data as stored, typed);
- `kinds`: every kind of the app (`RUNS`, `TENANTS` ...) and its data model (`RunData` ...);
- `rows`: typed raw rows (reference rows, global indexes, metric series) and their readers.
"""
