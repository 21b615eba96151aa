"""Route templates as the Functions host (ASP.NET Core routing) matches them."""

from __future__ import annotations

import pytest

from devhost.routes import Route, RouteTable


def table(*templates: str, methods: frozenset[str] | None = None) -> RouteTable[str]:
    return RouteTable([Route(t, t, methods) for t in templates])


@pytest.mark.parametrize(
    ("path", "template", "values"),
    [
        ("/datasets/42", "datasets/{id}", {"id": "42"}),
        ("/DataSets/42", "datasets/{id}", {"id": "42"}),  # case-insensitive
        ("/datasets/latest", "datasets/latest", {}),  # literal beats parameter
        ("/DATASETS/LATEST", "datasets/latest", {}),
        ("/items/12", "items/{id:int}", {"id": "12"}),  # constrained beats plain parameter
        ("/items/abc", "items/{name}", {"name": "abc"}),
        ("/files/a/b/c.txt", "files/{*rest}", {"rest": "a/b/c.txt"}),
        ("/files", "files/{*rest}", {}),
        ("/opt", "opt/{id?}", {}),
        ("/opt/7", "opt/{id?}", {"id": "7"}),
        ("/def", "def/{page=1}", {"page": "1"}),
        ("/def/3", "def/{page=1}", {"page": "3"}),
        ("/doc/report.pdf", "doc/{name}.{ext}", {"name": "report", "ext": "pdf"}),
        ("/opt/7/", "opt/{id?}", {"id": "7"}),  # trailing slash
    ],
)
def test_template_forms(path: str, template: str, values: dict[str, str]) -> None:
    routes = table(
        "datasets/{id}",
        "datasets/latest",
        "items/{id:int}",
        "items/{name}",
        "files/{*rest}",
        "opt/{id?}",
        "def/{page=1}",
        "doc/{name}.{ext}",
    )
    match = routes.match(path, "GET")
    assert match.route is not None and match.route.target == template
    assert match.values == values


@pytest.mark.parametrize(
    ("template", "good", "bad"),
    [
        ("x/{v:int}", "-5", "5.5"),
        ("x/{v:int}", "2147483647", "2147483648"),
        ("x/{v:long}", "2147483648", "x"),
        ("x/{v:bool}", "TRUE", "yes"),
        ("x/{v:guid}", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "nope"),
        ("x/{v:alpha}", "abcXYZ", "abc1"),
        ("x/{v:minlength(3)}", "abc", "ab"),
        ("x/{v:maxlength(3)}", "abc", "abcd"),
        ("x/{v:length(2,3)}", "ab", "a"),
        ("x/{v:min(10)}", "10", "9"),
        ("x/{v:max(10)}", "10", "11"),
        ("x/{v:range(1,3)}", "2", "4"),
        ("x/{v:int:min(5)}", "5", "4"),
        ("x/{v:regex(^run-\\d+$)}", "run-12", "run-x"),
        ("x/{v:double}", "1.5", "one"),
        ("x/{v:datetime}", "2024-05-01T10:00:00", "yesterday"),
    ],
)
def test_constraints(template: str, good: str, bad: str) -> None:
    route: Route[str] = Route(template, template, None)
    assert route.match(f"/x/{good}") == {"v": good}
    assert route.match(f"/x/{bad}") is None


def test_unknown_constraint_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported route constraint"):
        Route("x/{v:sparkly}", "x", None)


def test_parameter_does_not_cross_a_slash() -> None:
    assert table("a/{id}").match("/a/1/2", "GET").route is None


def test_method_filter_reports_a_path_match() -> None:
    routes = table("only-get", methods=frozenset({"GET"}))
    assert routes.match("/only-get", "get").route is not None
    miss = routes.match("/only-get", "POST")
    assert miss.route is None and miss.path_matched
    assert not routes.match("/other", "POST").path_matched


def test_next_route_with_the_method_wins() -> None:
    routes = RouteTable([Route("a/latest", "latest", frozenset({"GET"})), Route("a/{id}", "by-id", None)])
    hit = routes.match("/a/latest", "DELETE")
    assert hit.route is not None and hit.route.target == "by-id" and hit.values == {"id": "latest"}
