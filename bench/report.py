"""Compile time and peak memory of the draft report (.docx, with its per-unit appendix and
charts and without them) and the export (.xlsx, with its sheet of charts and without) for a
big office: 5.000 units, 40 fields, 13 periods of
history; the month (12/2024), then the year 2024 added up from its twelve months
(docx-year, xlsx-year). Run from the repository root:

    .venv/bin/python bench/report.py [--units 5000] [--fields 40] [--periods 13] [--dir DIR]
        [--only docx-year xlsx-year]

The data are written straight into SQLite (one transaction, executemany); each measure then
runs in a fresh process, so its peak resident memory (getrusage) is its own. CPU time
(both threads: SQLite works in aiosqlite's) is printed too: on a busy machine it is the
steadier figure.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.report import compile_draft, export_xlsx
from bot.report.export_span import export_span_xlsx
from bot.runtime.collector import tune_collector
from bot.workspace.load import load_workspace
from bot.workspace.report_spec import spec_for
from domain.periods import Period
from domain.report_periods import PeriodKind, report_period
from storage import Database

FORM = "bc"
GROUPS = ("UBND cấp xã", "Sở ban ngành", "Doanh nghiệp")  # no commas: CSV cells
LAST = Period(2024, 12)
YEAR = report_period(PeriodKind.YEAR, 2024)
MEASURES = (
    "docx",
    "docx-no-unit-tables",
    "docx-no-charts",
    "xlsx",
    "xlsx-no-charts",
    "docx-year",
    "xlsx-year",
)


def last_periods(count: int) -> list[Period]:
    """The last `count` periods up to the bench's last month, oldest first."""
    found = [LAST]
    while len(found) < count:
        found.append(found[-1].previous())
    return sorted(found)


def write_workspace(folder: Path, units: int, fields: int) -> Path:
    """config.toml, units.csv, one form of `fields` questions and a report declaration."""
    (folder / "forms").mkdir(parents=True, exist_ok=True)
    starter = (
        Path(__file__).resolve().parent.parent / "bot" / "workspace" / "starter" / "config.toml"
    )
    (folder / "config.toml").write_text(starter.read_text(encoding="utf-8"), encoding="utf-8")
    lines = ["mã đơn vị,tên đơn vị,nhóm,biểu mẫu"]
    lines += [f"U{i:05d},Đơn vị số {i},{GROUPS[i % 3]},{FORM}" for i in range(units)]
    (folder / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    form = [f'[form]\ncode = "{FORM}"\ntitle = "Báo cáo tháng"\n']
    for f in range(fields):
        kind = "text" if f == fields - 1 else "integer"
        form.append(
            f'[[fields]]\nkey = "f{f:02d}"\nquestion = "Câu hỏi {f}?"\ntype = "{kind}"\n'
            + ("required = false\n" if kind == "text" else "min = 0\n")
        )
    (folder / "forms" / f"{FORM}.toml").write_text("\n".join(form), encoding="utf-8")
    # A figure per numeric field and group, a ratio and a change for each field.
    spec = ["[figures]"]
    spec += [
        f'f{f:02d}_g{g} = {{ form = "{FORM}", field = "f{f:02d}", group = "{name}" }}'
        for f in range(fields - 1)
        for g, name in enumerate(GROUPS)
    ]
    # Three key figures, a trend chart each over the last 12 periods: one unit's figures, as
    # the sample's (a group's sum lacks the unit that never answers: no point to draw).
    spec += [
        f'k{f:02d} = {{ form = "{FORM}", field = "f{f:02d}", unit = "U00001", chart = true }}'
        for f in range(min(3, fields - 1))
    ]
    spec += ["[derived]"]
    spec += [
        f'r{f:02d} = {{ ratio = ["f{f:02d}_g0", "f{f + 1:02d}_g0"] }}\n'
        f'c{f:02d} = {{ change = "f{f:02d}_g1" }}'
        for f in range(fields - 2)
    ]
    spec += ['[[sections]]\nkey = "I"\nnumber = "I."\ntitle = "SỐ LIỆU"']
    for f in range(fields - 2):
        spec.append(
            f'[[items]]\nsection = "I"\nbullet = "-"\n'
            f'text = "Câu {f}: xã {{{{ f{f:02d}_g0 | number }}}}, '
            f"sở {{{{ f{f:02d}_g1 | number }}}} ({{{{ c{f:02d} | change }}}}), doanh nghiệp "
            f'{{{{ f{f:02d}_g2 | number }}}}; tỷ lệ {{{{ r{f:02d} | percent }}}}."'
        )
    spec.append(
        f'[[items]]\nsection = "I"\nkind = "narrative"\nform = "{FORM}"\n'
        f'field = "f{fields - 1:02d}"\ngroup = "{GROUPS[2]}"\nbullet = "-"'
    )
    (folder / "report.toml").write_text("\n".join(spec) + "\n", encoding="utf-8")
    return folder / "config.toml"


def fill(path: Path, units: int, fields: int, periods: list[Period]) -> int:
    """Units, obligations, answers and one revision per answer, for every period."""
    asyncio.run(_migrate(path))
    stamp = "2024-01-01T00:00:00.000000Z"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    codes = [f"U{i:05d}" for i in range(units)]
    rows = 0
    with conn:
        conn.executemany(
            "INSERT INTO units (code, name, group_name, forms, sort_order, synced_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (c, f"Đơn vị số {i}", GROUPS[i % 3], json.dumps([FORM]), i + 1, stamp)
                for i, c in enumerate(codes)
            ],
        )
        for n, period in enumerate(periods):
            key = period.key
            conn.execute("INSERT INTO periods (key, opened_at) VALUES (?, ?)", (key, stamp))
            # A few units never answer: the draft has gaps and a list of laggards.
            answering = [c for i, c in enumerate(codes) if i % 100 != 7]
            conn.executemany(
                "INSERT INTO obligations (period_key, form_code, unit_code, state, submitted_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (key, FORM, c, "submitted" if c in answering else "not_started", stamp, stamp)
                    for c in codes
                ],
            )
            answers = [
                (
                    key,
                    FORM,
                    c,
                    f"f{f:02d}",
                    f"Ghi chú của {c}: =1+1 & <b>" if f == fields - 1 else str(1000 + i + f + n),
                    stamp,
                    f"telegram:{i}",
                )
                for i, c in enumerate(answering)
                for f in range(fields)
            ]
            conn.executemany(
                "INSERT INTO answers (period_key, form_code, unit_code, field_key, value,"
                " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                answers,
            )
            conn.executemany(
                "INSERT INTO revisions (period_key, form_code, unit_code, field_key, new_value,"
                " changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                answers,
            )
            rows += len(answers)
    conn.close()
    return rows


