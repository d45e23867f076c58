"""The units CSV: Vietnamese or English headers, Excel's quirks, and mistakes by line."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from bot.workspace.problems import ConfigError
from bot.workspace.units_file import load_units, parse_date, read_units
from domain.units import CODE_MAX_BYTES

FORMS = {"cntt", "dvc", "buuchinh"}


def write(folder: Path, text: str, *, bom: bool = False, encoding: str = "utf-8") -> Path:
    path = folder / "units.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def problems_of(path: Path, forms: set[str] | None = FORMS) -> list[str]:
    _, problems = read_units(path, path.name, forms)
    assert problems, "expected problems"
    return [str(p) for p in problems]


def test_vietnamese_headers_with_a_bom(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mã đơn vị,tên đơn vị,nhóm,biểu mẫu,tên khác,hieu_luc_tu,hieu_luc_den\n"
        'SYT,Sở Y tế,"Sở, ban, ngành",cntt; dvc,Y tế;SYT TV,01/01/2022,\n'
        "P6TV,UBND Phường 6,UBND cấp xã,cntt,,,2025-06-30\n",
        bom=True,
    )
    units = load_units(path, FORMS)
    assert [u.code for u in units] == ["SYT", "P6TV"]
    first, second = units
    assert first.name == "Sở Y tế"
    assert first.group == "Sở, ban, ngành"
    assert first.forms == ("cntt", "dvc")
    assert first.aliases == ("Y tế", "SYT TV")
    assert first.effective_from == date(2022, 1, 1)
    assert (first.order, second.order) == (1, 2)
    assert second.effective_to == date(2025, 6, 30)
    assert second.aliases == ()


def test_english_headers_in_any_case_and_order(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,CODE,Forms,Group,notes\nSở Y tế,SYT,cntt,Sở,call Mr. A\n")
    (unit,) = load_units(path, FORMS)
    assert (unit.code, unit.name, unit.group, unit.forms) == ("SYT", "Sở Y tế", "Sở", ("cntt",))


def test_headers_without_diacritics_and_excel_semicolons(tmp_path: Path) -> None:
    # Excel in a Vietnamese locale separates cells with ";" and quotes cells holding one.
    path = write(tmp_path, 'ma;ten;nhom;bieu_mau;ten_khac\nSYT;Sở Y tế;Sở;"cntt;dvc";\n')
    (unit,) = load_units(path, FORMS)
    assert unit.forms == ("cntt", "dvc")


def test_decomposed_vietnamese_is_normalized(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize(
        "NFD", "mã đơn vị,tên đơn vị,nhóm,biểu mẫu\nSYT,Sở Y tế,Sở,cntt\n"
    )
    (unit,) = load_units(write(tmp_path, decomposed), FORMS)
    assert unit.name == unicodedata.normalize("NFC", "Sở Y tế")


def test_blank_rows_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,group,forms\n,,,\nSYT,Sở Y tế,Sở,cntt\n,,,\n")
    assert [u.code for u in load_units(path, FORMS)] == ["SYT"]


def test_bad_rows_are_each_reported_with_their_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mã đơn vị,tên đơn vị,nhóm,biểu mẫu,hiệu lực từ,hiệu lực đến\n"
        "SYT,Sở Y tế,Sở,cntt,,\n"
        ",Sở Tư pháp,Sở,cntt,,\n"
        "syt,Sở Y tế (trùng),Sở,cntt,,\n"
        "STP,Sở Tư pháp,Sở,cnt;dvc,,\n"
        "SXD,Sở Xây dựng,Sở,cntt,31/02/2022,\n"
        "SGD,Sở Giáo dục,Sở,cntt,01/07/2022,30/06/2022\n"
        "SCT,,,,,\n",
    )
    assert problems_of(path) == [
        "units.csv:3: mã đơn vị: chưa ghi mã đơn vị; hãy ghi một mã ngắn, không trùng, ví dụ SYT",
        'units.csv:4: mã đơn vị: mã đơn vị "syt" đã dùng ở dòng 2; hãy đặt mã khác',
        'units.csv:5: biểu mẫu: không có biểu mẫu "cnt"; có phải ý bạn là "cntt"?',
        'units.csv:6: hiệu lực từ: "31/02/2022" không phải ngày hợp lệ; '
        "hãy ghi ngày dạng dd/mm/yyyy, ví dụ 01/01/2022",
        "units.csv:7: hiệu lực đến: ngày hết hiệu lực 30/06/2022 trước ngày có hiệu lực "
        "01/07/2022; hãy sửa một trong hai ngày",
        'units.csv:8: tên đơn vị: đơn vị "SCT" chưa có tên; hãy ghi tên đầy đủ, ví dụ Sở Y tế',
        'units.csv:8: nhóm: đơn vị "SCT" chưa có nhóm; hãy ghi nhóm, ví dụ Sở, ban, ngành',
        "units.csv:8: biểu mẫu: chưa ghi biểu mẫu nào; hãy ghi mã các biểu mẫu đơn vị phải "
        "nộp, cách nhau bởi dấu ;",
    ]


def test_an_unknown_form_without_a_close_one_lists_the_known(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,group,forms\nSYT,Sở Y tế,Sở,xyz\n")
    assert problems_of(path) == [
        'units.csv:2: forms: không có biểu mẫu "xyz"; hãy ghi một trong các mã: buuchinh, cntt, dvc'
    ]


def test_forms_are_not_checked_when_unknown(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,group,forms\nSYT,Sở Y tế,Sở,xyz\n")
    assert load_units(path)[0].forms == ("xyz",)


def test_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "mã đơn vị,tên đơn vị,nhom don vi\nSYT,Sở Y tế,Sở\n")
    assert problems_of(path) == [
        'units.csv:1: thiếu cột "group", "nhom", "nhóm"; hãy thêm cột này vào dòng tiêu đề',
        'units.csv:1: thiếu cột "forms", "bieu_mau", "biểu mẫu", "bieu mau"; '
        "hãy thêm cột này vào dòng tiêu đề",
    ]


def test_a_misspelt_column_is_suggested(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,group,bieu_mauu\nSYT,Sở Y tế,Sở,cntt\n")
    assert problems_of(path) == [
        'units.csv:1: thiếu cột "forms", "bieu_mau", "biểu mẫu", "bieu mau"; '
        'có phải là cột "bieu_mauu"?'
    ]


def test_a_column_given_twice(tmp_path: Path) -> None:
    path = write(tmp_path, "code,mã,name,group,forms\nA,B,C,D,cntt\n")
    assert problems_of(path) == [
        'units.csv:1: cột "mã" trùng với cột "code"; hãy xóa một trong hai cột'
    ]


def test_lines_count_cells_spanning_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path, 'code,name,group,forms\nSYT,"Sở Y tế\ntỉnh Trà Vinh",Sở,cntt\n,X,Sở,cntt\n'
    )
    assert problems_of(path)[0].startswith("units.csv:4: code: chưa ghi mã đơn vị")


def test_a_file_not_in_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,group,forms\nSYT,Sở Y tế,Sở,cntt\n", encoding="utf-16")
    assert problems_of(path) == [
        "units.csv: tệp không được lưu ở mã hóa UTF-8; trong Excel hãy chọn Lưu thành "
        '(Save As) > "CSV UTF-8 (Comma delimited)"'
    ]


@pytest.mark.parametrize("text", ["", "\n", "code,name,group,forms\n"])
def test_a_file_without_units(tmp_path: Path, text: str) -> None:
    assert problems_of(write(tmp_path, text)) == [
        "units.csv: tệp chưa có đơn vị nào; hãy ghi dòng tiêu đề (mã đơn vị, tên đơn vị, "
        "nhóm, biểu mẫu) rồi mỗi đơn vị một dòng"
    ]


def test_a_missing_file(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "units.csv") == [
        "units.csv: không tìm thấy tệp danh sách đơn vị; hãy tạo tệp này hoặc sửa data.units "
        "trong config.toml"
    ]


def test_load_units_raises_with_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,group,forms\n,A,B,cntt\n,C,D,cntt\n")
    with pytest.raises(ConfigError) as caught:
        load_units(path, FORMS)
    assert [p.line for p in caught.value.problems] == [2, 3]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/02/2022", date(2022, 2, 1)),
        ("1/2/2022", date(2022, 2, 1)),
        ("2022-02-01", date(2022, 2, 1)),
        ("29/02/2022", None),
        ("02/01/22", None),
        ("hôm nay", None),
    ],
)
def test_dates(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_a_code_too_long_for_a_chat_button(tmp_path: Path) -> None:
    """Buttons carry the unit's code: a code that cannot fit is refused here, not in chat."""
    longest = "Đ" * (CODE_MAX_BYTES // 2)  # two bytes each in UTF-8
    too_long = longest + "X"
    path = write(
        tmp_path,
        f"mã đơn vị,tên đơn vị,nhóm,biểu mẫu\n{longest},Sở A,Sở,cntt\n{too_long},Sở B,Sở,cntt\n",
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f'units.csv:3: mã đơn vị: mã đơn vị "{too_long}" quá dài')
    assert f"tới {CODE_MAX_BYTES} byte, khoảng 23 chữ có dấu" in problem
