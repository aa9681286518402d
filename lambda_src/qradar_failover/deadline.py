"""Time: the clocks the engine reads, the run's overall deadline (derived from the Lambda time left)
and its sub-budgets."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

Clock = Callable[[], float]


@dataclass(frozen=True)
class Clocks:
    """Every clock the engine reads, in one place, so a simulated outage can run the real handler on
    simulated time: ``monotonic`` for budgets and durations, ``wall`` (epoch seconds) for evidence ages,
    lock times and recovery times, ``sleep`` for waits between polls and re-checks."""

    monotonic: Clock = time.monotonic
    wall: Clock = time.time
    sleep: Callable[[float], None] = time.sleep


SYSTEM_CLOCKS = Clocks()


class LambdaContext(Protocol):
    """The part of Lambda's context object the handlers read."""

    aws_request_id: str

    def get_remaining_time_in_millis(self) -> int: ...


@dataclass
class Deadline:
    """A point on a monotonic clock after which no new work may start."""

    expires_at: float
    clock: Clock = field(default=time.monotonic, repr=False)

    @classmethod
    def after(cls, seconds: float, clock: Clock = time.monotonic) -> Deadline:
        return cls(clock() + max(0.0, seconds), clock)

    def remaining(self) -> float:
        return max(0.0, self.expires_at - self.clock())

    def within(self, seconds: float) -> Deadline:
        """A sub-budget that ends after ``seconds`` or at this deadline, whichever comes first."""
        return Deadline(min(self.expires_at, self.clock() + max(0.0, seconds)), self.clock)

    @classmethod
    def for_invocation(
        cls,
        context: LambdaContext | None,
        default_seconds: float,
        margin_seconds: float,
        clock: Clock = time.monotonic,
    ) -> Deadline:
        """The Lambda time left (``default_seconds`` outside Lambda), less a margin to report before it ends."""
        remaining = default_seconds
        if context is not None and hasattr(context, "get_remaining_time_in_millis"):
            remaining = context.get_remaining_time_in_millis() / 1000
        return cls.after(remaining - margin_seconds, clock)
