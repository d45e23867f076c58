"""Where the Trà Vinh sample data set lives and the moment its draft is compiled.

A module of its own (not conftest.py) so tests can import the constants: `from conftest
import ...` picks whichever conftest was imported first when several folders run together.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.support.paths import REPO_ROOT

SAMPLE = REPO_ROOT / "data" / "sample-travinh"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# Two days after the February deadline: everyone but one commune has reported.
COMPILED_AT = datetime(2022, 2, 17, 8, 30, tzinfo=ZONE)
