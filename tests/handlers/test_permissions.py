"""Who may do what: every chat command and every kind of button, for a stranger, the focal
points of two units and the office, each against the same starting database.

Each cell starts from a copy of one database in which focal point A (unit BDT) and focal point
B (unit SYT) have each answered the first question. The answer each gets is classified by its
text; a refused action must change no stored row (answers, obligations, focal points,
periods, invites, ...), and nobody but the office sees another unit's name or figures.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from handlers.commands import COMMANDS, Audience, help_text
from handlers.events import EventKind, Reply
from templates.catalog import text
from tests.support.harness import OFFICE_USER
from tests.support.world import World

STRANGER, A, B, OFFICE = 5000, 1001, 1002, OFFICE_USER
ROLES = {"stranger": STRANGER, "focal A": A, "focal B": B, "office": OFFICE}
UNIT_OF = {A: "BDT", B: "SYT"}
A_FIGURE, B_FIGURE = "111111", "777777"  # shown as 111.111 and 777.777
# What identifies each unit in a text only the unit (or the office) may see.
SECRETS = {A: ("111.111", "Bưu điện tỉnh"), B: ("777.777", "Sở Y tế")}

# Who may use each command, written here rather than read from the command table: a command
# given the wrong audience there fails the matrix below.
FOCAL_COMMANDS = ("baocao", "sua", "mau", "phananh")
OFFICE_COMMANDS = (
    *("trangthai", "nhacnho", "mo", "khoa", "mokhoa", "moi", "daumoi", "giao", "tonghop", "xuat"),
    "web",
)
# (label, kind, payload); "{rmfp}" is the removal button of B's focal point.
ACTIONS: list[tuple[str, EventKind, str]] = [
    *[(f"/{name}", EventKind.COMMAND, name) for name in (*FOCAL_COMMANDS, *OFFICE_COMMANDS)],
    ("/start", EventKind.COMMAND, "start"),
    ("/toi", EventKind.COMMAND, "toi"),
    ("/start <wrong code>", EventKind.COMMAND, "start WRONGCODE0123456789"),
    ("/mokhoa SYT", EventKind.COMMAND, "mokhoa SYT"),
    ("/moi SYT", EventKind.COMMAND, "moi SYT"),
    ("/daumoi SYT", EventKind.COMMAND, "daumoi SYT"),
    ("/khoa 01/2022", EventKind.COMMAND, "khoa 01/2022"),
    ("/giao PA-9 SYT", EventKind.COMMAND, "giao PA-9 SYT"),
    ("btn unit:BDT", EventKind.BUTTON, "unit:BDT"),
    ("btn unit:SYT", EventKind.BUTTON, "unit:SYT"),
    ("btn nav:back", EventKind.BUTTON, "nav:back"),
    ("btn nav:skip", EventKind.BUTTON, "nav:skip"),
    ("btn nav:keep", EventKind.BUTTON, "nav:keep"),
    ("btn nav:pause", EventKind.BUTTON, "nav:pause"),
    ("btn pick:1", EventKind.BUTTON, "pick:1"),
    ("btn why:tong", EventKind.BUTTON, "why:tong"),
    ("btn sum:send", EventKind.BUTTON, "sum:send"),
    ("btn sum:edit", EventKind.BUTTON, "sum:edit"),
    ("btn st:2022-02:1", EventKind.BUTTON, "st:2022-02:1"),
    ("btn nhac:2022-02", EventKind.BUTTON, "nhac:2022-02"),
    ("btn khoa:2022-02", EventKind.BUTTON, "khoa:2022-02"),
    ("btn rmfp:<B>", EventKind.BUTTON, "rmfp:{rmfp}"),
    ("btn giao:<token>:SYT", EventKind.BUTTON, "giao:0123456789ab:SYT"),
    ("btn tkp:BDT:1", EventKind.BUTTON, "tkp:BDT:1"),
    ("btn tkp:SYT:1", EventKind.BUTTON, "tkp:SYT:1"),
    ("btn tka:SYT", EventKind.BUTTON, "tka:SYT"),
    ("btn tkd:SYT:<token>", EventKind.BUTTON, "tkd:SYT:0123456789ab"),
    ("btn forged", EventKind.BUTTON, "xyz:';DROP TABLE answers;--"),
    ("text 42", EventKind.TEXT, "42"),
]

# Answer classes: the exact refusal texts, or "ok" (anything else, not an error).
REFUSALS = {
    "stranger": text("chat.stranger"),
    "help": help_text(Audience.FOCAL_POINT),
    "office help": help_text(Audience.OFFICE),
    "not yours": text("chat.not_your_unit"),
    "stale": text("chat.stale_button"),
}
OK = "ok"
BAD_CODE = "bad code"  # any refusal of an invite code

OFFICE_ONLY = {f"/{n}" for n in OFFICE_COMMANDS} | {
    "/mokhoa SYT",
    "/moi SYT",
    "/daumoi SYT",
    "/khoa 01/2022",
    "/giao PA-9 SYT",
}
OFFICE_BUTTONS = {
    "btn st:2022-02:1",
    "btn nhac:2022-02",
    "btn khoa:2022-02",
    "btn rmfp:<B>",
    "btn giao:<token>:SYT",
}
# Overdue-ticket buttons name their unit: only that unit's focal points get through.
TICKET_BUTTONS = {
    "btn tkp:BDT:1": "BDT",
    "btn tkp:SYT:1": "SYT",
    "btn tka:SYT": "SYT",
    "btn tkd:SYT:<token>": "SYT",
}


def test_every_command_of_the_table_is_in_the_matrix() -> None:
    """A command added to the table must be given its audience here too."""
    anyone = ("start", "toi")
    assert sorted(c.name for c in COMMANDS) == sorted((*FOCAL_COMMANDS, *OFFICE_COMMANDS, *anyone))


def expected(role: str, action: str) -> str:
    """The answer class each role must get for each action: the matrix under test."""
    if action == "/start <wrong code>":
        return BAD_CODE
    if action == "/toi":
        return OK  # anyone's own id, to anyone
    if role == "stranger":
        return "stranger"
    if role == "office":
        return OK if action in OFFICE_ONLY | OFFICE_BUTTONS else "office help"
    # A focal point (A or B); `mine`/`theirs` are their own and the other unit's buttons.
    mine, theirs = ("btn unit:BDT", "btn unit:SYT")[:: 1 if role == "focal A" else -1]
    if action in OFFICE_ONLY:
        return "help"
    if action == theirs:
        return "not yours"
    if action in TICKET_BUTTONS:
        return OK if TICKET_BUTTONS[action] == UNIT_OF[ROLES[role]] else "not yours"
    if action in OFFICE_BUTTONS or action in {"btn pick:1", "btn forged"}:
        return "stale"
    assert action == mine or action.startswith(("/", "btn ", "text ")), action
    return OK


def classify(replies: list[Reply], sender: int) -> str:
    own = [r.text for r in replies if r.chat_id == str(sender)]
    assert own, f"no reply to the sender: {replies}"
    first = own[0]
    assert first != text("chat.internal_error")
    for name, refusal in REFUSALS.items():
        if first == refusal:
            return name
    if first.startswith("Mã mời"):
        return BAD_CODE
    return OK


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The starting office; the id of B's focal point (for the removal button)."""
    folder = tmp_path_factory.mktemp("office")

    async def build() -> int:
        world = await World.open(folder)
        try:
            for person, unit in UNIT_OF.items():
                await world.register(person, unit)
                await world.command(person, "baocao")
                figure = A_FIGURE if person == A else B_FIGURE
                await world.say(person, figure)
            async with world.db.read() as r:
                (focal_b,) = await r.focal_points.list_for_unit("SYT")
            return focal_b.id
        finally:
            await world.close()

    return folder, asyncio.run(build())


