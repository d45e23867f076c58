"""Bot API errors from PTB become the channel-neutral delivery errors."""

from __future__ import annotations

import warnings
from datetime import timedelta

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.base import OutcomeUnknown, Rejected, RetryLater, Unavailable, Unreachable
from bot.channels.telegram import _mapped


async def _raise(error: Exception) -> None:
    raise error


@pytest.mark.parametrize("retry_after", [7, timedelta(seconds=7)])
async def test_retry_after_is_read_without_a_deprecation_warning(
    retry_after: int | timedelta,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB's own constructor reads the attribute too
        error = RetryAfter(retry_after)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RetryLater) as caught:
            await _mapped(_raise(error))
    assert caught.value.seconds == 7


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (Forbidden("bot was blocked by the user"), Unreachable),
        (BadRequest("message is too long"), Rejected),
        (TimedOut(), OutcomeUnknown),
        (NetworkError("connection refused"), Unavailable),
    ],
)
async def test_other_errors_keep_their_meaning(error: Exception, kind: type[Exception]) -> None:
    with pytest.raises(kind):
        await _mapped(_raise(error))
