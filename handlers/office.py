"""Office staff in chat: progress of the period, invites, focal points."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.texts import text
from domain.calendar import period_window
from domain.obligations import Obligation, ObligationState, obligations_owed
from domain.periods import Period, parse_period
from handlers import registration
from handlers.context import Catalog, HandlerContext
from handlers.events import Incoming, Reply
from handlers.periods import current_period
from storage import ReadView, WriteTransaction

BAR_WIDTH = 10


@dataclass(slots=True)
class PeriodProgress:
    """How far the units are with one period, unit by unit."""

    period: Period
    submitted: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    in_progress: list[str] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Units that owe something this period."""
        return len(self.submitted) + len(self.late) + len(self.in_progress) + len(self.not_started)

    @property
    def done(self) -> int:
        """Units that have handed everything in."""
        return len(self.submitted) + len(self.late)

    def as_dict(self) -> dict[str, object]:
        """For `baocao status --json`."""
        return {
            "period": self.period.key,
            "total": self.total,
            "submitted": self.submitted,
            "submitted_late": self.late,
            "in_progress": self.in_progress,
            "not_started": self.not_started,
        }


async def progress(
    view: ReadView | WriteTransaction, catalog: Catalog, period: Period
) -> PeriodProgress:
    """Each unit that owes forms for the period, classified by its least advanced form."""
    cutoff = period_window(period, catalog.regime)[1]
    owed = obligations_owed(catalog.unit_list(), period, cutoff)
    stored = {o.key: o for o in await view.obligations.list_for_period(period.key)}
    by_unit: dict[str, list[Obligation]] = {}
    for obligation in owed:
        by_unit.setdefault(obligation.unit_code, []).append(stored.get(obligation.key, obligation))
    result = PeriodProgress(period)
    for unit_code, obligations in by_unit.items():
        states = {o.state for o in obligations}
        if all(s.is_done or s is ObligationState.LOCKED for s in states):
            target = result.late if ObligationState.SUBMITTED_LATE in states else result.submitted
        elif states == {ObligationState.NOT_STARTED}:
            target = result.not_started
        else:
            target = result.in_progress
        target.append(unit_code)
    return result


def progress_bar(done: int, total: int) -> str:
    """A text progress bar, e.g. '▓▓▓▓▓▓░░░░ 60%'."""
    share = 0 if total == 0 else done / total
    filled = round(share * BAR_WIDTH)
    return "▓" * filled + "░" * (BAR_WIDTH - filled) + f" {round(share * 100)}%"


async def status(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/trangthai [MM/YYYY]: how many units have submitted, are answering, have not started."""
    chat_id = event.sender.chat_id
    try:
        period = (
            parse_period(event.argument)
            if event.argument.strip()
            else current_period(ctx.now, ctx.catalog.regime)
        )
    except ValueError:
        return [Reply(chat_id=chat_id, text=text("chat.bad_period", typed=event.argument))]
    result = await progress(ctx.tx, ctx.catalog, period)

    def names(codes: list[str]) -> list[str]:
        return [ctx.catalog.units[c].name for c in codes if c in ctx.catalog.units]

    body = text(
        "chat.status",
        period=period.label,
        bar=progress_bar(result.done, result.total),
        done=result.done,
        total=result.total,
        submitted=names(result.submitted),
        late=names(result.late),
        in_progress=names(result.in_progress),
        not_started=names(result.not_started),
    )
    return [Reply(chat_id=chat_id, text=body)]


COMMANDS: dict[str, Callable[[HandlerContext, Incoming], Awaitable[list[Reply]]]] = {
    "trangthai": status,
    "moi": registration.invite_in_chat,
    "daumoi": registration.list_focal_points,
}
