"""Dates as administrative documents write them (Decree 30/2020, Appendix I).

"ngày 05 tháng 02 năm 2022": a leading zero for days under 10 and for months 1 and 2 only
(so that "tháng 1" cannot be read as "tháng 10", "tháng 11" or "tháng 12").
"""

from __future__ import annotations


def document_day(day: int) -> str:
    """The day of a document date: 5 -> "05", 15 -> "15"."""
    return f"{day:02d}"


def document_month(month: int) -> str:
    """The month of a document date: 2 -> "02", 3 -> "3", 11 -> "11"."""
    return f"{month:02d}" if month <= 2 else str(month)
