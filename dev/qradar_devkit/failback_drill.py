"""``qradar-failover drill --failback``: the way there and back on one local world.

The failover drill's default scenario first (the Main AZ goes dark, the alarm goes through the trigger
topic to the real handler, the Destination takes over). Then the Main AZ recovers: the load balancer
reports its collectors healthy minute after minute and the alarms return to OK. Then the failback runs
through the engine the CLI drives, shown as ``qradar-failover failback --yes`` shows it, with the drill
playing the on-call person for the manual steps (the copy back to Main is set up and runs). Last, the
real readiness handler runs once, as its schedule would: a failback is done when a new failover would
work. The drill passes when Main is active and copying to the Destination again, the Destination is
standby, the lock is armed, people were told, and readiness is ready.

Time: a recovery is a run of healthy minutes, not one datapoint, so the failback is judged on simulated
time: the engine's wall clock runs :data:`RECOVERY_MINUTES` (+1) minutes ahead, and the load balancer's
datapoints for those minutes are written as it would write them (both AZs report every minute).
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import boto3

from qradar_failover import readiness_handler
from qradar_failover.config import Config, load_config
from qradar_failover.deadline import Clocks
from qradar_failover.failback import FailbackSettings, fail_back
from qradar_failover.failback_plan import COPY_BACK, Step
from qradar_failover.failback_report import FailbackOutcome, FailbackReport, StepResult, StepState
from qradar_failover.observability import configure_logging
from qradar_failover.runtime import build_runtime
from qradar_failover_cli.alarms import AlarmView, main_site_alarms
from qradar_failover_cli.exit_codes import ExitCode
from qradar_failover_cli.failback import PromptingOperator, failback_collaborators, outcome_lines
from qradar_failover_cli.readiness import readiness_command, report_lines
from qradar_failover_cli.render import dr_state, emit_json
from qradar_failover_cli.streams import Io

from . import world as w
from .lambda_context import FakeLambdaContext
from .workdir import drill_place

RECOVERY_MINUTES = 20  # healthy minutes the Main AZ reports before the failback (it asks for 15)
Say = Callable[[str], None]


class FailoverDrill(Protocol):
    """What the failover drill's result tells (``qradar_devkit.drill.DrillResult``)."""

    @property
    def report(self) -> dict[str, Any]: ...

    after: dict[str, dict[str, Any]]
    notifications: list[dict[str, Any]]


# The failover drill's default scenario on a world built by the caller: (world, workdir, started) -> result.
FailOver = Callable[[w.DrillWorld, Path, float], FailoverDrill]


@dataclass
class FailbackDrillResult:
    failover: FailoverDrill
    failback: FailbackReport
    readiness: dict[str, Any]  # what the readiness handler returned
    after: dict[str, dict[str, Any]]  # site -> deployed DR configuration
    main_profiles: list[dict[str, Any]]
    copies: dict[str, list[str]]  # site -> the hosts it copies ariel data to
    lock: dict[str, Any] | None
    notifications: list[dict[str, Any]]
    seconds: float
    checks: list[tuple[str, bool]] = field(default_factory=list)
    workdir_note: str | None = None

    @property
    def passed(self) -> bool:
        return all(ok for _, ok in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": "failback",
            "passed": self.passed,
            "checks": [{"check": name, "ok": ok} for name, ok in self.checks],
            "failover": self.failover.report,
            "failback": self.failback.as_dict(),
            "readiness": self.readiness,
            "after": self.after,
            "main_copy_profiles": self.main_profiles,
            "copies_to": self.copies,
            "lock": self.lock,
            "notifications": [{"subject": n.get("Subject")} for n in self.notifications],
            "seconds": round(self.seconds, 3),
            "workdir": self.workdir_note,
        }


def drill_failback(args: Any, io: Io, fail_over: FailOver) -> int:
    """``drill --failback``: exit 0 when the way back ended ready for the next failover."""
    result = run_failback_drill(io, fail_over, args.deploy_seconds)
    if args.json:
        emit_json(result.as_dict(), io.out)
    else:
        print_failback_drill(result, io.say)
    return int(ExitCode.OK if result.passed else ExitCode.FAILED)


