"""What a batch scoring job checks before it starts: the model's input columns in the dataset version's profile, each
with a type the model can score (a number column the model was trained on cannot be scored from text)."""

from __future__ import annotations

from domain.entities.datasets import ColumnType
from domain.errors import ErrorDetail, ValidationFailed
from domain.records.kinds import DatasetVersionData, InputColumnData

NUMERIC = {ColumnType.INTEGER, ColumnType.NUMBER, ColumnType.EMPTY}
ACCEPTS: dict[ColumnType, set[ColumnType]] = {  # the model's column type -> dataset column types it can score
    ColumnType.INTEGER: NUMERIC | {ColumnType.BOOLEAN},
    ColumnType.NUMBER: NUMERIC | {ColumnType.BOOLEAN},
    ColumnType.BOOLEAN: {ColumnType.BOOLEAN, ColumnType.INTEGER, ColumnType.EMPTY},
    ColumnType.DATETIME: {ColumnType.DATETIME, ColumnType.STRING, ColumnType.EMPTY},
}


def check_columns(model: list[InputColumnData], dataset: DatasetVersionData) -> None:
    """400 naming every model column the dataset lacks, and every column whose type the model cannot score."""
    if dataset.profile is None or not model:
        return  # data referenced by URI has no profile: the backend reports a missing column when it reads it
    have = {c.name: c.type for c in dataset.profile.columns}
    missing = [c.name for c in model if c.name not in have]
    wrong = [c for c in model if c.name in have and have[c.name] not in ACCEPTS.get(c.type, set(ColumnType))]
    details = [ErrorDetail("MissingColumn", f"The dataset has no column '{n}'.", n) for n in missing]
    details += [
        ErrorDetail(
            "WrongType", f"Column '{c.name}' is {have[c.name].value}; the model expects {c.type.value}.", c.name
        )
        for c in wrong
    ]
    if details:
        parts = []
        if missing:
            parts.append(f"the dataset lacks the model's columns {', '.join(missing)}")
        if wrong:
            parts.append(f"columns {', '.join(c.name for c in wrong)} have types the model cannot score")
        message = "The dataset cannot be scored by this model: " + "; ".join(parts) + "."
        raise ValidationFailed(message, target="datasetId", details=details)
