"""Table Storage adapter: keys, schema versions, migrations. The only package that imports azure.data.tables."""
