"""Dataset versions as Azure ML data assets: one asset per (tenant, dataset), asset version = dataset version.

AutoML tabular jobs need an MLTable. The app's datasets container is registered in the workspace as a datastore
(`AZUREML_DATASTORE`); for a data file this module writes an `MLTable` file (under `_mltable/<tenant>/<dataset>/<v>/`
in that container) pointing at the file, then registers that folder as an `mltable` asset. A URI ending in '/' is
taken as a folder that already holds an MLTable. A non-tabular file is registered as `uri_file`.
"""

from __future__ import annotations

import posixpath
from typing import Any

from domain.automl.azureml import naming
from domain.automl.azureml.client import Workspace
from domain.automl.azureml.errors import azure_errors
from domain.entities.automl import DatasetVersionRef
from domain.errors import NotFound, UpstreamRefused, ValidationFailed

KIND = "dataset"
_READERS = {
    ".csv": "  - read_delimited:\n      delimiter: ','\n      encoding: utf8\n      header: all_files_same_headers\n",
    ".tsv": "  - read_delimited:\n      delimiter: '\\t'\n      encoding: utf8\n      header: all_files_same_headers\n",
    ".parquet": "  - read_parquet\n",
    ".jsonl": "  - read_json_lines:\n      encoding: utf8\n",
}


def mltable_text(file_uri: str) -> str | None:
    """The MLTable YAML for one data file, or None when its format is not tabular."""
    reader = _READERS.get(posixpath.splitext(file_uri.split("?", 1)[0])[1].lower())
    if reader is None:
        return None
    return f"paths:\n  - file: {file_uri}\ntransformations:\n{reader}"


def datastore_uri(ws: Workspace, path: str) -> str:
    """Long-form datastore URI (the form MLTable files accept)."""
    return (
        f"azureml://subscriptions/{ws.subscription_id}/resourcegroups/{ws.resource_group}"
        f"/workspaces/{ws.name}/datastores/{ws.settings.azureml_datastore}/paths/{path}"
    )


def file_uri(ws: Workspace, dataset: DatasetVersionRef) -> str:
    if dataset.uri:
        return dataset.uri
    assert dataset.blob_path
    container, _, blob = dataset.blob_path.partition("/")
    if container != ws.settings.datasets_container or not blob:
        raise ValidationFailed(
            f"the blob path must be '<{ws.settings.datasets_container}>/<blob name>'.", target="blobPath"
        )
    return datastore_uri(ws, blob)


def _write_mltable(ws: Workspace, folder: str, text: str, blob_writer: Any) -> None:
    with azure_errors(KIND, folder, creating=True):
        blob_writer(ws.settings.datasets_container, f"{folder}MLTable", text.encode())


def register(ws: Workspace, tenant: str, dataset: DatasetVersionRef, blob_writer: Any) -> str:
    """Returns `azureml:<asset>:<version>`; an existing version of this tenant's asset is returned as is."""
    from azure.ai.ml.constants import AssetTypes
    from azure.ai.ml.entities import Data

    if not dataset.uri and not dataset.blob_path:
        raise ValidationFailed("a dataset version needs a blob path or a URI.", target="dataset")
    name, version = naming.data_asset_name(tenant, dataset.dataset_id), str(dataset.version)
    ref = f"azureml:{name}:{version}"
    try:
        with azure_errors(KIND, name):
            existing = ws.ml.data.get(name=name, version=version)
        if (existing.tags or {}).get(naming.TAG_TENANT) != tenant:
            raise UpstreamRefused(f"data asset {name}:{version} exists and belongs to someone else.", target=KIND)
        return ref
    except NotFound:
        pass

    source = file_uri(ws, dataset)
    if source.endswith("/"):
        path, kind = source, AssetTypes.MLTABLE  # a folder holding its own MLTable
    elif (text := mltable_text(source)) is not None:
        folder = f"_mltable/{naming.data_asset_name(tenant, dataset.dataset_id)}/{version}/"
        _write_mltable(ws, folder, text, blob_writer)
        path, kind = datastore_uri(ws, folder), AssetTypes.MLTABLE
    else:
        path, kind = source, AssetTypes.URI_FILE
    data = Data(
        name=name,
        version=version,
        type=kind,
        path=path,
        description=f"dataset {dataset.dataset_id} v{version} of tenant {tenant}",
        tags={naming.TAG_APP: naming.APP, naming.TAG_TENANT: tenant, naming.TAG_DATASET: dataset.dataset_id},
    )
    with azure_errors(KIND, name, creating=True):
        ws.ml.data.create_or_update(data)
    return ref


def blob_writer_for(settings: Any, credential: Any, transport: Any) -> Any:
    """A `(container, blob, data) -> None` writer on the app's storage (azure-storage-blob, imported when used)."""
    from azure.storage.blob import BlobServiceClient

    kwargs: dict[str, Any] = {"transport": transport} if transport is not None else {}
    if settings.data_storage_connection_string:
        conn = settings.data_storage_connection_string.get_secret_value()
        service = BlobServiceClient.from_connection_string(conn, **kwargs)
    else:
        service = BlobServiceClient(settings.data_blobs_endpoint, credential=credential, **kwargs)

    def write(container: str, blob: str, data: bytes) -> None:
        service.get_blob_client(container, blob).upload_blob(data, overwrite=True)

    return write
