"""PATCH bodies: an explicit null clears a clearable field and is refused for a field the resource must keep."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.entities.datasets import DatasetUpdate
from domain.entities.experiments import ExperimentUpdate
from domain.entities.serving import EndpointUpdate, ModelUpdate
from domain.entities.tenancy import TenantUpdate


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (TenantUpdate, "quotas"),
        (DatasetUpdate, "tags"),
        (ExperimentUpdate, "limits"),
        (ExperimentUpdate, "targetColumn"),
        (ModelUpdate, "tags"),
        (EndpointUpdate, "traffic"),
    ],
)
def test_null_is_refused_where_the_resource_needs_a_value(model: type, field: str) -> None:
    with pytest.raises(ValidationError, match="cannot be null") as caught:
        model.model_validate({field: None})
    assert caught.value.errors()[0]["loc"] == (field,)  # the error names the field (details[].target)


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (TenantUpdate, "displayName"),
        (TenantUpdate, "azureml"),
        (ExperimentUpdate, "forecast"),
        (ModelUpdate, "description"),
    ],
)
def test_null_clears_a_clearable_field(model: type, field: str) -> None:
    body = model.model_validate({field: None})
    assert body.model_dump(exclude_unset=True) != {} and all(
        v is None for v in body.model_dump(exclude_unset=True).values()
    )


def test_leaving_a_field_out_changes_nothing() -> None:
    assert TenantUpdate.model_validate({}).model_dump(exclude_unset=True) == {}
