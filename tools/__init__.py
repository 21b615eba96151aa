"""Developer tools that are never deployed (see .funcignore)."""
