"""Form files: sound ones become Forms; every mistake is named by file, line and key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.workspace.forms_file import load_forms, read_forms
from bot.workspace.problems import ConfigError
from domain.forms import FIELD_KEY_MAX, FieldKind, FieldType
from tests.support.paths import STARTER

HEAD = '[form]\ncode = "cntt"\ntitle = "Ứng dụng CNTT"\n'


def field(key: str, **values: object) -> str:
    """A [[fields]] table; strings are quoted, lists and numbers written as TOML."""
    lines = ["", "[[fields]]", f'key = "{key}"', f'question = "Câu hỏi {key}?"']
    values.setdefault("type", "integer")
    for name, value in values.items():
        if isinstance(value, str):
            lines.append(f'{name} = "{value}"')
        elif isinstance(value, list):
            lines.append(f"{name} = [" + ", ".join(f'"{v}"' for v in value) + "]")
        elif isinstance(value, bool):
            lines.append(f"{name} = {str(value).lower()}")
        else:
            lines.append(f"{name} = {value}")
    return "\n".join(lines) + "\n"


def problems_of(tmp_path: Path, *sources: str) -> list[str]:
    folder = tmp_path / "forms"
    folder.mkdir()
    for number, source in enumerate(sources, start=1):
        (folder / f"f{number}.toml").write_text(source, encoding="utf-8")
    result = read_forms(folder, tmp_path)
    assert result.problems, "expected problems"
    return [str(p) for p in result.problems]


def test_the_starter_forms_load() -> None:
    forms = load_forms(STARTER / "forms")
    assert sorted(forms) == ["buuchinh", "cntt", "dvc", "phananh"]
    cntt = forms["cntt"]
    assert cntt.title == "Ứng dụng công nghệ thông tin"
    assert cntt.field("vb_di").parts == ("vb_di_ky_so", "vb_di_giay")
    assert cntt.field("cts_luy_ke").stock_of == "cts_moi"
    assert cntt.field("cts_luy_ke").kind is FieldKind.STOCK
    assert cntt.field("kho_khan").required is False
    dvc = forms["dvc"]
    assert dvc.field("ty_le_dung_han").max == Decimal(100)
    tickets = forms["phananh"]
    assert tickets.field("tiep_nhan").parts == ("da_xu_ly", "dang_xu_ly")
    assert tickets.field("qua_han").at_most == "dang_xu_ly"
    assert dvc.field("cong_khai").choices == ("Đã công khai", "Chưa công khai")


def test_kinds_default_by_type(tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "a.toml").write_text(
        HEAD
        + field("so", min=0, max=1.5)
        + field("ghi_chu", type="text")
        + field("ngay", type="date"),
        encoding="utf-8",
    )
    form = load_forms(folder)["cntt"]
    assert [f.kind for f in form.fields] == [FieldKind.FLOW, FieldKind.TEXT, FieldKind.TEXT]
    assert [f.type for f in form.fields] == [FieldType.INTEGER, FieldType.TEXT, FieldType.DATE]
    assert (form.fields[0].min, form.fields[0].max) == (Decimal(0), Decimal("1.5"))
    assert form.description == ""


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            field("vb_di", maxx=10),
            'forms/f1.toml:8: vb_di.maxx: không có khóa này; có phải ý bạn là "max"?',
            id="unknown-key",
        ),
        pytest.param(
            field("vb_di") + field("vb_di"),
            'forms/f1.toml:11: vb_di.key: khóa "vb_di" đã dùng cho câu hỏi ở dòng 6; '
            "hãy đặt khóa khác",
            id="duplicate-key",
        ),
        pytest.param(
            field("vb_di", type="integr"),
            'forms/f1.toml:8: vb_di.type: "integr" không phải kiểu hợp lệ; '
            'có phải ý bạn là "integer"?',
            id="bad-type",
        ),
        pytest.param(
            field("vb_di", type="money"),
            'forms/f1.toml:8: vb_di.type: "money" không phải kiểu hợp lệ; '
            "hãy ghi một trong: integer, decimal, percent, text, choice, date",
            id="bad-type-without-suggestion",
        ),
        pytest.param(
            field("vb_di", kind="total"),
            'forms/f1.toml:8: vb_di.kind: "total" không phải loại số liệu hợp lệ; '
            "hãy ghi một trong: flow, stock, text",
            id="bad-kind",
        ),
        pytest.param(
            field("ghi_chu", type="text", kind="flow"),
            'forms/f1.toml:9: ghi_chu.kind: kind = "flow" không dùng được cho kiểu "text"; '
            "hãy ghi text",
            id="kind-not-for-type",
        ),
        pytest.param(
            field("vb_di", parts=["vb_a", "vb_b"]) + field("vb_a"),
            'forms/f1.toml:8: vb_di.parts: không có câu hỏi "vb_b" trong biểu mẫu; '
            'có phải ý bạn là "vb_a"?',
            id="parts-missing-field",
        ),
        pytest.param(
            field("vb_di", parts=["vb_a", "ghi_chu"])
            + field("vb_a")
            + field("ghi_chu", type="text"),
            'forms/f1.toml:8: vb_di.parts: "ghi_chu" có kiểu "text", không cộng được; '
            "parts chỉ gồm các câu hỏi kiểu số (integer, decimal, percent)",
            id="parts-not-numeric",
        ),
        pytest.param(
            field("tong", parts=["a"]) + field("a", parts=["b"]) + field("b", parts=["tong"]),
            "forms/f1.toml:8: tong.parts: các câu hỏi là thành phần của chính mình "
            "(tong → a → b → tong); hãy bỏ vòng lặp này khỏi parts",
            id="parts-cycle",
        ),
        pytest.param(
            field("tong", parts=["tong"]),
            "forms/f1.toml:8: tong.parts: các câu hỏi là thành phần của chính mình "
            "(tong → tong); hãy bỏ vòng lặp này khỏi parts",
            id="part-of-itself",
        ),
        pytest.param(
            field("moi") + field("luy_ke", stock_of="moi"),
            "forms/f1.toml:13: luy_ke.stock_of: stock_of chỉ dùng cho số lũy kế nhưng câu hỏi "
            'này có kind = "flow"; hãy ghi kind = "stock" hoặc xóa stock_of',
            id="stock-of-on-a-flow",
        ),
        pytest.param(
            field("truoc", kind="stock") + field("luy_ke", kind="stock", stock_of="truoc"),
            'forms/f1.toml:15: luy_ke.stock_of: "truoc" có kind = "stock"; stock_of phải chỉ '
            'tới một câu hỏi số phát sinh trong kỳ (kind = "flow")',
            id="stock-of-a-stock",
        ),
        pytest.param(
            field("luy_ke", kind="stock", stock_of="moi"),
            'forms/f1.toml:9: luy_ke.stock_of: không có câu hỏi "moi" trong biểu mẫu; '
            "hãy ghi khóa của câu hỏi số phát sinh trong kỳ",
            id="stock-of-missing-field",
        ),
        pytest.param(
            field("qua_han", at_most="dang_xu"),
            'forms/f1.toml:8: qua_han.at_most: không có câu hỏi "dang_xu" khác trong biểu mẫu; '
            "at_most ghi khóa của câu hỏi số mà số này không được vượt quá",
            id="at-most-missing-field",
        ),
        pytest.param(
            field("qua_han", at_most="qua_hn"),
            'forms/f1.toml:8: qua_han.at_most: không có câu hỏi "qua_hn" khác trong biểu mẫu; '
            "at_most ghi khóa của câu hỏi số mà số này không được vượt quá",
            id="at-most-itself",
        ),
        pytest.param(
            field("qua_han", at_most="ghi_chu") + field("ghi_chu", type="text"),
            'forms/f1.toml:8: qua_han.at_most: "ghi_chu" có kiểu "text", không so sánh được; '
            "at_most phải chỉ tới một câu hỏi kiểu số (integer, decimal, percent)",
            id="at-most-not-numeric",
        ),
        pytest.param(
            field("ghi_chu", type="text", at_most="a") + field("a"),
            'forms/f1.toml:9: ghi_chu.at_most: khóa at_most không dùng cho kiểu "text"; '
            "hãy xóa dòng này hoặc đổi kiểu",
            id="at-most-on-text",
        ),
        pytest.param(
            field("co_khong", type="choice"),
            'forms/f1.toml:5: co_khong.choices: kiểu "choice" cần danh sách lựa chọn; '
            'hãy ghi, ví dụ, choices = ["Có", "Không"]',
            id="choices-missing",
        ),
        pytest.param(
            field("vb_di", min=10, max=5),
            "forms/f1.toml:8: vb_di.min: giá trị nhỏ nhất 10 lớn hơn giá trị lớn nhất 5; "
            "hãy sửa min hoặc max",
            id="min-above-max",
        ),
        pytest.param(
            field("ghi_chu", type="text", min=0),
            'forms/f1.toml:9: ghi_chu.min: khóa min không dùng cho kiểu "text"; '
            "hãy xóa dòng này hoặc đổi kiểu",
            id="min-on-text",
        ),
        pytest.param(
            field("VB-di"),
            'forms/f1.toml:6: fields[1].key: "VB-di" không phải khóa hợp lệ; hãy dùng chữ '
            'thường không dấu, chữ số và dấu _, bắt đầu bằng một chữ, ví dụ "vb_di"',
            id="bad-field-key",
        ),
        pytest.param(
            '\n[[fields]]\nkey = "vb_di"\ntype = "integer"\n',
            "forms/f1.toml:5: vb_di.question: thiếu khóa bắt buộc; hãy thêm dòng "
            'question = "Tổng số văn bản đi trong tháng?"',
            id="missing-question",
        ),
        pytest.param(
            field("vb_di", min="0"),
            'forms/f1.toml:8: vb_di.min: "0" là chuỗi chữ; hãy ghi một số, ví dụ 0',
            id="string-for-min",
        ),
    ],
)
def test_a_mistake_is_named_by_file_and_line(tmp_path: Path, fields: str, expected: str) -> None:
    assert problems_of(tmp_path, HEAD + fields) == [expected]


def test_every_mistake_of_every_file_at_once(tmp_path: Path) -> None:
    second = '[form]\ncode = "cntt"\ntitle = "Lặp"\n' + field("a", type="choice")
    problems = problems_of(
        tmp_path, HEAD + field("vb_di", kind="total") + field("x", min=3, max=1), second
    )
    assert problems == [
        'forms/f1.toml:8: vb_di.kind: "total" không phải loại số liệu hợp lệ; '
        "hãy ghi một trong: flow, stock, text",
        "forms/f1.toml:14: x.min: giá trị nhỏ nhất 3 lớn hơn giá trị lớn nhất 1; "
        "hãy sửa min hoặc max",
        'forms/f2.toml:5: a.choices: kiểu "choice" cần danh sách lựa chọn; '
        'hãy ghi, ví dụ, choices = ["Có", "Không"]',
        'forms/f2.toml:2: form.code: mã biểu mẫu "cntt" đã dùng trong forms/f1.toml; '
        "hãy đặt mã khác",
    ]


def test_unknown_keys_of_the_form_table_and_the_file(tmp_path: Path) -> None:
    source = '[form]\ncode = "cntt"\ntitel = "x"\n\n[[field]]\nkey = "a"\n'
    assert problems_of(tmp_path, source) == [
        "forms/f1.toml:1: form.title: thiếu khóa bắt buộc; "
        'hãy thêm dòng title = "Ứng dụng công nghệ thông tin"',
        'forms/f1.toml:3: form.titel: không có khóa này; có phải ý bạn là "title"?',
        "forms/f1.toml: fields: biểu mẫu chưa có câu hỏi nào; hãy thêm ít nhất một bảng [[fields]]",
        'forms/f1.toml:5: field: không có khóa này; có phải ý bạn là "fields"?',
    ]


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    assert problems_of(tmp_path, HEAD + '\n[[fields]]\nkey = "a\n') == [
        "forms/f1.toml:6: sai cú pháp TOML (Illegal character '\\n'); hãy kiểm tra dấu "
        "ngoặc kép, dấu = và dấu ngoặc vuông ở dòng này"
    ]


def test_a_missing_or_empty_folder(tmp_path: Path) -> None:
    assert [str(p) for p in read_forms(tmp_path / "forms", tmp_path).problems] == [
        "forms: không tìm thấy thư mục biểu mẫu; hãy tạo thư mục này hoặc sửa data.forms "
        "trong config.toml"
    ]
    (tmp_path / "forms").mkdir()
    assert [str(p) for p in read_forms(tmp_path / "forms", tmp_path).problems] == [
        "forms: thư mục chưa có biểu mẫu nào; hãy thêm mỗi biểu mẫu một tệp .toml"
    ]


def test_a_broken_file_still_declares_its_code(tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "a.toml").write_text(HEAD + field("a", type="money"), encoding="utf-8")
    result = read_forms(folder, tmp_path)
    assert result.forms == {}
    assert result.declared == {"cntt"}


def test_load_forms_raises_with_every_problem(tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "a.toml").write_text(
        HEAD + field("a", type="x") + field("b", kind="y"), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_forms(folder)
    assert [(p.key, p.line) for p in caught.value.problems] == [("a.type", 8), ("b.kind", 13)]


def test_a_field_key_too_long_for_a_chat_button(tmp_path: Path) -> None:
    """The explain button carries the key ("why:<key>", 64 bytes at most)."""
    longest, too_long = "k" * FIELD_KEY_MAX, "k" * (FIELD_KEY_MAX + 1)
    (problem,) = problems_of(tmp_path, HEAD + field(longest) + field(too_long))
    assert f'khóa "{too_long}" quá dài; hãy dùng khóa tới {FIELD_KEY_MAX} ký tự' in problem


def test_the_digit_limit_is_set_per_numeric_field(tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "a.toml").write_text(
        HEAD + field("so", max_digits=20) + field("khac"), encoding="utf-8"
    )
    form = load_forms(folder)["cntt"]
    assert [f.max_digits for f in form.fields] == [20, 15]
    (tmp_path / "x").mkdir()
    (wrong,) = problems_of(tmp_path / "x", HEAD + field("t", type="text", max_digits=3))
    assert "max_digits" in wrong


def test_plausibility_is_set_per_numeric_field(tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "a.toml").write_text(
        HEAD + field("so", plausible_ratio=5, plausible_max=1000) + field("khac"),
        encoding="utf-8",
    )
    first, second = load_forms(folder)["cntt"].fields
    assert (first.plausible_ratio, first.plausible_max) == (Decimal(5), Decimal(1000))
    assert (second.plausible_ratio, second.plausible_max) == (Decimal(10), None)
    (tmp_path / "x").mkdir()
    (wrong,) = problems_of(tmp_path / "x", HEAD + field("so", plausible_ratio=0.5))
    assert "plausible_ratio 0.5" in wrong


def test_the_plausibility_floor_is_set_per_numeric_field(tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "a.toml").write_text(
        HEAD + field("so", plausible_floor=0) + field("khac"), encoding="utf-8"
    )
    first, second = load_forms(folder)["cntt"].fields
    assert (first.plausible_floor, second.plausible_floor) == (Decimal(0), Decimal(20))
    (tmp_path / "x").mkdir()
    (wrong,) = problems_of(tmp_path / "x", HEAD + field("so", plausible_floor=-1))
    assert "plausible_floor -1 không được âm" in wrong
    (tmp_path / "y").mkdir()
    (on_text,) = problems_of(tmp_path / "y", HEAD + field("t", type="text", plausible_floor=5))
    assert "plausible_floor" in on_text
