"""Recovery objectives: the worst-case time to recover (RTO) that the settings allow.

From the moment the Main AZ goes dark to the Destination verified ACTIVE, a failover waits for, at worst:

1. **The alarm**: ``alarm_datapoints_to_alarm`` breaching periods (the module's health alarms evaluate one-minute
   periods), plus the period the AZ went dark in (it still holds datapoints from before), plus
   :data:`CLOUDWATCH_DELAY_SECONDS` (ELB datapoints arrive about a minute late, and alarms are evaluated once a
   minute).
2. **Delivery**: CloudWatch to the trigger topic to Lambda's asynchronous queue to a running function,
   :data:`DELIVERY_SECONDS`.
3. **Each attempt**: the confirm step may look again for up to ``failover.RECHECK_WINDOW_SECONDS`` (every
   ``RECHECK_INTERVAL_SECONDS``, never into the activation's reserve), the Destination's activation gets
   ``DEPLOY_TIMEOUT_SECONDS + failover.ACTIVATION_MARGIN_SECONDS`` and its verification
   ``DEPLOY_TIMEOUT_SECONDS``; all of it within the run's deadline, the function's timeout less
   ``failover.SAFETY_MARGIN_SECONDS``.
4. **Retries**: an attempt that cannot conclude, or fails for a reason that may pass, is run again by Lambda
   ``retry.RETRY_DELAY_SECONDS`` x the attempt's number later, up to ``maximum_retry_attempts`` times, and
   only while the alarm is younger than ``maximum_event_age_in_seconds`` when the retry would start. The worst
   case that still ends with the Destination active: every attempt but the last uses its whole time.

The module computes the same sum from its variables (``objectives.tf``; ``tests/terraform`` holds the two
to each other) as the ``recovery_time_objective`` output, and refuses a plan that cannot meet
``rto_target_seconds``; readiness computes it from what is deployed (the alarms' datapoints and period,
the failover function's timeout).
"""

from __future__ import annotations

from dataclasses import dataclass

from .failover import ACTIVATION_MARGIN_SECONDS, RECHECK_WINDOW_SECONDS, SAFETY_MARGIN_SECONDS
from .observability import human_duration
from .retry import RETRY_DELAY_SECONDS

# CloudWatch's part, which the engine does not decide:
ALARM_PERIOD_SECONDS = 60  # the module's health alarms evaluate one-minute periods (alarms.tf)
CLOUDWATCH_DELAY_SECONDS = 120  # ELB datapoints arrive about a minute late; alarms are evaluated once a minute
DELIVERY_SECONDS = 30  # alarm action -> SNS -> Lambda's asynchronous queue -> a running function in the VPC


@dataclass(frozen=True)
class RecoveryTime:
    """The worst case, term by term (seconds)."""

    alarm_datapoints_to_alarm: int
    alarm_period_seconds: float
    alarm_seconds: float
    delivery_seconds: float
    confirm_seconds: float
    activation_seconds: float
    verification_seconds: float
    timeout: float  # the failover function's
    attempt_seconds: float
    attempts: int
    retry_delays_seconds: float

    @property
    def seconds(self) -> float:
        return (
            self.alarm_seconds
            + self.delivery_seconds
            + self.attempts * self.attempt_seconds
            + self.retry_delays_seconds
        )

    def explain(self) -> str:
        return (
            f"worst case {human_duration(self.seconds)} ({self.seconds:g} s) from the Main AZ going dark to the "
            f"Destination verified ACTIVE: alarm {self.alarm_seconds:g} s ({self.alarm_datapoints_to_alarm} "
            f"datapoints of {self.alarm_period_seconds:g} s, the period it went dark in, {CLOUDWATCH_DELAY_SECONDS} s "
            f"CloudWatch delay) + delivery {self.delivery_seconds:g} s + {self.attempts} attempt(s) of at most "
            f"{self.attempt_seconds:g} s (confirm up to {self.confirm_seconds:g} s, activation "
            f"{self.activation_seconds:g} s, verification {self.verification_seconds:g} s, within the function's "
            f"{self.timeout:g} s timeout less {SAFETY_MARGIN_SECONDS:g} s) + retry delays "
            f"{self.retry_delays_seconds:g} s"
        )


def recovery_time_objective(
    *,
    alarm_datapoints_to_alarm: int,
    deploy_timeout_seconds: float,
    timeout: float,
    maximum_retry_attempts: int,
    maximum_event_age_in_seconds: float,
    alarm_period_seconds: float = ALARM_PERIOD_SECONDS,
) -> RecoveryTime:
    """The worst-case RTO the settings allow (see the module docstring for each term). Each parameter is named
    as the module's variable (``timeout``: the failover function's)."""
    alarm = (alarm_datapoints_to_alarm + 1) * alarm_period_seconds + CLOUDWATCH_DELAY_SECONDS
    confirm = RECHECK_WINDOW_SECONDS
    activation = deploy_timeout_seconds + ACTIVATION_MARGIN_SECONDS
    verification = deploy_timeout_seconds
    attempt = min(confirm + activation + verification, timeout - SAFETY_MARGIN_SECONDS)
    since_alarm = DELIVERY_SECONDS + attempt  # from the alarm's state change to the end of the first attempt
    retries, delays = 0, 0.0
    for number in range(1, maximum_retry_attempts + 1):
        starts = since_alarm + RETRY_DELAY_SECONDS * number
        if starts > maximum_event_age_in_seconds:
            break  # Lambda drops the event, and the engine promises no attempt that would come later
        retries, delays, since_alarm = number, delays + RETRY_DELAY_SECONDS * number, starts + attempt
    return RecoveryTime(
        alarm_datapoints_to_alarm=alarm_datapoints_to_alarm,
        alarm_period_seconds=alarm_period_seconds,
        alarm_seconds=alarm,
        delivery_seconds=DELIVERY_SECONDS,
        confirm_seconds=confirm,
        activation_seconds=activation,
        verification_seconds=verification,
        timeout=timeout,
        attempt_seconds=attempt,
        attempts=1 + retries,
        retry_delays_seconds=delays,
    )
