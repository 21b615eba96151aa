"""Data assets, model registration, endpoints, deployments, traffic and scoring: the REST bodies the SDK sends."""

from __future__ import annotations

import pytest

from domain.automl.azureml import AzureMLBackend
from domain.entities.automl import DatasetVersionRef, ModelRef, ProvisioningState
from domain.errors import Conflict, NotFound, UpstreamRefused, ValidationFailed
from tests.unit.automl_azureml.conftest import DS, make_spec
from tests.unit.automl_azureml.fake_azure import RG, SUB, WS, WS_ID, Answer
from tests.unit.automl_azureml.fake_workspace import FakeWorkspace

DSTORE = f"azureml://subscriptions/{SUB}/resourcegroups/{RG}/workspaces/{WS}/datastores/appdatasets/paths"


def test_register_dataset_writes_an_mltable_and_registers_its_folder(
    backend: AzureMLBackend, fw: FakeWorkspace
) -> None:
    assert backend.register_dataset("t1", DS) == "azureml:ds-t1-d1:3"
    mltable = fw.blobs["/datasets/_mltable/ds-t1-d1/3/MLTable"].decode()
    assert f"- file: {DSTORE}/t1/d1/v3/data.csv" in mltable and "read_delimited" in mltable
    put = fw.t.find("PUT", "/data/")[0]
    assert put.path == f"{WS_ID}/data/ds-t1-d1/versions/3"
    props = put.json()["properties"]
    assert props["dataType"] == "mltable"
    assert props["dataUri"] == f"{DSTORE}/_mltable/ds-t1-d1/3/"
    assert props["tags"] == {"app": "automl-functions", "tenant": "t1", "dataset_id": "d1"}
    # the SDK tries to read the MLTable back through the datastore; the fake has none, so it skips that check
    assert [c.path for c in fw.t.find("GET", "/datastores/")] == [f"{WS_ID}/datastores/appdatasets"]
    blob_put = fw.t.find("PUT", "/MLTable")[0]
    assert blob_put.host == "appstore.blob.core.windows.net" and blob_put.headers["x-ms-blob-type"] == "BlockBlob"


