"""Typed numbers that pick something (a choice, a question, a page): short ones only.

Python refuses int() of a string of more than 4300 digits (a ValueError, the interpreter's
guard against slow conversions): a number typed by a person goes through `small_int`, which
never calls int() on more than `MAX_DIGITS` digits, so no text can reach that limit.
"""

from __future__ import annotations

MAX_DIGITS = 18


def small_int(text: str) -> int | None:
    """The number a short string of decimal digits stands for (any script's digits, spaces
    around allowed); None for anything else, a string of more than MAX_DIGITS included."""
    digits = text.strip()
    if not digits.isdecimal() or len(digits) > MAX_DIGITS:
        return None
    return int(digits)