async def _migrate(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


async def _measure(config: Path, db_path: Path, what: str) -> tuple[float, float, int]:
    tune_collector()  # as every `baocao` command does
    workspace = load_workspace(config)
    db = await Database.open(db_path, synchronous="NORMAL")
    try:
        started, cpu = time.perf_counter(), time.process_time()
        if what.startswith("docx"):
            period = YEAR if what == "docx-year" else LAST
            spec = None
            if what in ("docx-no-unit-tables", "docx-no-charts"):
                # The per-unit appendix and the charts are on by default; measured without
                # them, for their cost.
                spec = spec_for(config.parent, workspace.forms, workspace.units)
                off = "unit_tables" if what == "docx-no-unit-tables" else "charts"
                spec = dataclasses.replace(spec, **{off: False})
            draft = await compile_draft(db, workspace, period, datetime.now(UTC), spec=spec)
            size = len(draft.docx)
        elif what == "xlsx-year":
            size = len(await export_span_xlsx(db, workspace, YEAR))
        else:
            spec = None
            if what == "xlsx-no-charts":  # the export's sheet of charts is on by default too
                spec = spec_for(config.parent, workspace.forms, workspace.units)
                spec = dataclasses.replace(spec, charts=False)
            size = len(await export_xlsx(db, workspace, LAST, spec=spec))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        await db.close()
    return elapsed, cpu, size


def measure(config: Path, db_path: Path, what: str) -> None:
    """One measure, printed as JSON (run in its own process)."""
    elapsed, cpu, size = asyncio.run(_measure(config, db_path, what))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_mb": peak_kb / 1024, "bytes": size}))


def main() -> None:
    """Generate the data, then time the .docx compile and the .xlsx export."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--fields", type=int, default=40)
    parser.add_argument("--periods", type=int, default=13)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument(
        "--only", nargs="+", choices=MEASURES, default=MEASURES, help="these measures only"
    )
    parser.add_argument("--measure", choices=MEASURES, help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.config, args.db, args.measure)
        return
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="baocao-report-bench-") as tmp:
        folder = Path(tmp)
        config = write_workspace(folder, args.units, args.fields)
        started = time.perf_counter()
        rows = fill(folder / "bench.sqlite3", args.units, args.fields, last_periods(args.periods))
        print(
            f"data: {args.units} units x {args.fields} fields x {args.periods} periods = "
            f"{rows} answers (+ as many revisions), "
            f"written in {time.perf_counter() - started:.1f} s"
        )
        for what in args.only:
            out = subprocess.run(
                [sys.executable, __file__, "--measure", what, "--config", str(config),
                 "--db", str(folder / "bench.sqlite3")],
                capture_output=True, text=True,
            )  # fmt: skip
            if out.returncode:
                raise SystemExit(out.stderr)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{what}: {result['seconds']:.2f} s (CPU {result['cpu']:.2f} s), "
                f"peak memory {result['peak_mb']:.0f} MB (whole process), "
                f"{result['bytes'] / 1e6:.1f} MB file"
            )


if __name__ == "__main__":
    main()
