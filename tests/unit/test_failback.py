"""The failback runbook's decisions, one behaviour per test: fake consoles, fake health and alarms, the
real lock on moto, and a scripted operator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from qradar_failover.config import load_config
from qradar_failover.deadline import Clocks
from qradar_failover.evidence import HealthEvidence, TargetState
from qradar_failover.failback import FailbackCollaborators, FailbackSettings, fail_back
from qradar_failover.failback_checks import RISK_UNSETTLED
from qradar_failover.failback_plan import STEPS, Step
from qradar_failover.failback_report import FailbackOutcome, FailbackReport, StepResult, StepState
from qradar_failover.lock import ClaimResult, FailoverLock, LockState
from qradar_failover.observability import iso_utc
from qradar_failover.report import FailureKind
from support.events import DEST_AZ, FAKE_SITES_ENV, LOAD_BALANCER, MAIN_AZ, REGION, TARGET_GROUP
from support.fakes import FakeConsole, FakeConsoles, FakeHealth, FakeNotifier, dr_config, qradar_error
from support.lock import make_lock

NOW = 1_800_000_000.0
FAILED_OVER_AT = NOW - 3 * 3600
ALARM_ARN = f"arn:aws:cloudwatch:{REGION}:111122223333:alarm:qradar-dr-dlc-{MAIN_AZ}-unhealthy-collectors"


def healthy_main(since_minutes: float = 30, healthy: int = 2) -> HealthEvidence:
    return HealthEvidence(
        MAIN_AZ,
        healthy_collectors=healthy,
        cloudwatch_healthy=healthy,
        cloudwatch_unhealthy=0,
        elb_healthy=healthy,
        elb_unhealthy=0,
        targets=(
            TargetState("10.0.1.20", 32500, MAIN_AZ, "healthy" if healthy else "unhealthy", None),
            TargetState("10.0.2.20", 32500, DEST_AZ, "healthy", None),
        ),
        healthy_since=NOW - since_minutes * 60 if healthy else None,
    )


@dataclass(frozen=True)
class Alarm:
    name: str = f"qradar-dr-dlc-{MAIN_AZ}-unhealthy-collectors"
    state: str = "OK"
    arn: str = ALARM_ARN
    namespace: str = "AWS/NetworkELB"
    load_balancer: str = LOAD_BALANCER
    target_group: str = TARGET_GROUP
    availability_zone: str = MAIN_AZ


@dataclass
class FakeAlarms:
    alarms: list[Alarm] = field(default_factory=lambda: [Alarm()])

    def read(self) -> tuple[list[Alarm], str | None]:
        return list(self.alarms), None


@dataclass
class ScriptedOperator:
    """Approves and confirms every step, except those named in ``refuse``; hears every result."""

    refuse: set[str] = field(default_factory=set)
    planned: list[StepState] = field(default_factory=list)  # what the plan showed before anything changed
    asked: list[int] = field(default_factory=list)
    results: list[StepResult] = field(default_factory=list)

    def plan(self, report: FailbackReport) -> None:
        self.planned = [result.status for result in report.results]

    def approve(self, number: int, step: Step) -> bool:
        self.asked.append(number)
        return step.id not in self.refuse

    def done(self, number: int, step: Step) -> bool:
        return self.approve(number, step)

    def finished(self, result: StepResult) -> None:
        self.results.append(result)


class World:
    """Both consoles as a failover left them, the failover recorded in the lock, the Main AZ healthy."""

    def __init__(self, lock: FailoverLock) -> None:
        self.config = load_config(FAKE_SITES_ENV | {"DEPLOY_POLL_INTERVAL_SECONDS": "0.05"})
        self.main = FakeConsole(
            "main",
            dr_config("PRIMARY", "STANDBY", False),
            profiles=[{"id": 1, "enabled": False}, {"id": 2, "enabled": False}, {"id": 3, "enabled": False}],
        )
        self.destination = FakeConsole(
            "destination",
            dr_config("PRIMARY", "ACTIVE", True),
            profiles=[{"id": 1, "enabled": True, "last_successful_transfer_date": int((NOW - 600) * 1000)}],
        )
        self.consoles = FakeConsoles({"main": self.main, "destination": self.destination})
        self.health = FakeHealth(healthy_main())
        self.alarms = FakeAlarms()
        self.notifier = FakeNotifier()
        self.lock = lock
        self.operator = ScriptedOperator()
        assert lock.claim("run-failover", "alarm")[0] is ClaimResult.CLAIMED
        summary = {"at": iso_utc(FAILED_OVER_AT), "sites": {"main": {"copy_profiles_disabled": ["1", "2"]}}}
        assert lock.record_failed_over("run-failover", summary)

    def run(self, run_id: str = "fb-1", operator: str = "alice", **settings: Any) -> FailbackReport:
        collaborators = FailbackCollaborators(self.consoles, self.lock, self.health, self.alarms, self.notifier)
        clocks = Clocks(wall=lambda: NOW, sleep=lambda _: None)
        return fail_back(
            self.config, collaborators, self.operator, FailbackSettings(**settings), run_id, operator, clocks
        )

    def writes(self) -> list[str]:
        return self.main.writes + self.destination.writes


@pytest.fixture
def lock(dynamodb: Any) -> FailoverLock:
    return make_lock(dynamodb, [NOW])


@pytest.fixture
def world(lock: FailoverLock) -> World:
    return World(lock)


def states(report: FailbackReport) -> list[str]:
    return [result.status.value for result in report.results]


def test_failback_switches_the_sites_back_enables_the_failovers_profiles_and_rearms(world: World) -> None:
    report = world.run()

    assert report.outcome is FailbackOutcome.FAILED_BACK, report.reason
    assert world.main.deployed["site_state"] == "ACTIVE" and world.main.deployed["ariel_copy_enabled"] is True
    assert [p["enabled"] for p in world.main.profiles] == [True, True, False], "3 was disabled before the outage"
    assert (world.destination.deployed["is_dr"], world.destination.deployed["site_state"]) == ("DR", "STANDBY")
    assert world.destination.deployed["ariel_copy_enabled"] is False
    assert world.destination.profiles[0]["enabled"] is False, "the copy back stops with the Destination"
    assert world.lock.current() is None, "re-armed"
    assert states(report) == ["done"] * len(STEPS)
    assert world.operator.asked == list(range(1, len(STEPS) + 1)), "every step asked, in order"
    ((subject, body),) = world.notifier.texts
    assert subject == "[QRadar DR] Failed back to the Main Site; automation re-armed"
    assert "copy profile(s) 1, 2 enabled (the ones the failover disabled)" in body


def test_main_is_activated_before_the_destination_steps_down(world: World) -> None:
    """No moment without an active site: at worst both are active for one deploy."""
    order: list[str] = []
    for console in (world.main, world.destination):
        enter = console._enter
        console._enter = lambda method, c=console, e=enter: (order.append(f"{c.name}:{method}"), e(method))[1]  # type: ignore[method-assign, misc]

    world.run()

    assert order.index("main:await_deploy") < order.index("destination:stage_dr_config")
    assert order.index("destination:await_deploy") < order.index("main:enable_copy_profile:1"), (
        "Main copies to the Destination again only once the Destination copies nothing back"
    )


def test_dry_run_checks_and_plans_and_writes_nothing(world: World) -> None:
    report = world.run(dry_run=True)

    assert report.outcome is FailbackOutcome.PLANNED
    assert world.writes() == []
    record = world.lock.current()
    assert record is not None and record.failback is None, "not even the failback's claim"
    assert world.notifier.texts == [] and world.operator.asked == []
    assert all(requirement.ok for requirement in report.preflight)
    assert world.operator.planned == [StepState.NOT_DONE] * len(STEPS), "the plan was shown"


def test_refused_while_the_main_az_is_still_unhealthy_even_with_force(world: World) -> None:
    world.health.evidence = healthy_main(healthy=0)

    report = world.run(force=True)

    assert report.outcome is FailbackOutcome.REFUSED
    assert "the Main AZ's collectors must pass their health checks now" in report.reason
    assert world.writes() == [] and world.operator.asked == []
    assert next(r for r in report.preflight if not r.ok).fix.startswith("wait until the Main AZ is healthy again")


def test_a_main_az_healthy_for_only_minutes_needs_force_and_force_states_its_risk(world: World) -> None:
    world.health.evidence = healthy_main(since_minutes=5)

    refused = world.run()
    assert refused.outcome is FailbackOutcome.REFUSED
    assert "healthy for 15 min" in refused.reason and "(5 min)" in refused.reason
    assert world.writes() == []

    forced = world.run(run_id="fb-2", force=True)
    assert forced.outcome is FailbackOutcome.FAILED_BACK
    assert forced.forced == [RISK_UNSETTLED]
    assert "Risks accepted with --force" in world.notifier.texts[0][1]


def test_refused_while_a_failover_is_in_progress(world: World) -> None:
    world.lock.rearm()
    assert world.lock.claim("run-2", "alarm")[0] is ClaimResult.CLAIMED

    report = world.run()

    assert report.outcome is FailbackOutcome.REFUSED
    assert "a failover is in progress: run run-2 claimed the lock" in report.reason
    assert world.writes() == []


def test_refused_when_no_failover_is_recorded(world: World) -> None:
    world.lock.rearm()

    report = world.run()

    assert report.outcome is FailbackOutcome.REFUSED
    assert "no failover recorded" in report.reason
    assert world.writes() == []


def test_refused_against_a_split_with_the_way_out(world: World) -> None:
    world.main.deployed = dr_config("PRIMARY", "ACTIVE", True)  # Main came back ACTIVE; the failover never reached it

    report = world.run(force=True)

    assert report.outcome is FailbackOutcome.REFUSED
    split = next(r for r in report.preflight if not r.ok)
    assert split.found.startswith("SPLIT: both consoles are ACTIVE")
    assert "set the Main Site STANDBY with ariel copy off in the DataSync app" in split.fix
    assert world.writes() == []


def test_refused_while_a_deploy_runs_on_a_console(world: World) -> None:
    from qradar_failover.qradar import DeployStatus

    world.destination.deploy_status = lambda deadline: DeployStatus("IN_PROGRESS", 40, False, None)  # type: ignore[method-assign]

    report = world.run()

    assert report.outcome is FailbackOutcome.REFUSED
    assert "Destination IN_PROGRESS 40%" in report.reason


def test_refused_while_a_main_az_alarm_is_not_ok(world: World) -> None:
    world.alarms.alarms = [Alarm(state="ALARM")]

    report = world.run()

    assert report.outcome is FailbackOutcome.REFUSED
    assert f"qradar-dr-dlc-{MAIN_AZ}-unhealthy-collectors ALARM" in report.reason


def test_a_paused_failback_resumes_at_its_step_and_repeats_no_change(world: World) -> None:
    world.operator.refuse = {"demote-destination"}

    paused = world.run()

    assert paused.outcome is FailbackOutcome.PAUSED
    assert states(paused)[:4] == ["done", "done", "done", "not done"]
    assert "resume at step 4" in paused.reason
    assert world.main.calls.count("stage_dr_config") == 1
    assert world.notifier.texts == [], "the operator chose to stop: nobody else needs telling"

    world.operator = ScriptedOperator()
    resumed = world.run(run_id="fb-2", operator="bob")  # released on pause: anyone may resume at once

    assert resumed.outcome is FailbackOutcome.FAILED_BACK
    assert resumed.resumes_at == 4
    assert world.operator.asked == [4, 5, 6, 7]
    assert states(resumed)[:3] == ["done before"] * 3
    assert world.main.calls.count("stage_dr_config") == 1, "step 3 changed Main once; never again"


def test_a_destination_that_refuses_to_step_down_stops_with_both_active_and_says_so(world: World) -> None:
    world.destination.fail_on["stage_dr_config"] = qradar_error("destination", "stage DR config", FailureKind.HTTP, 409)

    stopped = world.run()

    assert stopped.outcome is FailbackOutcome.STOPPED
    assert stopped.stopped_at is not None and stopped.stopped_at.number == 4
    assert world.main.deployed["site_state"] == "ACTIVE" and world.destination.deployed["site_state"] == "ACTIVE"
    assert any("Both sites are ACTIVE now" in action for action in stopped.manual_actions)
    assert any("resumes at step 4" in action for action in stopped.manual_actions)
    ((subject, _),) = world.notifier.texts
    assert subject == "[QRadar DR] FAILBACK STOPPED at step 4 (demote-destination) - action needed"
    record = world.lock.current()
    assert record is not None and record.state is LockState.FAILED_OVER, "not re-armed"

    del world.destination.fail_on["stage_dr_config"]
    resumed = world.run(run_id="fb-2")
    assert resumed.outcome is FailbackOutcome.FAILED_BACK
    assert resumed.resumes_at == 4


def test_a_main_whose_deploy_fails_stops_the_failback_before_the_destination_is_touched(world: World) -> None:
    world.main.fail_on["await_deploy"] = qradar_error("main", "deploy", FailureKind.DEPLOY)

    report = world.run()

    assert report.outcome is FailbackOutcome.STOPPED
    assert report.stopped_at is not None and report.stopped_at.number == 3
    assert report.failure is not None and report.failure.kind is FailureKind.DEPLOY
    assert any(action.startswith("The main console's deploy failed") for action in report.manual_actions)
    assert world.destination.writes == [], "the Destination still collects"
    assert world.destination.deployed["site_state"] == "ACTIVE"


def test_a_copy_back_the_api_shows_unfinished_stops_at_that_step(world: World) -> None:
    world.destination.profiles[0]["last_successful_transfer_date"] = int((FAILED_OVER_AT - 60) * 1000)

    report = world.run()

    assert report.outcome is FailbackOutcome.STOPPED
    assert report.stopped_at is not None and report.stopped_at.step.id == "copy-back"
    assert "record no successful transfer after the failover" in report.reason
    assert world.writes() == []


def test_a_copy_back_the_api_cannot_see_rests_on_the_operators_word(world: World) -> None:
    world.destination.profiles = []

    report = world.run()

    assert report.outcome is FailbackOutcome.FAILED_BACK
    copy_back = report.results[1]
    assert copy_back.seen is not None and copy_back.seen.value == "not_visible"
    assert "your word stands" in copy_back.detail


def test_a_failback_done_by_hand_except_the_copy_profiles_is_finished(world: World) -> None:
    world.main.deployed = dr_config("PRIMARY", "ACTIVE", True)
    world.destination.deployed = dr_config("DR", "STANDBY", False)
    world.destination.profiles = []

    report = world.run()

    assert report.outcome is FailbackOutcome.FAILED_BACK, report.reason
    assert states(report)[2:4] == ["already so", "already so"]
    assert [p["enabled"] for p in world.main.profiles] == [True, True, False]
    assert "stage_dr_config" not in world.main.calls + world.destination.calls


def test_another_operators_live_failback_is_not_taken_over(world: World) -> None:
    world.operator.refuse = {"activate-main"}
    world.lock.begin_failback("fb-bob", "bob")  # bob is at his keyboard now

    report = world.run()

    assert report.outcome is FailbackOutcome.REFUSED
    assert "a failback by bob (run fb-bob" in report.reason
    assert world.writes() == []


def test_the_failover_record_without_profile_ids_enables_every_disabled_profile(world: World) -> None:
    world.lock.rearm()
    world.lock.claim("run-old", "alarm")
    world.lock.record_failed_over("run-old", {"at": iso_utc(FAILED_OVER_AT)})  # an older version's record

    report = world.run()

    assert report.outcome is FailbackOutcome.FAILED_BACK
    assert [p["enabled"] for p in world.main.profiles] == [True, True, True]
    assert "no record of which: every one" in report.results[4].detail


def test_nothing_is_left_held_when_a_step_fails(world: World) -> None:
    world.main.fail_on["stage_dr_config"] = qradar_error("main", "stage DR config", FailureKind.TIMEOUT)

    world.run()

    record = world.lock.current()
    assert record is not None and record.failback is not None
    assert not record.failback.live(NOW), "released: the next run resumes at once"


def test_the_results_name_each_step_as_it_stands(world: World) -> None:
    report = world.run()

    assert [result.number for result in report.results] == list(range(1, len(STEPS) + 1))
    assert all(isinstance(result.status, StepState) for result in report.results)
    assert report.as_dict()["plan"][2]["verified_by"].startswith("Main's deployed DR configuration")
