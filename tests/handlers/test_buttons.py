"""The chat protocol (handlers/buttons.py, its base in button_kind.py, its kinds in
unit_buttons.py and office_buttons.py):
every kind packs and reads back, stays within
Telegram's 64 bytes with its longest realistic values, keeps version 1's wire format, and
garbage reads as nothing. Button data is built nowhere else."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.forms import FIELD_KEY_MAX
from domain.periods import Period
from domain.ticket_answers import ticket_token
from domain.units import CODE_MAX_BYTES
from handlers import button_kind, buttons, office_buttons, unit_buttons
from handlers.button_kind import MAX_DATA_BYTES, PERIOD_YEARS
from handlers.buttons import Button, parse
from handlers.office_buttons import (
    AssignTicket,
    LockConfirm,
    RemindConfirm,
    RemoveFocalPoint,
    StatusPage,
    TicketOverview,
)
from handlers.unit_buttons import (
    EditForm,
    Explain,
    Fix,
    Move,
    Navigate,
    Pick,
    Repeat,
    RepeatPlace,
    SkipReason,
    StartUnit,
    Summary,
    SummaryAction,
    TicketHandled,
    TicketInProgress,
    TicketPage,
    TicketsAllInProgress,
)

ROOT = Path(__file__).resolve().parents[2]
# The protocol's modules: the only ones that may write button data out.
PROTOCOL = (buttons, button_kind, unit_buttons, office_buttons)
_KINDS = [
    k
    for module in PROTOCOL
    for k in vars(module).values()
    if isinstance(k, type) and issubclass(k, button_kind.Kind) and k is not button_kind.Kind
]
_PREFIXES = {k.PREFIX for k in _KINDS}
# The data of a kind without values is its prefix alone ("tks").
_BARE = {k.PREFIX for k in _KINDS if not dataclasses.fields(k)}
# The longest values each kind realistically carries: a unit code and a field key as long as
# the office's files may hold (the code in Vietnamese letters, two bytes each in UTF-8);
# pages past any real list (five tickets or forty lines a page), a row id past any real
# table; the last period an office may name.
LONG_CODE = "Đ" * (CODE_MAX_BYTES // 2)
LONG_KEY = "k" * FIELD_KEY_MAX
TOKEN = ticket_token("PA-2022-" + "9" * 56)
PAGE = 999_999
BIG = 10**17
LAST = Period(PERIOD_YEARS[-1], 12)
LONGEST: list[Button] = [
    StartUnit(LONG_CODE, LAST),
    EditForm(LONG_CODE, 9_999, LAST),
    Navigate(Move.PAUSE),
    Pick(PAGE),
    Explain(LONG_KEY),
    Fix(LONG_KEY),
    Summary(SummaryAction.SEND),
    Repeat(RepeatPlace.EARLIER),
    StatusPage(LAST, PAGE),
    TicketOverview(PAGE),
    RemindConfirm(LAST),
    LockConfirm(LAST),
    AssignTicket(TOKEN, LONG_CODE),
    RemoveFocalPoint(BIG),
    TicketPage(LONG_CODE, PAGE),
    TicketHandled(LONG_CODE, TOKEN),
    TicketInProgress(LONG_CODE, TOKEN),
    TicketsAllInProgress(LONG_CODE),
    SkipReason(),
]
# Data as version 1 sent it (buttons still in chats after an upgrade), and what it reads as.
V1 = {
    "unit:SYT": StartUnit("SYT"),
    "nav:back": Navigate(Move.BACK),
    "nav:skip": Navigate(Move.SKIP),
    "nav:keep": Navigate(Move.KEEP),
    "nav:pause": Navigate(Move.PAUSE),
    "pick:1": Pick(1),
    "why:tong": Explain("tong"),
    "sum:send": Summary(SummaryAction.SEND),
    "sum:edit": Summary(SummaryAction.EDIT),
    "st:2022-02:3": StatusPage(Period(2022, 2), 3),
    "stk:1": TicketOverview(1),
    "nhac:2022-02": RemindConfirm(Period(2022, 2)),
    "khoa:2022-02": LockConfirm(Period(2022, 2)),
    "giao:0123456789ab:SYT": AssignTicket("0123456789ab", "SYT"),
    "rmfp:42": RemoveFocalPoint(42),
    "tkp:SYT:2": TicketPage("SYT", 2),
    "tkd:SYT:0123456789ab": TicketHandled("SYT", "0123456789ab"),
    "tki:SYT:0123456789ab": TicketInProgress("SYT", "0123456789ab"),
    "tka:SYT": TicketsAllInProgress("SYT"),
    "tks": SkipReason(),
}
GARBAGE = [
    "",
    ":",
    "\x00",
    "xyz:';DROP TABLE answers;--",
    "unit:",
    "nav:",
    "nav:up",
    "pick:0",
    "pick:-1",
    "pick:x",
    "pick:٣",  # an Arabic-Indic digit: int() takes it, the protocol does not
    "pick:" + "9" * 30,
    "why:",
    "sum:",
    "sum:maybe",
    "st:2022-02",
    "st:xyz:1",
    "st:0001-01:1",
    "st:2022-13:1",
    "st:2022-02:0",
    "stk:",
    "nhac:",
    "nhac:xyz",
    "nhac:01/0001",
    "khoa:2101-01",
    "giao:",
    "giao::",
    "giao:x:SYT",
    "giao:0123456789ab:",
    "rmfp:-1",
    "rmfp:" + "9" * 30,
    "rmfp:²",
    "tkp::",
    "tkp:SYT",
    "tkp:SYT:x",
    "tkp::1",
    "tkd:SYT:x",
    "tkd::0123456789ab",
    "tki:SYT",
    "tka:",
    "tks:",
    "tks:x",
    "TKP:SYT:1",
]


@pytest.mark.parametrize("button", LONGEST, ids=lambda b: type(b).__name__)
def test_every_kind_with_its_longest_values_fits_and_reads_back(button: Button) -> None:
    data = button.pack()
    assert len(data.encode("utf-8")) <= MAX_DATA_BYTES
    assert parse(data) == button


def test_every_kind_is_in_the_longest_values_list() -> None:
    assert {type(b) for b in LONGEST} == set(_KINDS)


def test_a_unit_code_one_byte_longer_does_not_fit_every_kind() -> None:
    code = "X" * (CODE_MAX_BYTES + 1)
    with pytest.raises(ValueError, match="64 bytes"):
        AssignTicket(TOKEN, code).pack()
    with pytest.raises(ValueError, match="64 bytes"):
        StartUnit("X" * MAX_DATA_BYTES).pack()


@pytest.mark.parametrize(
    "button",
    [StartUnit(""), Pick(0), Explain(""), TicketPage("SYT", 0), AssignTicket("x", "SYT")],
    ids=repr,
)
def test_a_button_that_would_not_read_back_is_refused_when_packed(button: Button) -> None:
    with pytest.raises(ValueError, match="read back"):
        button.pack()


@pytest.mark.parametrize(("data", "button"), V1.items(), ids=list(V1))
def test_version_1_data_reads_as_the_same_button_and_packs_the_same(
    data: str, button: Button
) -> None:
    assert parse(data) == button
    assert button.pack() == data


@pytest.mark.parametrize("data", GARBAGE, ids=repr)
def test_garbage_reads_as_nothing(data: str) -> None:
    assert parse(data) is None


codes = st.text(min_size=1, max_size=20)
pages = st.integers(1, BIG)
tokens = st.text("0123456789abcdef", min_size=12, max_size=12)
periods = st.builds(Period, st.sampled_from(PERIOD_YEARS), st.integers(1, 12))
any_button = st.one_of(
    st.builds(StartUnit, codes),
    st.builds(StartUnit, codes, periods),
    st.builds(EditForm, codes, pages),
    st.builds(EditForm, codes, pages, periods),
    st.builds(Navigate, st.sampled_from(Move)),
    st.builds(Pick, pages),
    st.builds(Explain, codes),
    st.builds(Summary, st.sampled_from(SummaryAction)),
    st.builds(StatusPage, periods, pages),
    st.builds(TicketOverview, pages),
    st.builds(RemindConfirm, periods),
    st.builds(LockConfirm, periods),
    st.builds(AssignTicket, tokens, codes),
    st.builds(RemoveFocalPoint, pages),
    st.builds(TicketPage, codes, pages),
    st.builds(TicketHandled, codes, tokens),
    st.builds(TicketInProgress, codes, tokens),
    st.builds(TicketsAllInProgress, codes),
    st.just(SkipReason()),
)


@given(any_button)
def test_any_button_that_fits_reads_back_itself(button: Button) -> None:
    """Unit codes with colons and odd letters included: a code is the whole rest of its data,
    or all but a last value that holds no colon."""
    try:
        data = button.pack()
    except ValueError:
        assert len(":".join((button.PREFIX, *button.values())).encode()) > MAX_DATA_BYTES
        return
    assert parse(data) == button


@given(st.text(max_size=80))
def test_any_text_reads_as_nothing_or_as_a_button_that_packs(data: str) -> None:
    button = parse(data)
    if button is not None and len(data.encode()) <= MAX_DATA_BYTES:
        assert parse(button.pack()) == button


def _looks_like_data(node: ast.expr) -> bool:
    """A string or f-string that begins like a button's data ("tkp:…", "tks")."""
    if isinstance(node, ast.JoinedStr):
        head = node.values[0] if node.values else None
        start = head.value if isinstance(head, ast.Constant) else ""
    else:
        start = node.value if isinstance(node, ast.Constant) else None
    if not isinstance(start, str):
        return False
    prefix, colon, _ = start.partition(":")
    bare = start in _BARE and isinstance(node, ast.Constant)
    return (prefix in _PREFIXES and bool(colon)) or bare


