"""The draft as a document: paragraphs of styled segments plus the header, closing and
appendices, ready for the Word and the Markdown renderers (which share it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.periods import Period
from domain.report_tickets import TicketSummary


class SegmentKind(StrEnum):
    """How a piece of a paragraph is shown."""

    TEXT = "text"
    LEAD = "lead"  # an italic label ("Cài đặt PC-Covid:")
    FIGURE = "figure"  # a computed figure
    STRONG = "strong"  # a figure the declaration marks as emphasised: bold
    GAP = "gap"  # a visible placeholder for a missing figure


class Style(StrEnum):
    """Paragraph styles: names of the Word template's paragraph styles too."""

    HEADING1 = "BaoCaoMuc1"  # "I. CÔNG TÁC QUẢN LÝ NHÀ NƯỚC"
    HEADING2 = "BaoCaoMuc2"  # "1. Lĩnh vực bưu chính"
    HEADING3 = "BaoCaoMuc3"  # "6.1. Báo chí, xuất bản"
    BODY = "BaoCaoNoiDung"


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text shown one way."""

    text: str
    kind: SegmentKind = SegmentKind.TEXT


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of the body."""

    style: Style
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        """The paragraph's plain text."""
        return "".join(s.text for s in self.segments)


@dataclass(frozen=True, slots=True)
class Gap:
    """A figure the draft could not give: where, what, and which units it waits for."""

    section: str
    what: str
    units: tuple[str, ...]
    previous: bool = False


@dataclass(frozen=True, slots=True)
class WarningLine:
    """A consistency warning as the appendix prints it."""

    unit: str
    form: str
    text: str
    explanation: str | None
    kind: str = ""  # domain.report_checks.WarningKind: the review sheet groups by it


@dataclass(frozen=True, slots=True)
class UnitLine:
    """A unit in an appendix list, with what is said about it."""

    unit: str
    detail: str
    count: int | None = None


@dataclass(frozen=True, slots=True)
class UnitTable:
    """An appendix table of one form: a row per unit (name, its figures), the totals."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    totals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A key figure's trend chart: its title, the picture (PNG) and the note under it when
    some periods are drawn from the units that answered only (hollow points)."""

    title: str
    png: bytes
    note: str = ""


@dataclass(slots=True)
class Document:
    """Everything the renderers print."""

    period: Period
    office_name: str
    document_code: str
    parent_body: str
    issuing_body: str
    number_line: str
    place_date: str
    subject: str
    closing: str
    recipients: tuple[str, ...]
    signer_titles: tuple[str, ...]
    signer_name: str
    body: list[Paragraph] = field(default_factory=list)
    not_reported: list[UnitLine] = field(default_factory=list)
    late: list[UnitLine] = field(default_factory=list)
    overdue: list[UnitLine] = field(default_factory=list)
    warnings: list[WarningLine] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    tickets: TicketSummary | None = None  # the hotline figures every part prints
    recomputed: list[str] = field(default_factory=list)  # changes the draft recomputed
    unit_tables: list[UnitTable] = field(default_factory=list)  # the per-unit appendix
    charts: list[Chart] = field(default_factory=list)  # the key figures' trend charts
    units_reported: int = 0
    units_total: int = 0
