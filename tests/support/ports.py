"""Ports on 127.0.0.1 for servers a test starts."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port of 127.0.0.1 free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
