"""Forms: the ordered questions a unit answers each period, and the relations between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

# A field's key travels in the button that explains its figure, "why:<key>", in at most the
# 64 bytes Telegram allows (keys are ASCII: one byte a character).
FIELD_KEY_MAX = 60
# The most digits a figure may have unless its form says otherwise: beyond this a figure is
# a slip of the finger, and past 28 digits Decimal arithmetic would no longer be exact.
MAX_DIGITS = 15
# A value this many times larger (or smaller) than the unit's last non-zero one is questioned.
PLAUSIBLE_RATIO = Decimal(10)
# ...unless both it and that one are this small or smaller: 1 then 12 is how small counts
# vary from month to month, not a slip of the finger (a slip of 12 as 120 still is asked).
PLAUSIBLE_FLOOR = Decimal(20)


class FieldType(StrEnum):
    """What kind of value a field holds."""

    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"
    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"

    @property
    def is_numeric(self) -> bool:
        """Whether values of this type are numbers."""
        return self in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.PERCENT)


class FieldKind(StrEnum):
    """How a figure behaves over time."""

    FLOW = "flow"  # happened during the period ("tăng trong tháng")
    STOCK = "stock"  # cumulative to date ("lũy kế")
    TEXT = "text"  # narrative


class Frequency(StrEnum):
    """How often a form is asked: every month, or in the last month of each quarter, half
    year or year (the figures then cover that longer period)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        """How many months one answer covers."""
        return {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}[self.value]


class Aggregation(StrEnum):
    """How a numeric field adds up over the months of a longer period (and across units)."""

    SUM = "sum"  # flows: documents sent, tickets received
    LAST = "last"  # stocks and levels: the value at the end
    MAX = "max"
    AVERAGE = "average"
    NONE = "none"  # not added up: listed month by month
    # A percentage recomputed from its numerator and denominator fields (`ratio_of`); not
    # written in forms, it is what a percentage with `ratio_of` does.
    RATIO = "ratio"


@dataclass(frozen=True, slots=True)
class Field:
    """One question of a form."""

    key: str
    question: str
    type: FieldType
    kind: FieldKind
    label: str = ""
    measure: str = ""
    required: bool = True
    min: Decimal | None = None
    max: Decimal | None = None
    choices: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    stock_of: str | None = None
    # A figure that may not exceed another's ("of which overdue" <= "in progress").
    at_most: str | None = None
    max_length: int = 2000
    # The most digits a number may have (integer and decimal digits together).
    max_digits: int = MAX_DIGITS
    # Questioned (not refused) beyond this ratio to the unit's last non-zero value (0: never)
    # unless both are at or below plausible_floor, or above plausible_max.
    plausible_ratio: Decimal = PLAUSIBLE_RATIO
    plausible_max: Decimal | None = None
    plausible_floor: Decimal = PLAUSIBLE_FLOOR
    # How the field adds up over months; None: not declared (see domain.aggregation).
    aggregate: Aggregation | None = None
    # For a percentage: its numerator and denominator fields, so that sums of several
    # months or units recompute it instead of adding percentages.
    ratio_of: tuple[str, str] | None = None

    @property
    def title(self) -> str:
        """A short name for summaries and the report; the question if no label is set."""
        return self.label or self.question


@dataclass(frozen=True, slots=True)
class Form:
    """A data form: an ordered list of fields."""

    code: str
    title: str
    fields: tuple[Field, ...]
    description: str = ""
    frequency: Frequency = Frequency.MONTHLY
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({f.key: i for i, f in enumerate(self.fields)})

    def due_in(self, month: int) -> bool:
        """Whether the form is asked in the monthly period of this month (a quarterly form
        in March, June, September and December)."""
        return month % self.frequency.months == 0

    def field(self, key: str) -> Field:
        """The field with this key; KeyError if there is none."""
        return self.fields[self._index[key]]

    def has_field(self, key: str) -> bool:
        """Whether the form has a field with this key."""
        return key in self._index

    def position(self, key: str) -> int:
        """The 1-based number of a field, as shown to users ("Câu 3/12")."""
        return self._index[key] + 1
