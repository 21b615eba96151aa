"""Use cases, one per module. Each takes the caller's Principal (where there is one) and the tenant explicitly."""
