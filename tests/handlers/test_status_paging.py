"""/trangthai pages long unit lists (a province has hundreds of communes)."""

from __future__ import annotations

from domain.forms import Field, FieldKind, FieldType, Form
from domain.periods import Period, ReportingRegime
from domain.units import Unit
from handlers.context import Catalog, HandlerContext, Office
from handlers.office import status_page
from storage import Database
from tests.support.clock import START

FORM = Form("f", "Biểu mẫu", (Field("a", "A?", FieldType.INTEGER, FieldKind.FLOW),))
UNITS = [Unit(f"X{i:03d}", f"UBND xã số {i}", "xa", ("f",), order=i) for i in range(100)]


async def test_a_long_list_is_split_into_pages_with_buttons(db: Database) -> None:
    catalog = Catalog({u.code: u for u in UNITS}, {"f": FORM}, ReportingRegime())
    office = Office(name="Sở", admins=frozenset({"telegram:1"}))
    async with db.write() as tx:
        await tx.units.sync_all(UNITS)
        ctx = HandlerContext(office, catalog, START, tx)
        first = await status_page(ctx, "1", Period(2022, 2), 1)
        third = await status_page(ctx, "1", Period(2022, 2), 3)
        beyond = await status_page(ctx, "1", Period(2022, 2), 99)
    assert "⏳ Chưa bắt đầu: 100" in first.text
    assert "Trang 1/3" in first.text
    assert "• UBND xã số 0\n" in first.text and "UBND xã số 60" not in first.text
    assert [c.data for c in first.all_choices()] == ["st:2022-02:2", "stk:1"]
    assert "Trang 3/3" in third.text and "• UBND xã số 99" in third.text
    assert [c.data for c in third.all_choices()] == ["st:2022-02:2", "stk:1"]
    assert beyond.text == third.text  # clamped to the last page
