"""Where the Trà Vinh sample data set lives, the moment its draft is compiled, its tickets.

A module of its own (not conftest.py) so tests can import the constants: `from conftest
import ...` picks whichever conftest was imported first when several folders run together.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.support.paths import REPO_ROOT

SAMPLE = REPO_ROOT / "bot" / "demo" / "sample-travinh"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# Two days after the February deadline: everyone but one commune has reported.
COMPILED_AT = datetime(2022, 2, 17, 8, 30, tzinfo=ZONE)
# A ticket list to import. Period 02/2022 collects 15/01 to 14/02: three overdue tickets of SYT
# (the report tests answer T2 in chat), one of VPUBND, one handled, one not yet due; one
# received before the period.
TICKETS_CSV = """Mã phiếu,Kênh tiếp nhận,Ngày tiếp nhận,Hạn xử lý,Đơn vị xử lý,Nội dung,Trạng thái
T1,Tổng đài 1022,20/01/2022,30/01/2022,Sở Y tế,a,Đang xử lý
T2,Tổng đài 1022,21/01/2022,31/01/2022,SYT,b,Đang xử lý
T3,Zalo,22/01/2022,01/02/2022,Sở Y tế,c,Đang xử lý
T4,Facebook,23/01/2022,02/02/2022,VP UBND tỉnh,d,Đang xử lý
T5,Trực tiếp,24/01/2022,03/02/2022,Sở Y tế,e,Đã xử lý
T6,Tổng đài 1022,10/02/2022,28/02/2022,Sở Y tế,f,Đang xử lý
T0,Tổng đài 1022,10/12/2021,20/12/2021,Sở Y tế,g,Đã xử lý
""".encode()
