"""Peak memory of a ticket import: the two spreadsheet bombs of issue 16 and a genuine
100,000-row export (XLSX and CSV). Run from the repository root:

    .venv/bin/python bench/ticket_files.py [--rows 100000] [--dir DIR]

The files are built here, in a temporary folder (never commit them): an .xlsx whose
xl/sharedStrings.xml unpacks to 1 GiB (about 1 MB packed), the same with 1 GiB of empty rows
in the sheet, and genuine exports. Each import runs in a fresh process against a fresh
database, as the bot runs it; the process prints its peak resident memory (VmHWM), the
outcome (tickets stored, or the refusal's code) and the time taken.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.tickets.reading import read_ticket_file
from bot.tickets.saving import save_ticket_file
from bot.tickets.sheets import TicketFileError
from bot.workspace.settings import TicketSettings
from domain.units import Unit
from storage import Database

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
GIB = 1024**3
UNITS = [Unit(f"U{i:03d}", f"UBND xã số {i}", "UBND cấp xã", ("bc",), order=i) for i in range(300)]
HEADER = ["Mã phiếu", "Kênh tiếp nhận", "Ngày tiếp nhận", "Hạn xử lý", "Đơn vị xử lý",
          "Nội dung", "Trạng thái"]  # fmt: skip


def _skeleton(rows: int = 2) -> bytes:
    """A small genuine workbook to put a bomb into."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([f"PA-{i}", "Tổng đài 1022", "01/02/2022", "", "UBND xã số 1", "x", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bomb(path: Path, part: str, head: bytes, unit: bytes, tail: bytes, size: int) -> None:
    """The skeleton workbook with `part` replaced by head + unit repeated to `size` + tail."""
    skeleton = _skeleton()
    with zipfile.ZipFile(io.BytesIO(skeleton)) as source, zipfile.ZipFile(path, "w") as target:
        for entry in source.infolist():
            if entry.filename != part:
                target.writestr(entry, source.read(entry), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo(part)
        info.compress_type = zipfile.ZIP_DEFLATED
        block = unit * (1024 * 1024 // len(unit))
        with target.open(info, "w", force_zip64=True) as out:
            out.write(head)
            for _ in range(size // len(block)):
                out.write(block)
            out.write(tail)


def shared_strings_bomb(path: Path) -> None:
    """1 GiB of shared strings."""
    head = f'<sst xmlns="{NS}">'.encode()
    _bomb(path, "xl/sharedStrings.xml", head, b"<si><t>a</t></si>", b"</sst>", GIB)


def empty_rows_bomb(path: Path) -> None:
    """1 GiB of empty rows in the first sheet."""
    head = f'<worksheet xmlns="{NS}"><sheetData>'.encode()
    _bomb(path, "xl/worksheets/sheet1.xml", head, b"<row/>", b"</sheetData></worksheet>", GIB)


def _rows(count: int, long: bool = False) -> list[list[str]]:
    # The long variant: each summary about 220 characters of its own, the most a file within the
    # limits holds (its unpacked sheet is close to max_unpacked_mb).
    extra = " tại tổ dân phố, đường liên ấp, cống thoát nước bị nghẹt lâu ngày" * 2 if long else ""
    return [
        [
            f"PA-{i:06d}",
            "Tổng đài 1022",
            f"{1 + i % 28:02d}/02/2022",
            f"{1 + i % 28:02d}/03/2022",
            f"UBND xã số {i % 300}",
            f"Phản ánh số {i} về tình trạng ngập nước tại khu phố {i % 97}, đề nghị xử lý sớm"
            + (f"{extra} {i}" if long else ""),
            "Đã xử lý" if i % 3 else "Đang xử lý",
        ]
        for i in range(count)
    ]


def genuine_xlsx(path: Path, rows: int, long: bool = False) -> None:
    """A real-looking export of `rows` tickets."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in _rows(rows, long):
        sheet.append(row)
    book.save(path)


def genuine_csv(path: Path, rows: int) -> None:
    """The same export saved as CSV UTF-8."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(_rows(rows))
    path.write_bytes(out.getvalue().encode("utf-8-sig"))


def peak_rss_mb() -> float:
    """This process's peak resident memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _import(file: Path, db_path: Path) -> str:
    db = await Database.open(db_path)
    try:
        async with db.write() as tx:
            await tx.units.sync_all(UNITS)
        data = file.read_bytes()
        try:
            parsed = read_ticket_file(data, file.name, TicketSettings(), UNITS)
        except TicketFileError as error:
            return f"refused ({error.code})"
        async with db.write() as tx:
            summary = await save_ticket_file(tx, parsed, UNITS, date(2022, 3, 1), "bench")
        return f"stored {summary.new} tickets"
    finally:
        await db.close()


def child(file: Path, db_path: Path) -> None:
    """Import one file and print the figures (run in its own process)."""
    start = time.perf_counter()
    outcome = asyncio.run(_import(file, db_path))
    elapsed = time.perf_counter() - start
    print(f"{file.name}: {outcome}; peak RSS {peak_rss_mb():.0f} MB; {elapsed:.1f} s")


def main() -> None:
    """Build the files and import each in a fresh process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        base = Path(folder)
        files = {
            "shared_strings_bomb.xlsx": shared_strings_bomb,
            "empty_rows_bomb.xlsx": empty_rows_bomb,
            f"export_{args.rows}.xlsx": lambda p: genuine_xlsx(p, args.rows),
            f"export_{args.rows}.csv": lambda p: genuine_csv(p, args.rows),
            f"export_{args.rows}_long_texts.xlsx": lambda p: genuine_xlsx(p, args.rows, True),
        }
        for name, build in files.items():
            path = base / name
            build(path)
            print(f"built {name}: {path.stat().st_size / 1024 / 1024:.1f} MB", flush=True)
            db_path = base / f"{name}.sqlite3"
            subprocess.run(
                [sys.executable, __file__, "--child", str(path), str(db_path)], check=True
            )


if __name__ == "__main__":
    main()
