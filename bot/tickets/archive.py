"""An .xlsx archive looked at before it is parsed: a small file may unpack to gigabytes.

First the sizes the archive declares (each part, all together, how much a part grows), then
the parts themselves streamed through a counting XML scanner: the bytes each part really
unpacks to, its rows, the cells of a row, the shared strings. A declared size may lie; the
counters stop at the limits whatever it says. Only then does openpyxl read the workbook.
"""

from __future__ import annotations

import re
import zipfile
from typing import Any, Final
from xml.parsers import expat

from bot.workspace.settings import FileLimits

MB: Final = 1024 * 1024
# Excel's own bounds: no real sheet has more rows, or more cells in a row.
SHEET_ROWS: Final = 1_048_576
ROW_CELLS: Final = 16_384
# openpyxl holds every shared string at once: their characters are held to what the bot's
# memory allows (two bytes each for Vietnamese text), four times a 100,000-ticket export's.
SHARED_TEXT_CHARS: Final = 32_000_000
# A part this small may grow any amount (an empty sheet compresses a thousandfold).
RATIO_FREE_BYTES: Final = MB
CHUNK: Final = 64 * 1024
# The parts openpyxl reads in full or row by row; the others (styles, themes) are small
# and bounded by the declared sizes.
_SCANNED = re.compile(r"^xl/(sharedStrings\.xml|worksheets/[^/]+\.xml)$", re.IGNORECASE)


class ArchiveLimit(Exception):
    """A limit the archive goes past: `code` names it, `limit` is its value as configured."""

    def __init__(self, code: str, limit: int) -> None:
        self.code = code
        self.limit = limit
        super().__init__(f"{code} > {limit}")


def check_archive(archive: zipfile.ZipFile, limits: FileLimits) -> None:
    """ArchiveLimit if the archive's declared sizes or its parts' content pass the limits."""
    entries = archive.infolist()
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > limits.max_unpacked_mb * MB or total > limits.max_unpacked_mb * MB:
            raise ArchiveLimit("unpacked", limits.max_unpacked_mb)
        if entry.file_size > RATIO_FREE_BYTES and (
            entry.file_size > limits.max_ratio * max(entry.compress_size, 1)
        ):
            raise ArchiveLimit("ratio", limits.max_ratio)
    budget = limits.max_unpacked_mb * MB
    for entry in entries:
        if _SCANNED.match(entry.filename):
            budget -= _scan(archive, entry, budget, limits)


def _scan(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: int, limits: FileLimits) -> int:
    """Stream one part through the counting scanner; the bytes it unpacked to."""
    counter = _Counter(limits)
    parser = expat.ParserCreate()
    # No document type: entity definitions are how an XML file multiplies itself.
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.StartElementHandler = counter.start
    if entry.filename.lower().endswith("sharedstrings.xml"):
        parser.CharacterDataHandler = counter.text
    read = 0
    with archive.open(entry) as part:
        while chunk := part.read(CHUNK):
            read += len(chunk)
            if read > budget:
                raise ArchiveLimit("unpacked", limits.max_unpacked_mb)
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return read


def _refuse_doctype(*_: Any) -> None:
    raise ValueError("XML document type declarations are not read")


class _Counter:
    """Counts the elements that cost memory: shared strings, rows, the cells of a row."""

    def __init__(self, limits: FileLimits) -> None:
        self.limits = limits
        self.strings = 0
        self.rows = 0
        self.cells = 0
        self.characters = 0

    def text(self, data: str) -> None:
        """Characters of a shared string: stop past what memory allows."""
        self.characters += len(data)
        if self.characters > SHARED_TEXT_CHARS:
            raise ArchiveLimit("shared_text", SHARED_TEXT_CHARS // 1_000_000)

    def start(self, name: str, _attributes: dict[str, str]) -> None:
        """An element opened: count it, and stop past a limit."""
        tag = name.rpartition(":")[2]
        if tag == "c":
            self.cells += 1
            if self.cells > ROW_CELLS:
                raise ArchiveLimit("row_cells", ROW_CELLS)
        elif tag == "row":
            self.rows += 1
            self.cells = 0
            if self.rows > SHEET_ROWS:
                raise ArchiveLimit("sheet_rows", SHEET_ROWS)
        elif tag == "si":
            self.strings += 1
            if self.strings > self.limits.max_shared_strings:
                raise ArchiveLimit("shared_strings", self.limits.max_shared_strings)
