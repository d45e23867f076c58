"""The dashboard's tickets page counts from the day the draft's ticket figures count from:
the config's `[tickets] campaign_start`, else report.toml's `since`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.cli.web import ticket_start
from bot.workspace.load import load_workspace


def test_the_tickets_page_counts_from_the_configs_campaign_start(office: Path) -> None:
    assert ticket_start(load_workspace(office)) is None  # the starter counts every ticket
    text = office.read_text(encoding="utf-8")
    office.write_text(
        text.replace('campaign_start = ""', 'campaign_start = "04/01/2022"'), encoding="utf-8"
    )
    assert ticket_start(load_workspace(office)) == date(2022, 1, 4)


def test_report_tomls_since_when_the_config_gives_none(office: Path) -> None:
    (office.parent / "report.toml").write_text(
        '[tickets]\nform = "buuchinh"\nunit = "BDT"\nsince = 2021-12-03\n', encoding="utf-8"
    )
    assert ticket_start(load_workspace(office)) == date(2021, 12, 3)
