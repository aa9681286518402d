"""The runbook's decisions, one behaviour per test, with fake consoles and the real lock on moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from qradar_failover.aws_errors import AwsProblem
from qradar_failover.config import Config, load_config
from qradar_failover.deadline import Clocks, Deadline
from qradar_failover.failover import Collaborators, fail_over
from qradar_failover.health import AvailabilityZoneNeverReported, HealthEvidence, LiveTargetHealth
from qradar_failover.lock import FailoverLock, LockState
from qradar_failover.notify import body_for
from qradar_failover.report import FailureKind, NextAttempt, Outcome
from qradar_failover.retry import NoAutomaticRetry, Retries
from support.events import DEST_AZ, FAKE_SITES_ENV, MAIN_AZ, REGION, alarm_message, sns_event
from support.fakes import (
    DefectiveClient,
    FakeConsole,
    FakeConsoles,
    FakeHealth,
    FakeNotifier,
    dr_config,
    qradar_error,
)
from support.lock import make_lock

NO_HEALTHY = HealthEvidence(MAIN_AZ, healthy_collectors=0, cloudwatch_healthy=0, cloudwatch_unhealthy=2)
TWO_HEALTHY = HealthEvidence(MAIN_AZ, healthy_collectors=2, cloudwatch_healthy=2, cloudwatch_unhealthy=1)


class World:
    def __init__(self, lock: FailoverLock, **env: str) -> None:
        self.config: Config = load_config({**FAKE_SITES_ENV, **env})
        self.main = FakeConsole(
            "main",
            dr_config("PRIMARY", "ACTIVE", True),
            profiles=[{"id": 1, "enabled": True}, {"id": 2, "enabled": True}],
        )
        self.destination = FakeConsole("destination", dr_config("DR", "STANDBY", False))
        self.consoles = FakeConsoles({"main": self.main, "destination": self.destination})
        self.health = FakeHealth(NO_HEALTHY)
        self.notifier = FakeNotifier()
        self.lock = lock
        self.retries: Retries = NoAutomaticRetry()

    def run(self, event: Any = None, run_id: str = "run-1", seconds: float = 280.0, operator: str | None = None) -> Any:
        collaborators = Collaborators(self.consoles, self.health, self.lock, self.notifier, self.retries)
        return fail_over(
            event if event is not None else sns_event(alarm_message()),
            self.config,
            collaborators,
            Deadline.after(seconds),
            run_id,
            Clocks(sleep=lambda _: None),
            operator=operator,
        )

    def writes(self) -> list[str]:
        return self.main.writes + self.destination.writes


@pytest.fixture
def lock(dynamodb: Any) -> FailoverLock:
    return make_lock(dynamodb)


@pytest.fixture
def world(lock: FailoverLock) -> World:
    return World(lock)


def test_confirmed_main_az_alarm_activates_destination_then_demotes_main(world: World) -> None:
    report = world.run()

    assert report.outcome is Outcome.FAILED_OVER
    assert world.destination.deployed["is_dr"] == "PRIMARY"
    assert world.destination.deployed["site_state"] == "ACTIVE"
    assert world.destination.deployed["ariel_copy_enabled"] is True
    assert world.destination.deployed["dr_console_ip"] == "10.0.2.10", "the whole object is posted back"
    assert world.main.deployed["site_state"] == "STANDBY"
    assert world.main.deployed["ariel_copy_enabled"] is False
    assert all(profile["enabled"] is False for profile in world.main.profiles)
    first_main_call = world.main.calls[0]
    assert world.destination.calls.index("start_deploy") >= 0 and first_main_call == "read_dr_config"
    assert report.milestones["destination_deploy_started"] <= report.milestones["destination_active"]
    record = world.lock.current()
    assert record is not None and record.state is LockState.FAILED_OVER
    assert [r.outcome for r in world.notifier.reports] == [Outcome.FAILED_OVER]


def test_the_record_names_the_copy_profiles_the_failover_disabled(world: World) -> None:
    world.main.profiles.append({"id": 3, "enabled": False})  # disabled by an admin before the outage

    world.run()

    record = world.lock.current()
    assert record is not None
    assert record.summary["sites"]["main"]["copy_profiles_disabled"] == ["1", "2"]


def test_destination_is_activated_before_main_is_touched(world: World) -> None:
    order: list[str] = []
    world.destination.observer = None
    original_dest, original_main = world.destination._enter, world.main._enter
    world.destination._enter = lambda method: (order.append(f"destination:{method}"), original_dest(method))[1]  # type: ignore[method-assign]
    world.main._enter = lambda method: (order.append(f"main:{method}"), original_main(method))[1]  # type: ignore[method-assign]

    world.run()

    assert order.index("destination:await_deploy") < order.index("main:read_dr_config")


@pytest.mark.parametrize("state", ["OK", "INSUFFICIENT_DATA"])
def test_non_alarm_states_are_ignored_without_touching_anything(world: World, state: str) -> None:
    report = world.run(sns_event(alarm_message(NewStateValue=state)))

    assert report.outcome is Outcome.IGNORED
    assert world.writes() == [] and world.health.calls == 0
    assert world.notifier.reports == []


def test_alarm_from_the_destination_az_is_ignored(world: World) -> None:
    report = world.run(sns_event(alarm_message(AvailabilityZone=DEST_AZ)))

    assert report.outcome is Outcome.IGNORED
    assert DEST_AZ in report.reason
    assert world.writes() == [] and world.lock.current() is None


@pytest.mark.parametrize("event", [None, [], "text", {"Records": "x"}, {"Records": [{"Sns": {"Message": "{"}}]}])
def test_malformed_events_are_rejected_and_write_nothing(world: World, event: Any) -> None:
    report = world.run(event if event is not None else {"unexpected": True})

    assert report.outcome is Outcome.REJECTED
    assert world.writes() == [] and world.lock.current() is None


def test_one_flapping_collector_among_several_does_not_fail_over(world: World) -> None:
    world.health.evidence = TWO_HEALTHY

    report = world.run()

    assert report.outcome is Outcome.REFUSED
    assert world.writes() == [] and world.lock.current() is None
    notice = world.notifier.reports[0]
    assert notice.evidence == TWO_HEALTHY, "the refusal carries the evidence"


def test_min_healthy_collectors_raises_the_bar(lock: FailoverLock) -> None:
    world = World(lock, MIN_HEALTHY_COLLECTORS="3")
    world.health.evidence = TWO_HEALTHY

    assert world.run().outcome is Outcome.FAILED_OVER


def test_unconfirmable_alarm_is_refused_by_default(world: World) -> None:
    world.health.evidence = None

    report = world.run()

    assert report.outcome is Outcome.REFUSED
    assert "FAILOVER_WHEN_UNCONFIRMED" in report.reason
    assert world.writes() == []


def test_unconfirmable_alarm_fails_over_when_configured_to(lock: FailoverLock) -> None:
    world = World(lock, FAILOVER_WHEN_UNCONFIRMED="true")
    world.health.evidence = None

    assert world.run().outcome is Outcome.FAILED_OVER


def test_dry_run_reads_and_notifies_the_plan_but_writes_nothing(lock: FailoverLock) -> None:
    world = World(lock, DRY_RUN="true")

    report = world.run()

    assert report.outcome is Outcome.DRY_RUN
    assert world.writes() == []
    assert world.lock.current() is None
    planned = " ".join(step.detail for step in report.steps if step.status.value == "planned")
    assert "stage PRIMARY/ACTIVE" in planned and "stage STANDBY" in planned
    assert world.notifier.reports[0].dry_run is True


# --- how the failover was decided: live health, the alarm alone, or an operator -------------------
def test_dry_run_confirmed_by_live_health_says_so_with_the_evidence(lock: FailoverLock) -> None:
    report = World(lock, DRY_RUN="true").run()

    assert report.reason == (
        "dry run: would fail over (live target health confirms the outage: 0 healthy collector(s) in "
        f"{MAIN_AZ} (CloudWatch 0), fewer than 1); nothing was written"
    )
    assert report.as_dict()["confirmation"]["by"] == "live_health"


def test_dry_run_of_an_operator_against_healthy_collectors_says_it_goes_against_the_evidence(
    lock: FailoverLock,
) -> None:
    world = World(lock, DRY_RUN="true")
    world.health.evidence = TWO_HEALTHY

    report = world.run(operator="alice")

    assert report.outcome is Outcome.DRY_RUN
    assert "confirmed" not in report.reason
    assert report.reason == (
        "dry run: would fail over (manual failover by alice against the evidence: 2 healthy collector(s) "
        f"remain in {MAIN_AZ} (CloudWatch 2; fail over below 1), so the function would refuse this alarm); nothing "
        "was written"
    )
    assert report.evidence == TWO_HEALTHY, "the evidence the operator overrode is reported"
    assert "against the evidence" in body_for(report)


def test_dry_run_of_an_operator_without_live_health_says_it_could_not_be_read(lock: FailoverLock) -> None:
    world = World(lock, DRY_RUN="true")
    world.health.evidence = None

    report = world.run(operator="alice")

    assert report.outcome is Outcome.DRY_RUN
    assert report.reason.startswith(
        "dry run: would fail over (manual failover by alice; live target health could not be read: CloudWatch:"
    )


def test_operator_failover_proceeds_against_healthy_collectors_and_the_notice_says_who_decided(
    lock: FailoverLock,
) -> None:
    world = World(lock)
    world.health.evidence = TWO_HEALTHY

    report = world.run(operator="alice")

    assert report.outcome is Outcome.FAILED_OVER
    assert world.destination.deployed["site_state"] == "ACTIVE"
    assert "Confirmation: manual failover by alice against the evidence: 2 healthy collector(s)" in body_for(report)


def test_alarm_alone_failover_says_live_health_could_not_be_read(lock: FailoverLock) -> None:
    world = World(lock, FAILOVER_WHEN_UNCONFIRMED="true", DRY_RUN="true")
    world.health.evidence = None

    report = world.run()

    assert report.reason.startswith(
        "dry run: would fail over (the alarm alone, as FAILOVER_WHEN_UNCONFIRMED=true allows: live target health "
        "could not be read: CloudWatch:"
    )


def test_second_delivery_after_failover_is_a_no_op_with_one_notice(world: World) -> None:
    world.run(run_id="first")
    world.destination.calls.clear()

    second = world.run(run_id="second")
    third = world.run(run_id="third")

    assert second.outcome is Outcome.ALREADY_FAILED_OVER
    assert third.outcome is Outcome.ALREADY_FAILED_OVER
    assert world.destination.calls == [], "nothing is read or written again"
    assert [r.outcome for r in world.notifier.reports] == [Outcome.FAILED_OVER, Outcome.ALREADY_FAILED_OVER]


def test_delivery_while_another_run_holds_the_claim_is_silent(world: World) -> None:
    world.lock.claim("other-run", "qradar-main-ca-central-1a-dlc-unhealthy")

    report = world.run()

    assert report.outcome is Outcome.IN_PROGRESS_ELSEWHERE
    assert world.writes() == [] and world.notifier.reports == []


def test_expired_claim_of_a_crashed_run_is_taken_over(world: World) -> None:
    world.lock.claim("crashed-run", "qradar-main-ca-central-1a-dlc-unhealthy")
    world.lock.clock = lambda: 10**11  # far past the claim's expiry

    report = world.run()

    assert report.outcome is Outcome.FAILED_OVER
    assert world.destination.deployed["site_state"] == "ACTIVE"


def test_resumed_run_finishes_main_when_destination_was_already_activated(world: World) -> None:
    world.destination.deployed = dr_config("PRIMARY", "ACTIVE", True)

    report = world.run()

    assert report.outcome is Outcome.FAILED_OVER
    assert "stage_dr_config" not in world.destination.calls
    assert world.main.deployed["site_state"] == "STANDBY"


def test_destination_already_active_and_main_standby_is_already_failed_over(world: World) -> None:
    world.destination.deployed = dr_config("PRIMARY", "ACTIVE", True)
    world.main.deployed = dr_config("DR", "STANDBY", False)
    world.main.profiles = [{"id": 1, "enabled": False}]

    report = world.run()

    assert report.outcome is Outcome.ALREADY_FAILED_OVER
    assert world.writes() == []


def test_unreachable_main_still_fails_over_and_leaves_manual_steps(world: World) -> None:
    world.main.fail_on["read_dr_config"] = qradar_error("main", "read DR config", FailureKind.TIMEOUT)

    report = world.run()

    assert report.outcome is Outcome.FAILED_OVER
    assert not report.sites["main"].reached
    assert any("Main Site console is back" in action for action in report.manual_actions)
    assert world.destination.deployed["site_state"] == "ACTIVE"


def test_main_token_unavailable_does_not_stop_the_failover(world: World) -> None:
    world.consoles.token_errors.add("main")

    report = world.run()

    assert report.outcome is Outcome.FAILED_OVER
    assert any("AccessDeniedException" in action for action in report.manual_actions)


@pytest.mark.parametrize("method", ["read_dr_config", "stage_dr_config", "start_deploy", "await_deploy"])
def test_destination_failure_fails_the_run_and_leaves_it_armed(world: World, method: str) -> None:
    world.destination.fail_on[method] = qradar_error("destination", method, FailureKind.HTTP, status=500)

    report = world.run()

    assert report.outcome is Outcome.FAILED
    assert report.failure is not None and report.failure.http_status == 500
    assert world.main.writes == [], "the Main Site is never demoted when the Destination did not take over"
    record = world.lock.current()
    assert record is not None and record.state is LockState.FAILED
    world.destination.fail_on.clear()
    assert world.run(run_id="retry").outcome is Outcome.FAILED_OVER, "the next alarm tries again"


def test_destination_in_unexpected_state_is_not_touched(world: World) -> None:
    world.destination.deployed = dr_config("DISABLED", "ACTIVE", False)

    report = world.run()

    assert report.outcome is Outcome.FAILED
    assert "expected DR/STANDBY" in (report.failure.detail if report.failure else "")
    assert world.writes() == []


def test_deploy_that_does_not_take_effect_fails_verification(world: World) -> None:
    world.destination.await_deploy = lambda deadline, poll_interval: None  # type: ignore[method-assign]

    report = world.run(seconds=20)

    assert report.outcome is Outcome.FAILED
    assert report.failure is not None and report.failure.step == "verify DR config"


def test_failed_notification_still_reports_the_outcome(world: World) -> None:
    world.notifier.succeed = False

    report = world.run()

    assert report.outcome is Outcome.FAILED_OVER
    assert report.notified is False


def test_unexpected_defect_is_reported_notified_and_releases_the_claim(world: World) -> None:
    def broken(deadline: Any, poll_interval: float) -> Any:
        raise KeyError("status")

    world.destination.start_deploy = broken  # type: ignore[method-assign]

    report = world.run()

    assert report.outcome is Outcome.FAILED
    assert report.failure is not None
    assert "KeyError" in report.failure.detail
    assert [r.outcome for r in world.notifier.reports] == [Outcome.FAILED]
    record = world.lock.current()
    assert record is not None
    assert record.state is LockState.FAILED, "the next alarm can try again at once"


def test_clean_failover_has_next_steps_but_nothing_left_by_hand(world: World) -> None:
    report = world.run()

    assert report.manual_actions == []
    assert any("qradar-failover failback" in step for step in report.next_steps), "failing back re-arms"


def test_a_coding_bug_in_the_lock_adapter_is_reported_as_a_defect_not_an_unavailable_table() -> None:
    world = World(FailoverLock(DefectiveClient(), "lock", "qradar-failover", claim_ttl_seconds=900))

    report = world.run()

    assert report.outcome is Outcome.FAILED
    assert report.failure is not None and report.failure.kind is FailureKind.DEFECT
    assert "TypeError" in report.failure.detail
    assert "lock table cannot be used" not in report.reason
    assert world.writes() == []
    assert [r.outcome for r in world.notifier.reports] == [Outcome.FAILED]


def test_a_coding_bug_in_the_health_adapter_is_a_defect_not_an_unconfirmed_alarm(lock: FailoverLock) -> None:
    world = World(lock, FAILOVER_WHEN_UNCONFIRMED="true")
    world.health = LiveTargetHealth(DefectiveClient(), DefectiveClient())  # type: ignore[assignment]

    report = world.run()

    assert report.outcome is Outcome.FAILED
    assert report.failure is not None and report.failure.kind is FailureKind.DEFECT
    assert world.writes() == [], "a bug is never taken for 'CloudWatch unavailable, fail over on the alarm alone'"


def test_unusable_lock_table_reports_the_aws_error_as_data(aws_credentials: None) -> None:
    with mock_aws():  # no table
        world = World(FailoverLock(boto3.client("dynamodb", region_name=REGION), "lock", "qradar-failover", 900))

        report = world.run()

    assert report.outcome is Outcome.FAILED
    failure = report.failure
    assert failure is not None
    assert (failure.kind, failure.aws_error_code, failure.aws_problem) == (
        FailureKind.AWS_UNAVAILABLE,
        "ResourceNotFoundException",
        AwsProblem.SERVICE,
    )
    assert report.as_dict()["failure"]["kind"] == "aws_unavailable", "the report JSON keeps string values"
    assert report.as_dict()["failure"]["aws_problem"] == "service"


def test_destination_token_failure_carries_the_aws_error_as_data(world: World) -> None:
    world.consoles.token_errors.add("destination")

    report = world.run()

    failure = report.failure
    assert failure is not None
    assert (failure.kind, failure.aws_error_code, failure.aws_problem) == (
        FailureKind.TOKEN_UNAVAILABLE,
        "AccessDeniedException",
        AwsProblem.ACCESS_DENIED,
    )


def test_alarm_for_an_az_that_never_reported_is_refused_with_the_reason(world: World) -> None:
    class NeverReported:
        def confirm(self, alarm: Any) -> HealthEvidence:
            raise AvailabilityZoneNeverReported(f"never reported HealthyHostCount in {alarm.availability_zone}")

    world.health = NeverReported()  # type: ignore[assignment]

    report = world.run()

    assert report.outcome is Outcome.REFUSED
    assert f"never reported HealthyHostCount in {MAIN_AZ}" in report.reason
    assert "check that the load balancer serves that AZ" in report.reason
    assert world.writes() == [] and world.lock.current() is None
    assert [r.outcome for r in world.notifier.reports] == [Outcome.REFUSED]


def test_lock_record_holds_iso_utc_time_and_the_failure_as_fields(world: World) -> None:
    world.destination.fail_on["stage_dr_config"] = qradar_error("destination", "stage DR config", status=500)
    before = datetime.now(UTC)

    world.run()

    record = world.lock.current()
    assert record is not None and record.state is LockState.FAILED
    at = datetime.fromisoformat(record.summary["at"])
    assert at.utcoffset() == timedelta(0) and before - timedelta(seconds=1) <= at <= datetime.now(UTC)
    assert record.summary["failure"] == {
        "site": "destination",
        "step": "stage DR config",
        "detail": "simulated failure",
        "http_status": 500,
        "qradar_code": None,
        "kind": "timeout",
        "aws_error_code": None,
        "aws_problem": None,
    }


def test_a_second_defect_while_recording_the_first_does_not_stop_its_notice(world: World) -> None:
    def broken_deploy(deadline: Any, poll_interval: float) -> Any:
        raise KeyError("status")

    def broken_record(holder: str, summary: Any) -> bool:
        raise TypeError("record_failed() got an unexpected keyword argument")

    world.destination.start_deploy = broken_deploy  # type: ignore[method-assign]
    world.lock.record_failed = broken_record  # type: ignore[method-assign]

    report = world.run()

    assert report.outcome is Outcome.FAILED
    assert report.failure is not None and "KeyError" in report.failure.detail, "the first defect is the one reported"
    assert [r.outcome for r in world.notifier.reports] == [Outcome.FAILED]


# --- what every report says about the Main Site: reached, staged, deploy started, confirmed -------
def main_line(report: Any) -> str:
    """The notice's line for the Main Site (under "Site state after this run")."""
    return next(line for line in body_for(report).splitlines() if line.startswith("  Main:"))


