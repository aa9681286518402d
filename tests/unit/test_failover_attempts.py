"""Runs that cannot conclude: looked at again within the invocation, then left to Lambda's next attempt,
and a notice that promises only the attempt that will come (issue 17)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from qradar_devkit.sim_time import SimulatedTime
from qradar_failover.config import load_config
from qradar_failover.deadline import Deadline
from qradar_failover.evidence import CloudWatchView, HealthEvidence
from qradar_failover.failover import FAIL_OVER_BY_HAND, RECHECK_INTERVAL_SECONDS, Collaborators, fail_over
from qradar_failover.lock import FailoverLock, LockState
from qradar_failover.notify import body_for, subject_for
from qradar_failover.observability import iso_utc
from qradar_failover.report import FailureKind, NextAttempt, Outcome
from qradar_failover.retry import LambdaRetries
from support.events import FAKE_SITES_ENV, alarm_message, load_event, sns_event
from support.fakes import FakeConsole, FakeConsoles, FakeNotifier, dr_config, evidence, qradar_error
from support.lock import make_lock

NOW = 1_796_540_000.0


LOST = evidence(0, 0, elb_other=2, view=CloudWatchView.SILENT, breach_started_at=NOW - 240)
# The AZ went silent; its health checks have not failed yet.
SILENT_BUT_ELB_HEALTHY = evidence(0, 2, view=CloudWatchView.SILENT, breach_started_at=NOW - 240)


@dataclass
class Timeline:
    """Live health that changes between looks: each call returns the next evidence, the last repeats."""

    readings: list[HealthEvidence | None]
    calls: int = 0

    def confirm(self, alarm: Any) -> HealthEvidence:
        reading = self.readings[min(self.calls, len(self.readings) - 1)]
        self.calls += 1
        if reading is None:
            from qradar_failover.health import HealthUnavailable

            raise HealthUnavailable("CloudWatch: unavailable (Throttling); ELB: unavailable (Throttling)")
        return reading


@dataclass
class Plan:
    """Lambda's retries as a fixed answer; records how often it was asked."""

    next_attempt: NextAttempt
    asked: list[str] = field(default_factory=list)

    def plan(self, alarm: Any) -> NextAttempt:
        self.asked.append(alarm.state_change_key)
        return self.next_attempt


FOLLOWS = NextAttempt(1, 3, NOW + 60)
LAST = NextAttempt(3, 3, None, "this was Lambda's last attempt at this alarm")


class World:
    def __init__(self, lock: FailoverLock, readings: list[HealthEvidence | None], plan: NextAttempt = FOLLOWS) -> None:
        self.config = load_config(FAKE_SITES_ENV)
        self.main = FakeConsole("main", dr_config("PRIMARY", "ACTIVE", True), profiles=[{"id": 1, "enabled": True}])
        self.destination = FakeConsole("destination", dr_config("DR", "STANDBY", False))
        self.health = Timeline(readings)
        self.notifier = FakeNotifier()
        self.retries = Plan(plan)
        self.lock = lock
        self.time = SimulatedTime(NOW)

    def run(self, seconds: float = 280.0, operator: str | None = None, **message: Any) -> Any:
        consoles = FakeConsoles({"main": self.main, "destination": self.destination})
        collaborators = Collaborators(consoles, self.health, self.lock, self.notifier, self.retries)
        event = sns_event(alarm_message(**({"StateChangeTime": "2026-12-06T03:00:00.000+0000"} | message)))
        clocks = self.time.clocks()
        return fail_over(
            event,
            self.config,
            collaborators,
            Deadline.after(seconds, clocks.monotonic),
            "run-1",
            clocks,
            operator=operator,
        )


@pytest.fixture
def lock(dynamodb: Any) -> FailoverLock:
    return make_lock(dynamodb)


