"""Last period's answers are read only for forms whose stocks show or check them."""

from __future__ import annotations

from dataclasses import replace

from domain.forms import Field, FieldKind, FieldType, Form
from handlers.obligated import uses_previous_period

FLOW = Field("moi", "Văn bản mới?", FieldType.INTEGER, FieldKind.FLOW)
STOCK = Field("luy_ke", "Lũy kế?", FieldType.INTEGER, FieldKind.STOCK)


def test_a_form_of_flows_needs_no_previous_period() -> None:
    assert not uses_previous_period(Form("f", "Flows", (FLOW,)))


def test_a_stock_or_a_field_carrying_one_over_needs_it() -> None:
    assert uses_previous_period(Form("f", "Stock", (FLOW, STOCK)))
    carried = replace(FLOW, key="tong", stock_of="moi")
    assert uses_previous_period(Form("f", "Carried", (FLOW, carried)))
