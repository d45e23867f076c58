"""One source for the hotline figures: the body, the appendix and the export print the same
summary (imported tickets, else the counts form), tickets given to no unit are a line of
their own, and the catalog's default blocks compile."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from bot.cli.web import period_hotline
from bot.report import compile_draft, export_xlsx
from bot.report.tickets_source import draft_inputs, export_inputs
from bot.runtime.build import catalog_of, office_of
from bot.tickets.saving import import_tickets
from bot.web.dashboard import Dashboard
from bot.web.routes import mount
from bot.workspace.load import Workspace
from bot.workspace.report_spec import spec_for
from domain.periods import Period
from domain.report import ItemKind, ItemSpec, ReportSpec, SectionSpec
from handlers.web_link import login_link
from storage import Database
from tests.support.docx_reading import full_text, open_docx

FEBRUARY = Period(2022, 2)
NOW = datetime(2022, 2, 17, 8, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
# T9 is overdue and given to no unit yet; T1 and T3 are Sở Y tế's, T4 the VP UBND's.
TICKETS = """Mã phiếu,Kênh tiếp nhận,Ngày tiếp nhận,Hạn xử lý,Đơn vị xử lý,Nội dung,Trạng thái
T1,Tổng đài 1022,20/01/2022,30/01/2022,Sở Y tế,a,Đang xử lý
T3,Zalo,22/01/2022,01/02/2022,Sở Y tế,c,Đang xử lý
T4,Facebook,23/01/2022,02/02/2022,VP UBND tỉnh,d,Đang xử lý
T9,Tổng đài 1022,24/01/2022,03/02/2022,,e,Đang xử lý
""".encode()


async def _import(db: Database, workspace: Workspace) -> None:
    async with db.write() as tx:
        await import_tickets(
            tx,
            TICKETS,
            "phieu.csv",
            settings=workspace.settings.tickets,
            today=date(2022, 2, 17),
            changed_by="test",
            units=workspace.units,
        )


def _hotline_sheet(data: bytes) -> dict[str, object]:
    sheet = load_workbook(io.BytesIO(data))["Tổng đài"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


async def _draft_and_export(db: Database, workspace: Workspace) -> tuple[str, dict[str, object]]:
    spec, hotline = await draft_inputs(db, workspace, FEBRUARY, NOW)
    draft = await compile_draft(db, workspace, FEBRUARY, NOW, spec=spec, tickets=hotline)
    listed, same, _ = await export_inputs(db, workspace, FEBRUARY, NOW)
    assert same == hotline
    data = await export_xlsx(db, workspace, FEBRUARY, listed, same)
    return full_text(open_docx(draft.docx)), _hotline_sheet(data)


async def test_every_item_kind_renders_without_a_text_of_its_own(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    spec = ReportSpec(
        sections=(SectionSpec("I", "I.", "Mục"),),
        items=tuple(
            ItemSpec("I", kind, form="tonghop", field="tham_muu", units=("VP",))
            if kind is ItemKind.NARRATIVE
            else ItemSpec("I", kind)
            for kind in ItemKind
        ),
        tickets=spec_for(
            sample_workspace.settings.source.parent, sample_workspace.forms, sample_workspace.units
        ).tickets,
    )
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, NOW, spec=spec)
    body = full_text(open_docx(draft.docx))
    assert "Tổng số phản ánh đã tiếp nhận trong tháng: 1" in body
    assert "+ Sở Y tế: 69;" in body
    assert "Trong tháng, trình UBND tỉnh dự thảo Kế hoạch" in body


async def test_imported_tickets_with_one_given_to_no_unit(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    await _import(sample_db, sample_workspace)
    body, sheet = await _draft_and_export(sample_db, sample_workspace)
    assert "(trong đó: 4 phiếu trễ hạn)" in body
    assert "+ Sở Y tế: 2;" in body
    assert "+ Chưa giao đơn vị: 1." in body
    # Not a units' inconsistency: no warning that the units' counts do not add up.
    assert "Số phiếu trễ hạn theo đơn vị»" not in body
    assert sheet["Trễ hạn"] == 4
    assert sheet["Sở Y tế"] == 2
    assert sheet["Chưa giao đơn vị"] == 1


async def test_the_units_forms_without_imported_tickets(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    body, sheet = await _draft_and_export(sample_db, sample_workspace)
    assert "(trong đó: 105 phiếu trễ hạn)" in body
    assert "+ Sở Y tế: 69;" in body
    assert sheet["Trễ hạn"] == 105
    assert sheet["Sở Y tế"] == 69
    assert "Chưa giao đơn vị" not in body


async def test_a_counts_form_alone_gives_no_per_unit_list(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    spec = spec_for(
        sample_workspace.settings.source.parent, sample_workspace.forms, sample_workspace.units
    )
    assert spec.tickets is not None
    counts_only = dataclasses.replace(
        spec, tickets=dataclasses.replace(spec.tickets, overdue_form="", overdue_field="")
    )
    (sample_workspace.settings.source.parent / "report.toml").write_text(
        (sample_workspace.settings.source.parent / "report.toml")
        .read_text(encoding="utf-8")
        .replace('overdue_form = "phieutre"\n', "")
        .replace('overdue_field = "phieu_tre_han"\n', ""),
        encoding="utf-8",
    )
    spec_read, hotline = await draft_inputs(sample_db, sample_workspace, FEBRUARY, NOW)
    assert spec_read.tickets == counts_only.tickets
    draft = await compile_draft(
        sample_db, sample_workspace, FEBRUARY, NOW, spec=spec_read, tickets=hotline
    )
    everything = full_text(open_docx(draft.docx))
    assert "(trong đó: 105 phiếu trễ hạn)" in everything
    assert "Không có phiếu trễ hạn" not in everything
    listed, same, _ = await export_inputs(sample_db, sample_workspace, FEBRUARY, NOW)
    sheet = _hotline_sheet(await export_xlsx(sample_db, sample_workspace, FEBRUARY, listed, same))
    assert sheet["Trễ hạn"] == 105
    assert "Sở Y tế" not in sheet


async def test_the_dashboards_tickets_page_gives_the_drafts_counts_without_a_ticket_list(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    """No ticket imported: the draft takes its overdue figures from the units' counts forms,
    and the dashboard's tickets page says the same instead of «0 phiếu quá hạn»."""
    _, hotline = await draft_inputs(sample_db, sample_workspace, FEBRUARY, NOW)
    assert hotline is not None and hotline.overdue
    office = office_of(sample_workspace)
    parts = Dashboard(
        sample_db,
        catalog_of(sample_workspace),
        office,
        lambda: NOW,
        hotline=period_hotline(sample_db, sample_workspace),
    )
    app = web.Application()
    mount(app, parts)
    async with sample_db.write() as tx:
        link, _ = await login_link(tx, sorted(office.admins)[0], "http://x", NOW)
    async with TestClient(TestServer(app)) as client:
        await client.get(link.removeprefix("http://x"))
        page = await (await client.get("/web/tickets?period=2022-02")).text()
    assert f'<strong id="forms-overdue">{hotline.overdue}</strong>' in page
    syt = next(u for u in hotline.overdue_by_unit if u.unit_code == "SYT")
    assert re.search(
        rf'id="forms-SYT">\s*<td data-label="Đơn vị">Sở Y tế</td>\s*'
        rf'<td data-label="Phiếu trễ hạn">{syt.count}</td>',
        page,
    )