async def _run_cell(
    template: tuple[Path, int], tmp_path: Path, role: str, action: tuple[str, EventKind, str]
) -> tuple[str, bool, list[Reply]]:
    """One action by one role on a fresh copy: (class, rows changed, replies)."""
    folder, rmfp = template
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    world = await World.open(tmp_path)
    _label, kind, payload = action
    user = ROLES[role]
    try:
        before = world.rows()
        payload = payload.replace("{rmfp}", str(rmfp))
        if kind is EventKind.COMMAND:
            name, _, argument = payload.partition(" ")
            replies = await world.command(user, name, argument)
        elif kind is EventKind.BUTTON:
            replies = await world.press(user, payload)
        else:
            replies = await world.say(user, payload)
        changed = world.rows() != before
    finally:
        await world.close()
    return classify(replies, user), changed, replies


def _check_privacy(role: str, label: str, replies: list[Reply]) -> None:
    """Outside the office, replies go to the sender (or the office) and show no other unit."""
    user = ROLES[role]
    if role == "office":
        return
    for reply in replies:
        assert reply.chat_id in {str(user), str(OFFICE)}, f"{role} {label}: reply to {reply}"
        if reply.chat_id != str(user):
            continue
        for other, secrets in SECRETS.items():
            if other != user:
                leaked = [s for s in secrets if s in reply.text]
                assert not leaked, f"{role} {label} saw {leaked}: {reply.text!r}"


