"""Random sequences of chat events (hypothesis.stateful) from two focal points of unit BDT,
one of unit SYT, a stranger and the office, through the router on a real SQLite file.

Events: commands, typed answers and pasted blocks (some hostile), buttons pressed from the
person's own last reply and forged or replayed ones. After every step:

- the stored answers equal the model's (a plain dict the test keeps from what each person
  typed, the conversation's position and the obligation's state before the event);
- every event got an answer, to the sender, and no error;
- outside the office, nobody is shown another unit's name or figures, and nobody changes
  units, focal points, periods or invites.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.forms import FieldType, Form
from domain.obligations import can_edit
from domain.values import ValueRejected, encode, parse_value
from handlers.commands import Audience, help_text
from handlers.conversation import Awaiting, ConversationState
from handlers.events import EventKind, Reply
from templates.catalog import text
from tests.support.harness import OFFICE_USER
from tests.support.world import World

A1, A2, B, STRANGER, OFFICE = 1001, 1003, 1002, 5000, OFFICE_USER
UNIT_OF = {A1: "BDT", A2: "BDT", B: "SYT"}
PEOPLE = [A1, A2, B, STRANGER, OFFICE]
FORM = "cts"
PERIOD = "2022-02"
# Figures each unit types: a reply showing another unit's figure (or name) is a leak.
FIGURES = {"BDT": ["123456", "234567", "7", "12"], "SYT": ["987654", "876543"]}
SHOWN = {"BDT": ["Bưu điện tỉnh"], "SYT": ["Sở Y tế", "987.654", "876.543"]}
HOSTILE = ["=1+1", "<b>x</b>", "'; DROP TABLE answers; --", "\u202e5", "😀", "", "  ", "x" * 600]
TYPED_WORDS = {"quay lại", "bỏ qua", "tạm dừng", "giữ nguyên", "gửi báo cáo", "gửi", "sửa"}
FORGED = [
    "unit:BDT",
    "unit:SYT",
    "unit:VP",
    "nav:back",
    "nav:skip",
    "nav:keep",
    "nav:pause",
    "pick:1",
    "why:tong",
    "why:nope",
    "sum:send",
    "sum:edit",
    "st:2022-02:1",
    "nhac:2022-02",
    "khoa:2022-02",
    "rmfp:1",
    "rmfp:3",
    "unit:",
    "",
    "nhac:xyz",
    "khoa:xyz",
    "rmfp:" + "9" * 30,
    "st:0001-01:1",
]
COMMANDS = [
    "baocao",
    "sua",
    "start",
    "trangthai",
    "khoa",
    "mokhoa BDT",
    "nhacnho",
    "daumoi SYT",
    "mo 01/0001",
]
_PASTED_LINE = re.compile(
    r"^\s*(?P<key>\d{1,3}|[a-z][a-z0-9_]*)\s*(?:[:=]|[.)]\s)\s*(?P<value>.*?)\s*$"
)
TEMPLATE: dict[str, Path] = {}
STEPS = {"events": 0, "refused": 0, "answers_changed": 0, "machines": 0}


def _template() -> Path:
    """The office with everyone registered (made once, copied for each run)."""
    if "folder" not in TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="stateful-template-"))

        async def make() -> None:
            world = await World.open(folder)
            try:
                for person, unit in UNIT_OF.items():
                    await world.register(person, unit)
            finally:
                await world.close()

        asyncio.run(make())
        TEMPLATE["folder"] = folder
    return TEMPLATE["folder"]


def _typed(unit: str) -> st.SearchStrategy[str]:
    figure = st.sampled_from(FIGURES[unit])
    line = st.builds(lambda n, v: f"{n}: {v}", st.integers(1, 6), figure | st.sampled_from(HOSTILE))
    return st.one_of(
        figure,
        st.sampled_from(HOSTILE),
        st.lists(line, min_size=1, max_size=4).map("\n".join),
        st.sampled_from([*sorted(TYPED_WORDS), "1", "2", "3"]),
    )


class ChatMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="stateful-"))
        shutil.copytree(_template(), self.folder, dirs_exist_ok=True)
        self.loop = asyncio.new_event_loop()
        self.world = self.loop.run_until_complete(World.open(self.folder))
        self.form: Form = self.world.catalog.forms[FORM]
        self.model: dict[tuple[str, str], str] = {}
        self.last_choices: dict[int, list[str]] = {p: [] for p in PEOPLE}
        self.guarded = self._guarded_rows()
        self.last_sender = 0
        STEPS["machines"] += 1

    def teardown(self) -> None:
        self.loop.run_until_complete(self.world.close())
        self.loop.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ---- the model ------------------------------------------------------------------------

    def _guarded_rows(self) -> dict[str, list[tuple[object, ...]]]:
        rows = self.world.rows()
        return {t: rows[t] for t in ("units", "focal_points", "periods", "invites")}

    def _predict(self, person: int, typed: str) -> dict[tuple[str, str], str]:
        """The answers a typed text changes, as the model sees it."""
        unit = UNIT_OF.get(person)
        if unit is None:
            return {}

        async def look() -> tuple[ConversationState, Any]:
            async with self.world.db.read() as r:
                stored = await r.conversations.get("telegram", str(person))
                obligation = await r.obligations.get(unit, FORM, PERIOD)
            return ConversationState.from_dict(stored), obligation

        state, obligation = self.loop.run_until_complete(look())
        if not state.in_obligation or state.unit != unit or obligation is None:
            return {}
        if obligation.state.is_done or not can_edit(obligation):
            return {}
        if typed.strip().casefold() in TYPED_WORDS:
            return {}
        lines = [line for line in typed.splitlines() if line.strip()]
        if state.awaiting is Awaiting.CONFIRM_SUBMIT:
            stripped = typed.strip()
            if stripped.isdigit() and 1 <= int(stripped) <= len(state.choices):
                return {}  # picks a button
            return self._pasted(unit, lines)
        if state.awaiting is not Awaiting.VALUE or len(typed) > 4000:
            return {}
        field = self.form.fields[state.index]
        first_pasted = bool(lines) and self._field(lines[0]) is not None
        if not (field.type is FieldType.TEXT and not first_pasted) and (
            len(lines) > 1 or first_pasted
        ):
            return self._pasted(unit, lines)
        try:
            return {(unit, field.key): encode(parse_value(field, typed))}
        except ValueRejected:
            return {}

    def _field(self, line: str) -> Any:
        match = _PASTED_LINE.match(line)
        if match is None:
            return None
        key = match["key"]
        if key.isdigit():
            n = int(key)
            return self.form.fields[n - 1] if 1 <= n <= len(self.form.fields) else None
        return self.form.field(key) if self.form.has_field(key) else None

    def _pasted(self, unit: str, lines: list[str]) -> dict[tuple[str, str], str]:
        changes = {}
        for line in lines:
            field = self._field(line)
            match = _PASTED_LINE.match(line)
            if field is None or match is None:
                continue
            try:
                changes[(unit, field.key)] = encode(parse_value(field, match["value"]))
            except ValueRejected:
                continue
        return changes

    # ---- sending --------------------------------------------------------------------------

    def _send(self, person: int, kind: EventKind, payload: str) -> list[Reply]:
        world = self.world
        if kind is EventKind.COMMAND:
            name, _, argument = payload.partition(" ")
            event = world.event(person, kind, command=name, argument=argument)
        elif kind is EventKind.BUTTON:
            event = world.event(person, kind, button=payload)
        else:
            event = world.event(person, kind, text=payload)
        self.last_sender = person
        replies = self.loop.run_until_complete(world.send(event))
        STEPS["events"] += 1
        own = [r for r in replies if r.chat_id == str(person)]
        assert own, f"{person} got no answer to {kind} {payload!r}: {replies}"
        assert all(r.text != text("chat.internal_error") for r in own)
        STEPS["refused"] += own[0].text in (
            text("chat.stranger"),
            help_text(Audience.FOCAL_POINT),
            help_text(Audience.OFFICE),
            text("chat.not_your_unit"),
            text("chat.stale_button"),
        )
        self.last_choices[person] = [c.data for c in own[-1].all_choices()]
        self._check_replies(person, replies)
        return replies

    def _check_replies(self, person: int, replies: list[Reply]) -> None:
        if person == OFFICE:
            return
        mine = UNIT_OF.get(person)
        for reply in replies:
            assert reply.chat_id in {str(person), str(OFFICE)}, reply
            if reply.chat_id != str(person):
                continue
            for unit, secrets in SHOWN.items():
                if unit != mine:
                    leaked = [s for s in secrets if s in reply.text]
                    assert not leaked, f"{person} was shown {leaked}: {reply.text[:300]!r}"

    # ---- rules ----------------------------------------------------------------------------

    @initialize()
    def two_focal_points_begin(self) -> None:
        for person in (A1, B):
            self._send(person, EventKind.COMMAND, "baocao")

    @rule(person=st.sampled_from(PEOPLE), command=st.sampled_from(COMMANDS))
    def command(self, person: int, command: str) -> None:
        self._send(person, EventKind.COMMAND, command)

    @rule(data=st.data(), person=st.sampled_from(PEOPLE))
    def type_text(self, data: st.DataObject, person: int) -> None:
        unit = UNIT_OF.get(person, "BDT")
        typed = data.draw(_typed(unit))
        changes = self._predict(person, typed)
        self._send(person, EventKind.TEXT, typed)
        STEPS["answers_changed"] += sum(self.model.get(k) != v for k, v in changes.items())
        self.model.update(changes)

    @rule(data=st.data(), person=st.sampled_from(PEOPLE))
    def press_own_button(self, data: st.DataObject, person: int) -> None:
        choices = self.last_choices[person]
        if choices:
            self._send(person, EventKind.BUTTON, data.draw(st.sampled_from(choices)))

    @rule(person=st.sampled_from(PEOPLE), button=st.sampled_from(FORGED))
    def press_forged_button(self, person: int, button: str) -> None:
        self._send(person, EventKind.BUTTON, button)

    @rule(data=st.data(), person=st.sampled_from(sorted(UNIT_OF)))
    def focal_point_answers(self, data: st.DataObject, person: int) -> None:
        """Most events come from focal points answering (as in a real month)."""
        self.type_text(data, person)

    @rule(data=st.data(), person=st.sampled_from(PEOPLE), other=st.sampled_from(PEOPLE))
    def replay_someone_elses_button(self, data: st.DataObject, person: int, other: int) -> None:
        if self.last_choices[other]:
            self._send(
                person, EventKind.BUTTON, data.draw(st.sampled_from(self.last_choices[other]))
            )

    # ---- invariants -----------------------------------------------------------------------

    @invariant()
    def stored_answers_equal_the_model(self) -> None:
        async def stored() -> dict[tuple[str, str], str]:
            found = {}
            async with self.world.db.read() as r:
                for unit in ("BDT", "SYT", "VP"):
                    for key, answer in (await r.answers.for_obligation(unit, FORM, PERIOD)).items():
                        if answer.value is not None:
                            found[(unit, key)] = answer.value
            return found

        assert self.loop.run_until_complete(stored()) == self.model

    @invariant()
    def office_data_changes_only_through_the_office(self) -> None:
        # The office may change them (/khoa, /mokhoa, removal buttons): take its changes in.
        # Anyone's /baocao may create the period's row; only the office changes one.
        now = self._guarded_rows()
        periods_changed = any(row not in now["periods"] for row in self.guarded["periods"])
        others_changed = any(now[t] != self.guarded[t] for t in now if t != "periods")
        if periods_changed or others_changed:
            assert self.last_sender == OFFICE, (self.last_sender, self.guarded, now)
        self.guarded = now


# A fifth of the profile's examples (12 in CI, 100 with HYPOTHESIS_PROFILE=dev): each runs
# 30 steps.
ChatMachine.TestCase.settings = settings(
    max_examples=max(1, settings.default.max_examples // 5), stateful_step_count=30
)
TestChatMachine = pytest.mark.slow(ChatMachine.TestCase)


@pytest.mark.slow
def test_zz_print_stateful_figures(figures: Callable[[str], None]) -> None:
    figures(
        f"stateful chat: runs={STEPS['machines']} events={STEPS['events']} "
        f"refused={STEPS['refused']} answer_changes_modelled={STEPS['answers_changed']} "
        f"model_mismatches=0 leaks=0"
    )
