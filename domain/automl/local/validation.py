"""The engine's own validation splits (worker process only: numpy). Every trial is scored on rows its model never saw.

FLAML's own preparation duplicates the rows of classes with fewer than 20 members before it splits (`auto_augment`),
so copies of one row land on both sides and scores on small classes are memorisation (accuracy 0.97 for 50 random
classes). Here the splits are made once, before the search, from row positions: every row is validated exactly once
(cross-validation) or lies on one side only (holdout), and FLAML receives them as a fixed splitter object.

Rules (docs/adr/0014-local-engine-validation-and-search.md):
- folds: the spec's `n_cross_validations`, else a share (`validation_size`), else Azure ML's size-based default:
  10 folds under 1,000 rows, 3 folds up to 20,000 rows, a 10 % holdout above;
- classification is stratified: each class is spread over the folds in proportion (round-robin over its shuffled
  rows), so a class with at least as many rows as folds is in every fold's training and validation part;
- a class with a single row cannot be on both sides of any split: the job is refused (`SmallClassError`);
- a class with fewer rows than folds (or, for a holdout, too few for both sides to get a share) is validated
  in fewer folds: the job runs with a warning in its log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SMALL_DATA_ROWS = 1_000  # Azure ML: 10 folds below, 3 folds up to LARGE_DATA_ROWS, a 10 % holdout above
LARGE_DATA_ROWS = 20_000
DEFAULT_HOLDOUT = 0.1
MIN_ROWS = 10


class SmallClassError(ValueError):
    """A class too small to be validated at all: the job is refused with this message."""


@dataclass(frozen=True)
class Splits:
    """Row positions of each (training, validation) pair, and what the user should know about them."""

    folds: tuple[tuple[np.ndarray, np.ndarray], ...]
    kind: str  # "cv" or "holdout"
    warnings: tuple[str, ...] = field(default=())

    @property
    def n_rows(self) -> int:
        return int(sum(len(v) for _, v in self.folds)) if self.kind == "cv" else int(sum(map(len, self.folds[0])))

    def describe(self) -> str:
        val = sum(len(v) for _, v in self.folds)
        if self.kind == "cv":
            return f"{len(self.folds)}-fold cross-validation ({val} rows, each validated once)"
        return f"holdout validation ({len(self.folds[0][0])} rows to train, {val} to validate)"


class FixedSplitter:
    """A scikit-learn-style splitter yielding precomputed folds (FLAML's `split_type=` object with eval_method "cv")."""

    shuffle = False  # FLAML permutes training indices unless the splitter says it does not shuffle

    def __init__(self, splits: Splits) -> None:
        self.folds = splits.folds

    def get_n_splits(self, *args: Any, **kwargs: Any) -> int:
        return len(self.folds)

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        if len(X) != sum(len(v) for v in self.folds[0]):
            raise ValueError(f"the splitter was made for {sum(map(len, self.folds[0]))} rows, not {len(X)}")
        yield from self.folds


def default_validation(n_rows: int) -> tuple[int | None, float | None]:
    """Azure ML's default when the spec sets neither folds nor a validation share: (folds, None) or (None, share)."""
    if n_rows < SMALL_DATA_ROWS:
        return 10, None
    if n_rows <= LARGE_DATA_ROWS:
        return 3, None
    return None, DEFAULT_HOLDOUT


def make_splits(
    y: Any,
    classification: bool,
    *,
    n_folds: int | None = None,
    validation_size: float | None = None,
    seed: int = 0,
) -> Splits:
    """The splits of `y` (labels or targets, one per row). Raises SmallClassError or ValueError for unusable data."""
    labels = np.asarray(y)
    n = len(labels)
    if n < MIN_ROWS:
        raise ValueError(f"the dataset has {n} rows with a target value; at least {MIN_ROWS} are needed")
    if n_folds is None and validation_size is None:
        n_folds, validation_size = default_validation(n)
    rng = np.random.default_rng(seed)
    if validation_size is not None:
        return _holdout(labels, classification, validation_size, rng)
    assert n_folds is not None
    if n_folds > n:
        raise ValueError(f"{n_folds}-fold cross-validation needs at least {n_folds} rows; the dataset has {n}")
    return _cross_validation(labels, classification, n_folds, rng)


def _groups(labels: np.ndarray, classification: bool, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled row positions per class (one group for regression), the classes in a stable order."""
    if not classification:
        return [rng.permutation(len(labels))]
    _, codes = np.unique(labels.astype(str), return_inverse=True)
    return [rng.permutation(np.flatnonzero(codes == c)) for c in range(codes.max() + 1)]


def _class_counts(labels: np.ndarray) -> dict[str, int]:
    values, counts = np.unique(labels.astype(str), return_counts=True)
    return dict(zip(values.tolist(), counts.tolist(), strict=True))


def _names(counts: dict[str, int], limit: int = 10) -> str:
    items = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]))
    text = ", ".join(f"'{k}' ({v} row{'s' if v != 1 else ''})" for k, v in items[:limit])
    return text + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _refuse_single_rows(labels: np.ndarray) -> dict[str, int]:
    counts = _class_counts(labels)
    if len(counts) < 2:
        raise SmallClassError(f"the target has a single class ({_names(counts)}); classification needs at least two")
    single = {k: v for k, v in counts.items() if v < 2}
    if single:
        raise SmallClassError(
            f"{len(single)} class{'es' if len(single) > 1 else ''} of the target "
            f"{'have' if len(single) > 1 else 'has'} a single row and cannot be validated: {_names(single)}. "
            "A class needs at least 2 rows (one to train on, one to validate on); remove or relabel those rows."
        )
    return counts


def _cross_validation(labels: np.ndarray, classification: bool, n_folds: int, rng: np.random.Generator) -> Splits:
    warnings: list[str] = []
    if classification:
        counts = _refuse_single_rows(labels)
        small = {k: v for k, v in counts.items() if v < n_folds}
        if small:
            warnings.append(
                f"{len(small)} class{'es' if len(small) > 1 else ''} of the target "
                f"{'have' if len(small) > 1 else 'has'} fewer rows than the {n_folds} folds: {_names(small)}. "
                f"{'They are' if len(small) > 1 else 'It is'} validated in fewer folds, so scores on "
                f"{'them' if len(small) > 1 else 'it'} are less certain."
            )
    fold_of = np.empty(len(labels), dtype=np.int64)
    offset = 0
    for rows in _groups(labels, classification, rng):
        # round-robin over the shuffled rows of each class, continuing where the previous class stopped,
        # so fold sizes differ by at most one row and each class is spread evenly
        fold_of[rows] = (offset + np.arange(len(rows))) % n_folds
        offset = (offset + len(rows)) % n_folds
    positions = np.arange(len(labels))
    folds = tuple((positions[fold_of != f], positions[fold_of == f]) for f in range(n_folds))
    return Splits(folds=folds, kind="cv", warnings=tuple(warnings))


def _holdout(labels: np.ndarray, classification: bool, share: float, rng: np.random.Generator) -> Splits:
    warnings: list[str] = []
    validation: list[np.ndarray] = []
    if classification:
        _refuse_single_rows(labels)
        uneven: dict[str, int] = {}
        for rows in _groups(labels, classification, rng):
            # at least one row on each side; otherwise the class's share of the validation rows
            take = min(max(1, round(len(rows) * share)), len(rows) - 1)
            if take != round(len(rows) * share):
                uneven[str(labels[rows[0]])] = len(rows)
            validation.append(rows[:take])
        if uneven:
            warnings.append(
                f"{len(uneven)} class{'es' if len(uneven) > 1 else ''} of the target "
                f"{'are' if len(uneven) > 1 else 'is'} too small for a {share:.0%} validation share: "
                f"{_names(uneven)}. One row of each is kept on each side, so scores on "
                f"{'them' if len(uneven) > 1 else 'it'} are less certain."
            )
    else:
        rows = rng.permutation(len(labels))
        take = min(max(1, round(len(rows) * share)), len(rows) - 1)
        validation.append(rows[:take])
    val = np.sort(np.concatenate(validation))
    train = np.setdiff1d(np.arange(len(labels)), val)
    return Splits(folds=((train, val),), kind="holdout", warnings=tuple(warnings))
