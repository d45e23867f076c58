"""Reading a ticket export in a child process (`python -m bot.tickets.apart`), so the bot's
event loop keeps answering at full speed: parsing 100,000 rows (seconds of CPU) in a thread
of the bot holds the GIL, and each of the dozens of hops a reply makes to the database's
threads then waits its turn (5.6 ms at the median instead of 0.3 ms, measured beside a
parse). The child's memory goes with it when it exits.

The request (name, settings, units, then the file's bytes) goes in on stdin and the result
comes back on stdout as length-prefixed pickles: a refusal (TicketFileError), or the file's
head and then its tickets in chunks, which the bot loads one at a time as they arrive, giving
its event loop a turn between them and never holding the whole answer twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, BinaryIO

from bot.tickets.reading import TicketFile, read_ticket_file
from bot.tickets.sheets import TicketFileError
from bot.workspace.settings import TicketSettings
from domain.ticket_import import ImportedTicket
from domain.units import Unit

# Tickets per pickle sent back: loading one takes the bot's loop a few milliseconds.
CHUNK = 2000
# Bytes of the file written to the child at a time.
_SLICE = 1 << 16
# A frame's length, before it.
_LENGTH = 8


class ReadingFailed(Exception):
    """The child process ended without an answer (killed, out of memory, a bug)."""


async def read_apart(
    data: bytes | bytearray, name: str, settings: TicketSettings, units: Sequence[Unit]
) -> TicketFile:
    """`read_ticket_file` in a child process; TicketFileError as the reading raised it."""
    # stderr is the bot's own: a child's crash is logged with the bot's output.
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.tickets.apart",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        await _send(child.stdin, pickle.dumps((name, settings, tuple(units), len(data))))
        # The file's bytes as they are, a slice at a time: not copied whole into a buffer.
        view = memoryview(data)
        for start in range(0, len(data), _SLICE):
            child.stdin.write(view[start : start + _SLICE])
            await child.stdin.drain()
        child.stdin.close()
        return await _received(child.stdout, name)
    except asyncio.IncompleteReadError:
        await child.wait()
        raise ReadingFailed(f"reading {name!r} ended with code {child.returncode}") from None
    finally:
        if child.returncode is None:  # cancelled, or a refusal: the child is not left running
            with contextlib.suppress(ProcessLookupError):
                child.kill()
            await child.wait()


async def _send(stream: asyncio.StreamWriter, frame: bytes) -> None:
    stream.write(len(frame).to_bytes(_LENGTH, "big") + frame)
    await stream.drain()


async def _frame(stream: asyncio.StreamReader) -> Any:
    size = int.from_bytes(await stream.readexactly(_LENGTH), "big")
    return pickle.loads(await stream.readexactly(size))


async def _received(stream: asyncio.StreamReader, name: str) -> TicketFile:
    """The child's answer, a frame at a time (the loop gets a turn between frames)."""
    answer = await _frame(stream)
    if isinstance(answer, TicketFileError):
        raise answer
    head, count = answer
    tickets: list[ImportedTicket] = []
    while len(tickets) < count:
        tickets.extend(await _frame(stream))
    done: TicketFile = replace(head, tickets=tuple(tickets))
    return done


def main() -> None:
    """The child: read the request from stdin, write the answer to stdout in frames."""
    source, out = sys.stdin.buffer, sys.stdout.buffer
    size = int.from_bytes(source.read(_LENGTH), "big")
    name, settings, units, length = pickle.loads(source.read(size))
    data = source.read(length)
    try:
        parsed = read_ticket_file(data, name, settings, units)
    except TicketFileError as error:
        _write(out, error)
        return
    del data
    _write(out, (replace(parsed, tickets=()), len(parsed.tickets)))
    for start in range(0, len(parsed.tickets), CHUNK):
        _write(out, parsed.tickets[start : start + CHUNK])
    out.flush()


def _write(out: BinaryIO, value: object) -> None:
    frame = pickle.dumps(value)
    out.write(len(frame).to_bytes(_LENGTH, "big"))
    out.write(frame)


if __name__ == "__main__":
    main()
