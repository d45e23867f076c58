"""The report template declaration: what the monthly report says, section by section.

A declaration is data (the office writes it in report.toml): sections, the items in each,
which figures the sentences use and where each figure comes from (one unit, or summed over
a group of units), the figures derived from them (ratios, changes, year-to-date totals) and
the relations the report checks. Nothing here reads files or renders text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class FigureSpec:
    """A figure read from answers: one field of one form, from given units or a group.

    With one unit the figure is that unit's value; with several (or a group) it is their sum
    (texts are joined).
    """

    name: str
    form: str
    field: str
    units: tuple[str, ...] = ()
    group: str = ""
    label: str = ""
    emphasis: bool = False  # printed bold wherever a sentence shows it
    chart: bool = False  # a key figure: its trend over 12 periods is drawn in the appendix


class DerivedKind(StrEnum):
    """How a derived figure is computed from other figures."""

    RATIO = "ratio"  # part / whole, shown as a percentage
    CHANGE = "change"  # this period minus the previous one
    SUM = "sum"  # the sum of several figures
    YEAR_TO_DATE = "year_to_date"  # a flow summed from January to this period


@dataclass(frozen=True, slots=True)
class DerivedSpec:
    """A figure computed from others.

    `stated`, for a ratio, names the figure holding the percentage a unit typed: the report
    checks that the data reproduce it ("42 / 5.642 = 0,74%, nhưng tỷ lệ ghi là 0,75%").
    """

    name: str
    kind: DerivedKind
    of: tuple[str, ...]
    places: int = 2
    stated: str = ""
    label: str = ""
    emphasis: bool = False  # printed bold wherever a sentence shows it


class ItemKind(StrEnum):
    """What an item of a section is made of."""

    TEXT = "text"  # fixed text (a Jinja snippet without figures, or with period/office names)
    SENTENCE = "sentence"  # a Jinja snippet using figures
    NARRATIVE = "narrative"  # what units wrote in a text field, one paragraph per line
    TICKETS = "tickets"  # the hotline block (TicketSummary)


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """One item of a section, in file order."""

    section: str
    kind: ItemKind
    text: str = ""
    lead: str = ""  # an italic label before the text ("Cài đặt PC-Covid:")
    bullet: str = ""  # "-", "+", "*" or "" ; "1." numbers the paragraphs of a narrative
    form: str = ""
    field: str = ""
    units: tuple[str, ...] = ()
    group: str = ""
    lead_apart: bool = False  # the lead is a paragraph of its own, the text starts below it
    by_unit: bool = False  # a narrative's lines of each unit start with the unit's name


@dataclass(frozen=True, slots=True)
class SectionSpec:
    """A numbered section; `key` is dotted ("I.6.1"), its parent is the key without the
    last part. `title` may use Jinja (e.g. the next period's month)."""

    key: str
    number: str
    title: str

    @property
    def depth(self) -> int:
        """1 for "I", 2 for "I.6", 3 for "I.6.1"."""
        return self.key.count(".") + 1


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A relation between figures of different units: `total` must be the sum of `parts`."""

    total: str
    parts: tuple[str, ...]


class TicketRole(StrEnum):
    """The figures of the hotline block, as the hotline form answers them."""

    RECEIVED = "received"  # received in the period
    RECEIVED_SINCE_START = "received_since_start"
    HANDLED = "handled"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    UNTIL = "until"  # the date the counts stop at


@dataclass(frozen=True, slots=True)
class TicketSourceSpec:
    """Where the hotline block's figures come from while tickets are typed into forms.

    The unit running the hotline answers `form` (`fields` maps roles to its fields, and
    `channels` lists (field, label) of the received-by-channel counts); each unit holding
    overdue tickets answers `overdue_field` of `overdue_form`.
    """

    form: str
    unit: str
    fields: Mapping[TicketRole, str]
    channels: tuple[tuple[str, str], ...] = ()
    overdue_form: str = ""
    overdue_field: str = ""
    since: date | None = None


@dataclass(frozen=True, slots=True)
class ReportSpec:
    """The whole declaration of a report."""

    sections: tuple[SectionSpec, ...]
    items: tuple[ItemSpec, ...]
    figures: Mapping[str, FigureSpec] = field(default_factory=dict)
    derived: Mapping[str, DerivedSpec] = field(default_factory=dict)
    checks: tuple[CheckSpec, ...] = ()
    tickets: TicketSourceSpec | None = None
    subject: str = ""  # Jinja; empty: the catalog's default
    closing: str = ""  # Jinja; empty: the catalog's default
    unit_tables: bool = True  # the appendix of each unit's figures, form by form
    charts: bool = True  # the appendix of the key figures' trend charts

    def items_of(self, section_key: str) -> list[ItemSpec]:
        """The items of one section, in declaration order."""
        return [item for item in self.items if item.section == section_key]

    def names(self) -> set[str]:
        """Every figure name, read or derived."""
        return set(self.figures) | set(self.derived)

    def emphasised(self, name: str) -> bool:
        """Whether the declaration marks the figure to be printed bold."""
        found = self.figures.get(name) or self.derived.get(name)
        return bool(found and found.emphasis)