@pytest.mark.slow
async def test_permission_matrix(
    template: tuple[Path, int], tmp_path: Path, figures: Callable[[str], None]
) -> None:
    got: dict[tuple[str, str], str] = {}
    problems = []
    for index, action in enumerate(ACTIONS):
        label = action[0]
        for role in ROLES:
            cell = tmp_path / f"{index}-{role.replace(' ', '_')}"
            answer, changed, replies = await _run_cell(template, cell, role, action)
            got[(label, role)] = answer + (" *" if changed else "")
            want = expected(role, label)
            if answer != want:
                problems.append(f"{role} {label}: got {answer!r}, expected {want!r}")
            if answer != OK and changed:
                problems.append(f"{role} {label}: refused ({answer}) but stored rows changed")
            _check_privacy(role, label, replies)
    width = max(len(a[0]) for a in ACTIONS)
    lines = [f"{'permission matrix':<{width}} | " + " | ".join(f"{r:<12}" for r in ROLES)]
    lines += [
        f"{label:<{width}} | " + " | ".join(f"{got[(label, r)]:<12}" for r in ROLES)
        for label, _, _ in ACTIONS
    ]
    lines.append("(* = stored rows changed; refusals must change nothing)")
    figures("\n".join(lines))
    assert not problems, "\n".join(problems)
    # The matrix is not trivially uniform: each role both gets through and is refused.
    for role in ROLES:
        classes = {got[(label, role)].rstrip(" *") for label, _, _ in ACTIONS}
        assert len(classes) >= 2 if role == "stranger" else OK in classes, (role, classes)


async def test_invite_codes_cannot_be_replayed_guessed_or_brute_forced(
    tmp_path: Path, figures: Callable[[str], None]
) -> None:
    world = await World.open(tmp_path)
    try:
        code = await world.invite("SYT")
        await world.command(B, "start", code)
        # Replayed by someone else, or by B again: refused, nobody joins SYT.
        replayed = await world.command(STRANGER, "start", code)
        assert replayed[0].text == text("chat.invite_used")
        # Codes of the right shape but never issued: refused, and after a few failures
        # (the replay counts) even a valid code is refused for an hour: guessing is bounded.
        guesses = 0
        while (await world.command(STRANGER, "start", f"guess{guesses:017d}"))[0].text != text(
            "chat.invite_refused_for_now"
        ):
            guesses += 1
            assert guesses < 10, "guessing invite codes is not bounded"
        fresh = await world.invite("BDT")
        locked_out = await world.command(STRANGER, "start", fresh)
        assert locked_out[0].text == text("chat.invite_refused_for_now")
        # Expired: a code past its days is refused.
        old = await world.invite("VP")
        world.now = world.now.replace(year=world.now.year + 1)
        expired = await world.command(A, "start", old)
        assert expired[0].text == text("chat.invite_expired")
        async with world.db.read() as r:
            members = {u: await r.focal_points.list_for_unit(u) for u in ("SYT", "BDT", "VP")}
    finally:
        await world.close()
    assert [p.user_id for p in members["SYT"]] == [str(B)]
    assert members["BDT"] == [] and members["VP"] == []
    figures(
        f"invites: replayed=refused, {guesses} wrong codes refused, then locked out "
        f"(valid code refused too), expired=refused; SYT members={len(members['SYT'])}"
    )


