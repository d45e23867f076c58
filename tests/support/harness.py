"""Running the real bot (python-telegram-bot's HTTP client included) against the fake Bot API."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from bot.channels.telegram import TelegramChannel
from bot.cli.web import bot_dashboard
from bot.demo.telegram_api import FakeTelegramServer
from bot.runtime.app import App
from bot.runtime.ratelimit import Limits
from bot.workspace.load import Workspace, load_workspace
from handlers.registration import create_invite
from storage import Database
from tests.support.clock import FakeClock

OFFICE_USER = 900

CONFIG = """\
[office]
parent_body = "UBND TỈNH TRÀ VINH"
issuing_body = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
name = "Sở Thông tin và Truyền thông"
short_code = "STTTT"
place = "Trà Vinh"
document_code = "BC-STTTT-VP"
report_subject = "kết quả công tác thông tin và truyền thông"
signer_titles = ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
signer_name = "Nguyễn Văn Chuẩn"
recipients = ["Lưu: VT, VP."]
admins = [{office}]
drafts_chat = {office}

[regime]
deadline_day = 15

[telegram]
token_env = "BAOCAO_TEST_TOKEN"
api_base_url = "{base_url}"
mode = "{mode}"
webhook_url = "https://example.invalid/telegram"
webhook_listen = "127.0.0.1"
webhook_port = {port}
webhook_secret_env = "BAOCAO_TEST_SECRET"
"""

UNITS = """\
mã đơn vị,tên đơn vị,nhóm,biểu mẫu
BDT,Bưu điện tỉnh <Trà Vinh> & Co,Doanh nghiệp,cts
SYT,Sở Y tế,"Sở, ban, ngành",cts
VP,Văn phòng UBND tỉnh,"Sở, ban, ngành",cts;ghichu
"""

# Digital certificates as in the sample report: the total is a stock that must be last
# month's plus the new ones, and the sum of the organisations' and the persons'.
CTS_FORM = """\
[form]
code = "cts"
title = "Chứng thư số"

[[fields]]
key = "cap_moi"
question = "Số chứng thư số cấp mới trong tháng?"
label = "cấp mới"
type = "integer"
kind = "flow"
measure = "chứng thư số"
min = 0

[[fields]]
key = "tong"
question = "Tổng số chứng thư số đến nay?"
label = "tổng số"
type = "integer"
kind = "stock"
measure = "chứng thư số"
min = 0
parts = ["to_chuc", "ca_nhan"]
stock_of = "cap_moi"

[[fields]]
key = "to_chuc"
question = "Trong đó, chứng thư số tổ chức?"
label = "tổ chức"
type = "integer"
kind = "stock"
measure = "chứng thư số"
min = 0

[[fields]]
key = "ca_nhan"
question = "Trong đó, chứng thư số cá nhân?"
label = "cá nhân"
type = "integer"
kind = "stock"
measure = "chứng thư số"
min = 0

[[fields]]
key = "ghi_chu"
question = "Ghi chú thêm (nếu có)?"
label = "ghi chú"
type = "text"
required = false
"""

NOTE_FORM = """\
[form]
code = "ghichu"
title = "Ghi chú"

