"""How long matching a ticket export's unit names takes with many units. Run from the
repository root:

    .venv/bin/python bench/unit_matching.py [--units 5000] [--rows 10000]

Printed: the time to suggest a unit for one name that matches none (exact and normalised
matches fail, the fuzzy suggestion step runs), averaged over 200 distinct names on a fresh
matcher; and the time to read a CSV export of --rows tickets whose unit names are a mix of
exact names, abbreviations and misspellings (the reading and matching step of an import,
without saving).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.tickets.reading import read_ticket_file
from bot.workspace.settings import TicketSettings
from domain.unit_matching import UnitMatcher
from domain.units import Unit

HEADER = ["Mã phiếu", "Kênh tiếp nhận", "Ngày tiếp nhận", "Hạn xử lý", "Đơn vị xử lý",
          "Nội dung", "Trạng thái"]  # fmt: skip
PLACES = ["Tân Hòa", "Long Đức", "Hiếu Tử", "Phước Hưng", "Đại Phúc", "Mỹ Cẩm", "An Trường"]


def units(count: int) -> list[Unit]:
    """Communes with alike names, as a large province's list has."""
    return [
        Unit(f"X{i:05d}", f"UBND xã {PLACES[i % len(PLACES)]} {i}", "UBND cấp xã", (), order=i)
        for i in range(count)
    ]


def unmatched(i: int) -> str:
    """A name no unit answers to: a misspelt place and a number past the list."""
    return f"Ủy ban xa {PLACES[i % len(PLACES)]}h {900_000 + i} cũ"


def written(i: int, count: int) -> str:
    """The unit name of row i: exact, abbreviated, or one of 50 misspelt names."""
    n = i % count
    place = PLACES[n % len(PLACES)]
    return (f"UBND xã {place} {n}", f"Ủy ban nhân dân X. {place} {n}", unmatched(i % 50))[i % 3]


def bench_names(count: int) -> float:
    """Milliseconds per unmatched name, fresh matcher (no cache)."""
    matcher = UnitMatcher(units(count))
    names = [unmatched(i) for i in range(200)]
    started = time.perf_counter()
    for name in names:
        assert matcher.match(name).unit_code is None
    return (time.perf_counter() - started) * 1000 / len(names)


def bench_file(count: int, rows: int) -> tuple[float, int]:
    """Seconds to read and match a CSV export of `rows` tickets; tickets matched."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(rows):
        writer.writerow(
            [f"PA-{i}", "Tổng đài 1022", "01/02/2022", "10/02/2022", written(i, count), "x", ""]
        )
    data = out.getvalue().encode("utf-8-sig")
    listed = units(count)
    started = time.perf_counter()
    parsed = read_ticket_file(data, "export.csv", TicketSettings(), listed)
    elapsed = time.perf_counter() - started
    return elapsed, sum(t.unit_code is not None for t in parsed.tickets)


def main() -> None:
    """Print the two figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    per_name = bench_names(args.units)
    print(f"unmatched name, {args.units:,} units: {per_name:.2f} ms per name")
    seconds, matched = bench_file(args.units, args.rows)
    print(
        f"ticket file, {args.rows:,} rows, {args.units:,} units: {seconds:.2f} s "
        f"to read and match ({matched:,} rows matched to a unit)"
    )


if __name__ == "__main__":
    main()
