"""The product's logic. Never imports azure.functions or azure.durable_functions (checked by import-linter)."""