def test_main_that_cannot_be_reached_is_reported_as_not_reached(world: World) -> None:
    world.main.fail_on["read_dr_config"] = qradar_error("main", "read DR config", FailureKind.TIMEOUT)

    report = world.run()

    assert "not reached, not staged, deploy not started, not confirmed" in main_line(report)
    (action,) = report.manual_actions
    assert action.startswith("When the Main Site console is back")
    assert "could not reach it: main console, read DR config: timeout: simulated failure" in action


def test_main_refusing_the_token_is_reported_as_reached_and_refused_not_unreachable(world: World) -> None:
    world.main.fail_on["read_dr_config"] = qradar_error("main", "read DR config", FailureKind.HTTP, status=401)

    report = world.run()

    assert report.outcome is Outcome.FAILED_OVER
    assert "reached, not staged, deploy not started, not confirmed" in main_line(report)
    (action,) = report.manual_actions
    assert "the Main console refused the automation's token (main console, read DR config: HTTP 401" in action
    assert "could not reach" not in action


def test_main_token_that_cannot_be_read_is_reported_as_such_not_as_unreachable(world: World) -> None:
    world.consoles.token_errors.add("main")

    report = world.run()

    assert "not reached, not staged, deploy not started, not confirmed" in main_line(report)
    (action,) = report.manual_actions
    assert "could not read the Main console's token" in action
    assert "AccessDeniedException" in action
    assert "could not reach" not in action


