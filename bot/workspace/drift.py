"""A config changed between restarts: answers stored for units, forms or fields it dropped.

baocao never deletes stored answers because the config changed (units merge, questions are
dropped): this finds what the database still holds that the new config no longer declares,
so that `baocao run` and `baocao doctor` can say so instead of silently hiding it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.workspace.load import Workspace
from storage import StorageError
from storage.fileprobe import probe
from storage.inspection import StoredKey, stored_answer_keys
from storage.schema import latest_version


@dataclass(frozen=True, slots=True)
class Orphan:
    """Stored answers the config no longer declares, and why: "unit", "form" or "field"."""

    reason: str
    unit_code: str
    form_code: str
    field_key: str
    answers: int


def orphans(keys: list[StoredKey], workspace: Workspace) -> list[Orphan]:
    """The stored keys grouped by what is missing: a whole unit, a whole form, or a field."""
    units = {u.code for u in workspace.units}
    found: dict[tuple[str, str, str, str], int] = {}
    for key in keys:
        form = workspace.forms.get(key.form_code)
        if key.unit_code not in units:
            group = ("unit", key.unit_code, "", "")
        elif form is None:
            group = ("form", key.unit_code, key.form_code, "")
        elif not form.has_field(key.field_key):
            group = ("field", key.unit_code, key.form_code, key.field_key)
        else:
            continue
        found[group] = found.get(group, 0) + key.answers
    return [Orphan(*group, answers=count) for group, count in found.items()]


def stored_orphans(workspace: Workspace) -> list[Orphan] | None:
    """Orphaned answers in the workspace's database; None if it cannot be read (yet).

    Read-only: a missing, damaged or foreign file is left for `Database.open` to report.
    """
    path = workspace.settings.storage.path
    if not path.is_file():
        return None
    try:
        state = probe(path, latest_version())
        if state.user_version == 0:
            return None
        return orphans(stored_answer_keys(path), workspace)
    except (StorageError, sqlite3.Error):
        return None
