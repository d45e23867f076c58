"""The shape of the house, checked on the source: which part may import which.

    cli -> runtime -> handlers -> domain <- storage      (templates/ is a leaf above domain)

The parts are the top-level packages and, inside bot/, one folder each. A part may import
only the parts listed for it in ALLOWED; the composition root (bot.runtime.app) is imported
by the command line alone; domain/ does no I/O; bot/ keeps at most a few modules at its root
and each of its folders says in its __init__.py what it is.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

OURS = {"bot", "handlers", "storage", "domain", "templates"}
BOT_PARTS = (
    "cli",
    "runtime",
    "channels",
    "workspace",
    "report",
    "tickets",
    "doctor",
    "demo",
    "web",
)

# What each part may import of ours (itself always).
ALLOWED: dict[str, set[str]] = {
    "bot": set(),  # bot/__init__.py: a docstring only
    "domain": set(),
    "templates": {"domain"},
    "storage": {"domain"},
    "handlers": {"domain", "storage", "templates"},
    "bot.channels": {"handlers", "domain", "templates"},
    "bot.workspace": {"domain", "storage", "templates"},
    "bot.report": {"bot.workspace", "domain", "storage", "templates"},
    "bot.tickets": {"bot.workspace", "domain", "storage", "templates"},
    "bot.runtime": {
        "bot.channels",
        "bot.workspace",
        "bot.report",
        "bot.tickets",
        "handlers",
        "domain",
        "storage",
        "templates",
    },
    "bot.doctor": {
        "bot.runtime",
        "bot.channels",
        "bot.workspace",
        "domain",
        "storage",
        "templates",
    },
    "bot.demo": {
        "bot.runtime",
        "bot.channels",
        "bot.workspace",
        "bot.report",
        "handlers",
        "domain",
        "storage",
        "templates",
    },
    # The dashboard: pages over the same use cases as chat, on the bot's HTTP server.
    "bot.web": {"bot.runtime", "bot.report", "handlers", "domain", "storage", "templates"},
    "bot.cli": {f"bot.{part}" for part in BOT_PARTS}
    | {"handlers", "domain", "storage", "templates"},
}
# The composition root builds the running program: only the entry points may start it, the
# command line and the demo (itself a composition: the real App, a fake chat server and
# scripted people, started by `baocao demo`).
COMPOSITION_ROOT = "bot.runtime.app"
ROOT_MAY_BE_IMPORTED_BY = {"bot.cli", "bot.demo"}
# I/O modules that would make the domain impure.
DOMAIN_FORBIDDEN = {"os", "io", "pathlib", "sqlite3", "aiosqlite", "socket", "httpx", "telegram"}
MAX_MODULES_AT_BOT_ROOT = 5
# A module a newcomer can read in one sitting; past this, it is two things.
MAX_MODULE_LINES = 420


def part_of(module: str) -> str:
    """The part a module of ours belongs to: a top-level package, or bot.<folder>."""
    names = module.split(".")
    if names[0] == "bot" and len(names) > 1 and names[1] in BOT_PARTS:
        return f"bot.{names[1]}"
    return names[0]


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> Iterator[tuple[str, set[str]]]:
    """Each import of a file: the module, and the names taken from it (`from M import a`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, set()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                yield node.module, {alias.name for alias in node.names}
            else:  # relative: resolved against the importing package
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
                yield base, {alias.name for alias in node.names}


def violations(root: Path = REPO_ROOT) -> list[str]:
    """Every import that breaks the rules, as 'file imports module (why)'."""
    found = []
    for package in sorted(OURS):
        for path in sorted((root / package).rglob("*.py")):
            module = _module_name(path, root)
            part = part_of(module)
            allowed = ALLOWED.get(part)
            if allowed is None:
                found.append(f"{path.relative_to(root)} is in no part")
                continue
            for name, taken in _imports(path, module):
                found.extend(_check(path.relative_to(root), part, allowed, name, taken))
    return found


def _check(path: Path, part: str, allowed: set[str], name: str, taken: set[str]) -> list[str]:
    top = name.split(".")[0]
    if part == "domain" and top in DOMAIN_FORBIDDEN:
        return [f"{path} imports {name} (I/O in the domain)"]
    if top not in OURS:
        return []
    problems = []
    # `from bot import runtime` imports the part bot.runtime, not the root of bot/
    targets = (
        {part_of(f"{name}.{t}") for t in taken} if name == "bot" and taken else {part_of(name)}
    )
    for target in sorted(targets - {part} - allowed):
        problems.append(f"{path} imports {name} ({part} may not import {target})")
    modules = {name} | {f"{name}.{t}" for t in taken}
    starts_the_app = any(
        m == COMPOSITION_ROOT or m.startswith(COMPOSITION_ROOT + ".") for m in modules
    )
    if (
        starts_the_app
        and part not in ROOT_MAY_BE_IMPORTED_BY
        and module_path(path) != COMPOSITION_ROOT
    ):
        problems.append(f"{path} imports {name} (only the command line and the demo build the App)")
    return problems


def module_path(path: Path) -> str:
    """bot/runtime/app.py -> bot.runtime.app"""
    return ".".join(path.with_suffix("").parts)


def import_graph(root: Path = REPO_ROOT) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports (`from pkg import mod` counts as pkg.mod)."""
    modules = {
        _module_name(path, root): path
        for package in OURS
        for path in (root / package).rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for name, taken in _imports(path, module):
            for full in {f"{name}.{t}" for t in taken} or {name}:
                targets.add(full if full in modules else name)
        graph[module] = {t for t in targets if t in modules and t != module}
    return graph


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import loops, each as the path that closes it (type-only imports count too)."""
    found, state = [], dict.fromkeys(graph, 0)  # 0 unseen, 1 on the path, 2 done

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state[target] == 1:
                found.append([*path[path.index(target) :], target])
            elif state[target] == 0:
                walk(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if state[module] == 0:
            walk(module, [module])
    return found


def test_no_modules_import_each_other_in_a_loop() -> None:
    assert loops(import_graph()) == []


def test_the_loop_check_finds_a_loop(tmp_path: Path) -> None:
    _allowed_tree(tmp_path)
    _write(tmp_path, "bot/runtime/inbox.py", "from bot.runtime import app\n")
    assert loops(import_graph(tmp_path)) == [
        ["bot.runtime.app", "bot.runtime.inbox", "bot.runtime.app"]
    ]


def test_every_import_follows_the_layering() -> None:
    assert violations() == []


def test_bot_has_at_most_a_few_modules_at_its_root() -> None:
    modules = sorted(p.name for p in (REPO_ROOT / "bot").glob("*.py"))
    assert len(modules) <= MAX_MODULES_AT_BOT_ROOT, modules


def test_no_module_of_the_program_is_too_long_to_read() -> None:
    too_long = {
        str(path.relative_to(REPO_ROOT)): lines
        for package in sorted(OURS)
        for path in (REPO_ROOT / package).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_every_folder_of_bot_is_a_known_part_that_says_what_it_is() -> None:
    folders = sorted(
        p.name for p in (REPO_ROOT / "bot").iterdir() if p.is_dir() and (p / "__init__.py").exists()
    )
    assert folders == sorted(BOT_PARTS)
    for name in folders:
        docstring = ast.get_docstring(
            ast.parse((REPO_ROOT / "bot" / name / "__init__.py").read_text())
        )
        assert docstring and docstring.splitlines()[0].strip(), f"bot/{name}/__init__.py"


def _write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        ("domain/leak.py", "from storage.db import Database\n", "domain may not import storage"),
        ("domain/io.py", "import os\n", "I/O in the domain"),
        (
            "handlers/x.py",
            "from bot.runtime.clock import Clock\n",
            "handlers may not import bot.runtime",
        ),
        (
            "bot/channels/x.py",
            "from storage import Database\n",
            "bot.channels may not import storage",
        ),
        ("bot/channels/y.py", "from bot.runtime import outage\n", "may not import bot.runtime"),
        ("bot/report/y.py", "from bot.runtime.app import App\n", "bot.report may not import"),
        ("bot/runtime/y.py", "from bot.runtime import app\n", "the demo build the App"),
        ("bot/runtime/z.py", "from bot.runtime.app import App\n", "the demo build the App"),
        ("bot/tickets/x.py", "from bot.runtime.outbox import queue\n", "bot.tickets may not"),
        ("bot/workspace/x.py", "import bot.cli.main\n", "bot.workspace may not import bot.cli"),
        ("bot/x.py", "from bot import runtime\n", "bot may not import bot.runtime"),
        ("storage/x.py", "from handlers.events import Reply\n", "storage may not import handlers"),
        (
            "templates/x.py",
            "from handlers.events import Reply\n",
            "templates may not import handlers",
        ),
        (
            "bot/report/x.py",
            "from ..runtime.jobs import JobsChannel\n",
            "may not import bot.runtime",
        ),
    ],
)
def test_the_check_catches_a_wrong_import(
    tmp_path: Path, relative: str, source: str, expected: str
) -> None:
    _allowed_tree(tmp_path)
    _write(tmp_path, relative, source)
    found = violations(tmp_path)
    assert found and all(line.startswith(relative) for line in found), found
    assert any(expected in line for line in found), found


def test_the_check_lets_the_allowed_imports_through(tmp_path: Path) -> None:
    _allowed_tree(tmp_path)
    assert violations(tmp_path) == []


def _allowed_tree(root: Path) -> None:
    """The entry points start the App; a part imports itself, relatively too."""
    for package in OURS:
        (root / package).mkdir()
    _write(root, "bot/cli/main.py", "from bot.runtime.app import App\nimport storage\n")
    _write(root, "bot/demo/run.py", "from bot.runtime import app\n")
    _write(root, "bot/runtime/app.py", "from .inbox import InboxWorker\nimport handlers.router\n")
    _write(root, "handlers/router.py", "from templates.catalog import text\nimport storage\n")
    _write(root, "templates/catalog.py", "from domain.numbers import format_number\n")
