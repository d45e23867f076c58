"""The demo's simulated focal points: how they type, paste, mistype and explain."""

from __future__ import annotations

import re

from bot.demo.errors import DemoError
from bot.demo.telegram_api import FakeTelegramServer, SentMessage
from bot.workspace.answers_file import Submission
from domain.forms import FieldType, Form
from templates.catalog import text

REPLY_TIMEOUT = 10.0  # seconds of real time for the bot to answer a simulated person

# What the simulated people do beyond answering: the forms some paste in one message, and
# the wrong first tries some type (the bot refuses them and asks again).
PASTING = {("VP", "trangtin"), ("TTCNTT", "tongdai"), ("TTCNTT", "dvc"), ("VTP", "tmdt")}
PASTING |= {(unit, "phieutre") for unit in ("P4", "P8", "LONGDUC", "DAIAN", "P1")}
MISTAKES = {
    ("TTCNTT", "covid", "qr_luot_quet"): "1.924,862",
    ("TTCNTT", "cntt", "ty_le_ky_so"): "80.84",
    ("VTP", "tmdt", "ho_san"): "38,824",
    ("P6", "phieutre", "phieu_tre_han"): "12.5",
}
Details = list[tuple[str, dict[str, object]]]


class Chat:
    """What a simulated person does in the chat: type, press a button, read the answer."""

    def __init__(self, server: FakeTelegramServer) -> None:
        self.server = server

    async def say(self, user: int, typed: str, name: str = "") -> SentMessage:
        """Type a message; the bot's answer."""
        count = len(self.server.sent_to(user))
        self.server.user_sends_text(user, typed, first_name=name or None)
        return await self._reply(user, count)

    async def press(self, user: int, message: SentMessage, label: str) -> SentMessage:
        """Press the button whose label starts with `label`; the bot's answer."""
        data = message.button_starting(label)
        if data is None:
            raise DemoError(f"no button {label!r} in: {message.shown[:300]}")
        count = len(self.server.sent_to(user))
        self.server.user_presses_button(user, message.message_id, data)
        return await self._reply(user, count)

    async def _reply(self, user: int, count: int) -> SentMessage:
        """The bot's answer: the newest message once the chat has more than `count`."""
        sent = await self.server.wait_for_messages(user, count + 1, timeout=REPLY_TIMEOUT)
        return sent[-1]


def _as_typed(value: str, *, joined: bool) -> str:
    if joined:
        return " ".join(value.split())
    return "\n".join(" ".join(line.split()) for line in value.splitlines() if line.strip())


async def answer_form(
    chat: Chat, user: int, form: Form, sub: Submission, reply: SentMessage
) -> tuple[str, Details]:
    """Answer the form from its first question to «Đã nhận»: the last reply and what happened."""
    pasted = (sub.unit, sub.form) in PASTING
    # A text answer is sent as typed, one task a line (the draft keeps each line its own
    # paragraph); a pasted "n: value" line cannot hold line breaks, so those are joined.
    answers = {
        key: _as_typed(value, joined=pasted or form.field(key).type is not FieldType.TEXT)
        for key, value in sub.answers.items()
    }
    mistaken: set[str] = set()
    details: list[tuple[str, dict[str, object]]] = []
    for _ in range(4 * len(form.fields) + 20):
        shown = reply.shown
        if "✅ Đã nhận báo cáo" in shown:
            break
        for problem in re.findall(r"⚠ Số liệu chưa khớp: (.+?)\.$", shown, re.MULTILINE):
            details.append(("flagged", {"problem": problem}))
        keep = text("chat.button_keep_flagged", label="")
        if reply.button_starting(keep) is not None:
            # A flagged figure waits for keep or fix: the simulated unit keeps it and explains.
            label = next(b for b in reply.button_texts if b.startswith(keep))
            key = next(f.key for f in form.fields if label.removeprefix(keep).strip() == f.title)
            why = sub.explanations.get(key) or text("demo.generic_explanation")
            await chat.press(user, reply, label)
            reply = await chat.say(user, why)
            details.append(("explained", {"explanation": why}))
            continue
        question = re.search(r"Câu (\d+)/\d+ · ", shown)
        if pasted and question:
            pasted_lines = [
                f"{form.position(key)}: {MISTAKES.get((sub.unit, sub.form, key), value)}"
                for key, value in answers.items()
            ]
            mistaken |= {k for (u, f, k) in MISTAKES if (u, f) == (sub.unit, sub.form)}
            reply = await chat.say(user, "\n".join(pasted_lines))
            pasted = False
            continue
        if question:
            field_ = form.fields[int(question[1]) - 1]
            value = answers.get(field_.key)
            if value is None:
                reply = await chat.press(user, reply, text("chat.button_skip"))
                continue
            wrong = MISTAKES.get((sub.unit, sub.form, field_.key))
            if wrong is not None and field_.key not in mistaken:
                mistaken.add(field_.key)
                reply = await chat.say(user, wrong)
                said = reply.shown.split("\n")[0]
                details.append(("mistake", {"typed": wrong, "reply": said}))
                continue
            reply = await chat.say(user, value)
            continue
        if "Tóm tắt:" in shown:
            explain = reply.button_starting("Giải thích:")
            if explain is not None:
                label = next(b for b in reply.button_texts if b.startswith("Giải thích:"))
                key = next(f.key for f in form.fields if label.endswith(f.title))
                why = sub.explanations.get(key) or text("demo.generic_explanation")
                await chat.press(user, reply, "Giải thích:")
                reply = await chat.say(user, why)
                details.append(("explained", {"explanation": why}))
                continue
            reply = await chat.press(user, reply, text("chat.button_submit"))
            continue
        raise DemoError(f"{sub.unit}/{sub.form}: unexpected reply: {shown[:300]}")
    else:
        raise DemoError(f"{sub.unit}/{sub.form}: the conversation did not end")
    return shown, details
