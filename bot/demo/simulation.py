"""`baocao demo`: a whole reporting month of the sample data set in fast simulated time.

The real program runs (channel adapter, inbox, handlers, scheduler, outbox) against the
local fake Bot API of `bot.demo.telegram_api`, with an injected clock. Simulated focal points
answer period 02/2022 from the sample's answers file through the chat, as people would:
most on time, some after reminders, some pasting, some mistyping first, one explaining a
total that does not add up, Sở Y tế late, and Hiếu Tử never. Then the draft (.docx, .md)
and the export (.xlsx) are written.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from bot.channels.telegram import TelegramChannel
from bot.demo.errors import DemoError
from bot.demo.people import PASTING, Chat, answer_form
from bot.demo.telegram_api import FakeTelegramServer, FakeTelegramTimeout
from bot.report.compile import compile_draft
from bot.report.export import export_xlsx
from bot.report.tickets_source import draft_inputs, export_inputs
from bot.runtime.app import App
from bot.runtime.ratelimit import Limits
from bot.workspace.answers_file import Submission, load_answers, read_answers_file
from bot.workspace.load import Workspace, load_workspace
from domain.periods import parse_period
from handlers.registration import create_invite
from templates.catalog import text

PERIOD = "2022-02"
OFFICE_USER = 900
FIRST_USER = 5001
MARKER = ".baocao-demo"
TOKEN_ENV = "BAOCAO_DEMO_TOKEN"
# The demo's bot: a token of the right shape that Telegram never issued, and its own name.
DEMO_TOKEN = "7000000001:demo-token-not-a-real-one"
DEMO_BOT = {"first_name": "baocao (demo)", "username": "baocao_demo_bot"}
SAMPLE_PACKAGE = "bot.demo"
SAMPLE_FOLDER = "sample-travinh"
SAMPLE_FILES = ("config.toml", "units.csv", "report.toml", "forms")
_ZONE_SHIFT = timedelta(hours=7)  # Asia/Ho_Chi_Minh, no daylight saving

# The timetable's moments (Vietnam time, February 2022) and what they are.
TIMETABLE = (
    ((10, 8, 0), "open"),
    ((12, 8, 0), "remind"),
    ((14, 8, 0), "remind"),
    ((15, 8, 0), "remind"),
    ((15, 17, 0), "deadline"),
    ((15, 18, 0), "office"),
    ((16, 8, 0), "late"),
    ((17, 8, 0), "late"),
)
# When the month's story ends and the draft is compiled (Vietnam time, February 2022).
ENDS = (17, 9, 0)


class SimClock:
    """The simulated time, moved by the demo."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(slots=True)
class DemoResult:
    """What the demo wrote and what happened."""

    out: Path
    workspace: Path
    docx: Path
    review: Path
    markdown: Path
    xlsx: Path
    seconds: float
    messages: int
    reported: int
    total: int
    late: list[str] = field(default_factory=list)
    never: list[str] = field(default_factory=list)
    warnings: int = 0
    explained: int = 0
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The closing lines printed after the run."""
        return text(
            "demo.summary",
            seconds=f"{self.seconds:.1f}".replace(".", ","),
            messages=self.messages,
            reported=self.reported,
            total=self.total,
            late=self.late,
            never=self.never,
            warnings=self.warnings,
            explained=self.explained,
            out=self.out,
            docx=self.docx.name,
            review=self.review.name,
            markdown=self.markdown.name,
            xlsx=self.xlsx.name,
            workspace=self.workspace,
        )


def sample_folder() -> Path:
    """The sample data set, shipped inside this package (package data of the wheel too)."""
    # A package installed from a wheel or in editable mode lives in plain folders, so
    # files() is a real path that shutil can copy from.
    return Path(str(resources.files(SAMPLE_PACKAGE).joinpath(SAMPLE_FOLDER)))


def prepare_out(out: Path) -> None:
    """Make `out` a demo folder with no workspace in it; refuse a folder that is not one."""
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise DemoError(text("demo.not_demo_folder", path=out))
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("baocao demo\n", encoding="utf-8")
    shutil.rmtree(out / "workspace", ignore_errors=True)
    for old in out.glob("BC-*"):
        old.unlink()


def write_workspace(sample: Path, folder: Path, base_url: str) -> Path:
    """Copy the sample's config and data into `folder`, pointed at the local server."""
    if not (sample / "config.toml").is_file():
        raise DemoError(text("demo.no_sample", path=sample))
    folder.mkdir(parents=True)
    for name in SAMPLE_FILES:
        source = sample / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        elif source.exists():
            shutil.copy2(source, folder / name)
    config = folder / "config.toml"
    body = config.read_text(encoding="utf-8")
    for key, value in (
        ("api_base_url", f'"{base_url}"'),
        ("token_env", f'"{TOKEN_ENV}"'),
        ("admins", f"[{OFFICE_USER}]"),
        ("drafts_chat", str(OFFICE_USER)),
    ):
        body = re.sub(rf"^{key} = .*$", f"{key} = {value}", body, count=1, flags=re.MULTILINE)
    config.write_text(body, encoding="utf-8")
    return config


