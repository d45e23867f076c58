# ruff: noqa: E501 (the package parts are fixed XML, kept whole to stay readable)
"""A small streaming .xlsx writer: sheets of rows, text and numbers, a bold frozen header.

openpyxl builds a Python object per cell and writes about 50.000 cells a second here; an
export of 5.000 units' answers and their revisions has millions of cells, so rows are
written straight out as SpreadsheetML instead, sheet by sheet, into the zip stream.

Text is always written as a string, never as a formula: a unit typing "=1+1" or
"@SUM(A1)" gets exactly that text in the cell (spreadsheet formula injection). Strings go
into the shared string table, each distinct one escaped and written once: a unit's name,
a question's title or a count repeated over a hundred thousand rows costs a number each
time (the revisions sheet of a big office shrank to less than half).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from bot.report.xlsx_pictures import (
    DRAWING_TYPE,
    ROW_POINTS,
    drawing_rels,
    drawing_xml,
    placed,
    sheet_rels,
)
from templates.catalog import text

# A datetime is written as a moment in the office's time (naive, or its zone dropped), a date
# as a day: both as Excel dates, which Excel can sort and filter.
Cell = str | int | Decimal | date | None

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_ROWS_PER_WRITE = 2000
_TITLE_STYLE = 4  # bold, on one line (a picture's title)
# Excel's limits: a cell holds at most this many characters, a sheet this many rows (the
# header included). Past them Excel refuses to open the file: the text is cut, the rows
# stop, each with a note saying so.
CELL_CHARS = 32_767
SHEET_ROWS = 1_048_576


# One C-level pass per string: drop what XML cannot hold, escape what it must.
_XML_TEXT: dict[int, str | None] = {
    code: None for code in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)
}
_XML_TEXT.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"})
# A bare carriage return would be read back as a line feed (XML normalises line ends).
_XML_TEXT[0x0D] = "&#13;"
# translate() with a dict looks every character up in Python: ten times slower than this
# search, and almost no cell needs it. Every key of _XML_TEXT is in this class.
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]")


def _escape(value: str) -> str:
    return value if _NEEDS_ESCAPE.search(value) is None else value.translate(_XML_TEXT)


_EMPTY = "<c/>"
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


def _cut(value: str) -> str:
    """A text longer than a cell holds, cut with a note saying so."""
    note = text("report.export.cell_cut", limit=CELL_CHARS)
    return value[: CELL_CHARS - len(note)] + note


_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 0 of Excel's (Windows) dates
_MOMENT_STYLE = 2  # dd/mm/yyyy hh:mm:ss
_DAY_STYLE = 3  # dd/mm/yyyy


def _date_cell(value: date) -> str:
    """A day or a moment as an Excel date serial, with its date format."""
    if isinstance(value, datetime):
        since = value.replace(tzinfo=None) - _EXCEL_EPOCH
        serial = since.days + since.seconds / 86400
        return f'<c s="{_MOMENT_STYLE}"><v>{serial!r}</v></c>'
    return f'<c s="{_DAY_STYLE}"><v>{(value - _EXCEL_EPOCH.date()).days}</v></c>'


def _number(value: Cell) -> str:
    """A cell of a value that is not text."""
    if value is None:
        return _EMPTY
    if isinstance(value, Decimal):
        return f"<c><v>{format(value, 'f')}</v></c>"  # never "1E+3"
    return f"<c><v>{value}</v></c>"


class _Strings:
    """The shared string table: cells of text refer to it by number."""

    def __init__(self) -> None:
        self.cells: dict[str, str] = {}  # text -> its cell, in the order of their numbers

    def xml(self) -> str:
        items = "".join(
            f'<si><t xml:space="preserve">{_escape(text)}</t></si>' for text in self.cells
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst xmlns="{_NS}" uniqueCount="{len(self.cells)}">{items}</sst>'
        )


# Excel refuses a longer sheet name.
SHEET_NAME_MAX = 31


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters, none of []:*?/\\), shortened on a
    word boundary: «Quản lý công nghệ thông tin, an toàn thông tin» is «Quản lý công nghệ
    thông tin», not «…thông tin, an»."""
    base = " ".join(_BAD_SHEET_CHARS.sub(" ", title).split()) or "Sheet"
    name = _shortened(base, SHEET_NAME_MAX)
    number = 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name = _shortened(base, SHEET_NAME_MAX - len(suffix)) + suffix
        number += 1
    taken.add(name.casefold())
    return name


