"""The scoring server's model handling and routes (in-process, no socket): any pickled or joblib scikit-learn-style
estimator, bare or in the local engine's bundle; clear errors for unusable files and rows."""

from __future__ import annotations

import io
import pickle
from typing import Any

import joblib
import pytest
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from domain.automl.local.model_cache import ModelCache
from domain.automl.local.scorer import ModelFileError, ScoringApp, as_model, load_bytes, predict


@pytest.fixture(scope="module")
def iris() -> Any:
    frame = load_iris(as_frame=True).frame
    return frame.drop(columns=["target"]), frame["target"]


@pytest.fixture(scope="module")
def fitted(iris: Any) -> Any:
    X, y = iris
    return LogisticRegression(max_iter=500).fit(X, y)


def joblib_bytes(obj: Any) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("dump", [lambda o: pickle.dumps(o, protocol=5), joblib_bytes], ids=["pickle", "joblib"])
def test_a_bare_estimator_file_scores_rows_by_its_feature_names(fitted: Any, iris: Any, dump: Any) -> None:
    X, _ = iris
    model, size = load_bytes(dump(fitted))
    assert size > 0 and model.features == list(X.columns)
    rows = X.head(5)[list(reversed(X.columns))].to_dict("records")  # column order does not matter
    assert predict(model, rows) == fitted.predict(X.head(5)).tolist()


def test_the_engine_bundle_uses_its_features_and_ignores_extra_columns(iris: Any) -> None:
    X, y = iris
    tree = DecisionTreeClassifier(random_state=0).fit(X, y)
    model = as_model({"automl": tree, "features": list(X.columns), "task": "classification", "target": "target"})
    rows = [dict(r, extra="ignored") for r in X.head(3).to_dict("records")]
    assert predict(model, rows) == tree.predict(X.head(3)).tolist()


def test_n_jobs_is_set_to_one(iris: Any) -> None:
    X, y = iris
    model = as_model(RandomForestClassifier(n_estimators=3, n_jobs=4).fit(X, y))
    assert model.estimator.n_jobs == 1


def test_missing_columns_and_bad_rows_are_named(fitted: Any, iris: Any) -> None:
    model = as_model(fitted)
    with pytest.raises(ValueError, match="rows lack the model's columns: petal width"):
        predict(model, [{c: 1.0 for c in iris[0].columns if not c.startswith("petal width")}])
    with pytest.raises(ValueError, match="rows must be a list of objects"):
        predict(model, {"not": "a list"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a pickle", "the model could not be loaded"),
        (pickle.dumps({"features": ["a"]}), "no estimator with a predict method"),
        (pickle.dumps(42), "no estimator with a predict method"),
    ],
)
def test_unusable_model_files_are_refused(data: bytes, message: str) -> None:
    app = ScoringApp(ModelCache(2**20))
    app.warm.set()
    status, body = app.load({"key": "t/e/d/1", "uri": "models/x"}, data)
    assert status == 422 and message in body["error"]
    with pytest.raises(ModelFileError):
        load_bytes(data)


def test_routes_score_only_loaded_models_and_unload_by_prefix(fitted: Any, iris: Any) -> None:
    app = ScoringApp(ModelCache(2**30))
    app.warm.set()
    rows = iris[0].head(2).to_dict("records")
    request = {"key": "t/ep/blue/1", "uri": "models/m/1/model.pkl", "rows": rows}
    assert app.score(request) == (409, {"error": "not loaded"})
    status, body = app.load({"key": "t/ep/blue/1", "uri": "models/m/1/model.pkl"}, pickle.dumps(fitted))
    assert status == 200 and body["key"] == "t/ep/blue/1" and body["bytes"] > 0
    assert app.score(request) == (200, {"predictions": fitted.predict(iris[0].head(2)).tolist()})
    assert app.score(request | {"uri": "models/m/2/model.pkl"})[0] == 409  # another model under the same key
    status, body = app.score(request | {"rows": [{"x": 1}]})
    assert status == 400 and "rows lack the model's columns" in body["error"]
    assert app.score({"rows": rows})[0] == 400
    assert app.unload({"prefix": "t/ep/"}) == (200, {"unloaded": ["t/ep/blue/1"]})
    assert app.unload({}) == (400, {"error": "bad request: prefix is required"})
    assert app.health()["models"] == {}
