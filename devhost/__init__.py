"""The project's local Azure Functions host: runs function_app.py without Core Tools. Never deployed."""
