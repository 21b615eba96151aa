"""The engine's own splits: no row on both sides, every row validated once, stratified where classes allow it,
a refusal for a class of one row and a warning for classes smaller than the number of folds."""

from __future__ import annotations

import numpy as np
import pytest

from domain.automl.local.validation import (
    FixedSplitter,
    SmallClassError,
    default_validation,
    make_splits,
)


def assert_disjoint_and_complete(folds: tuple[tuple[np.ndarray, np.ndarray], ...], n: int, cv: bool) -> None:
    for train, val in folds:
        assert len(np.intersect1d(train, val)) == 0  # no row on both sides
        assert len(np.unique(val)) == len(val) and len(np.unique(train)) == len(train)
        assert sorted(np.concatenate([train, val]).tolist()) == list(range(n))
    if cv:
        everything = np.concatenate([val for _, val in folds])
        assert sorted(everything.tolist()) == list(range(n))  # each row validated exactly once


def test_stratified_folds_spread_every_class_over_every_fold() -> None:
    labels = np.array(["a"] * 50 + ["b"] * 30 + ["c"] * 20)
    splits = make_splits(labels, True, n_folds=5, seed=3)
    assert splits.kind == "cv" and len(splits.folds) == 5 and splits.warnings == ()
    assert_disjoint_and_complete(splits.folds, 100, cv=True)
    for train, val in splits.folds:
        assert len(val) == 20
        counts = {c: int(np.sum(labels[val] == c)) for c in "abc"}
        assert counts == {"a": 10, "b": 6, "c": 4}  # each class in proportion
        assert set(labels[train]) == {"a", "b", "c"}


def test_folds_are_reproducible_and_depend_on_the_seed() -> None:
    labels = np.repeat(np.arange(4), 25)
    first = make_splits(labels, True, n_folds=5, seed=1)
    again = make_splits(labels, True, n_folds=5, seed=1)
    other = make_splits(labels, True, n_folds=5, seed=2)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(first.folds, again.folds, strict=True))
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(first.folds, other.folds, strict=True))


def test_regression_folds_are_shuffled_and_even() -> None:
    target = np.linspace(0.0, 1.0, 103)
    splits = make_splits(target, False, n_folds=4, seed=0)
    assert_disjoint_and_complete(splits.folds, 103, cv=True)
    assert sorted(len(v) for _, v in splits.folds) == [25, 26, 26, 26]
    assert not np.array_equal(splits.folds[0][1], np.arange(len(splits.folds[0][1])))


def test_a_class_of_one_row_is_refused_by_name() -> None:
    labels = np.array(["yes"] * 30 + ["no"] * 30 + ["maybe"])
    with pytest.raises(SmallClassError, match=r"'maybe' \(1 row\)") as err:
        make_splits(labels, True, n_folds=5)
    assert "at least 2 rows" in str(err.value)
    with pytest.raises(SmallClassError, match="single row"):
        make_splits(labels, True, validation_size=0.2)
    with pytest.raises(SmallClassError, match="a single class"):
        make_splits(np.array(["yes"] * 20), True, n_folds=5)


def test_classes_smaller_than_the_folds_run_with_a_warning() -> None:
    labels = np.array([0] * 40 + [1] * 3 + [2] * 2)
    splits = make_splits(labels, True, n_folds=5, seed=0)
    assert_disjoint_and_complete(splits.folds, 45, cv=True)
    (warning,) = splits.warnings
    assert "2 classes" in warning and "'2' (2 rows)" in warning and "'1' (3 rows)" in warning
    for train, val in splits.folds:
        for small in (1, 2):  # whenever a small class is validated, the fold's training part still has it
            if small in labels[val]:
                assert small in labels[train]


def test_holdout_keeps_each_class_on_both_sides() -> None:
    labels = np.array(["a"] * 90 + ["b"] * 8 + ["c"] * 2)
    splits = make_splits(labels, True, validation_size=0.2, seed=0)
    assert splits.kind == "holdout" and len(splits.folds) == 1
    assert_disjoint_and_complete(splits.folds, 100, cv=False)
    train, val = splits.folds[0]
    assert {c: int(np.sum(labels[val] == c)) for c in "abc"} == {"a": 18, "b": 2, "c": 1}
    assert set(labels[train]) == {"a", "b", "c"}
    (warning,) = splits.warnings  # 20 % of 2 rows rounds to 0: one row is kept on each side
    assert "'c' (2 rows)" in warning


def test_azure_default_validation_by_size() -> None:
    assert default_validation(999) == (10, None)
    assert default_validation(1000) == (3, None)
    assert default_validation(20_000) == (3, None)
    assert default_validation(20_001) == (None, 0.1)
    assert len(make_splits(np.arange(50.0), False).folds) == 10


def test_too_little_data_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        make_splits(np.arange(5.0), False, n_folds=2)
    with pytest.raises(ValueError, match="20-fold"):
        make_splits(np.arange(12.0), False, n_folds=20)


def test_the_fixed_splitter_yields_the_folds_for_their_rows_only() -> None:
    splits = make_splits(np.repeat([0, 1], 10), True, n_folds=2, seed=0)
    splitter = FixedSplitter(splits)
    assert splitter.get_n_splits() == 2 and splitter.shuffle is False
    assert [v.tolist() for _, v in splitter.split(np.zeros((20, 1)))] == [v.tolist() for _, v in splits.folds]
    with pytest.raises(ValueError, match="made for 20 rows"):
        next(splitter.split(np.zeros((30, 1))))
