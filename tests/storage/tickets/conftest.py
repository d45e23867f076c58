"""The tickets tests' database and clock (tests/support/tickets_fixtures.py)."""

from tests.support.tickets_fixtures import clock, db

__all__ = ["clock", "db"]
