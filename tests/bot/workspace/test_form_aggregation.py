"""Form files declare how numeric fields add up over months (aggregate, ratio_of)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.workspace.forms_file import load_forms, read_forms
from domain.aggregation import aggregation_of
from domain.forms import Aggregation, Frequency
from tests.support.offices import BC_FORM, write_office
from tests.support.paths import STARTER

HEAD = '[form]\ncode = "cntt"\ntitle = "Ứng dụng CNTT"\n'


def field(key: str, **values: str | list[str]) -> str:
    """A [[fields]] table: strings quoted, lists of strings as TOML arrays."""
    lines = ["", "[[fields]]", f'key = "{key}"', f'question = "Câu hỏi {key}?"']
    values.setdefault("type", "integer")
    for name, value in values.items():
        shown = ", ".join(f'"{v}"' for v in value) if isinstance(value, list) else None
        lines.append(f"{name} = [{shown}]" if shown is not None else f'{name} = "{value}"')
    return "\n".join(lines) + "\n"


def problems_of(tmp_path: Path, source: str) -> list[str]:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "f1.toml").write_text(source, encoding="utf-8")
    return [str(p) for p in read_forms(folder, tmp_path).problems]


def test_the_starter_declares_month_end_levels_last() -> None:
    forms = load_forms(STARTER / "forms")
    phananh = forms["phananh"]
    assert aggregation_of(phananh.field("dang_xu_ly")) == (Aggregation.LAST, False)
    assert aggregation_of(phananh.field("qua_han")) == (Aggregation.LAST, False)
    assert aggregation_of(phananh.field("tiep_nhan")) == (Aggregation.SUM, False)
    # No starter field is left to a guess.
    guessed = [
        (form.code, f.key)
        for form in forms.values()
        for f in form.fields
        if f.type.is_numeric and aggregation_of(f)[1]
    ]
    assert guessed == []


def test_a_percentage_with_its_terms_is_recomputed(tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    source = (
        HEAD
        + field("dung_han")
        + field("tong")
        + field("ty_le", type="percent", ratio_of=["dung_han", "tong"])
        + field("gia", type="decimal", aggregate="average")
    )
    (folder / "f.toml").write_text(source, encoding="utf-8")
    form = load_forms(folder)["cntt"]
    assert form.field("ty_le").ratio_of == ("dung_han", "tong")
    assert aggregation_of(form.field("ty_le")) == (Aggregation.RATIO, False)
    assert aggregation_of(form.field("gia")) == (Aggregation.AVERAGE, False)


def test_mistakes_are_named(tmp_path: Path) -> None:
    source = (
        HEAD
        + field("a", aggregate="summ")
        + field("b", type="percent", aggregate="sum")
        + field("c", type="percent", ratio_of=["a", "khong_co"])
        + field("d", type="text", aggregate="last")
        + field("e", ratio_of=["a", "b"])
        + field("g", type="percent", ratio_of=["a"])
    )
    problems = problems_of(tmp_path, source)
    assert problems == [
        'forms/f1.toml:8: a.aggregate: "summ" không phải cách cộng dồn hợp lệ; có phải ý bạn '
        'là "sum"?',
        "forms/f1.toml:15: b.aggregate: tỷ lệ phần trăm không được cộng hay lấy trung bình "
        '(aggregate = "sum"); hãy ghi ratio_of = ["tử số", "mẫu số"], hoặc aggregate = '
        '"last", "max" hay "none"',
        'forms/f1.toml:27: d.aggregate: khóa aggregate không dùng cho kiểu "text"; hãy xóa '
        "dòng này hoặc đổi kiểu",
        'forms/f1.toml:32: e.ratio_of: khóa ratio_of không dùng cho kiểu "integer"; hãy xóa '
        "dòng này hoặc đổi kiểu",
        "forms/f1.toml:39: g.ratio_of: ratio_of cần đúng hai khóa: tử số và mẫu số, ví dụ "
        'ratio_of = ["hs_dung_han", "hs_giai_quyet"]',
        'forms/f1.toml:21: c.ratio_of: không có câu hỏi "khong_co" khác trong biểu mẫu; '
        "ratio_of ghi khóa của hai câu hỏi số: tử số và mẫu số",
    ]


def test_check_shows_each_aggregation_and_warns_of_a_guess(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = "mã đơn vị,tên đơn vị,nhóm,biểu mẫu\nA,Phòng A,Phòng,bc\n"
    form = BC_FORM + (
        '\n[[fields]]\nkey = "gia"\nquestion = "Giá bình quân?"\ntype = "decimal"\n'
        '\n[[fields]]\nkey = "ton"\nquestion = "Tồn cuối tháng?"\ntype = "integer"\n'
        'aggregate = "last"\n'
    )
    config = write_office(tmp_path, units, form)
    assert main(["check", "--config", str(config), "--today", "12/02/2022"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "    cộng dồn quý, năm: so sum, gia sum (đoán), ton last" in out
    assert (
        '    Chú ý: gia chưa ghi aggregate, đang đoán là "sum"; hãy ghi aggregate = "sum", '
        '"last", "max", "average" hoặc "none" trong forms/bc.toml'
    ) in out


def test_a_form_says_how_often_it_is_asked(tmp_path: Path) -> None:
    head = HEAD + 'frequency = "quarterly"\n'
    folder = tmp_path / "ok"
    folder.mkdir()
    (folder / "f.toml").write_text(head + field("a"), encoding="utf-8")
    form = load_forms(folder)["cntt"]
    assert form.frequency is Frequency.QUARTERLY
    assert [m for m in range(1, 13) if form.due_in(m)] == [3, 6, 9, 12]
    problems = problems_of(tmp_path, HEAD + 'frequency = "quy"\n' + field("a"))
    assert problems == [
        'forms/f1.toml:4: form.frequency: "quy" không phải tần suất hợp lệ; hãy ghi một '
        "trong: monthly, quarterly, half_yearly, yearly (mặc định: monthly, hằng tháng)"
    ]
