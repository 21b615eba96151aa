"""Durable orchestrations: control flow only; every I/O is an activity calling a domain service."""