def test_inconclusive_evidence_is_looked_at_again_within_the_invocation_until_it_decides(lock: FailoverLock) -> None:
    world = World(lock, [SILENT_BUT_ELB_HEALTHY, SILENT_BUT_ELB_HEALTHY, LOST])

    report = world.run()

    assert report.outcome is Outcome.FAILED_OVER
    assert world.health.calls == 3
    assert report.next_attempt is None and world.retries.asked == []
    assert report.confirmation.detail.startswith("live target health confirms the outage")


def test_evidence_that_stays_inconclusive_is_left_to_the_next_attempt_and_the_notice_says_when(
    lock: FailoverLock,
) -> None:
    world = World(lock, [SILENT_BUT_ELB_HEALTHY])

    report = world.run()

    assert report.outcome is Outcome.DEFERRED
    assert world.health.calls > 1, "looked again before deferring"
    assert world.destination.writes == [] and world.main.writes == [] and lock.current() is None
    assert report.next_attempt == FOLLOWS
    (notice,) = world.notifier.reports
    at = iso_utc(FOLLOWS.at or 0)[11:16]
    assert f"checking again at {at} UTC" in subject_for(notice)
    assert f"Lambda runs this alarm again at about {at} UTC" in body_for(notice)
    assert "the sources disagree" in report.reason


def test_the_last_attempt_refuses_and_promises_nothing(lock: FailoverLock) -> None:
    world = World(lock, [SILENT_BUT_ELB_HEALTHY], plan=LAST)

    report = world.run()

    assert report.outcome is Outcome.REFUSED
    assert "no automatic attempt follows: this was Lambda's last attempt" in report.reason
    assert FAIL_OVER_BY_HAND in report.manual_actions
    assert "again at" not in subject_for(report)


def test_looking_again_never_eats_the_time_the_destination_needs(lock: FailoverLock) -> None:
    world = World(lock, [SILENT_BUT_ELB_HEALTHY, LOST])
    reserve = world.config.deploy_timeout_seconds + 30

    report = world.run(seconds=reserve + RECHECK_INTERVAL_SECONDS / 2)

    assert world.health.calls == 1
    assert report.outcome is Outcome.DEFERRED


def test_unreadable_health_is_left_to_the_next_attempt_without_looking_again(lock: FailoverLock) -> None:
    world = World(lock, [None, LOST])

    report = world.run()

    assert world.health.calls == 1
    assert report.outcome is Outcome.DEFERRED
    assert "FAILOVER_WHEN_UNCONFIRMED" in report.reason


def test_an_operator_decides_at_once_and_is_told_the_function_would_wait(lock: FailoverLock) -> None:
    world = World(lock, [SILENT_BUT_ELB_HEALTHY])

    report = world.run(operator="alice")

    assert world.health.calls == 1
    assert report.outcome is Outcome.FAILED_OVER
    assert "against the evidence" in report.confirmation.detail
    assert "the function would not fail over yet" in report.confirmation.detail


def test_a_destination_failure_that_may_pass_is_left_to_the_next_attempt(lock: FailoverLock) -> None:
    world = World(lock, [LOST])
    world.destination.fail_on["start_deploy"] = qradar_error("destination", "start deploy", FailureKind.HTTP, 500)

    report = world.run()

    assert report.outcome is Outcome.FAILED
    assert report.next_attempt == FOLLOWS
    assert lock.current().state is LockState.FAILED, "recorded as failed: the next attempt may claim it"
    assert report.manual_actions[0].startswith("Nothing yet: the next attempt resumes")
    assert "retry at" in subject_for(report)


def test_a_destination_failure_that_would_recur_is_not_retried(lock: FailoverLock) -> None:
    world = World(lock, [LOST])
    world.destination.fail_on["stage_dr_config"] = qradar_error("destination", "stage DR config", FailureKind.HTTP, 401)

    report = world.run()

    assert report.outcome is Outcome.FAILED
    assert report.next_attempt is None and world.retries.asked == []
    assert "another attempt would meet the same cause" in report.reason