def _data_literals(path: Path, root: Path = ROOT) -> list[str]:
    """Places in a module where button data is written out: a choice given a string or an
    f-string, or any string that begins like a button's data."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        written = isinstance(node, ast.Constant | ast.JoinedStr) and _looks_like_data(node)
        if isinstance(node, ast.Call) and len(node.args) >= 2:
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            data = node.args[1]
            written = name in {"Choice", "named_choice"} and isinstance(
                data, ast.Constant | ast.JoinedStr
            )
        if written:
            found.append(f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}")
    return sorted(set(found))


def _button_splits(path: Path, root: Path = ROOT) -> list[str]:
    """Places that read a button's data by hand instead of through `parse`."""
    source = path.read_text(encoding="utf-8")
    return [
        f"{path.relative_to(root)}:{number}"
        for number, line in enumerate(source.splitlines(), 1)
        if ".button.partition(" in line or ".data.partition(" in line or "button.split(" in line
    ]


def _product_modules() -> list[Path]:
    """Every module of the product but the protocol itself."""
    found = [p for folder in ("handlers", "bot") for p in sorted((ROOT / folder).rglob("*.py"))]
    protocol = {Path(str(module.__file__)).resolve() for module in PROTOCOL}
    return [p for p in found if p.resolve() not in protocol]


