"""Endpoints and the deployment flow on the memory backend with a fake AutoML backend: each step in order, the
smoke test on the model's training rows, traffic shifted only after it, and a failure restoring what was live."""

from __future__ import annotations

import pytest

from domain.entities.automl import JobStatus, ProvisioningState
from domain.entities.operations import OperationStatus
from domain.entities.serving import DeploymentPut, EndpointCreate, EndpointUpdate, ModelCreate
from domain.errors import Conflict, ReferencedBy, UpstreamRefused, ValidationFailed
from domain.services import deployments, endpoints, models, operations, training
from domain.services.endpoints import backend_endpoint
from tests.unit.services.kit import OWNER, World, memory_series, world


def trained(w: World) -> str:
    """A finished run with its auto-registered model; the model's id."""
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    w.backend.advance(run.job_name, trials=2)
    w.backend.finish(run.job_name, JobStatus.COMPLETED)
    model_id = training.finalize(w.store, memory_series(), w.backend, w.tenant, run.id)["modelId"]
    assert isinstance(model_id, str)
    return model_id


def deploy(w: World, endpoint_id: str, name: str, model_id: str, traffic: int | None = None) -> str:
    """Run the flow's steps as the orchestration does; the operation id."""
    body = DeploymentPut(model_id=model_id, traffic=traffic)
    _, op, _ = deployments.start(w.store, OWNER, w.tenant, endpoint_id, name, body)
    deployments.ensure_endpoint(w.store, w.backend, w.tenant, op.id)
    assert deployments.create_deployment(w.store, w.backend, w.tenant, op.id) in ("Creating", "Updating")
    while deployments.provisioning_state(w.store, w.backend, w.tenant, op.id)["state"] != "Succeeded":
        pass
    deployments.smoke_test(w.store, w.backend, w.blobs, w.tenant, op.id)
    deployments.shift_traffic(w.store, w.backend, w.tenant, op.id)
    return op.id


@pytest.fixture
def w() -> World:
    return world()


def test_the_flow_provisions_smoke_tests_then_shifts_traffic(w: World) -> None:
    model_id = trained(w)
    ep = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="ep"))
    w.backend.provisioning = [ProvisioningState.CREATING, ProvisioningState.CREATING]
    op_id = deploy(w, ep.id, "blue", model_id)
    op = operations.get_operation(w.store, w.tenant, op_id)
    assert op.status is OperationStatus.SUCCEEDED and (op.progress.done, op.progress.message) == (5, "live")
    assert endpoints.get_endpoint(w.store, w.tenant, ep.id).traffic == {"blue": 100}
    assert w.backend.endpoints[backend_endpoint(w.tenant, ep.id)].traffic == {"blue": 100}
    dep = deployments.get_deployment(w.store, w.tenant, ep.id, "blue")
    assert dep.state is ProvisioningState.SUCCEEDED and dep.model_id == model_id
    scored_at, rows, name = w.backend.scored[0]
    assert scored_at == backend_endpoint(w.tenant, ep.id) and name == "blue"
    assert len(rows) == 5 and "label" not in rows[0] and rows[0]["b"] == 2.5
    assert endpoints.score(w.store, w.backend, w.tenant, ep.id, [{"a": 1.0, "b": 2.0}], None) == (["x"], "blue")
    live = endpoints.get_endpoint(w.store, w.tenant, ep.id)
    assert live.scoring_uri == f"/api/v1/tenants/{w.tenant}/endpoints/{ep.id}:score"


def test_a_model_in_use_cannot_be_deleted(w: World) -> None:
    model_id = trained(w)
    ep = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="ep"))
    deployments.put_deployment(w.store, OWNER, w.tenant, ep.id, "blue", DeploymentPut(model_id=model_id))
    with pytest.raises(ReferencedBy) as info:
        models.delete_model(w.store, OWNER, w.tenant, model_id, None)
    assert info.value.referencing == [("deployment", f"{ep.id}/blue")]
    with pytest.raises(ValidationFailed, match="model does not exist"):
        deployments.put_deployment(w.store, OWNER, w.tenant, ep.id, "green", DeploymentPut(model_id="nope"))


def test_a_failed_deployment_restores_the_live_traffic(w: World) -> None:
    model_id = trained(w)
    ep = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="ep"))
    deploy(w, ep.id, "blue", model_id)
    _, op, created = deployments.start(w.store, OWNER, w.tenant, ep.id, "green", DeploymentPut(model_id=model_id))
    assert created
    assert deployments.ensure_endpoint(w.store, w.backend, w.tenant, op.id) == {"traffic": {"blue": 100}}
    deployments.create_deployment(w.store, w.backend, w.tenant, op.id)
    w.backend.provisioning = [ProvisioningState.FAILED]
    state = deployments.provisioning_state(w.store, w.backend, w.tenant, op.id)
    assert state == {"state": "Failed", "error": "quota exhausted"}
    w.backend.set_traffic(w.tenant, backend_endpoint(w.tenant, ep.id), {"green": 100})  # a half-done shift
    deployments.fail(w.store, w.backend, w.tenant, op.id, "Provisioning failed: quota exhausted")
    assert w.backend.endpoints[backend_endpoint(w.tenant, ep.id)].traffic == {"blue": 100}
    green = deployments.get_deployment(w.store, w.tenant, ep.id, "green")
    assert green.state is ProvisioningState.FAILED and green.error == "Provisioning failed: quota exhausted"
    failed = operations.get_operation(w.store, w.tenant, op.id)
    assert failed.status is OperationStatus.FAILED and failed.error == "Provisioning failed: quota exhausted"
    assert endpoints.get_endpoint(w.store, w.tenant, ep.id).traffic == {"blue": 100}


