"""Layering rules that import-linter cannot express (it cannot name subpackages of the external `azure` namespace).

Every import statement of the project is parsed, including imports inside functions."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(module, at_module_level) for each import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top = {id(n) for n in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top))
    return found


def files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize("path", files("domain"), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_never_imports_the_functions_framework(path: Path) -> None:
    bad = [m for m, _ in imports_of(path) if under(m, "azure.functions") or under(m, "azure.durable_functions")]
    assert bad == []


@pytest.mark.parametrize("path", files("domain") + files("functions"), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_domain_storage_imports_azure_data_tables(path: Path) -> None:
    if "domain/storage" in path.as_posix():
        return
    assert [m for m, _ in imports_of(path) if under(m, "azure.data.tables")] == []


@pytest.mark.parametrize(
    "path", files("domain") + files("functions") + [ROOT / "function_app.py"], ids=lambda p: str(p.relative_to(ROOT))
)
def test_azure_ai_ml_only_in_domain_automl_and_only_lazily(path: Path) -> None:
    found = [(m, top) for m, top in imports_of(path) if under(m, "azure.ai.ml")]
    if "domain/automl" not in path.as_posix():
        assert found == []
    else:
        assert [m for m, top in found if top] == [], "azure.ai.ml must be imported inside functions (cold start)"


def store_calls(path: Path) -> list[str]:
    """Method calls made on the store itself (`_wiring.store().get(...)`), rather than passing it to a service."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr in ("store", "series")
        ):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("path", files("functions/http"), ids=lambda p: str(p.relative_to(ROOT)))
def test_handlers_call_services_never_the_store(path: Path) -> None:
    assert store_calls(path) == []


def test_a_handler_reading_the_store_is_caught(tmp_path: Path) -> None:
    handler = tmp_path / "h.py"
    handler.write_text("def h(call):\n    _wiring.store().get(call.tenant, 'run', 'r')\n")
    assert store_calls(handler) == ["h.py:2 _wiring.store().get"]