def test_button_data_is_built_and_read_only_through_the_protocol() -> None:
    literals = [place for path in _product_modules() for place in _data_literals(path)]
    splits = [place for path in _product_modules() for place in _button_splits(path)]
    assert not literals, f"choices with data written out: {literals}"
    assert not splits, f"button data split by hand: {splits}"


def test_the_scan_leaves_out_only_the_protocol() -> None:
    """Every other module of handlers/ is scanned: a new one cannot slip past by its name."""
    assert len(PROTOCOL) == 4
    scanned = {p.name for p in _product_modules() if p.parent == ROOT / "handlers"}
    every = {p.name for p in (ROOT / "handlers").glob("*.py")}
    assert every - scanned == {
        "buttons.py",
        "button_kind.py",
        "unit_buttons.py",
        "office_buttons.py",
    }


def test_the_scan_finds_data_written_out(tmp_path: Path) -> None:
    """The rule above can fail: a module building data by hand is caught."""
    module = tmp_path / "probe.py"
    module.write_text(
        'Choice("x", "ok")\nevent.button.partition(":")\ndata = f"tkp:{code}:1"\nskip = "tks"\n'
    )
    assert _data_literals(module, tmp_path) == ["probe.py:1", "probe.py:3", "probe.py:4"]
    assert _button_splits(module, tmp_path) == ["probe.py:2"]