def run_failback_drill(
    io: Io, fail_over: FailOver, deploy_seconds: float = 2.0, workdir: Path | None = None, endpoint: Any = None
) -> FailbackDrillResult:
    """Fail over, recover the Main AZ, fail back and check readiness, on one world."""
    started = time.monotonic()
    with drill_place(io.say, workdir, endpoint) as place:
        world = w.build_world(place.workdir, place.endpoint_url, deploy_seconds=deploy_seconds)
        try:
            result = _there_and_back(world, io, place.workdir, fail_over, started)
            place.passed = result.passed
        finally:
            world.stop()
    result.workdir_note = place.note or None
    return result


def _there_and_back(
    world: w.DrillWorld, io: Io, workdir: Path, fail_over: FailOver, started: float
) -> FailbackDrillResult:
    io.say("")
    io.say("== 1. The Main AZ fails: the failover drill's default scenario")
    failover = fail_over(world, workdir, started)
    report = failover.report
    io.say(f"Failover: {report['outcome']} - {report['reason']}")
    for site in ("main", "destination"):
        io.say(f"  {site:11}  {dr_state(failover.after[site])}")

    io.say("")
    io.say(f"== 2. The Main AZ recovers: {RECOVERY_MINUTES} minutes of healthy collectors (simulated time)")
    ahead = _recover(world)
    io.say(f"  {w.MAIN_AZ}: HealthyHostCount 2, UnHealthyHostCount 0 every minute; both Main-AZ alarms back to OK")
    io.say(f"  the failback runs on a clock {round(ahead / 60)} minutes ahead of the failover's")

    io.say("")
    io.say("== 3. The failback, as 'qradar-failover failback --yes' runs it (the drill plays the on-call person)")
    failback = _fail_back(world, io, workdir, ahead)
    for line in outcome_lines(failback, readiness_command(w.FAILOVER_FUNCTION, w.REGION)):
        io.say(line)

    io.say("")
    io.say("== 4. Readiness, as its schedule runs it: would the next failover work?")
    readiness = _readiness(workdir)
    result = FailbackDrillResult(
        failover=failover,
        failback=failback,
        readiness=readiness,
        after={"main": world.main.deployed_dr_config(), "destination": world.destination.deployed_dr_config()},
        main_profiles=world.main.copy_profiles(),
        copies={"main": world.main.copies_to(), "destination": world.destination.copies_to()},
        lock=world.lock_item(),
        notifications=failover.notifications + world.notifications(),
        seconds=time.monotonic() - started,
    )
    result.checks = _checks(result)
    return result


def _recover(world: w.DrillWorld) -> float:
    """The Main AZ's collectors answer again: the load balancer reports both AZs every minute for
    RECOVERY_MINUTES, the targets pass their health checks, the alarms return to OK. Returns how far
    ahead (seconds) the failback's clock runs."""
    minutes = range(-1, -RECOVERY_MINUTES - 1, -1)  # the next minutes, as the load balancer will report them
    world.publish_health(w.MAIN_AZ, healthy=2, unhealthy=0, minutes_ago=minutes)
    world.publish_health(w.DEST_AZ, healthy=2, unhealthy=0, minutes_ago=minutes)
    for metric in w.HEALTH_ALARMS:
        world.set_alarm(metric, "OK", "Threshold Crossed: 3 datapoints were not breaching (the collectors recovered)")
    return (RECOVERY_MINUTES + 1) * 60.0


@dataclass
class _WorldAlarms:
    config: Config

    def read(self) -> tuple[Sequence[AlarmView], str | None]:
        cloudwatch = boto3.client("cloudwatch", region_name=w.REGION)
        return main_site_alarms(cloudwatch, self.config.main_site_availability_zones, f"{w.NAME_PREFIX}-"), None


@dataclass
class _OnCall:
    """The CLI's operator with ``--yes``, and the drill doing what the person does at the manual steps."""

    shown: PromptingOperator
    world: w.DrillWorld

    def plan(self, report: FailbackReport) -> None:
        self.shown.plan(report)

    def approve(self, number: int, step: Step) -> bool:
        return self.shown.approve(number, step)

    def done(self, number: int, step: Step) -> bool:
        answer = self.shown.done(number, step)
        if step is COPY_BACK:
            self.world.destination.set_copy_profiles_enabled(True)  # dr_create_ssh.sh on the Destination hosts
            copied = ", ".join(str(profile) for profile in self.world.destination.run_ariel_copy())
            self.shown.io.say(f"  drill: the copy back to Main is set up and has run (Destination profile {copied})")
        return answer

    def finished(self, result: StepResult) -> None:
        self.shown.finished(result)


