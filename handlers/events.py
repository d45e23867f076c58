"""What comes in from a chat and what goes out, independent of any chat platform.

Channel adapters (Telegram, Zalo, console) turn platform updates into `Incoming` events
and draw `Reply` values: choices become inline buttons on Telegram and numbered options on
Zalo and the console.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class EventKind(StrEnum):
    """What the person did."""

    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    DOCUMENT = "document"
    # Something the bot cannot read (a photo, sticker, voice message...): `text` says which.
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sent an event, on which channel, from which chat."""

    channel: str
    user_id: str
    chat_id: str
    display_name: str = ""
    # Whether the chat is the person's private chat with the bot (not a group or channel).
    private: bool = True

    @property
    def person_key(self) -> str:
        """Identity for logs and revisions, e.g. 'telegram:12345'."""
        return f"{self.channel}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Incoming:
    """One event from a person: a text, a /command with its argument, a button, a file, or
    something unreadable."""

    sender: Sender
    kind: EventKind
    received_at: datetime
    text: str = ""
    command: str = ""
    argument: str = ""
    button: str = ""
    file_name: str = ""
    file_content: bytes = b""
    message_ref: str = ""
    # A platform handle to acknowledge (Telegram's callback query id: stops the spinner).
    ack_id: str = ""
    # The platform's id of the bot's message this one replies to (Telegram's reply): the
    # question it answers. "" for none.
    reply_to: str = ""


def typed_event(
    sender: Sender, typed: str, received_at: datetime, message_ref: str, reply_to: str = ""
) -> Incoming:
    """A typed text as an event: "/name argument" is a command (Telegram's "/name@bot" form
    too), anything else a text (replying to the bot's message `reply_to`, if given)."""
    if typed.startswith("/"):
        head, _, argument = typed.partition(" ")
        return Incoming(
            sender=sender,
            kind=EventKind.COMMAND,
            received_at=received_at,
            text=typed,
            command=head[1:].split("@", 1)[0].lower(),
            argument=argument.strip(),
            message_ref=message_ref,
        )
    return Incoming(
        sender=sender,
        kind=EventKind.TEXT,
        received_at=received_at,
        text=typed,
        message_ref=message_ref,
        reply_to=reply_to,
    )


@dataclass(frozen=True, slots=True)
class Choice:
    """A button (Telegram) or numbered option (Zalo, console).

    The label is Telegram's HTML subset like `Reply.text` (chat catalog texts are escaped
    already); every channel draws it as plain text. A label taken from data goes through
    `named_choice`.
    """

    label: str
    data: str


def named_choice(name: str, data: str) -> Choice:
    """A choice labelled with a name from data (a unit's name, a form's option), escaped so
    that «<Trà Vinh> & Co» is shown as written and not read as markup."""
    return Choice(html.escape(name, quote=False), data)


@dataclass(frozen=True, slots=True)
class Document:
    """A file the bot sends."""

    file_name: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """One message the bot sends to a chat: HTML-subset text, choices, or a document."""

    chat_id: str
    text: str = ""
    choices: tuple[tuple[Choice, ...], ...] = ()
    document: Document | None = None
    channel: str = ""
    # Bulk messages (prompts, reminders) go behind replies to people who are answering.
    bulk: bool = False
    # Whether a typed number picks a choice. Not while a question waits for a number: then
    # the choices are navigation that channels without buttons offer as words to type.
    numbered: bool = True
    extra: dict[str, str] = field(default_factory=dict)
    # Queued at most once a minute: another reply with this key in the same minute is
    # dropped (strangers' hellos). "" for none.
    once_a_minute: str = ""

    def all_choices(self) -> list[Choice]:
        """The choices in reading order, for numbered rendering."""
        return [choice for row in self.choices for choice in row]