def test_a_failover_records_how_long_collection_was_down(lock: FailoverLock) -> None:
    world = World(lock, [LOST])  # the evidence says the shortfall began 240 s before NOW
    changed = NOW - 60  # the alarm changed state three minutes after that

    report = world.run(StateChangeTime=iso_utc(changed).replace("Z", "+00:00"))

    recovery = report.recovery
    assert recovery is not None
    assert recovery.seconds_from_alarm == pytest.approx(60, abs=5)
    assert recovery.seconds_from_breach == pytest.approx(240, abs=5)
    assert lock.current().summary["recovery"]["seconds_from_alarm"] == pytest.approx(60, abs=5)
    assert "Destination verified ACTIVE at" in body_for(report)


# --- LambdaRetries: whether Lambda will run the alarm again -------------------------------------------
@dataclass
class Alarms:
    state: str | None = "ALARM"  # None: the alarm does not exist
    fail: bool = False

    def describe_alarms(self, **kwargs: Any) -> Any:
        if self.fail:
            raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "DescribeAlarms")
        return {"MetricAlarms": [] if self.state is None else [{"StateValue": self.state}]}


def alarm(changed: str = "2026-12-06T03:00:00.000+0000") -> Any:
    from qradar_failover.events import decode_event

    return decode_event(alarm_message(StateChangeTime=changed))


def retries(lock: FailoverLock, alarms: Alarms, retry_attempts: int = 2, now: float = NOW) -> LambdaRetries:
    return LambdaRetries(lock, alarms, retry_attempts, 3600, clock=lambda: now)


def test_attempts_are_counted_per_alarm_state_change_and_the_last_promises_nothing(lock: FailoverLock) -> None:
    changed = iso_utc(NOW - 30).replace("Z", "+00:00")
    plans = [retries(lock, Alarms()).plan(alarm(changed)) for _ in range(3)]

    assert [(p.attempt, p.attempts) for p in plans] == [(1, 3), (2, 3), (3, 3)]
    assert [p.at for p in plans] == [NOW + 60, NOW + 120, None], "Lambda waits 1, then 2 minutes"
    assert plans[2].why_not == "this was Lambda's last attempt at this alarm"
    other = retries(lock, Alarms()).plan(alarm(iso_utc(NOW - 10).replace("Z", "+00:00")))
    assert other.attempt == 1, "another state change of the alarm counts from 1"
    assert lock.current() is None, "the counter never touches the lock item"


def test_no_attempt_is_promised_once_the_alarm_is_ok_again(lock: FailoverLock) -> None:
    plan = retries(lock, Alarms("OK")).plan(alarm(iso_utc(NOW - 30).replace("Z", "+00:00")))

    assert plan.at is None and plan.why_not == "the alarm is OK again"


def test_no_attempt_is_promised_past_the_maximum_event_age(lock: FailoverLock) -> None:
    plan = retries(lock, Alarms()).plan(alarm(iso_utc(NOW - 3590).replace("Z", "+00:00")))

    assert plan.at is None and "older than 3600 s" in (plan.why_not or "")


def test_an_unreadable_alarm_state_leaves_the_next_attempt_to_look(lock: FailoverLock) -> None:
    plan = retries(lock, Alarms(fail=True)).plan(alarm(iso_utc(NOW - 30).replace("Z", "+00:00")))

    assert plan.at == NOW + 60


def test_no_retries_configured_means_the_first_attempt_is_the_last(lock: FailoverLock) -> None:
    plan = retries(lock, Alarms(), retry_attempts=0).plan(alarm(iso_utc(NOW - 30).replace("Z", "+00:00")))

    assert (plan.attempt, plan.attempts, plan.at) == (1, 1, None)


def test_the_fixture_alarm_names_its_state_change() -> None:
    record = alarm()
    assert record.state_changed_epoch is not None
    assert record.state_change_key.endswith("@2026-12-06T03:00:00.000+0000")
    assert load_event("cloudwatch-alarm-message.json")["StateChangeTime"]
