"""The scoring server's model cache: loaded on first use, least recently used unloaded beyond the budget."""

from __future__ import annotations

import threading
import time
from typing import Any

from domain.automl.local.model_cache import ModelCache


def loader(model: Any, size: int, calls: list[Any] | None = None) -> Any:
    def load() -> tuple[Any, int]:
        if calls is not None:
            calls.append(model)
        return model, size

    return load


def cache(budget: int, rss: list[int] | None = None) -> ModelCache:
    memory = rss if rss is not None else [0]
    return ModelCache(budget, measure=lambda: memory[0])


def test_a_model_is_absent_until_loaded_then_served_from_memory() -> None:
    c = cache(100)
    calls: list[Any] = []
    assert c.get("t/e/d/1", "models/a") is None
    entry = c.load("t/e/d/1", "models/a", loader("A", 10, calls))
    assert entry.model == "A" and entry.size == 10
    assert c.get("t/e/d/1", "models/a") is entry
    assert c.load("t/e/d/1", "models/a", loader("A", 10, calls)) is entry  # already loaded: not loaded again
    assert calls == ["A"]


def test_the_same_key_with_another_uri_is_not_served_the_old_model() -> None:
    c = cache(100)
    c.load("t/e/d/1", "models/a", loader("A", 10))
    assert c.get("t/e/d/1", "models/b") is None
    assert c.load("t/e/d/1", "models/b", loader("B", 10)).model == "B"
    assert list(c.snapshot()["models"]) == ["t/e/d/1"]


def test_least_recently_used_models_are_unloaded_beyond_the_budget() -> None:
    c = cache(100)
    c.load("a", "u/a", loader("A", 40))
    c.load("b", "u/b", loader("B", 40))
    assert c.get("a", "u/a") is not None  # a is now more recently used than b
    c.load("c", "u/c", loader("C", 40))
    snapshot = c.snapshot()
    assert list(snapshot["models"]) == ["a", "c"]
    assert snapshot["total_bytes"] == 80 and snapshot["evictions"] == 1
    assert c.get("b", "u/b") is None


def test_a_model_larger_than_the_budget_is_served_alone() -> None:
    c = cache(100)
    c.load("a", "u/a", loader("A", 40))
    big = c.load("big", "u/big", loader("BIG", 500))
    assert c.get("big", "u/big") is big
    assert list(c.snapshot()["models"]) == ["big"]


def test_memory_growth_while_loading_counts_when_larger_than_the_file() -> None:
    rss = [1000]

    def load() -> tuple[Any, int]:
        rss[0] += 70  # the unpickled model takes more memory than its file
        return "A", 10

    c = cache(100, rss)
    assert c.load("a", "u/a", load).size == 70
    assert c.load("b", "u/b", loader("B", 40)).size == 40  # no growth measured: the file size counts
    assert list(c.snapshot()["models"]) == ["b"]  # 70 + 40 > 100: a, least recently used, was unloaded


def test_unload_by_prefix_removes_only_that_deployment_or_endpoint() -> None:
    c = cache(1000)
    for key in ("t/ep/blue/1", "t/ep/blue2/1", "t/ep/green/3", "t/ep2/blue/1"):
        c.load(key, f"u/{key}", loader(key, 1))
    assert c.unload("t/ep/blue/") == ["t/ep/blue/1"]
    assert sorted(c.unload("t/ep/")) == ["t/ep/blue2/1", "t/ep/green/3"]
    assert list(c.snapshot()["models"]) == ["t/ep2/blue/1"]
    assert c.unload("t/ep/") == []


def test_concurrent_first_uses_load_a_model_once() -> None:
    c = cache(1000)
    calls: list[Any] = []

    def slow() -> tuple[Any, int]:
        time.sleep(0.2)  # keeps the load in progress while the other threads arrive (the assertion is the count)
        calls.append("A")
        return "A", 1

    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(c.load("a", "u/a", slow))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["A"] and len({id(r) for r in results}) == 1