async def test_replayed_buttons_of_another_unit_reach_only_the_pressers_own_unit(
    tmp_path: Path, figures: Callable[[str], None]
) -> None:
    """A presses every button B was ever shown (unit:SYT, why:..., sum:send, ...): nothing of
    SYT changes, A is refused the unit switch, and what A's presses do stays in BDT."""
    world = await World.open(tmp_path)
    seen_by_b: list[str] = []
    try:
        for person, unit in UNIT_OF.items():
            await world.register(person, unit)
        # 25 != 10 + 20: flagged, kept with an explanation, then the summary.
        for step in ("/baocao", "10", "25", "10", "20", "Giữ nguyên", "lý do", "Bỏ qua"):
            replies = await (
                world.command(B, step[1:]) if step.startswith("/") else world.say(B, step)
            )
            seen_by_b += [c.data for r in replies for c in r.all_choices()]
        await world.command(A, "baocao")
        syt_before = [row for row in world.rows()["answers"] if "SYT" in row]
        refused = 0
        # B's own start button (sent with the period's prompt) too.
        for data in [*dict.fromkeys(seen_by_b), "unit:SYT"]:
            replies = await world.press(A, data)
            _check_privacy("focal A", f"replayed {data}", replies)
            refused += replies[0].text in REFUSALS.values()
        rows = world.rows()
    finally:
        await world.close()
    assert refused >= 1  # unit:SYT at least
    assert [row for row in rows["answers"] if "SYT" in row] == syt_before
    assert len(set(seen_by_b)) >= 5, seen_by_b
    figures(
        f"replayed buttons: {len(set(seen_by_b))} distinct callback data of unit B pressed "
        f"by A, {refused} refused, SYT rows changed=0"
    )


FORGED_DATA = [
    "nhac:xyz",
    "nhac:",
    "khoa:xyz",
    "khoa:",
    "nhac:01/0001",
    "rmfp:" + "9" * 30,
    "rmfp:-1",
    "st:2022-02:" + "9" * 30,
    "st:xyz:1",
    "st:0001-01:1",
    "stk:" + "9" * 30,
    "why:",
    "pick:" + "9" * 30,
    "unit:",
    "unit:" + "x" * 300,
    "tkp:BDT:" + "9" * 30,
    "tkp::",
    "tka:",
    "tkd:BDT:x",
    "giao:",
    "giao::",
    "giao:x:" + "Y" * 300,
    ":",
    "\x00",
]
ODD_ARGUMENTS = ["01/0001", "13/2022", "12/9999", "00/0000", "x" * 300, "2022-02-01", "-1"]


async def test_forged_button_data_and_odd_arguments_get_an_answer(
    tmp_path: Path, figures: Callable[[str], None]
) -> None:
    """Forged callback data and odd command arguments, from the office and a focal point:
    each gets an answer, never the internal-error text (found: "nhac:xyz", a huge "rmfp:"
    id and "/mo 01/0001" raised in the handler)."""
    world = await World.open(tmp_path)
    answered = 0
    try:
        await world.register(A, "BDT")
        await world.command(A, "baocao")
        for person in (OFFICE, A):
            for data in FORGED_DATA:
                replies = await world.press(person, data)
                assert replies and replies[0].text != text("chat.internal_error"), data
                answered += 1
            for name in ("mo", "khoa", "mokhoa", "trangthai", "moi", "daumoi", "giao"):
                for argument in ODD_ARGUMENTS:
                    replies = await world.command(person, name, argument)
                    assert replies and replies[0].text != text("chat.internal_error")
                    answered += 1
    finally:
        await world.close()
    figures(f"forged data and odd arguments: {answered} events, each answered, no errors")
