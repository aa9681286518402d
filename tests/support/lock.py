"""The failover lock on the unit tests' lock table (the ``dynamodb`` fixture of tests/unit)."""

from __future__ import annotations

import time
from typing import Any

from qradar_failover.lock import FailoverLock


def make_lock(client: Any, now: list[float] | None = None) -> FailoverLock:
    """The lock item "qradar-failover" of the table "lock", claims held 900 s; ``now[0]``, when given, is its
    clock (a test moves it), else the wall clock."""
    clock = (lambda: now[0]) if now is not None else time.time
    return FailoverLock(client, "lock", "qradar-failover", claim_ttl_seconds=900, clock=clock)
