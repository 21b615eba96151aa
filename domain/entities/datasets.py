"""Datasets: CSV uploaded to Blob Storage (profiled) or a reference to existing data by URI; numbered versions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from domain.entities.common import ApiModel, Description, Name, Patch, Resource, Tags, TagsPatch


class ColumnType(StrEnum):
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    STRING = "string"
    EMPTY = "empty"


class ColumnProfile(ApiModel):
    name: str
    type: ColumnType
    missing: int = Field(ge=0)
    distinct: int | None = Field(default=None, ge=0)


class Profile(ApiModel):
    columns: list[ColumnProfile]
    row_count: int = Field(ge=0)


class DatasetCreate(ApiModel):
    """JSON body for a dataset that references data by URI (uploads use multipart or text/csv)."""

    name: Name
    description: Description | None = None
    uri: str = Field(pattern=r"^(https://|azureml://|abfss://|wasbs://)\S+$", max_length=2048)
    columns: list[Name] | None = Field(default=None, max_length=250)
    tags: Tags = {}


class DatasetUpdate(Patch):
    description: Description | None = None
    tags: TagsPatch | None = None


class DatasetSource(StrEnum):
    UPLOAD = "upload"
    URI = "uri"


class DatasetVersion(Resource):
    dataset_id: str
    version: int
    source: DatasetSource
    uri: str | None = None
    blob_path: str | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    profile: Profile | None = None


class Dataset(Resource):
    name: str
    description: str | None = None
    latest_version: int
    source: DatasetSource
    profile: Profile | None = None
    tags: dict[str, str] = {}


class DirectUpload(Resource):
    """A direct upload to Blob Storage: PUT the file to `uploadUrl` (with `headers`) before `expiresAt`, then
    `POST .../uploads/{id}:commit`. The URL lets its holder write this one blob, nothing else."""

    dataset_id: str
    upload_url: str
    method: str = "PUT"
    headers: dict[str, str] = {}
    expires_at: datetime
    max_bytes: int
