"""The dependencies are reproducible: constraints.txt pins every package the program pulls in,
each pin inside pyproject's range, and the developer tools are pinned exactly."""

from __future__ import annotations

import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name as _name
from packaging.version import Version

from tests.support.paths import REPO_ROOT

PYPROJECT = REPO_ROOT / "pyproject.toml"
CONSTRAINTS = REPO_ROOT / "constraints.txt"


def _project() -> dict[str, object]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    assert isinstance(project, dict)
    return project


def _runtime() -> list[Requirement]:
    return [Requirement(line) for line in _project()["dependencies"]]  # type: ignore[attr-defined]


def _dev() -> list[Requirement]:
    extras = _project()["optional-dependencies"]
    return [Requirement(line) for line in extras["dev"]]  # type: ignore[index]


def read_pins(text: str) -> dict[str, Version]:
    """name -> pinned version of a constraints file; anything but `name==version` is an error."""
    pins: dict[str, Version] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        (spec, *more) = list(requirement.specifier)
        assert spec.operator == "==" and not more, f"constraints.txt:{number}: not a pin: {raw}"
        assert _name(requirement.name) not in pins, f"constraints.txt:{number}: pinned twice"
        pins[_name(requirement.name)] = Version(spec.version)
    return pins


def _pins() -> dict[str, Version]:
    return read_pins(CONSTRAINTS.read_text(encoding="utf-8"))


def _needs(requirement: Requirement) -> list[Requirement]:
    """What an installed package requires on this platform, with the extras asked for."""
    needs = []
    for line in metadata.distribution(requirement.name).requires or []:
        need = Requirement(line)
        wanted = ["", *sorted(requirement.extras)]
        if need.marker is None or any(need.marker.evaluate({"extra": e}) for e in wanted):
            needs.append(need)
    return needs


def _closure(roots: list[Requirement]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        requirement = todo.pop()
        if _name(requirement.name) in seen:
            continue
        seen.add(_name(requirement.name))
        todo.extend(_needs(requirement))
    return seen


def test_every_runtime_dependency_is_pinned_inside_its_range() -> None:
    pins = _pins()
    for requirement in _runtime():
        pin = pins.get(_name(requirement.name))
        assert pin is not None, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pin, prereleases=True), (
            f"constraints.txt pins {requirement.name}=={pin}, outside pyproject's {requirement}"
        )


def test_every_package_the_program_pulls_in_is_pinned() -> None:
    missing = _closure(_runtime()) - set(_pins())
    assert not missing, f"not pinned in constraints.txt: {sorted(missing)}"


def test_developer_tools_are_pinned_exactly_and_their_dependencies_too() -> None:
    for requirement in _dev():
        operators = [spec.operator for spec in requirement.specifier]
        assert operators == ["=="], f"dev extra: {requirement} is not an exact version"
    tools = {_name(r.name) for r in _dev()}
    missing = _closure(_dev()) - tools - set(_pins())
    assert not missing, f"not pinned in constraints.txt: {sorted(missing)}"


def test_the_installed_versions_are_the_pinned_ones() -> None:
    """What the tests run on is what constraints.txt says (CI installs with -c constraints.txt)."""
    expected = dict(_pins())
    expected.update({_name(r.name): Version(next(iter(r.specifier)).version) for r in _dev()})
    drift = {
        name: f"{metadata.version(name)} installed, {pin} pinned"
        for name, pin in expected.items()
        if Version(metadata.version(name)) != pin
    }
    assert not drift, f"reinstall with: pip install -c constraints.txt -e '.[dev]': {drift}"


@pytest.mark.parametrize("line", ["aiohttp>=3.9", "aiohttp", "aiohttp==3.9,<4", "aiohttp~=3.9"])
def test_a_constraint_that_is_not_a_pin_is_refused(line: str) -> None:
    with pytest.raises((AssertionError, ValueError)):
        read_pins(f"{line}\n")


def test_a_package_pinned_twice_is_refused() -> None:
    with pytest.raises(AssertionError, match="twice"):
        read_pins("Jinja2==3.1.6\njinja2==3.1.5\n")
