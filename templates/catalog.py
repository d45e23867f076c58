"""Every sentence a user sees, rendered from the catalogs in templates/texts/.

A catalog is a TOML file of Jinja2 snippets; a text is named "<catalog>.<key>", e.g.
"cli.check_ok" is the key `check_ok` of templates/texts/cli.toml. Keeping sentences out of
code lets the office reword the bot without touching Python.

Catalogs whose name starts with "chat" are chat messages in Telegram's HTML subset: every
value put into them is HTML-escaped (a unit's text is never trusted as markup), while the
snippets themselves may use <b> and <i>. A text that names a button, a tap or a link is
worded per channel: it reads `channel` ("telegram" has buttons and links; "zalo" and
"console" have neither, so there one types a word or a number, or sends a code).
A chat text comes back as `Markup`: put into another chat text (a line into a report, a
reason into a refusal) it is not escaped a second time, so each piece of user text is
escaped exactly once, wherever it ends up.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, Template, meta, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from domain.numbers import format_number, format_percent

TEXTS_PACKAGE = "templates"
TEXTS_FOLDER = "texts"


def _number(value: Decimal | int | None, places: int | None = None) -> str:
    return "…" if value is None else format_number(value, places)


def _percent(ratio: Decimal | None, places: int = 2) -> str:
    return "…" if ratio is None else format_percent(ratio, places)


# Times are shown in the office's time zone, which the caller passes with the values as
# `zone` (a tzinfo): the catalog keeps no zone of its own, so no caller can print a time in
# a zone that another caller happened to set, or forgot to.


class MissingZoneError(ValueError):
    """A text formats a moment but its caller gave no `zone` to show it in."""


def _local(context: Context, value: date | datetime) -> date | datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        return value
    zone = context.get("zone")
    if not isinstance(zone, tzinfo):
        raise MissingZoneError("it shows a time: pass zone=<the office's time zone>")
    return value.astimezone(zone)


@pass_context
def _date(context: Context, value: date | datetime | None) -> str:
    return "" if value is None else _local(context, value).strftime("%d/%m/%Y")


@pass_context
def _datetime(context: Context, value: datetime | None) -> str:
    return "" if value is None else _local(context, value).strftime("%H:%M %d/%m/%Y")


@cache
def environment(html: bool = False) -> Environment:
    """The Jinja2 environment for plain texts, or for HTML chat texts (values escaped)."""
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=html)
    env.filters["number"] = _number
    env.filters["percent"] = _percent
    env.filters["vn_date"] = _date
    env.filters["vn_datetime"] = _datetime
    return env


# The office's own wording (templates/texts/*.toml beside its config), layered over the
# packaged catalogs key by key: set once per process when the workspace is loaded.
_office_texts: dict[str, dict[str, str]] = {}


def catalog_names() -> list[str]:
    """The names of the packaged catalogs ("chat", "cli", ...)."""
    folder = resources.files(TEXTS_PACKAGE).joinpath(TEXTS_FOLDER)
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def packaged_catalog(name: str) -> str:
    """The TOML text of a packaged catalog, as shipped."""
    source = resources.files(TEXTS_PACKAGE).joinpath(TEXTS_FOLDER, f"{name}.toml")
    return source.read_text(encoding="utf-8")


@cache
def packaged_texts(name: str) -> dict[str, str]:
    """The packaged snippets of a catalog by key ("key" or "table.key"), no override."""
    return flatten(tomllib.loads(packaged_catalog(name)))


def use_office_texts(folder: Path | None) -> None:
    """Layer the catalogs of `folder` (files named like the packaged ones) over the packaged
    texts, key by key; None or a missing folder: the packaged texts alone. Files and keys
    the package does not know are ignored here (`baocao check` reports them)."""
    layered: dict[str, dict[str, str]] = {}
    if folder is not None and folder.is_dir():
        for name in catalog_names():
            path = folder / f"{name}.toml"
            if path.is_file():
                own = flatten(tomllib.loads(path.read_text(encoding="utf-8-sig")))
                known = packaged_texts(name)
                layered[name] = {k: v for k, v in own.items() if k in known}
    if layered == _office_texts:
        return  # the same wording: keep what is compiled
    _office_texts.clear()
    _office_texts.update(layered)
    # The compiled snippets of the previous wording must not outlive it.
    for cached in (_catalog, _template, _fixed):
        cached.cache_clear()


@cache
def _catalog(name: str) -> dict[str, str]:
    return {**packaged_texts(name), **_office_texts.get(name, {})}


@cache
def _template(catalog: str, key: str) -> Template:
    # Compiled on first use: a command uses a few texts of a catalog of a hundred, and
    # compiling them all cost a CLI command (or a bench run) a fifth of a second.
    return environment(html=catalog.startswith("chat")).from_string(_catalog(catalog)[key])


@cache
def _fixed(catalog: str, key: str) -> str | None:
    """The text of a snippet that takes no values (a button label, a word), rendered once;
    None if it takes values."""
    # Rendering costs a Jinja context each time, and a reply carries several such labels.
    env = environment(html=catalog.startswith("chat"))
    if meta.find_undeclared_variables(env.parse(_catalog(catalog)[key])):
        return None
    return _marked(catalog, _template(catalog, key).render().strip())


def flatten(entries: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """A parsed catalog's snippets by dotted key ("key" or "table.key")."""
    flat: dict[str, str] = {}
    for key, value in entries.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


# The channel of the person being answered, for texts worded per channel ("bấm" where there
# are buttons, "gõ" where there are none): set around the handling of one event.
_channel: ContextVar[str] = ContextVar("channel", default="telegram")


@contextmanager
def speaking_to(channel: str) -> Iterator[None]:
    """Texts rendered inside are worded for `channel` ("telegram", "zalo", "console")."""
    token = _channel.set(channel)
    try:
        yield
    finally:
        _channel.reset(token)


def text(name: str, /, **context: Any) -> str:
    """Render the text `name` ("catalog.key") with the given values; a text that shows a
    time needs `zone`, the office's time zone (MissingZoneError otherwise). A text worded
    per channel reads `channel`, given or else the one of `speaking_to` (Telegram's)."""
    catalog, _, key = name.partition(".")
    try:
        if not context:
            fixed = _fixed(catalog, key)
            if fixed is not None:
                return fixed
        template = _template(catalog, key)
    except KeyError:
        raise KeyError(f"no text {key!r} in templates/texts/{catalog}.toml") from None
    context.setdefault("channel", _channel.get())
    try:
        return _marked(catalog, template.render(**context).strip())
    except MissingZoneError as error:
        raise MissingZoneError(f"text {name!r}: {error}") from None


def _marked(catalog: str, rendered: str) -> str:
    """A chat text as `Markup` (already HTML, escaped once); any other as plain str."""
    return Markup(rendered) if catalog.startswith("chat") else rendered


def source(name: str) -> str:
    """The raw Jinja source of the text `name`, for callers that render it in an environment
    of their own (the report's snippets, with figure filters and values)."""
    catalog, _, key = name.partition(".")
    try:
        return _catalog(catalog)[key]
    except KeyError:
        raise KeyError(f"no text {key!r} in templates/texts/{catalog}.toml") from None


def has_text(name: str) -> bool:
    """Whether the catalog defines this text."""
    catalog, _, key = name.partition(".")
    return key in _catalog(catalog)


def reset_office_texts() -> None:
    """Back to the packaged texts alone (tests that install an office's wording)."""
    if _office_texts:
        use_office_texts(None)
