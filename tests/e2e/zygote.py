"""A pre-imported `baocao` that forks a fresh `baocao run` process per start.

Starting the bot as a new interpreter costs seconds of imports on a busy machine; twenty
SIGKILLs in a row would spend most of a test waiting for imports. This process imports
everything once, then for each "start" line on stdin forks a child that runs
`bot.cli.main.main(["run", "--config", CONFIG])`: the real command, in its own process, killed
with a real SIGKILL. Only the clock differs: the child's App gets a fast clock, shared by
every child, so the period's timetable (reminders, late notices) plays out across restarts.

    python zygote.py CONFIG LOG FAKE_START_EPOCH REAL_START_EPOCH SPEED

stdin lines: "start" -> prints the child's pid; "poll PID" -> prints its exit status or
"running"; "wait PID" -> waits and prints it; "quit".
Exit statuses print as the number, or "-N" for a signal N.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from datetime import UTC, datetime
from importlib import resources

import bot.cli.main
import bot.cli.running
import bot.runtime.app
import domain.calendar
import templates.catalog

# What `baocao run` imports and compiles on its way, done here once, before any fork (as a
# preforking server does): the command modules, the text catalogs (Jinja2 templates) and the
# holiday calendar. The children still run the whole start-up; they find these warm.
for name in bot.cli.main.COMMAND_MODULES:
    __import__(name)
for entry in (
    resources.files(templates.catalog.TEXTS_PACKAGE)
    .joinpath(templates.catalog.TEXTS_FOLDER)
    .iterdir()
):
    if entry.name.endswith(".toml"):
        catalog = entry.name.removesuffix(".toml")
        for key in templates.catalog._catalog(catalog):
            templates.catalog._template(catalog, key)
for year in (2022, 2023):
    domain.calendar._days_off(year)


def _clock(fake_start: float, real_start: float, speed: float) -> datetime:
    return datetime.fromtimestamp(fake_start + (time.time() - real_start) * speed, UTC)


def _child(config: str, log: str, clock: functools.partial[datetime]) -> None:
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    bot.cli.running.App = functools.partial(bot.runtime.app.App, clock=clock)  # type: ignore[misc]
    try:
        code = bot.cli.main.main(["run", "--config", config])
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 70
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return str(-os.WTERMSIG(status))
    return str(os.WEXITSTATUS(status))


def main() -> None:
    config, log, fake_start, real_start, speed = sys.argv[1:6]
    clock = functools.partial(_clock, float(fake_start), float(real_start), float(speed))
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "start":
            pid = os.fork()
            if pid == 0:
                _child(config, log, clock)
            print(pid, flush=True)
        elif command == "poll":
            done, status = os.waitpid(int(argument), os.WNOHANG)
            print(_status(status) if done else "running", flush=True)
        elif command == "wait":
            _, status = os.waitpid(int(argument), 0)
            print(_status(status), flush=True)
        elif command == "quit":
            return


if __name__ == "__main__":
    main()
