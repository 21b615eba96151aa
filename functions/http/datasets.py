"""Datasets and their versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import azure.durable_functions as df

from domain.settings import get_settings
from functions import _wiring
from functions._api import Call, endpoint
from functions._io import Reply, created, media_type, no_content, ok, page, parse_json
from functions._lazy import lazy
from functions._upload import read_upload

if TYPE_CHECKING:
    from domain.entities import datasets as datasets_types
    from domain.entities import queries as queries_types
    from domain.services import datasets, uploads
else:
    datasets_types = lazy("domain.entities.datasets")
    queries_types = lazy("domain.entities.queries")
    datasets = lazy("domain.services.datasets")
    uploads = lazy("domain.services.uploads")

bp = df.Blueprint()
D = "v1/tenants/{tenant}/datasets"
MEDIA = ("application/json", "multipart/form-data", "text/csv")


@endpoint(
    bp,
    "POST",
    D,
    permission="dataset.write",
    summary="Upload a CSV (multipart or text/csv, named by ?name=) or reference data by URI (JSON)",
    body=lambda: datasets_types.DatasetCreate,
    body_media=MEDIA,
    query=lambda: queries_types.UploadQuery,
    response=lambda: datasets_types.Dataset,
    status=201,
    errors=(409, 413, 415),
    tag="datasets",
)
def create_dataset(call: Call) -> Reply:
    s = get_settings()
    if media_type(call.req) == "application/json":
        ds = datasets.create_from_uri(
            _wiring.store(), call.user, call.tenant, parse_json(call.req, datasets_types.DatasetCreate)
        )
    else:
        up = read_upload(call.req, s.max_upload_bytes)
        with up.data:
            ds = datasets.create_from_upload(
                _wiring.store(),
                _wiring.blobs(),
                s.datasets_container,
                call.user,
                call.tenant,
                name=up.name or "",
                description=up.description,
                data=up.data,
                max_bytes=s.max_upload_bytes,
            )
    return created(ds, call.path(f"datasets/{ds.id}"))


@endpoint(
    bp,
    "GET",
    D,
    permission="dataset.read",
    summary="List datasets (filter by name prefix)",
    query=lambda: queries_types.NamedListQuery,
    response=lambda: list[datasets_types.Dataset],
    tag="datasets",
)
def list_datasets(call: Call) -> Reply:
    items, token = datasets.list_datasets(_wiring.store(), call.tenant, call.query)
    return page(items, token, call.req)


@endpoint(
    bp,
    "GET",
    f"{D}/{{id}}",
    permission="dataset.read",
    summary="Read a dataset",
    response=lambda: datasets_types.Dataset,
    tag="datasets",
)
def get_dataset(call: Call) -> Reply:
    return ok(datasets.get_dataset(_wiring.store(), call.tenant, call.params["id"]))


@endpoint(
    bp,
    "PATCH",
    f"{D}/{{id}}",
    permission="dataset.write",
    summary="Change a dataset's description or tags",
    body=lambda: datasets_types.DatasetUpdate,
    response=lambda: datasets_types.Dataset,
    errors=(412,),
    tag="datasets",
)
def update_dataset(call: Call) -> Reply:
    return ok(
        datasets.update_dataset(_wiring.store(), call.user, call.tenant, call.params["id"], call.body, call.if_match)
    )


@endpoint(
    bp,
    "DELETE",
    f"{D}/{{id}}",
    permission="dataset.write",
    summary="Delete a dataset (refused while an experiment uses it)",
    status=204,
    errors=(409, 412),
    tag="datasets",
)
def delete_dataset(call: Call) -> Reply:
    datasets.delete_dataset(
        _wiring.store(),
        _wiring.blobs(),
        get_settings().datasets_container,
        call.user,
        call.tenant,
        call.params["id"],
        call.if_match,
    )
    return no_content()


@endpoint(
    bp,
    "POST",
    f"{D}/{{id}}/versions",
    permission="dataset.write",
    summary="Upload a new version",
    body_media=("multipart/form-data", "text/csv"),
    query=lambda: queries_types.UploadQuery,
    response=lambda: datasets_types.DatasetVersion,
    status=201,
    errors=(412, 413, 415),
    tag="datasets",
)
def add_version(call: Call) -> Reply:
    s = get_settings()
    up = read_upload(call.req, s.max_upload_bytes)
    with up.data:
        v = datasets.add_version(
            _wiring.store(),
            _wiring.blobs(),
            s.datasets_container,
            call.user,
            call.tenant,
            call.params["id"],
            up.data,
            s.max_upload_bytes,
        )
    return created(v, call.path(f"datasets/{v.dataset_id}/versions/{v.version}"))


@endpoint(
    bp,
    "POST",
    f"{D}/{{id}}/uploads",
    permission="dataset.write",
    summary="Start a direct upload of a large file: a short-lived URL to PUT it straight to Blob Storage",
    response=lambda: datasets_types.DirectUpload,
    status=201,
    tag="datasets",
)
def start_upload(call: Call) -> Reply:
    s = get_settings()
    up = uploads.start_upload(
        _wiring.store(),
        _wiring.blobs(),
        s.datasets_container,
        call.user,
        call.tenant,
        call.params["id"],
        s.max_upload_bytes,
    )
    return created(up, call.path(f"datasets/{up.dataset_id}/uploads/{up.id}"))


@endpoint(
    bp,
    "POST",
    f"{D}/{{id}}/uploads/{{uploadId}}:commit",
    permission="dataset.write",
    summary="Commit a direct upload: profile the file and create the dataset's next version",
    response=lambda: datasets_types.DatasetVersion,
    status=201,
    errors=(409, 412, 413),
    tag="datasets",
)
def commit_upload(call: Call) -> Reply:
    s = get_settings()
    v, was_created = uploads.commit_upload(
        _wiring.store(),
        _wiring.blobs(),
        call.user,
        call.tenant,
        call.params["id"],
        call.params["uploadId"],
        s.max_upload_bytes,
    )
    location = call.path(f"datasets/{v.dataset_id}/versions/{v.version}")
    return ok(v, status=201 if was_created else 200, headers={"Location": location})


@endpoint(
    bp,
    "GET",
    f"{D}/{{id}}/versions",
    permission="dataset.read",
    summary="List a dataset's versions",
    query=lambda: queries_types.ListQuery,
    response=lambda: list[datasets_types.DatasetVersion],
    tag="datasets",
)
def list_versions(call: Call) -> Reply:
    items, token = datasets.list_versions(_wiring.store(), call.tenant, call.params["id"], call.query)
    return page(items, token, call.req)


@endpoint(
    bp,
    "GET",
    f"{D}/{{id}}/versions/{{version:int}}",
    permission="dataset.read",
    summary="Read one version of a dataset",
    response=lambda: datasets_types.DatasetVersion,
    tag="datasets",
)
def get_version(call: Call) -> Reply:
    version = int(call.params["version"])
    return ok(datasets.get_version(_wiring.store(), call.tenant, call.params["id"], version))