def test_main_staged_but_deploy_not_started_says_to_deploy_the_staged_changes(world: World) -> None:
    world.main.fail_on["start_deploy"] = qradar_error("main", "start deploy", FailureKind.HTTP, status=500)

    report = world.run()

    assert report.outcome is Outcome.FAILED_OVER
    assert "reached, staged, deploy not started, not confirmed" in main_line(report)
    (action,) = report.manual_actions
    assert "staged STANDBY with ariel copy disabled, but its deploy was not started" in action
    assert "deploy the staged changes on the Main console" in action
    assert "qradar-failover status" in action
    assert "could not reach" not in action


def test_main_deploy_started_but_unconfirmed_says_so_and_how_to_confirm_it(world: World) -> None:
    world.main.fail_on["await_deploy"] = qradar_error("main", "read deploy status", FailureKind.TIMEOUT)

    report = world.run()

    assert report.outcome is Outcome.FAILED_OVER
    assert "reached, staged, deploy started, not confirmed" in main_line(report)
    (action,) = report.manual_actions
    assert "the deploy of STANDBY with ariel copy disabled was started" in action
    assert "confirm it later with 'qradar-failover status'" in action
    assert "could not reach" not in action


def test_main_confirmed_standby_is_reported_as_such_and_leaves_nothing_by_hand(world: World) -> None:
    report = world.run()

    assert main_line(report).endswith("reached, staged, deploy started, confirmed: PRIMARY/STANDBY, ariel copy off")
    assert report.manual_actions == []