[[fields]]
key = "noi_dung"
question = "Nội dung nổi bật trong tháng?"
type = "text"
"""


def write_workspace(
    folder: Path, base_url: str, mode: str = "polling", port: int = 8443, units: str = UNITS
) -> Path:
    """Write config, units (`UNITS` unless given) and forms for the tests; return the
    config path."""
    (folder / "forms").mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    config.write_text(
        CONFIG.format(office=OFFICE_USER, base_url=base_url, mode=mode, port=port), encoding="utf-8"
    )
    (folder / "units.csv").write_text(units, encoding="utf-8")
    (folder / "forms" / "cts.toml").write_text(CTS_FORM, encoding="utf-8")
    (folder / "forms" / "ghichu.toml").write_text(NOTE_FORM, encoding="utf-8")
    return config


@dataclass
class BotUnderTest:
    """The running app and what tests need around it."""

    app: App
    fake: FakeTelegramServer
    clock: FakeClock
    workspace: Workspace

    @property
    def db(self) -> Database:
        """The app's open database."""
        assert self.app.db is not None
        return self.app.db

    async def invite(self, unit_code: str, days: int = 14) -> str:
        """Create an invite code as the office would."""
        async with self.db.write() as tx:
            return await create_invite(tx, unit_code, self.clock(), days)

    async def register(self, user_id: int, unit_code: str) -> None:
        """Register a user as focal point of a unit through the chat, as a person would."""
        code = await self.invite(unit_code)
        before = len(self.fake.sent_to(user_id))
        self.fake.user_sends_command(user_id, "start", code)
        await self.fake.wait_for_messages(user_id, before + 1)

    async def say(self, user_id: int, text: str) -> str:
        """Send a text and return the bot's one reply (plain text as the user sees it)."""
        before = len(self.fake.sent_to(user_id))
        self.fake.user_sends_text(user_id, text)
        messages = await self.fake.wait_for_messages(user_id, before + 1)
        return messages[-1].plain_text or ""

    async def reply(self, user_id: int, asked: str, text: str) -> str:
        """Reply (Telegram's reply) with `text` to the newest bot message showing `asked`;
        return the bot's one reply."""
        sent = self.fake.sent_to(user_id)
        target = next(m for m in reversed(sent) if asked in (m.plain_text or ""))
        await self.sent_as(user_id, target.message_id)
        self.fake.user_sends_text(user_id, text, reply_to_message_id=target.message_id)
        messages = await self.fake.wait_for_messages(user_id, len(sent) + 1)
        return messages[-1].plain_text or ""

    async def sent_as(self, user_id: int, message_id: int, seconds: float = 5.0) -> None:
        """Wait until the bot has recorded the message it sent as `message_id` (it marks sends
        a few hundredths of a second after the platform took them; a person takes longer to
        read and reply, a test does not)."""
        for _ in range(int(seconds / 0.01)):
            async with self.db.read() as r:
                if await r.outbox.sent_as("telegram", str(user_id), str(message_id)):
                    return
            await asyncio.sleep(0.01)
        raise AssertionError(f"message {message_id} to {user_id} never recorded as sent")

    async def command(self, user_id: int, name: str, argument: str = "") -> str:
        """Send /name argument and return the reply."""
        before = len(self.fake.sent_to(user_id))
        self.fake.user_sends_command(user_id, name, argument)
        messages = await self.fake.wait_for_messages(user_id, before + 1)
        return messages[-1].plain_text or ""

    async def press(self, user_id: int, label_start: str) -> str:
        """Press the newest button whose label starts with `label_start`; return the reply."""
        before = len(self.fake.sent_to(user_id))
        for message in reversed(self.fake.sent_to(user_id)):
            for row in message.buttons:
                for label, data in row:
                    if label.startswith(label_start) and data is not None:
                        self.fake.user_presses_button(user_id, message.message_id, data)
                        replies = await self.fake.wait_for_messages(user_id, before + 1)
                        return replies[-1].plain_text or ""
        raise AssertionError(f"no button starting with {label_start!r} for {user_id}")

    def last(self, user_id: int) -> str:
        """The newest message to a user, as they see it."""
        return self.fake.sent_to(user_id)[-1].plain_text or ""


async def start_bot(
    folder: Path,
    fake: FakeTelegramServer,
    clock: FakeClock,
    mode: str = "polling",
    port: int = 8443,
    units: str = UNITS,
    *,
    dashboard: bool = False,
) -> BotUnderTest:
    """Start the real app on a workspace in `folder` (with `units` as its units.csv); with
    `dashboard`, the office's dashboard on its HTTP server, as `baocao run` mounts it."""
    config = write_workspace(folder, fake.base_url, mode, port, units)
    workspace = load_workspace(config)
    channel = TelegramChannel(fake.token, fake.base_url, poll_timeout=1)
    app = App(workspace, clock=clock, telegram=channel, limits=Limits(0, 0, 0), run_scheduler=False)
    if dashboard:
        app.mount = bot_dashboard(app)
    await app.start()
    return BotUnderTest(app, fake, clock, workspace)


async def stop_or_explain(running: BotUnderTest, seconds: float = 10.0) -> None:
    """Stop the app; if it does not stop in time, fail showing what every task waits on."""
    stopping = asyncio.create_task(running.app.stop(), name="app.stop")
    done, _ = await asyncio.wait({stopping}, timeout=seconds)
    if stopping in done:
        stopping.result()
        return
    stacks = [
        f"{task.get_name()}: " + " -> ".join(_awaiting(task.get_coro()))
        for task in asyncio.all_tasks()
    ]
    stopping.cancel()
    raise AssertionError("the app did not stop:\n" + "\n".join(stacks))


def _awaiting(coro: object) -> list[str]:
    """The chain of coroutines a coroutine is suspended in, outermost first."""
    chain = []
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
        if frame is not None:
            chain.append(f"{frame.f_code.co_name}:{frame.f_lineno}")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None)
    return chain
