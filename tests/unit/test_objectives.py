"""The recovery time objective: the worst case, from the Main AZ going dark to the Destination verified
ACTIVE, that the settings allow, made of the engine's own constants."""

from __future__ import annotations

from qradar_failover import failover, handler, objectives, retry
from qradar_failover.objectives import (
    ALARM_PERIOD_SECONDS,
    CLOUDWATCH_DELAY_SECONDS,
    DELIVERY_SECONDS,
    RecoveryTime,
    recovery_time_objective,
)

DEFAULTS = {
    "alarm_datapoints_to_alarm": 3,
    "deploy_timeout_seconds": 180.0,
    "timeout": 300.0,
    "maximum_retry_attempts": 2,
    "maximum_event_age_in_seconds": 3600.0,
}


def rto(**changes: float) -> RecoveryTime:
    return recovery_time_objective(**(DEFAULTS | changes))  # type: ignore[arg-type]


def test_the_module_defaults_allow_24_minutes() -> None:
    worst = rto()

    assert worst.alarm_seconds == (3 + 1) * 60 + 120 == 360
    assert worst.delivery_seconds == 30
    # confirm up to 120 s + activation 180 + 30 s + verification 180 s = 510 s, within 300 - 10 s: 290 s
    assert worst.attempt_seconds == 290
    assert worst.attempts == 3
    assert worst.retry_delays_seconds == 60 + 120
    assert worst.seconds == 360 + 30 + 3 * 290 + 180 == 1440


def test_without_retries_one_attempt_counts() -> None:
    assert rto(maximum_retry_attempts=0).seconds == 360 + 30 + 290


def test_a_long_timeout_leaves_the_attempt_to_its_budgets() -> None:
    worst = rto(timeout=900, maximum_retry_attempts=0)

    assert worst.attempt_seconds == failover.RECHECK_WINDOW_SECONDS + 180 + failover.ACTIVATION_MARGIN_SECONDS + 180
    assert worst.seconds == 360 + 30 + 510


def test_an_attempt_lambda_would_not_make_for_an_old_event_is_not_counted() -> None:
    # the first retry starts 30 + 290 + 60 = 380 s after the alarm; the second 380 + 290 + 120 = 790 s
    assert rto(maximum_event_age_in_seconds=400).attempts == 2
    assert rto(maximum_event_age_in_seconds=400).seconds == 360 + 30 + 2 * 290 + 60
    assert rto(maximum_event_age_in_seconds=379).attempts == 1


def test_the_alarm_window_follows_the_datapoints_and_the_period() -> None:
    assert rto(alarm_datapoints_to_alarm=1).alarm_seconds == 2 * 60 + 120
    assert recovery_time_objective(**DEFAULTS, alarm_period_seconds=300).alarm_seconds == 4 * 300 + 120  # type: ignore[arg-type]


def test_the_arithmetic_is_made_of_the_engines_constants() -> None:
    """The engine's budgets are imported, not copied: change one there and the RTO follows."""
    assert objectives.RECHECK_WINDOW_SECONDS is failover.RECHECK_WINDOW_SECONDS
    assert objectives.ACTIVATION_MARGIN_SECONDS is failover.ACTIVATION_MARGIN_SECONDS
    assert objectives.SAFETY_MARGIN_SECONDS is failover.SAFETY_MARGIN_SECONDS is handler.SAFETY_MARGIN_SECONDS
    assert objectives.RETRY_DELAY_SECONDS is retry.RETRY_DELAY_SECONDS
    assert (ALARM_PERIOD_SECONDS, CLOUDWATCH_DELAY_SECONDS, DELIVERY_SECONDS) == (60, 120, 30)


def test_the_explanation_shows_the_sum() -> None:
    text = rto().explain()

    assert text == (
        "worst case 24 min (1440 s) from the Main AZ going dark to the Destination verified ACTIVE: alarm 360 s "
        "(3 datapoints of 60 s, the period it went dark in, 120 s CloudWatch delay) + delivery 30 s + 3 attempt(s) "
        "of at most 290 s (confirm up to 120 s, activation 210 s, verification 180 s, within the function's 300 s "
        "timeout less 10 s) + retry delays 180 s"
    )