def test_a_started_main_deploy_is_waited_for_beyond_the_main_site_budget(world: World) -> None:
    """Reaching Main is bounded by MAIN_SITE_BUDGET_SECONDS (20 s); once its deploy has started, the
    deploy is waited for like the Destination's, up to DEPLOY_TIMEOUT_SECONDS (180 s)."""
    world.main.deploy_needs_seconds = 60

    report = world.run()

    assert report.manual_actions == []
    assert world.main.deployed["site_state"] == "STANDBY"
    assert "deploy started, confirmed" in main_line(report)


def test_the_wait_for_a_started_main_deploy_ends_with_the_run_deadline(world: World) -> None:
    world.main.deploy_needs_seconds = 100

    report = world.run(seconds=90)

    assert report.outcome is Outcome.FAILED_OVER
    assert "reached, staged, deploy started, not confirmed" in main_line(report)
    assert any("confirm it later with 'qradar-failover status'" in action for action in report.manual_actions)


class OneMoreAttempt:
    """Lambda's retries while another attempt follows (the alarm is still in ALARM)."""

    def plan(self, alarm: Any) -> NextAttempt:
        return NextAttempt(1, 3, datetime.now(UTC).timestamp() + 60)


def test_a_destination_deploy_still_running_when_time_runs_out_is_left_to_finish_not_redone_by_hand(
    world: World,
) -> None:
    """The console answered every poll; its deploy simply outlasted the run. It completes by itself, and the
    Destination goes ACTIVE then, while this run never demoted the Main Site."""
    world.destination.deploy_needs_seconds = 1000

    report = world.run()

    assert report.outcome is Outcome.FAILED
    assert report.failure is not None and (report.failure.step, report.failure.kind) == ("deploy", FailureKind.DEADLINE)
    body = " ".join(body_for(report).split())
    assert "no HTTP answer" not in body
    assert "destination console, step 'deploy': still running when the time ran out" in body
    actions = " ".join(report.manual_actions)
    assert "deploy was started and was still running" in actions
    assert "goes PRIMARY/ACTIVE by itself when it completes" in actions
    assert "while the Main Site, which this run did not demote, may still be PRIMARY/ACTIVE" in actions
    assert "do not start another deploy" in actions
    assert not any(action.startswith("Activate the Destination by hand") for action in report.manual_actions)
    assert world.main.calls == [], "the Main Site is never touched while the Destination is not verified"