def test_register_dataset_twice_is_a_no_op(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    backend.register_dataset("t1", DS)
    assert backend.register_dataset("t1", DS) == "azureml:ds-t1-d1:3"
    assert len(fw.t.find("PUT", "/data/")) == 1


def test_register_dataset_by_uri(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    folder = DatasetVersionRef(dataset_id="d2", version=1, uri="azureml://datastores/lake/paths/sales/")
    backend.register_dataset("t1", folder)
    assert (
        fw.t.find("PUT", "/data/ds-t1-d2/")[0].json()["properties"]["dataUri"]
        == "azureml://datastores/lake/paths/sales/"
    )
    image = DatasetVersionRef(dataset_id="d3", version=1, uri="https://example.org/photo.png")
    backend.register_dataset("t1", image)
    assert fw.t.find("PUT", "/data/ds-t1-d3/")[0].json()["properties"]["dataType"] == "uri_file"


def test_register_dataset_refuses_a_blob_outside_the_datasets_container(backend: AzureMLBackend) -> None:
    with pytest.raises(ValidationFailed):
        backend.register_dataset("t1", DatasetVersionRef(dataset_id="d1", version=1, blob_path="models/x.csv"))


def test_register_model_uses_the_best_trials_mlflow_output(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    backend.submit_job(make_spec())
    fw.add_run("automl-t1-r1", tags={"automl_best_child_run_id": "automl-t1-r1_7"})
    ref = backend.register_model("t1", "automl-t1-r1", name="churn")
    assert ref == ModelRef(name="churn", version="1", uri="azureml:m-t1-churn:1", trial_id="automl-t1-r1_7")
    put = fw.t.find("PUT", "/models/")[0]
    assert put.path == f"{WS_ID}/models/m-t1-churn/versions/1" and put.api_version == "2023-08-01-preview"
    props = put.json()["properties"]
    assert props["modelType"] == "mlflow_model"
    assert props["modelUri"] == "azureml://jobs/automl-t1-r1_7/outputs/artifacts/paths/outputs/mlflow-model/"
    assert props["tags"]["tenant"] == "t1" and props["tags"]["trial_id"] == "automl-t1-r1_7"
    assert backend.register_model("t1", "automl-t1-r1", name="churn", trial_id="automl-t1-r1_2").version == "2"


def test_register_model_without_a_best_trial_conflicts(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    backend.submit_job(make_spec())
    fw.add_run("automl-t1-r1")
    with pytest.raises(Conflict):
        backend.register_model("t1", "automl-t1-r1", name="churn")
    assert fw.t.find("PUT", "/models/") == []


def deploy(backend: AzureMLBackend) -> ModelRef:
    model = ModelRef(name="churn", version="2", uri="azureml:m-t1-churn:2")
    assert backend.create_or_update_endpoint("t1", "churn-api").state is ProvisioningState.CREATING
    backend.create_or_update_deployment("t1", "churn-api", "blue", model, instance_type="Standard_DS2_v2")
    return model


def test_endpoint_and_deployment_bodies(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    deploy(backend)
    ep_put = fw.t.find("PUT", "/onlineEndpoints/")[0]
    name = ep_put.path.rsplit("/", 1)[1]
    assert name.startswith("churn-api-") and 3 <= len(name) <= 32
    body = ep_put.json()
    assert body["location"] == "westeurope"  # from the workspace GET
    assert body["properties"]["authMode"] == "Key"
    assert body["tags"] == {"app": "automl-functions", "tenant": "t1", "endpoint": "churn-api"}
    dep_put = fw.t.find("PUT", "/deployments/")[0]
    assert dep_put.path == f"{WS_ID}/onlineEndpoints/{name}/deployments/blue"
    dep = dep_put.json()
    assert dep["sku"]["capacity"] == 1
    assert dep["properties"]["endpointComputeType"] == "Managed"
    assert dep["properties"]["instanceType"] == "Standard_DS2_v2"
    assert dep["properties"]["model"] == f"{WS_ID}/models/m-t1-churn/versions/2"
    state = backend.get_deployment("t1", "churn-api", "blue")
    assert state.state is ProvisioningState.CREATING and state.model and state.model.uri == "azureml:m-t1-churn:2"


def test_an_existing_endpoint_is_not_put_again(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    deploy(backend)
    backend.create_or_update_endpoint("t1", "churn-api")
    assert len(fw.t.find("PUT", "/onlineEndpoints/")) == 2  # the endpoint once, the deployment once


def test_two_tenants_never_share_an_endpoint(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    deploy(backend)
    with pytest.raises(NotFound):
        backend.get_endpoint("t2", "churn-api")
    backend.create_or_update_endpoint("t2", "churn-api")
    names = {c.path.rsplit("/", 1)[1] for c in fw.t.find("PUT", "/onlineEndpoints/") if "/deployments/" not in c.path}
    assert len(names) == 2


def test_set_traffic_puts_the_endpoint_with_the_new_split(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    deploy(backend)
    state = backend.set_traffic("t1", "churn-api", {"blue": 100})
    assert state.traffic == {"blue": 100} and state.state is ProvisioningState.UPDATING
    last = [c for c in fw.t.find("PUT", "/onlineEndpoints/") if "/deployments/" not in c.path][-1]
    assert last.json()["properties"]["traffic"] == {"blue": 100}
    with pytest.raises(ValidationFailed):
        backend.set_traffic("t1", "churn-api", {"blue": 60})


def test_score_posts_rows_to_the_scoring_uri_with_the_key(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    deploy(backend)
    out = backend.score("t1", "churn-api", [{"a": 1, "b": "x"}, {"a": 2}], deployment="blue")
    assert out == [0, 1]
    keys = fw.t.find("POST", "/listKeys")[0]
    assert keys.path.endswith("/listKeys")
    call = fw.scored[0]
    assert call.host.endswith(".westeurope.inference.ml.azure.com") and call.path == "/score"
    assert call.headers["Authorization"] == "Bearer endpoint-key-1"
    assert call.headers["azureml-model-deployment"] == "blue"
    assert call.json() == {"input_data": {"columns": ["a", "b"], "index": [0, 1], "data": [[1, "x"], [2, None]]}}


def test_scoring_errors_are_refusals(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    deploy(backend)
    fw.t.route("POST", r"/score", Answer(424, {"message": "model failed: column c missing"}))
    with pytest.raises(UpstreamRefused, match="column c missing"):
        backend.score("t1", "churn-api", [{"a": 1}])


def test_deletes_are_idempotent(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    deploy(backend)
    backend.delete_deployment("t1", "churn-api", "blue")
    backend.delete_endpoint("t1", "churn-api")
    assert fw.endpoints == {} and fw.deployments == {}
    backend.delete_deployment("t1", "churn-api", "blue")
    backend.delete_endpoint("t1", "churn-api")
