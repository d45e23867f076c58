"""A question shown twice, answered twice: the second answer must not land on the next question.

After a crash the bot cannot tell whether a question message it had sent reached the chat
(the platform accepted it, the crash came before it was marked sent), so it may send it
again. A hurried person answers both copies: the second answer, the same value, would be
taken for the next question. So a message that may have been shown twice is noted on the
conversation (`maybe_twice`), and a value for a later question equal to the answer just
stored for that one is held while the person says which question it is for.
"""

from __future__ import annotations

from domain.forms import Field
from handlers.context import HandlerContext
from handlers.conversation import Awaiting, ConversationState
from handlers.events import Choice, Reply
from handlers.obligated import Obligated
from handlers.unit_buttons import Repeat, RepeatPlace
from templates.catalog import text

# The outbox payload key naming the question a message asks: unit|form|period|field.
ASKS = "asks"


# The outbox payload key naming the flagged figure a message questions: unit|form|period|field.
FLAGS = "flags"


def asks(work: Obligated, field: Field) -> dict[str, str]:
    """What a question message carries in the outbox, to tell later whether it is current."""
    return {ASKS: "|".join((work.unit_code, work.form.code, work.period.key, field.key))}


def flags(work: Obligated, key: str) -> dict[str, str]:
    """What a flagged figure's message carries in the outbox, as `asks` for a question."""
    return {FLAGS: "|".join((work.unit_code, work.form.code, work.period.key, key))}


def is_repeat(work: Obligated, state: ConversationState, field: Field, stored: str) -> bool:
    """Whether `stored` (a value for `field`) equals the answer of the question that may
    have been shown twice, answered just before: the person may be answering that again."""
    earlier = state.maybe_twice
    if not earlier or earlier == field.key or not work.form.has_field(earlier):
        return False
    answer = work.answers.get(earlier)
    return answer is not None and answer.value == stored


def ask_which(
    chat_id: str, work: Obligated, state: ConversationState, typed: str, shown: str
) -> Reply:
    """Hold the value and ask which question it is for (nothing is stored meanwhile)."""
    earlier = work.form.position(state.maybe_twice)
    current = state.index + 1
    state.awaiting = Awaiting.REPEAT_CHOICE
    state.held_text = typed
    choices = (
        Choice(
            text("chat.repeat_button_earlier", number=earlier), Repeat(RepeatPlace.EARLIER).pack()
        ),
        Choice(
            text("chat.repeat_button_current", number=current), Repeat(RepeatPlace.CURRENT).pack()
        ),
    )
    body = text("chat.repeat_ask", value=shown, earlier=earlier)
    return Reply(chat_id=chat_id, text=body, choices=(choices,))


def stored_elsewhere(state: ConversationState, field: Field) -> None:
    """A value was stored for `field`: once it is not the question shown twice, the next
    value is no longer right after that question's copy."""
    if field.key != state.maybe_twice:
        state.maybe_twice = ""


def release(state: ConversationState) -> str:
    """End the holding of a value, if one is held; the text held, or "" if none was."""
    if state.awaiting is not Awaiting.REPEAT_CHOICE:
        return ""
    held = state.held_text
    state.awaiting = Awaiting.VALUE
    state.held_text = state.maybe_twice = ""
    return held


def dropped(chat_id: str, work: Obligated, state: ConversationState, earlier: str) -> Reply:
    """The held value was the earlier question's again: it is dropped, the question stays."""
    body = text("chat.repeat_dropped", earlier=work.form.position(earlier), current=state.index + 1)
    return Reply(chat_id=chat_id, text=body)


async def in_doubt(ctx: HandlerContext, channel: str, chat_id: str, asked: str) -> bool:
    """A question message queued before a restart and not known to be sent: whether it
    should still go. Not when the conversation has moved past its question (an answer to it
    came meanwhile): it would only ask again what is answered. Otherwise it goes, and the
    conversation notes that its question may be shown twice."""
    stored = await ctx.tx.conversations.get(channel, chat_id)
    if stored is None:
        return True  # a group chat (conversations are a person's): nothing to tell by
    state = ConversationState.from_dict(stored)
    unit, form_code, period, key = [*asked.split("|"), "", "", ""][:4]
    form = ctx.catalog.forms.get(form_code)
    current = (
        form is not None
        and (state.unit, state.form, state.period) == (unit, form_code, period)
        and state.awaiting in (Awaiting.VALUE, Awaiting.REPEAT_CHOICE)
        and 0 <= state.index < len(form.fields)
        and form.fields[state.index].key == key
    )
    if not current:
        return False
    if state.awaiting is Awaiting.VALUE:
        state.maybe_twice = key
        await ctx.tx.conversations.put(channel, chat_id, state.to_dict(), ctx.now)
    return True


async def flag_in_doubt(ctx: HandlerContext, channel: str, chat_id: str, tag: str) -> bool:
    """A flagged figure's message queued before a restart and not known to be sent: whether
    it should still go. Only while the conversation still waits on that figure: once it was
    kept or fixed, the copy would show a settled question again, and a hurried person would
    press «Giữ nguyên» on a question that no longer waits for it."""
    stored = await ctx.tx.conversations.get(channel, chat_id)
    if stored is None:
        return True
    state = ConversationState.from_dict(stored)
    unit, form_code, period, key = [*tag.split("|"), "", "", ""][:4]
    return (
        (state.unit, state.form, state.period) == (unit, form_code, period)
        and state.awaiting is Awaiting.FLAGGED
        and state.flagged == key
    )