def test_a_running_destination_deploy_with_another_attempt_coming_says_that_attempt_finishes_it(
    world: World,
) -> None:
    world.destination.deploy_needs_seconds = 1000
    world.retries = OneMoreAttempt()

    report = world.run()

    assert report.next_attempt is not None and report.next_attempt.follows
    actions = " ".join(report.manual_actions)
    assert actions.startswith("Nothing yet: the Destination's deploy was started and was still running")
    assert "the next attempt waits for it, then demotes the Main Site" in actions
    assert "Activate the Destination by hand" not in actions.split("If that attempt fails too")[0]


@pytest.mark.parametrize(
    ("kind", "status", "words"),
    [
        (FailureKind.HTTP, 500, "HTTP 500"),
        (FailureKind.TIMEOUT, None, "no answer in time"),
        (FailureKind.CONNECTION, None, "no connection"),
        (FailureKind.UNEXPECTED_STATE, None, "an unexpected DR state"),
    ],
)
def test_a_failure_says_what_the_console_answered_and_never_no_http_answer_for_one_that_did(
    world: World, kind: FailureKind, status: int | None, words: str
) -> None:
    world.destination.fail_on["start_deploy"] = qradar_error("destination", "start deploy", kind, status=status)

    report = world.run()

    assert f"destination console, step 'start deploy': {words}" in body_for(report)