def _fail_back(world: w.DrillWorld, io: Io, workdir: Path, ahead: float) -> FailbackReport:
    config = load_config(os.environ)
    clocks = Clocks(wall=lambda: time.time() + ahead)
    collaborators = failback_collaborators(build_runtime(config, clocks=clocks), io, _WorldAlarms(config))
    with _engine_log_to(workdir / "handler.log"):
        return fail_back(
            config, collaborators, _OnCall(PromptingOperator(io, yes=True), world), FailbackSettings(),
            "drill-failback-1", "drill", clocks,
        )  # fmt: skip


def _readiness(workdir: Path) -> dict[str, Any]:
    output = io.StringIO()
    with _captured(output):
        result: dict[str, Any] = readiness_handler.lambda_handler(
            {"source": "schedule"}, FakeLambdaContext("readiness-after-failback", 60.0)
        )
    with (workdir / "handler.log").open("a", encoding="utf-8") as log:
        log.write(output.getvalue())
    return result


@contextlib.contextmanager
def _engine_log_to(path: Path) -> Iterator[None]:
    """The engine's JSON log lines go to the drill's handler log, as the handler's do (the drill shows its
    progress, not its log)."""
    with path.open("a", encoding="utf-8") as log:
        configure_logging("INFO", log)
        try:
            yield
        finally:
            configure_logging("INFO", io.StringIO())
            configure_logging("INFO")


@contextlib.contextmanager
def _captured(target: io.StringIO) -> Iterator[None]:
    try:
        with contextlib.redirect_stdout(target):
            yield
    finally:
        configure_logging("INFO", io.StringIO())
        configure_logging("INFO")


def _checks(result: FailbackDrillResult) -> list[tuple[str, bool]]:
    main, destination = result.after["main"], result.after["destination"]
    subjects = [str(notice.get("Subject")) for notice in result.notifications]
    failed_readiness = [check["name"] for check in result.readiness["checks"] if not check["ok"]]
    return [
        ("the alarm failed the Main AZ over to the Destination", result.failover.report["outcome"] == "failed_over"),
        ("the failback passed its preflight once the Main AZ had recovered", result.failback.resumes_at == 1
         and all(requirement.ok for requirement in result.failback.preflight)),
        ("every failback step done", result.failback.outcome is FailbackOutcome.FAILED_BACK
         and all(r.status in (StepState.DONE, StepState.ALREADY) for r in result.failback.results)),
        ("Main PRIMARY/ACTIVE, ariel copy on", (main["is_dr"], main["site_state"], main["ariel_copy_enabled"])
         == ("PRIMARY", "ACTIVE", True)),
        ("Destination DR/STANDBY, ariel copy off", (destination["is_dr"], destination["site_state"],
         destination["ariel_copy_enabled"]) == ("DR", "STANDBY", False)),
        ("Main's ariel copy profiles enabled", all(profile["enabled"] for profile in result.main_profiles)),
        ("ariel data flows Main -> Destination, not back", result.copies["main"] != []
         and result.copies["destination"] == []),
        ("the lock is armed (no record)", result.lock is None),
        ("one 'Failed back' notification", sum("Failed back" in s for s in subjects) == 1),
        (f"readiness: ready{'' if not failed_readiness else ', failing ' + ', '.join(failed_readiness)}",
         result.readiness.get("ready") is True),
    ]  # fmt: skip


def print_failback_drill(result: FailbackDrillResult, say: Say) -> None:
    for line in report_lines(result.readiness):
        say(line)
    say("")
    say("Notifications received by the on-call subscriber")
    for notice in result.notifications:
        say(f"  Subject: {notice.get('Subject')}")
    if result.workdir_note:
        say(f"Drill directory: {result.workdir_note}")
    say("")
    say("Checks (failback: there and back, ready for the next failover)")
    for name, ok in result.checks:
        say(f"  [{'ok' if ok else 'FAILED'}] {name}")
    verdict = (
        "failed over, recovered, failed back step by step; Main active and copying, the Destination standby, the "
        "automation re-armed and ready"
        if result.passed
        else "the drill did NOT go as expected"
    )
    say(f"{'PASS' if result.passed else 'FAIL'}: {verdict} ({result.seconds:.1f}s)")
