"""Whether Lambda will run an alarm again after this attempt, and when.

CloudWatch invokes alarm actions only on a state change, so an alarm that stays in ALARM sends
nothing more: a run that could not conclude (the evidence is not decisive yet) or failed for a reason
that may pass (a console that timed out, a deploy that failed once) gets another attempt only if the
function *raises*, so that Lambda retries the event: about 1 minute after the first failed attempt
and 2 after the second, up to ``maximum_retry_attempts``, while the event is younger than
``maximum_event_age_in_seconds``. :class:`LambdaRetries` says whether such an attempt will come, so
a notice promises only one that will; the handler raises exactly when it does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .aws_errors import AWS_ERRORS
from .events import AlarmRecord
from .lock import LockUnavailable
from .report import NextAttempt

RETRY_DELAY_SECONDS = 60  # Lambda waits about 1 minute before its first retry, 2 before its second


class Retries(Protocol):
    def plan(self, alarm: AlarmRecord) -> NextAttempt:
        """Count this attempt at ``alarm`` and say whether, and when, another one follows."""
        ...


class NoAutomaticRetry:
    """A run started by a person (the CLI): nobody runs it again but that person."""

    def plan(self, alarm: AlarmRecord) -> NextAttempt:
        return NextAttempt(1, 1, None, "a manual run is not retried; run it again when the cause is fixed")


class AttemptCounter(Protocol):
    def count_attempt(self, state_change: str) -> int: ...


class AlarmStateReader(Protocol):
    def describe_alarms(self, **kwargs: Any) -> Mapping[str, Any]: ...


@dataclass
class LambdaRetries:
    counter: AttemptCounter
    alarms: AlarmStateReader
    maximum_retry_attempts: int
    maximum_event_age_seconds: float
    clock: Callable[[], float] = field(default=time.time)  # wall clock, epoch seconds

    def plan(self, alarm: AlarmRecord) -> NextAttempt:
        attempts = 1 + self.maximum_retry_attempts
        try:
            attempt = self.counter.count_attempt(alarm.state_change_key)
        except LockUnavailable as error:
            return NextAttempt(1, attempts, None, f"the attempts so far could not be counted ({error})")
        if attempt >= attempts:
            return NextAttempt(attempt, attempts, None, "this was Lambda's last attempt at this alarm")
        next_at = self.clock() + RETRY_DELAY_SECONDS * attempt
        changed = alarm.state_changed_epoch
        if changed is not None and next_at - changed > self.maximum_event_age_seconds:
            return NextAttempt(
                attempt, attempts, None, f"the alarm would be older than {self.maximum_event_age_seconds:g} s by then"
            )
        still = self._still_in_alarm(alarm)
        if still is not None:
            return NextAttempt(attempt, attempts, None, still)
        return NextAttempt(attempt, attempts, next_at)

    def _still_in_alarm(self, alarm: AlarmRecord) -> str | None:
        """None while the alarm is in ALARM (or its state cannot be read: then the next attempt looks);
        otherwise why another attempt would be pointless."""
        try:
            found = self.alarms.describe_alarms(AlarmNames=[alarm.alarm_name]).get("MetricAlarms", [])
        except AWS_ERRORS:  # the next attempt re-reads everything; not knowing the state is no reason to stop
            return None
        if not found:
            return f"the alarm {alarm.alarm_name} does not exist in this account and region"
        state = found[0].get("StateValue")
        return None if state == "ALARM" else f"the alarm is {state} again"
