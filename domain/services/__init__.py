"""Use cases, one module per resource or flow. Each takes the ports it needs (`Store`, `RowStore`, `AutoMLBackend`,
`BlobStore`: never `Any`), the caller's Principal where something is written, and the tenant explicitly. Entities
are read and written as typed records (`domain/records`); `_views.View` is the read/list/patch of every resource."""
