"""Pydantic models, value objects and state machines. No Azure SDK here (checked by import-linter)."""