def _at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2022, 2, day, hour, minute, tzinfo=UTC) - _ZONE_SHIFT


def demo_end() -> datetime:
    """The simulated moment the demo's month ends: the dashboard shown after it starts there."""
    return _at(*ENDS)


def _shown(moment: datetime) -> str:
    return (moment.astimezone(UTC) + _ZONE_SHIFT).strftime("%H:%M %d/%m")


class Demo:
    """One run: the server, the app, the simulated people, and the progress printed."""

    def __init__(self, out: Path, say: Callable[[str], None], only: Iterable[str] | None) -> None:
        self.out = out
        self.say = say
        self.only = set(only) if only is not None else None
        self.clock = SimClock(_at(9, 9, 0))
        self.server = FakeTelegramServer(
            DEMO_TOKEN, strict_html=False, bot_user=DEMO_BOT, clock=self.clock
        )
        self.chat = Chat(self.server)
        self.users: dict[str, int] = {}
        self.lines: list[str] = []
        self.started: set[str] = set()

    def note(self, key: str, indent: int = 0, **values: object) -> None:
        """Print a progress line from the demo catalog."""
        line = " " * indent + text(f"demo.{key}", **values)
        self.lines.append(line)
        self.say(line)

    async def run(self) -> DemoResult:
        """Run the month and write the outputs."""
        started = time.monotonic()
        sample = sample_folder()
        if not (sample / "answers" / f"{PERIOD}.toml").is_file():
            raise DemoError(text("demo.no_sample", path=sample))
        prepare_out(self.out)
        self.server.start()
        try:
            config = write_workspace(sample, self.out / "workspace", self.server.base_url)
            os.environ[TOKEN_ENV] = self.server.token
            workspace = load_workspace(config)
            self.note("start", server=self.server.base_url)
            self.note("workspace", 2, path=config.parent, sample=sample)
            channel = TelegramChannel(self.server.token, self.server.base_url, poll_timeout=1)
            app = App(
                workspace,
                clock=self.clock,
                telegram=channel,
                limits=Limits(0, 0, 0),
                run_scheduler=False,
            )
            await app.start()
            try:
                result = await self._month(app, workspace, sample)
            except FakeTelegramTimeout as error:  # the bot did not answer a simulated person
                raise DemoError(str(error)) from None
            finally:
                await app.stop()
        finally:
            self.server.stop()
        result.seconds = time.monotonic() - started
        result.messages = sum(1 for call in self.server.calls() if call.status == 200)
        return result

    async def _month(self, app: App, workspace: Workspace, sample: Path) -> DemoResult:
        assert app.db is not None
        january = read_answers_file(sample / "answers" / "2022-01.toml")
        self.note("january", 2, count=await load_answers(app.db, workspace, january))
        for number, unit in enumerate(workspace.units):
            user = FIRST_USER + number
            self.users[unit.code] = user
            async with app.db.write() as tx:
                code = await create_invite(tx, unit.code, self.clock(), 14)
            await self.chat.say(user, f"/start {code}", name=f"Đầu mối {unit.code}")
        self.note("registered", 2, count=len(self.users))

        february = read_answers_file(sample / "answers" / f"{PERIOD}.toml")
        events: list[tuple[datetime, int, object]] = [
            (_at(*moment), 0, kind) for moment, kind in TIMETABLE
        ]
        for sub in february.submissions:
            if sub.submitted_at is not None and (self.only is None or sub.unit in self.only):
                events.append((sub.submitted_at.astimezone(UTC), 1, sub))
        events.sort(key=lambda e: (e[0], e[1]))
        for moment, _, what in events:
            self.clock.now = moment
            if isinstance(what, Submission):
                await self._session(app, workspace, what)
            else:
                await self._tick(app, workspace, str(what))

        self.clock.now = demo_end()
        period = parse_period(PERIOD)
        spec, hotline = await draft_inputs(app.db, workspace, period, self.clock())
        draft = await compile_draft(
            app.db, workspace, period, self.clock(), created_by="demo", spec=spec, tickets=hotline
        )
        docx = self.out / draft.file_name
        docx.write_bytes(draft.docx)
        review = self.out / draft.review_name
        review.write_bytes(draft.review_docx)
        markdown = docx.with_suffix(".md")
        markdown.write_text(draft.markdown, encoding="utf-8")
        xlsx = docx.with_suffix(".xlsx")
        listed, _, _ = await export_inputs(app.db, workspace, period, self.clock())
        xlsx.write_bytes(await export_xlsx(app.db, workspace, period, listed, hotline))
        self.note("compiled")
        doc = draft.document
        return DemoResult(
            out=self.out,
            workspace=self.out / "workspace",
            docx=docx,
            review=review,
            markdown=markdown,
            xlsx=xlsx,
            seconds=0.0,
            messages=0,
            reported=doc.units_reported,
            total=doc.units_total,
            late=[line.unit for line in doc.late],
            never=[line.unit for line in doc.not_reported],
            warnings=len(doc.warnings),
            explained=sum(1 for w in doc.warnings if w.explanation),
            lines=self.lines,
        )

    # ------------------------------------------------------------------ the timetable

    async def _tick(self, app: App, workspace: Workspace, kind: str) -> None:
        assert app.scheduler is not None
        before = {user: len(self.server.sent_to(user)) for user in self.users.values()}
        office_before = len(self.server.sent_to(OFFICE_USER))
        outcome = await app.scheduler.tick()
        await self._drain(app)
        del outcome
        count = sum(len(self.server.sent_to(u)) > n for u, n in before.items())
        at = _shown(self.clock())
        if kind == "office":
            notices = self.server.sent_to(OFFICE_USER)[office_before:]
            names = [u.name for u in workspace.units if any(u.name in m.shown for m in notices)]
            self.note("step_office", at=at, count=len(names), names=names)
        elif kind == "deadline":
            self.note("step_deadline", at=at)
        elif count == 0:
            self.note("step_quiet", at=at)
        else:
            self.note(f"step_{kind}", at=at, count=count)

    async def _drain(self, app: App) -> None:
        """Wait until the outbox has sent everything queued."""
        assert app.db is not None
        for _ in range(5000):
            async with app.db.read() as view:
                if await view.outbox.pending_count() == 0:
                    return
            await _sleep()
        raise DemoError("outbox did not drain")

    async def _session(self, app: App, workspace: Workspace, sub: Submission) -> None:
        """A focal point answers one form through the chat and sends it."""
        user = self.users[sub.unit]
        form = workspace.forms[sub.form]
        # The first form from the prompt's button, the others with /baocao.
        prompt = next(
            (m for m in reversed(self.server.sent_to(user)) if m.button_starting("📝")), None
        )
        if prompt is not None and sub.unit not in self.started:
            reply = await self.chat.press(user, prompt, "📝")
        else:
            reply = await self.chat.say(user, "/baocao")
        self.started.add(sub.unit)
        last, details = await answer_form(self.chat, user, form, sub, reply)
        await self._drain(app)
        self.note(
            "session",
            at=_shown(self.clock()),
            unit=workspace_unit_name(workspace, sub.unit),
            form=form.title,
            questions=len(sub.answers),
            pasted=(sub.unit, sub.form) in PASTING,
            late="(sau hạn)" in last,
        )
        for key, values in details:
            self.note(key, 4, **values)


def workspace_unit_name(workspace: Workspace, code: str) -> str:
    """A unit's name, or its code when unknown."""
    return next((u.name for u in workspace.units if u.code == code), code)


async def _sleep() -> None:
    await asyncio.sleep(0.002)


async def run_demo(
    out: Path,
    say: Callable[[str], None] = print,
    only: Iterable[str] | None = None,
) -> DemoResult:
    """Run the demo into `out`; `only` limits which units answer (the others never do)."""
    return await Demo(out, say, only).run()