def _shortened(text: str, limit: int) -> str:
    """`text` cut to `limit` characters after its last whole phrase (a Vietnamese word is
    often two syllables, «an toàn»: a comma or a dash is the safer place), else its last
    whole syllable; a single long word is cut."""
    if len(text) <= limit:
        return text
    marks = (", ", "; ", " - ", " – ", " (")
    phrase = max(text.rfind(mark, 0, limit + len(mark)) for mark in marks)
    if phrase >= limit * 3 // 4:
        return text[:phrase]
    cut = text[:limit]
    if text[limit] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–") or text[:limit]


class SheetWriter:
    """One sheet being written: rows go straight into the zip stream, a chunk at a time."""

    def __init__(self, out: IO[bytes], book: XlsxWriter, max_rows: int) -> None:
        self._out = out
        self._book = book
        self._chunk: list[str] = []
        # Data rows that fit under the header, one kept for the note on rows left out.
        self._room = max_rows - 2
        self._left_out = 0

    def write(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Append rows."""
        cell = self._book.cell
        self.write_cells("".join([cell(v) for v in row]) for row in rows)

    def write_cells(self, rows: Iterable[str]) -> None:
        """Append rows given as their cells already written out (`XlsxWriter.cell`,
        `cells`): the fast way for a big sheet, no list or call per cell that does not need
        one."""
        chunk = self._chunk
        for row in rows:
            if self._room <= 0:
                self._left_out += 1
                continue
            self._room -= 1
            chunk.append("<row>" + row + "</row>")
            if len(chunk) >= _ROWS_PER_WRITE:
                self._out.write("".join(chunk).encode())
                chunk.clear()

    def close(self) -> None:
        """End the sheet (before the next one starts), with a note if rows were left out."""
        if self._left_out:
            note = text("report.export.rows_left_out", count=self._left_out, limit=SHEET_ROWS)
            self._chunk.append("<row>" + self._book.cell(note) + "</row>")
        self._out.write(("".join(self._chunk) + "</sheetData></worksheet>").encode())
        self._chunk.clear()
        self._out.close()


class XlsxWriter:
    """Write sheets one after another, then `finish()` for the file's bytes."""

    def __init__(self, max_rows: int = SHEET_ROWS) -> None:
        self._max_rows = max_rows
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._sheets: list[str] = []
        self._taken: set[str] = set()
        self._strings = _Strings()
        self._drawings = 0
        self._images = 0

    def cell(self, value: Cell) -> str:
        """One cell written out, for `SheetWriter.write_cells` (or `write`)."""
        if type(value) is not str:
            if value is None or (isinstance(value, int | Decimal) and type(value) is not bool):
                return _number(value)
            if isinstance(value, date):
                return _date_cell(value)
            value = str(value)  # a bool, say: as the text it prints
        if not value:
            return _EMPTY
        if len(value) > CELL_CHARS:
            value = _cut(value)
        strings = self._strings.cells
        found = strings.get(value)
        if found is None:
            found = strings[value] = f'<c t="s"><v>{len(strings)}</v></c>'
        return found

    def number_cell(self, text: str) -> str | None:
        """A number given as plain decimal text ("1924862", "-20.30": what storage keeps),
        written as it is, without a Decimal in between; None for any other text."""
        return f"<c><v>{text}</v></c>" if _PLAIN_NUMBER.fullmatch(text) else None

    def cells(self, *values: Cell) -> str:
        """`values` as a row's cells, written out: what repeats from row to row (a unit's
        code and name, a question's title) is looked up once."""
        return "".join([self.cell(v) for v in values])

    def sheet(
        self,
        title: str,
        header: Sequence[str],
        rows: Iterable[Sequence[Cell]],
        widths: Sequence[int] = (),
    ) -> str:
        """Add a sheet with a bold, frozen header row; its final name."""
        name, out = self.open_sheet(title, header, widths)
        out.write(rows)
        out.close()
        return name

    def open_sheet(
        self, title: str, header: Sequence[str], widths: Sequence[int] = ()
    ) -> tuple[str, SheetWriter]:
        """Start a sheet whose rows come later (e.g. as a database streams them): its final
        name, and the writer to `write()` rows to and `close()` before the next sheet."""
        name = sheet_name(title, self._taken)
        self._sheets.append(name)
        out = self._zip.open(f"xl/worksheets/sheet{len(self._sheets)}.xml", "w")
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(widths, start=1)
        )
        out.write(
            (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<worksheet xmlns="{_NS}" xmlns:r="{_REL}">'
                '<sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                "</sheetView></sheetViews>"
                + (f"<cols>{cols}</cols>" if cols else "")
                + "<sheetData>"
                + '<row s="1" customFormat="1">'
                + "".join(self.cell(h).replace("<c ", '<c s="1" ', 1) for h in header)
                + "</row>"
            ).encode()
        )
        return name, SheetWriter(out, self, self._max_rows)

    def picture_sheet(
        self, title: str, pictures: Sequence[tuple[str, bytes]], width_cm: float
    ) -> str:
        """Add a sheet of PNG pictures, each under its bold title, `width_cm` wide; its name."""
        places = placed([png for _, png in pictures], width_cm)  # ValueError before any part
        name = sheet_name(title, self._taken)
        self._sheets.append(name)
        self._drawings += 1
        rows = "".join(
            f'<row r="{p.title_row + 1}">'
            + self.cell(caption).replace("<c ", f'<c r="A{p.title_row + 1}" s="{_TITLE_STYLE}" ', 1)
            + "</row>"
            for (caption, _), p in zip(pictures, places, strict=True)
        )
        self._zip.writestr(
            f"xl/worksheets/sheet{len(self._sheets)}.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_NS}" xmlns:r="{_REL}">'
            # Rows of a set height: the pictures are placed by counting rows.
            f'<sheetFormatPr defaultRowHeight="{ROW_POINTS}" customHeight="1"/>'
            f"<sheetData>{rows}</sheetData>"
            '<drawing r:id="rId1"/></worksheet>',
        )
        self._zip.writestr(
            f"xl/worksheets/_rels/sheet{len(self._sheets)}.xml.rels", sheet_rels(self._drawings)
        )
        images = list(range(self._images + 1, self._images + len(pictures) + 1))
        self._images += len(pictures)
        for number, (_, png) in zip(images, pictures, strict=True):
            self._zip.writestr(f"xl/media/image{number}.png", png)
        self._zip.writestr(f"xl/drawings/drawing{self._drawings}.xml", drawing_xml(places))
        self._zip.writestr(
            f"xl/drawings/_rels/drawing{self._drawings}.xml.rels", drawing_rels(images)
        )
        return name

    def finish(self) -> bytes:
        """Write the workbook's parts and return the .xlsx file."""
        count = len(self._sheets)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
            for i in range(1, count + 1)
        )
        overrides += "".join(
            f'<Override PartName="/xl/drawings/drawing{i}.xml" ContentType="{DRAWING_TYPE}"/>'
            for i in range(1, self._drawings + 1)
        )
        self._zip.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="png" ContentType="image/png"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            f"{overrides}</Types>",
        )
        self._zip.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        sheets = "".join(
            f'<sheet name="{_escape(name).replace(chr(34), "&quot;")}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(self._sheets, start=1)
        )
        self._zip.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_NS}" xmlns:r="{_REL}">'
            f"<sheets>{sheets}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1)
        )
        rels += f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        rels += f'<Relationship Id="rId{count + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        self._zip.writestr("xl/sharedStrings.xml", self._strings.xml())
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG}">{rels}</Relationships>',
        )
        # Style 0: default; style 1: bold, wrapped (the header row); 2: a moment; 3: a day;
        # 4: bold on one line (a picture's title).
        self._zip.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_NS}">'
            '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm:ss"/>'
            '<numFmt numFmtId="165" formatCode="dd/mm/yyyy"/></numFmts>'
            '<fonts count="2"><font><sz val="11"/><name val="Times New Roman"/></font>'
            '<font><b/><sz val="11"/><name val="Times New Roman"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
            '<alignment wrapText="1" vertical="center"/></xf>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
            "</cellXfs>"
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>",
        )
        self._zip.close()
        return self._buffer.getvalue()
