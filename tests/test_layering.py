"""The dependency rule bot -> handlers -> domain <- storage, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT
OUR_PACKAGES = {"bot", "handlers", "storage", "domain", "templates"}
# What each package may import of ours.
ALLOWED = {
    "domain": {"domain"},
    "storage": {"storage", "domain"},
    "handlers": {"handlers", "domain", "storage", "templates.catalog"},
    # The channels fetch, parse, draw and send: no storage, no runtime, no other bot part.
    "bot/channels": {"bot.channels", "handlers", "templates"},
}
# I/O modules that would make the domain impure.
DOMAIN_FORBIDDEN = {"os", "io", "pathlib", "sqlite3", "aiosqlite", "socket", "httpx", "telegram"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _violations(package: str, root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / package).rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in OUR_PACKAGES and not any(
                name == allowed or name.startswith(allowed + ".") or top == allowed
                for allowed in ALLOWED[package]
            ):
                found.append(f"{path.relative_to(root)} imports {name}")
            if package == "domain" and top in DOMAIN_FORBIDDEN:
                found.append(f"{path.relative_to(root)} imports {name} (I/O)")
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_the_layering_allows(package: str) -> None:
    assert _violations(package) == []


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "leak.py").write_text("from storage.db import Database\nimport os\n")
    assert _violations("domain", tmp_path) == [
        "domain/leak.py imports storage.db",
        "domain/leak.py imports os (I/O)",
    ]


def test_the_check_keeps_storage_and_the_runtime_out_of_the_channels(tmp_path: Path) -> None:
    (tmp_path / "bot" / "channels").mkdir(parents=True)
    leak = "from storage import Database\nimport bot.runtime.app\nfrom bot.channels import base\n"
    (tmp_path / "bot" / "channels" / "leak.py").write_text(leak)
    assert _violations("bot/channels", tmp_path) == [
        "bot/channels/leak.py imports storage",
        "bot/channels/leak.py imports bot.runtime.app",
    ]
