"""Long chat lists in pages: which lines a page shows, and the buttons to the pages beside it."""

from __future__ import annotations

from collections.abc import Callable

from handlers.buttons import Button
from handlers.events import Choice
from templates.catalog import text

# Lines of a status list per message: well under Telegram's 4096 characters with long names.
LINES_PER_PAGE = 40


def page_count(items: int, per_page: int) -> int:
    """How many pages `items` fill (at least one, so an empty list still shows)."""
    return max(1, -(-items // per_page))


def lines_page(lines: list[str], page: int, per_page: int = LINES_PER_PAGE) -> tuple[str, int, int]:
    """Page `page` of `lines` (moved into range) as one text; the page and the page count."""
    pages = page_count(len(lines), per_page)
    page = min(max(page, 1), pages)
    return "\n".join(lines[(page - 1) * per_page : page * per_page]), page, pages


def page_moves(page: int, pages: int, button: Callable[[int], Button]) -> tuple[Choice, ...]:
    """«Trang trước» and «Trang sau» where there is such a page; `button` is a page's button."""
    moves = []
    if page > 1:
        moves.append(Choice(text("chat.button_prev_page"), button(page - 1).pack()))
    if page < pages:
        moves.append(Choice(text("chat.button_next_page"), button(page + 1).pack()))
    return tuple(moves)
