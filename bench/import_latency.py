"""How long another person waits for a reply while the bot imports a 100,000-row ticket
export. Run from the repository root:

    .venv/bin/python bench/import_latency.py [--rows 100000] [--every 0.25] [--again]

The real `baocao run` runs in its own process against the local fake Bot API server. One
office member sends the export (CSV, built here); others send /trangthai in turn, one every
`--every` seconds, until the import's summary arrives. In turn: the bot sends one chat at most
a message a second (Telegram's limit, bot/runtime/ratelimit.py), so one person asking every
0.25 s would measure that limit, about a second, instead of how busy the bot is.

Printed: the import's duration, the replies' latency (from the update being available to the
reply reaching the fake server) p50, p99 and max over the import, the bot's peak memory, and
that of the child process reading the file (bot/tickets/apart.py; sampled between replies,
so at least that much).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ticket_files import genuine_csv  # noqa: E402
from bot.demo.telegram_api import FakeTelegramServer  # noqa: E402
from tests.support.harness import OFFICE_USER, write_workspace  # noqa: E402

# Five people asking in turn: each chat is asked every 1.25 s with the default --every.
OTHERS = [OFFICE_USER + n for n in range(1, 6)]
_START = "import sys; from bot.cli.main import main; sys.exit(main(sys.argv[1:]))"


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _children_peak_mb(pid: int) -> float:
    """The largest peak memory among the bot's child processes running now (0 if none)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    peaks = [0.0]
    for child in children:
        try:
            peaks.append(_peak_mb(int(child)))
        except OSError:
            continue  # ended meanwhile
    return max(peaks)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _wait(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.002)


def _ends(text: str | None) -> bool:
    """The import's summary, or its refusal."""
    return bool(text) and (text.startswith(("Đã nhập tệp", "❌", "Tệp ")))  # type: ignore[union-attr]


def _finished(fake: FakeTelegramServer, before: int = 0) -> bool:
    return sum(_ends(m.text) for m in fake.sent_to(OFFICE_USER)) > before


def run(rows: int, every: float, folder: Path, again: bool = False) -> None:
    """Import once while the other person asks for the status; print the figures."""
    export = folder / "phieu.csv"
    genuine_csv(export, rows)
    with FakeTelegramServer() as fake:
        fake.disable_limits()
        config = write_workspace(folder, fake.base_url)
        source = config.read_text(encoding="utf-8")
        config.write_text(
            source.replace(f"admins = [{OFFICE_USER}]", f"admins = {[OFFICE_USER, *OTHERS]}"),
            encoding="utf-8",
        )
        env = {**os.environ, "BAOCAO_TEST_TOKEN": fake.token, "NO_PROXY": "127.0.0.1"}
        with (folder / "bot.log").open("ab") as log:
            bot = subprocess.Popen(
                [sys.executable, "-c", _START, "run", "--config", str(config)],
                cwd=folder, env=env, stdout=log, stderr=log,
            )  # fmt: skip
        try:
            _wait(lambda: fake.get_updates_calls > 0, 60)
            # Warm up: the first reply pays for imports and templates.
            for other in OTHERS:
                fake.user_sends_text(other, "/trangthai")
                _wait(lambda o=other: len(fake.sent_to(o)) >= 1, 60)  # type: ignore[misc]
            time.sleep(1.1)
            if again:  # the list is imported once first: what is measured updates it
                fake.user_sends_document(OFFICE_USER, export.name, export.read_bytes())
                _wait(lambda: _finished(fake), 600)
            done = sum(_ends(m.text) for m in fake.sent_to(OFFICE_USER))
            before = _peak_mb(bot.pid)
            began = time.time()
            fake.user_sends_document(OFFICE_USER, export.name, export.read_bytes())
            latencies: list[float] = []
            child_peak = 0.0
            while not _finished(fake, done):
                child_peak = max(child_peak, _children_peak_mb(bot.pid))
                other = OTHERS[len(latencies) % len(OTHERS)]
                seen = len(fake.sent_to(other))
                asked = time.time()
                fake.user_sends_text(other, "/trangthai")
                _wait(lambda o=other, s=seen: len(fake.sent_to(o)) > s, 120)  # type: ignore[misc]
                latencies.append(time.time() - asked)
                time.sleep(max(0.0, every - (time.time() - asked)))
                if time.time() - began > 600:
                    raise SystemExit("the import did not finish in 10 minutes")
            took = time.time() - began
            peak = _peak_mb(bot.pid)
        finally:
            bot.terminate()
            bot.wait(30)
    summary = [m.text or "" for m in fake.sent_to(OFFICE_USER) if _ends(m.text)][-1]
    print(
        f"import of {rows:,} rows: {took:.1f} s; bot peak RSS {peak:.0f} MB "
        f"({before:.0f} MB before the import); the reading child's peak RSS >= "
        f"{child_peak:.0f} MB"
    )
    print(f"  summary: {summary.splitlines()[0][:100]}")
    print(
        f"  /trangthai replies during the import: n={len(latencies)} "
        f"p50={_percentile(latencies, 50):.3f} s p99={_percentile(latencies, 99):.3f} s "
        f"max={max(latencies):.3f} s"
    )


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--every", type=float, default=0.25)
    parser.add_argument(
        "--again", action="store_true", help="import the file once first, measure the update"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(args.rows, args.every, Path(folder), args.again)


if __name__ == "__main__":
    main()
