"""Registered models, online endpoints and their deployments."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from domain.entities.automl import ProvisioningState
from domain.entities.common import ApiModel, Description, Name, Patch, Resource, Tags, TagsPatch
from domain.entities.datasets import ColumnType


class ModelCreate(ApiModel):
    name: Name = Field(description="a name already registered gets its next version")
    run_id: str = Field(min_length=1, max_length=64)
    trial_id: str | None = Field(default=None, max_length=128, description="default: the run's best trial")
    description: Description | None = None
    tags: Tags = {}


class ModelUpdate(Patch):
    description: Description | None = None
    tags: TagsPatch | None = None


class InputColumn(ApiModel):
    name: str
    type: ColumnType


class Model(Resource):
    name: str
    version: int = Field(description="1, 2, 3 ... per name, like Azure ML's model versions")
    run_id: str
    experiment_id: str | None = None
    trial_id: str | None = None
    score: float | None = Field(default=None, description="the trial's primary metric (primaryMetric)")
    primary_metric: str | None = None
    input_columns: list[InputColumn] = Field(
        default=[], description="what a scoring row carries: the training data's columns less the target, with types"
    )
    uri: str | None = None
    description: str | None = None
    tags: dict[str, str] = {}


Share = Annotated[int, Field(ge=0, le=100)]


class EndpointCreate(ApiModel):
    name: Name
    description: Description | None = None


class EndpointUpdate(Patch):
    description: Description | None = None
    traffic: dict[Name, Share | None] | None = Field(
        default=None,
        description="deployment name -> percent, merged into the current split (null removes a name); "
        "the result sums to 100 (or 0: nothing live)",
    )


class Endpoint(Resource):
    name: str
    description: str | None = None
    traffic: dict[str, int] = {}
    state: ProvisioningState = ProvisioningState.SUCCEEDED
    scoring_uri: str | None = Field(default=None, description="where to score, once a deployment takes traffic")


class DeploymentPut(ApiModel):
    model_id: str = Field(min_length=1, max_length=64)
    instance_type: str = Field(default="Standard_DS3_v2", max_length=64)
    instance_count: int = Field(default=1, ge=1, le=20)
    traffic: Share | None = Field(
        default=None,
        description="the share it takes once its smoke test passed (the others shrink in proportion); default: "
        "100 for an endpoint's first live deployment, 0 beside a live one (a canary asks for its share), "
        "unchanged for a deployment being updated",
    )


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
    deployment: str = Field(description="the deployment that answered (also the azureml-model-deployment header)")
