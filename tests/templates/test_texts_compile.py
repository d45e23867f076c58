"""Every text of every catalog compiles (they are compiled on first use, so a broken one
would otherwise show only when someone meets it)."""

from __future__ import annotations

from importlib import resources

import pytest
from jinja2 import UndefinedError

from templates import catalog as texts

CATALOGS = sorted(
    entry.name.removesuffix(".toml")
    for entry in resources.files(texts.TEXTS_PACKAGE).joinpath(texts.TEXTS_FOLDER).iterdir()
    if entry.name.endswith(".toml")
)


def test_the_catalogs_are_found() -> None:
    assert {"chat", "cli", "report"} <= set(CATALOGS)


@pytest.mark.parametrize("catalog", CATALOGS)
def test_every_text_compiles(catalog: str) -> None:
    keys = texts._catalog(catalog)
    assert keys
    for key in keys:
        assert texts.has_text(f"{catalog}.{key}")
        texts._template(catalog, key)  # raises TemplateSyntaxError if broken


@pytest.mark.parametrize("catalog", CATALOGS)
def test_texts_without_values_are_rendered_once_the_same(catalog: str) -> None:
    # A text that takes no values is kept rendered; one that takes values never is.
    for key in texts._catalog(catalog):
        fixed = texts._fixed(catalog, key)
        if fixed is not None:
            assert texts.text(f"{catalog}.{key}") == fixed
            assert fixed == texts._template(catalog, key).render().strip()
    assert texts._fixed("chat", "button_pause") == texts._catalog("chat")["button_pause"]
    assert texts._fixed("chat", "recorded") is None
    with pytest.raises(UndefinedError):
        texts.text("chat.recorded")
