"""The office's own copies of packaged files, kept beside its config so that an upgrade
never overwrites them: templates/report.docx (the Word template of the draft) and
templates/texts/*.toml (any text key, in files named like the packaged catalogs). Anything
not there is taken from the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError, meta

from bot.workspace.problems import Problem, display_path, parse_toml, read_text
from bot.workspace.toml_positions import toml_positions
from templates.catalog import catalog_names, environment, flatten, packaged_texts

OVERRIDES_FOLDER = "templates"
WORD_TEMPLATE = "report.docx"


def overrides_folder(config_folder: Path) -> Path:
    """Where the office keeps its own templates: templates/ next to config.toml."""
    return config_folder / OVERRIDES_FOLDER


def office_template(config_folder: Path) -> Path | None:
    """The office's Word template, if it keeps one; None: the packaged one is used."""
    path = overrides_folder(config_folder) / WORD_TEMPLATE
    return path if path.is_file() else None


TEXTS_FOLDER = "texts"
# Values every text receives without its caller naming them.
_ALWAYS_GIVEN = frozenset({"channel"})


def office_texts(config_folder: Path) -> Path:
    """Where the office keeps its own wording: templates/texts/ next to config.toml."""
    return overrides_folder(config_folder) / TEXTS_FOLDER


def check_office_texts(config_folder: Path) -> tuple[list[Problem], list[Problem]]:
    """Problems (unknown file or key, Jinja syntax, a value the text is not given) and
    warnings (a value the packaged text shows that the office's omits) of its texts."""
    folder = office_texts(config_folder)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if not folder.is_dir():
        return problems, warnings
    names = set(catalog_names())
    for path in sorted(folder.glob("*.toml")):
        shown = display_path(path, config_folder)
        if path.stem not in names:
            problems.append(Problem(shown, "texts_unknown_file", values={"known": sorted(names)}))
            continue
        source = read_text(path, shown, problems)
        entries = None if source is None else parse_toml(source, shown, problems)
        if source is None or entries is None:
            continue
        _check_catalog(path.stem, source, entries, shown, problems, warnings)
    return problems, warnings


def _check_catalog(
    name: str,
    source: str,
    entries: dict[str, Any],
    shown: str,
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    positions = toml_positions(source)
    lines = source.splitlines()
    packaged = packaged_texts(name)
    env = environment(html=name.startswith("chat"))
    for key, snippet in flatten(entries).items():
        at = positions.get(tuple(key.split(".")))
        line = at.line if at else None
        if key not in packaged:
            problems.append(Problem(shown, "texts_unknown_key", key=key, line=line))
            continue
        try:
            own = meta.find_undeclared_variables(env.parse(snippet))
        except TemplateSyntaxError as error:
            where = _snippet_line(lines, line, error.lineno)
            problems.append(
                Problem(shown, "texts_jinja", key=key, line=where, values={"detail": error.message})
            )
            continue
        shipped = meta.find_undeclared_variables(env.parse(packaged[key]))
        if added := sorted(own - shipped - _ALWAYS_GIVEN):
            problems.append(
                Problem(shown, "texts_unknown_value", key=key, line=line, values={"names": added})
            )
        if missing := sorted(shipped - own - _ALWAYS_GIVEN):
            warnings.append(
                Problem(shown, "texts_missing_value", key=key, line=line, values={"names": missing})
            )


def _snippet_line(lines: list[str], key_line: int | None, inside: int) -> int | None:
    """The file line of line `inside` (1-based) of the snippet whose key is at `key_line`."""
    if key_line is None:
        return None
    opening = lines[key_line - 1].rstrip() if key_line <= len(lines) else ""
    # A multi-line string opened at the end of the key's line starts on the next one.
    starts_below = opening.endswith(('"""', "'''"))
    return key_line + (inside or 1) - 1 + (1 if starts_below else 0)
