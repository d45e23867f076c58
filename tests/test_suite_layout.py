"""The tests' own rules: one fake clock; code shared only through tests/support; fixtures
registered once, never re-exported; documented support modules; `e2e` and `slow` markers that
select tests while CI runs them all."""

from __future__ import annotations

import ast
import functools
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import tests.e2e.conftest as e2e_conftest
from tests.support.paths import REPO_ROOT

TESTS = REPO_ROOT / "tests"
SUPPORT = TESTS / "support"
CLOCK_MODULE = SUPPORT / "clock.py"
# Options that would leave tests out of a run.
SELECTING = ("-m", "-k", "--deselect", "--ignore", "--ignore-glob", "--lf", "--last-failed")


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if ".venv" not in p.parts)


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_fixture(node: ast.AST) -> bool:
    """A function decorated with `pytest.fixture` (called or not)."""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if ast.unparse(target) in ("pytest.fixture", "fixture"):
            return True
    return False


def _fixtures(path: Path) -> set[str]:
    return {n.name for n in _tree(path).body if _is_fixture(n)}  # type: ignore[attr-defined]


def _clock_classes(path: Path) -> list[str]:
    tree = _tree(path)
    return [n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and "Clock" in n.name]


def test_there_is_one_fake_clock() -> None:
    others = {
        str(p.relative_to(REPO_ROOT)): names
        for p in _modules(TESTS)
        if p != CLOCK_MODULE and (names := _clock_classes(p))
    }
    assert others == {}, "use tests.support.clock.FakeClock"
    assert _clock_classes(CLOCK_MODULE) == ["FakeClock"]


def _may_import(name: str, folder: str) -> bool:
    """Tests import of tests/ only tests/support, conftests and the helper modules (not test
    modules) of their own folder, which that folder's tests alone share."""
    leaf = name.rsplit(".", 1)[-1]
    own_helper = name.startswith(folder + ".") and not leaf.startswith("test_")
    return (
        not name.startswith("tests.")
        or name.startswith("tests.support.")
        or own_helper
        or (leaf == "conftest")
    )


def _imports_of_other_tests(path: Path) -> list[str]:
    folder = ".".join(path.parent.relative_to(REPO_ROOT).parts)
    found = []
    for node in ast.walk(_tree(path)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [name for name in names if not _may_import(name, folder)]
    return found


def test_tests_share_code_only_through_tests_support() -> None:
    offending = {
        str(p.relative_to(REPO_ROOT)): found
        for p in _modules(TESTS)
        if (found := _imports_of_other_tests(p))
    }
    assert offending == {}, "move what tests share into tests/support"


def _re_exports(module: Path) -> list[str]:
    """Fixtures a module imports from a module of ours (which makes them its own)."""
    found = []
    for node in _tree(module).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            found.append("__all__")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
            source = REPO_ROOT / (node.module or "").replace(".", "/")
            source = source.with_suffix(".py") if source.with_suffix(".py").exists() else source
            names = {a.name for a in node.names}
            fixtures = _fixtures(source) if source.is_file() else set()
            found += sorted(names & fixtures | ({"*"} & names))
    return found


def test_no_conftest_or_test_module_re_exports_fixtures() -> None:
    modules = [p for p in _modules(TESTS) if p.name == "conftest.py" or p.name.startswith("test_")]
    offending = {str(p.relative_to(REPO_ROOT)): found for p in modules if (found := _re_exports(p))}
    assert offending == {}, "register shared fixtures in tests/conftest.py's pytest_plugins"


def test_support_fixtures_are_registered_once_in_the_root_conftest() -> None:
    root = _tree(TESTS / "conftest.py")
    plugins: list[str] = []
    for node in root.body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "pytest_plugins":
            plugins = list(ast.literal_eval(node.value))
    shared = [p for p in _modules(SUPPORT) if not p.name.startswith(("test_", "conftest"))]
    with_fixtures = {f"tests.support.{p.stem}" for p in shared if _fixtures(p)}
    assert with_fixtures <= set(plugins)
    assert len(plugins) == len(set(plugins))


def test_every_support_module_says_in_one_line_what_it_is() -> None:
    missing = []
    for path in _modules(SUPPORT):
        doc = ast.get_docstring(_tree(path))
        if not doc or not doc.splitlines()[0].strip():
            missing.append(path.name)
    assert missing == []


@dataclass
class _Item:
    """What the e2e folder's hook reads of a collected test."""

    path: Path
    markers: list[str] = field(default_factory=list)

    def add_marker(self, marker: pytest.MarkDecorator) -> None:
        self.markers.append(marker.name)


def test_tests_under_tests_e2e_and_only_those_are_marked_e2e() -> None:
    inside = _Item(TESTS / "e2e" / "test_office.py")
    outside = _Item(TESTS / "handlers" / "test_e2e_like.py")
    e2e_conftest.pytest_collection_modifyitems([inside, outside])  # type: ignore[list-item]
    assert (inside.markers, outside.markers) == (["e2e"], [])


def _pytest_options() -> dict[str, object]:
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        options: dict[str, object] = tomllib.load(file)["tool"]["pytest"]["ini_options"]
    return options


def test_the_markers_are_registered_and_a_misspelt_one_is_an_error() -> None:
    options = _pytest_options()
    names = {str(line).split(":")[0].strip() for line in options["markers"]}  # type: ignore[attr-defined]
    assert {"e2e", "slow"} <= names
    assert "--strict-markers" in shlex.split(str(options["addopts"]))


def test_ci_runs_every_test_slow_ones_included() -> None:
    addopts = shlex.split(str(_pytest_options()["addopts"]))
    assert not [a for a in addopts if a.split("=")[0] in SELECTING]
    runs = [
        shlex.split(line)
        for line in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if "pytest" in line and not line.lstrip().startswith(("#", "echo"))
    ]
    assert runs, ".ci/run no longer runs pytest"
    for words in runs:
        assert not [w for w in words if w.split("=")[0] in SELECTING], words
