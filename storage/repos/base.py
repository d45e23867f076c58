"""The common base of repositories."""

from __future__ import annotations

from storage.session import Session


class Repository:
    """Holds the session a repository runs its statements on."""

    __slots__ = ("_s",)

    def __init__(self, session: Session) -> None:
        self._s = session