def test_traffic_goes_only_to_provisioned_deployments_and_a_refusal_restores_the_record(w: World) -> None:
    model_id = trained(w)
    ep = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="ep"))
    deploy(w, ep.id, "blue", model_id)
    deployments.put_deployment(w.store, OWNER, w.tenant, ep.id, "green", DeploymentPut(model_id=model_id))
    split = EndpointUpdate(traffic={"blue": 50, "green": 50})
    with pytest.raises(Conflict, match="'green' is Creating"):  # its state refuses it: 409
        endpoints.update_endpoint(w.store, w.backend, OWNER, w.tenant, ep.id, split, None)
    with pytest.raises(ValidationFailed, match="No such deployments: red"):
        endpoints.update_endpoint(
            w.store, w.backend, OWNER, w.tenant, ep.id, EndpointUpdate(traffic={"red": 100, "blue": 0}), None
        )
    with pytest.raises(ValidationFailed, match="add up to 200"):  # merged into the split: blue keeps its 100
        endpoints.update_endpoint(
            w.store, w.backend, OWNER, w.tenant, ep.id, EndpointUpdate(traffic={"green": 100}), None
        )
    w.backend.refuse_traffic = True
    zero = EndpointUpdate(traffic={"blue": 100, "green": 0})
    with pytest.raises(UpstreamRefused):
        endpoints.update_endpoint(w.store, w.backend, OWNER, w.tenant, ep.id, zero, None)
    assert endpoints.get_endpoint(w.store, w.tenant, ep.id).traffic == {"blue": 100}
    with pytest.raises(Conflict, match="still receives traffic"):  # blocked by its traffic: 409, like a reference
        deployments.delete_deployment(w.store, w.backend, OWNER, w.tenant, ep.id, "blue", None)
    deployments.delete_deployment(w.store, w.backend, OWNER, w.tenant, ep.id, "green", None)


def test_scoring_needs_a_live_deployment(w: World) -> None:
    ep = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="ep"))
    assert endpoints.get_endpoint(w.store, w.tenant, ep.id).scoring_uri is None
    with pytest.raises(Conflict, match="no live deployment"):
        endpoints.score(w.store, w.backend, w.tenant, ep.id, [{"a": 1}], None)


def test_an_api_model_gets_its_artifact_on_first_deployment(w: World) -> None:
    run_id = models.get_model(w.store, w.tenant, trained(w)).run_id
    model = models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="by-hand", run_id=run_id, trial_id="t0"))
    assert model.uri is None and model.trial_id == "t0"
    ref = models.model_artifact(w.store, w.backend, w.tenant, model.id)
    assert ref.trial_id == "t0" and models.get_model(w.store, w.tenant, model.id).uri == ref.uri


def test_a_new_deployment_takes_the_share_it_asks_for(w: World) -> None:
    """As in Azure ML: the first live deployment takes all the traffic; beside a live one, a deployment takes 0
    unless it asks (a canary never silently becomes production); the others shrink in proportion."""
    model_id = trained(w)
    ep = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="ep"))
    deploy(w, ep.id, "blue", model_id)
    assert endpoints.get_endpoint(w.store, w.tenant, ep.id).traffic == {"blue": 100}
    deploy(w, ep.id, "green", model_id)  # asks for nothing
    assert endpoints.get_endpoint(w.store, w.tenant, ep.id).traffic == {"blue": 100, "green": 0}
    deploy(w, ep.id, "canary", model_id, traffic=10)
    assert endpoints.get_endpoint(w.store, w.tenant, ep.id).traffic == {"blue": 90, "green": 0, "canary": 10}
    assert w.backend.endpoints[backend_endpoint(w.tenant, ep.id)].traffic == {"blue": 90, "green": 0, "canary": 10}
    deploy(w, ep.id, "blue", model_id)  # an update keeps its share
    assert endpoints.get_endpoint(w.store, w.tenant, ep.id).traffic == {"blue": 90, "green": 0, "canary": 10}
    alone = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="alone"))
    with pytest.raises(ValidationFailed, match="must be 0 or 100") as info:
        deployments.put_deployment(
            w.store, OWNER, w.tenant, alone.id, "one", DeploymentPut(model_id=model_id, traffic=30)
        )
    assert info.value.target == "traffic"


def test_the_split_scales_the_others_and_always_adds_up_to_100() -> None:
    assert deployments.new_split({}, "blue", None) == {"blue": 100}
    assert deployments.new_split({"blue": 100}, "green", None) == {"blue": 100, "green": 0}
    assert deployments.new_split({"a": 50, "b": 50}, "c", 33) == {"a": 34, "b": 33, "c": 33}
    assert deployments.new_split({"a": 70, "b": 30}, "a", None) == {"a": 70, "b": 30}
    assert deployments.new_split({"a": 70, "b": 30}, "b", 100) == {"a": 0, "b": 100}
    assert deployments.new_split({"a": 0}, "b", None) == {"a": 0, "b": 100}
    for share in range(101):
        assert sum(deployments.new_split({"a": 13, "b": 29, "c": 58}, "d", share).values()) == 100
