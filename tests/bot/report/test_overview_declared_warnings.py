"""The dashboard's overview counts a unit's warnings as the draft's review sheet lists them,
the report declaration's included: a stated percentage the figures do not give, a declared
total that is not the sum of its parts."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

from bot.report import compile_draft
from bot.runtime.build import catalog_of, office_of
from bot.web.dashboard import Dashboard
from bot.web.overview import overview_page
from bot.workspace.load import Workspace
from bot.workspace.report_spec import spec_for
from domain.periods import Period
from domain.report_checks import WarningKind
from storage import Database
from tests.support.sample_data import COMPILED_AT

FEBRUARY = Period(2022, 2)
NOW = datetime(2022, 2, 28, 3, 0, tzinfo=UTC)


def _warnings_cell(page: str, unit: str) -> str:
    row = page[page.index(f'id="unit-{unit}"') :]
    cell = re.search(r'data-label="Cảnh báo"[^>]*>(.*?)</td>', row[: row.index("</tr>")], re.S)
    assert cell is not None
    return " ".join(cell.group(1).split())


async def test_the_overview_counts_the_declarations_warnings_as_the_review_sheet(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    # The review sheet's section V: stated percentages the figures do not give, by unit.
    stated = Counter(w.unit for w in draft.document.warnings if w.kind == WarningKind.RATIO)
    assert stated, "the sample's February has stated percentages the figures do not give"
    folder = sample_workspace.settings.source.parent

    async def overview(report: bool) -> str:
        parts = Dashboard(
            sample_db,
            catalog_of(sample_workspace),
            office_of(sample_workspace),
            lambda: NOW,
            report=(lambda: spec_for(folder, sample_workspace.forms, sample_workspace.units))
            if report
            else (lambda: None),
        )
        response = await overview_page(parts, {"period": "2022-02"}, "csrf")
        assert response.text is not None
        return response.text

    with_spec, without = await overview(True), await overview(False)
    for name, count in stated.items():
        code = next(u.code for u in sample_workspace.units if u.name == name)
        before, after = (
            _count(_warnings_cell(without, code)),
            _count(_warnings_cell(with_spec, code)),
        )
        assert after == before + count, (code, before, after)


def _count(cell: str) -> int:
    return 0 if cell == "—" else int(cell.split()[0])
