"""Registered models, online endpoints and their deployments."""

from __future__ import annotations

from pydantic import Field, field_validator

from domain.entities.automl import ProvisioningState
from domain.entities.common import ApiModel, Description, Name, Patch, Resource, Tags
from domain.entities.datasets import ColumnType


class ModelCreate(ApiModel):
    name: Name
    run_id: str = Field(min_length=1, max_length=64)
    trial_id: str | None = Field(default=None, max_length=128, description="default: the run's best trial")
    description: Description | None = None
    tags: Tags = {}


class ModelUpdate(Patch):
    description: Description | None = None
    tags: Tags | None = None


class InputColumn(ApiModel):
    name: str
    type: ColumnType


class Model(Resource):
    name: str
    version: str
    run_id: str
    trial_id: str | None = None
    uri: str | None = None
    description: str | None = None
    tags: dict[str, str] = {}
    input_columns: list[InputColumn] = Field(
        default=[], description="what a scoring row carries: the training data's columns less the target, with types"
    )


def _check_traffic(value: dict[str, int] | None) -> dict[str, int] | None:
    if value is not None and value and sum(value.values()) != 100:
        raise ValueError("traffic percentages must sum to 100")
    return value


class EndpointCreate(ApiModel):
    name: Name
    description: Description | None = None


class EndpointUpdate(Patch):
    description: Description | None = None
    traffic: dict[Name, int] | None = Field(default=None, description="deployment name -> percent; sums to 100")

    _traffic = field_validator("traffic")(_check_traffic)


class Endpoint(Resource):
    name: str
    description: str | None = None
    traffic: dict[str, int] = {}
    state: ProvisioningState = ProvisioningState.SUCCEEDED
    scoring_uri: str | None = None


class DeploymentPut(ApiModel):
    model_id: str = Field(min_length=1, max_length=64)
    instance_type: str = Field(default="Standard_DS3_v2", max_length=64)
    instance_count: int = Field(default=1, ge=1, le=20)


class Deployment(Resource):
    name: str
    endpoint_id: str
    model_id: str
    instance_type: str
    instance_count: int
    state: ProvisioningState
    error: str | None = None


class ScoreRequest(ApiModel):
    rows: list[dict[str, str | int | float | bool | None]] = Field(min_length=1, max_length=1000)
    deployment: Name | None = None


class ScoreResponse(ApiModel):
    predictions: list[str | int | float | bool | None]
