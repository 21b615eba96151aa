"""PATCH is a JSON merge patch (RFC 7396) applied by the server's own read-modify-write: nested objects merge,
null removes, and without If-Match concurrent PATCHes all succeed and none is lost (with a stale If-Match: 412)."""

from __future__ import annotations

import threading

import pytest
from pydantic import ValidationError

from domain.entities.datasets import DatasetUpdate
from domain.entities.experiments import ExperimentUpdate
from domain.errors import ConcurrencyConflict, ValidationFailed
from domain.services import datasets, experiments
from domain.services._patch import merge_patch
from tests.unit.services.kit import OWNER, World, world

# RFC 7396, Appendix A: (target, patch, result)
RFC_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "result"), RFC_EXAMPLES)
def test_merge_patch_follows_rfc_7396(target: object, patch: object, result: object) -> None:
    assert merge_patch(target, patch) == result


@pytest.fixture
def w() -> World:
    return world()


def test_a_nested_object_is_merged_not_replaced(w: World) -> None:
    before = experiments.get_experiment(w.store, w.tenant, w.experiment_id)
    assert before.limits.timeout_minutes == 1 and before.limits.max_trials == 10
    body = ExperimentUpdate.model_validate({"limits": {"maxTrials": 5}})
    after = experiments.update_experiment(w.store, OWNER, w.tenant, w.experiment_id, body, None)
    assert (after.limits.max_trials, after.limits.timeout_minutes) == (5, 1)  # timeoutMinutes kept
    body = ExperimentUpdate.model_validate({"limits": {"trialTimeoutMinutes": 1}})
    assert experiments.update_experiment(w.store, OWNER, w.tenant, w.experiment_id, body, None).limits.max_trials == 5
    cleared = ExperimentUpdate.model_validate({"limits": {"trialTimeoutMinutes": None}})  # nullable inside: cleared
    after = experiments.update_experiment(w.store, OWNER, w.tenant, w.experiment_id, cleared, None)
    assert after.limits.trial_timeout_minutes is None and after.limits.max_trials == 5


def test_null_where_a_value_is_needed_names_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        ExperimentUpdate.model_validate({"limits": {"maxTrials": None}})
    assert caught.value.errors()[0]["loc"] == ("limits", "maxTrials")


def test_the_merged_resource_must_pass_every_rule(w: World) -> None:
    body = ExperimentUpdate.model_validate({"limits": {"maxConcurrentTrials": 50}})  # > maxTrials once merged
    with pytest.raises(ValidationFailed) as caught:
        experiments.update_experiment(w.store, OWNER, w.tenant, w.experiment_id, body, None)
    assert [d.target for d in caught.value.details] == ["limits.maxConcurrentTrials"]
    partial = ExperimentUpdate.model_validate({"forecast": {"horizon": 3}})  # no forecast to merge into
    with pytest.raises(ValidationFailed) as caught:
        experiments.update_experiment(w.store, OWNER, w.tenant, w.experiment_id, partial, None)
    assert "forecast.timeColumn" in {d.target for d in caught.value.details}
    assert experiments.get_experiment(w.store, w.tenant, w.experiment_id).limits.max_concurrent_trials == 1


def test_tags_merge_and_a_null_tag_is_removed(w: World) -> None:
    patch = datasets.update_dataset
    patch(w.store, OWNER, w.tenant, w.dataset_id, DatasetUpdate.model_validate({"tags": {"a": "1", "b": "2"}}), None)
    after = patch(w.store, OWNER, w.tenant, w.dataset_id, DatasetUpdate.model_validate({"tags": {"b": None}}), None)
    assert after.tags == {"a": "1"}
    many = DatasetUpdate.model_validate({"tags": {f"k{i}": "v" for i in range(32)}})  # 33 once merged
    with pytest.raises(ValidationFailed, match="at most 32 tags"):
        patch(w.store, OWNER, w.tenant, w.dataset_id, many, None)


def test_concurrent_patches_without_if_match_all_succeed_and_none_is_lost(w: World) -> None:
    errors: list[BaseException] = []

    def tag(i: int) -> None:
        try:
            body = DatasetUpdate.model_validate({"tags": {f"t{i}": str(i)}})
            datasets.update_dataset(w.store, OWNER, w.tenant, w.dataset_id, body, None)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tag, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert datasets.get_dataset(w.store, w.tenant, w.dataset_id).tags == {f"t{i}": str(i) for i in range(24)}


def test_a_stale_if_match_is_refused_once_and_changes_nothing(w: World) -> None:
    current = datasets.get_dataset(w.store, w.tenant, w.dataset_id)
    datasets.update_dataset(w.store, OWNER, w.tenant, w.dataset_id, DatasetUpdate(description="x"), current.etag)
    with pytest.raises(ConcurrencyConflict):
        datasets.update_dataset(w.store, OWNER, w.tenant, w.dataset_id, DatasetUpdate(description="y"), current.etag)
    assert datasets.get_dataset(w.store, w.tenant, w.dataset_id).description == "x"
