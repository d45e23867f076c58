"""`baocao run`: the bot, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from telegram.error import InvalidToken

from bot.cli.main import command
from bot.cli.options import add_config, checked_workspace
from bot.cli.web import bot_dashboard
from bot.runtime.app import App
from bot.runtime.build import MissingSecretError, MissingTokenError
from bot.runtime.db_errors import explain, startup_problem
from bot.runtime.logs import configured_secrets, setup_logging
from bot.workspace.drift import stored_orphans
from bot.workspace.load import Workspace
from storage import StorageError
from templates.catalog import text

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- run


@command("run", help="cli.args.run", arguments=add_config)
def run(args: argparse.Namespace) -> int:
    """Run the bot until Ctrl-C or SIGTERM."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    setup_logging(configured_secrets(workspace.settings))
    problem = startup_problem(workspace.settings.storage.path)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    warn_about_orphans(workspace)
    try:
        asyncio.run(_run(workspace))
    except MissingTokenError as missing:
        print(text("cli.run.no_token", env=str(missing)), file=sys.stderr)
        return 1
    except MissingSecretError as missing:
        print(text("cli.run.no_secret", env=str(missing)), file=sys.stderr)
        return 1
    except StorageError as error:
        print(explain(error, workspace.settings.storage.path), file=sys.stderr)
        return 1
    except InvalidToken:
        # Its own text holds the token: never printed, only which variable to fix.
        env = workspace.settings.telegram.token_env
        print(text("cli.run.token_rejected", env=env), file=sys.stderr)
        return 1
    except Exception:
        # Through the log handler, whose formatter takes the secrets out of the traceback.
        log.critical("baocao stopped by an unexpected error", exc_info=True)
        print(text("cli.run.crashed"), file=sys.stderr)
        return 1
    return 0


def warn_about_orphans(workspace: Workspace) -> bool:
    """Say which stored answers the changed config no longer declares; whether there were any.

    The bot starts anyway: dropping a unit (units merge) or a question is a legitimate change,
    the answers stay stored and exported, and refusing to start would stop every other unit.
    """
    found = stored_orphans(workspace)
    if not found:
        return False
    print(text("cli.drift.warning", orphans=found), file=sys.stderr)
    return True


async def _run(workspace: Workspace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    app = App(workspace)
    app.mount = bot_dashboard(app)
    try:
        await app.start()
        print(text("cli.run.started", config=workspace.settings.source), file=sys.stderr)
        await stop.wait()
    finally:
        await app.stop()
    print(text("cli.run.stopped"), file=sys.stderr)
