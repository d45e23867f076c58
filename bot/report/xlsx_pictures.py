# ruff: noqa: E501 (the package parts are fixed XML, kept whole to stay readable)
"""The parts of a sheet of pictures in the .xlsx writer: each PNG under its title, anchored
to a cell (a drawing part, its relationships to the images, the sheet's to the drawing),
written as Excel, LibreOffice and openpyxl read them."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
EMU_PER_CM = 360_000
ROW_POINTS = 15  # the sheet's rows: their height is set, the pictures' rows are counted
ROW_EMU = ROW_POINTS * 12_700
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class Placed:
    """A picture's place: its title's row, the row it starts on (0-based), its size."""

    title_row: int
    row: int
    width: int  # EMU
    height: int


def png_size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels (from its header); ValueError if not a PNG."""
    if not png.startswith(_PNG_SIGNATURE) or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def placed(pngs: Sequence[bytes], width_cm: float) -> list[Placed]:
    """Pictures `width_cm` wide (their proportions kept), one under the other: a title
    row, the picture over as many rows as it covers, an empty row."""
    found, row = [], 0
    for png in pngs:
        pixels_wide, pixels_high = png_size(png)
        width = round(width_cm * EMU_PER_CM)
        height = round(width * pixels_high / pixels_wide)
        found.append(Placed(row, row + 1, width, height))
        row += 1 + -(-height // ROW_EMU) + 1
    return found


def drawing_xml(pictures: Sequence[Placed]) -> str:
    """The drawing part: picture n is image rId<n>, anchored at column A of its row."""
    anchors = "".join(
        f"<xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{p.row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f'<xdr:ext cx="{p.width}" cy="{p.height}"/>'
        f'<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="{n + 1}" name="Picture {n}"/>'
        '<xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>'
        f'<xdr:blipFill><a:blip r:embed="rId{n}"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
        f'<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{p.width}" cy="{p.height}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>'
        "<xdr:clientData/></xdr:oneCellAnchor>"
        for n, p in enumerate(pictures, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<xdr:wsDr xmlns:xdr="{_XDR}" xmlns:a="{_A}" xmlns:r="{_REL}">{anchors}</xdr:wsDr>'
    )


def drawing_rels(images: Sequence[int]) -> str:
    """The drawing's relationships: rId<n> is the n-th of `images` (xl/media/image<k>.png)."""
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/image" Target="../media/image{k}.png"/>'
        for n, k in enumerate(images, start=1)
    )
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG}">{rels}</Relationships>'


def sheet_rels(drawing: int) -> str:
    """A sheet's relationships: rId1 is its drawing (xl/drawings/drawing<n>.xml)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/drawing" Target="../drawings/drawing{drawing}.xml"/>'
        "</Relationships>"
    )
