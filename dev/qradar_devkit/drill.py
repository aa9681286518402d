"""The local failover drill (``qradar-failover drill``, ``make demo``), part of the development kit.

One command, no AWS account: both consoles are the project's QRadar simulator over HTTPS (its own
CA, trusted through ``QRADAR_CA_BUNDLE``), AWS is moto in server mode reached over HTTP through
``AWS_ENDPOINT_URL``, and the real Lambda handler runs in this process on the event SNS would
hand it. The scenario decides what goes wrong; :class:`DrillResult` says what happened, checked
against what the scenario is meant to demonstrate.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from qradar_failover.config import load_config
from qradar_failover.handler import handle, reset_runtime
from qradar_failover.observability import configure_logging
from qradar_failover.runtime import Runtime, build_runtime
from qradar_failover_cli.exit_codes import ExitCode
from qradar_failover_cli.progress import DeployProgress, WaitFor, no_wait
from qradar_failover_cli.render import dr_state, emit_json, notification, outcome_block, table, timeline
from qradar_simulator import Fault, FaultKind

from . import world as w
from .failback_drill import drill_failback
from .lambda_context import LAMBDA_TIMEOUT_SECONDS, FakeLambdaContext
from .readiness_drill import drill_readiness
from .workdir import drill_place

STAGED_DR_CONFIG = "/api/staged_config/disaster_recovery/disaster_recovery_config"
# The engine's defaults except where a demo must be quick; printed at the start of every drill.
DRILL_SETTINGS = {
    "DEPLOY_POLL_INTERVAL_SECONDS": "0.5",  # default 5: poll the simulated deploy often enough to watch it
    "HTTP_READ_TIMEOUT_SECONDS": "5",  # default 15: a hung console is given up on after 5 s
    "MAIN_SITE_BUDGET_SECONDS": "8",  # default 20: the whole Main-Site demotion is bounded by 8 s
}


@dataclass(frozen=True)
class DrillOptions:
    main_hung: bool = False  # the Main console accepts connections and never answers
    false_alarm: bool = False  # one collector of three flaps in the Main AZ
    duplicates: int = 1  # deliveries of the same alarm, concurrently
    dry_run: bool = False  # DRY_RUN=true
    deploy_seconds: float = 2.0  # how long a simulated deploy takes
    verbose: bool = False  # show the handler's JSON log lines instead of writing them to a file

    @property
    def scenario(self) -> str:
        flags = [
            name
            for name, on in (
                ("--main-hung", self.main_hung),
                ("--false-alarm", self.false_alarm),
                (f"--duplicates {self.duplicates}", self.duplicates > 1),
                ("--dry-run", self.dry_run),
            )
            if on
        ]
        return " ".join(flags) or "default"

    @property
    def expected_outcome(self) -> str:
        if self.false_alarm:
            return "refused"
        return "dry_run" if self.dry_run else "failed_over"


@dataclass
class DrillResult:
    options: DrillOptions
    deliveries: list[dict[str, Any]]  # the handler's return value, one per delivery
    before: dict[str, dict[str, Any]]  # site -> deployed DR configuration
    after: dict[str, dict[str, Any]]
    alarms_before: dict[str, str]
    alarms_after: dict[str, str]
    main_requests: list[Any]  # qradar_simulator.RecordedRequest
    destination_requests: list[Any]
    notifications: list[dict[str, Any]]  # SNS envelopes the on-call subscriber received
    lock: dict[str, Any] | None
    settings: dict[str, str]
    seconds: float
    log_path: str | None
    checks: list[tuple[str, bool]] = field(default_factory=list)
    workdir_note: str | None = None  # what became of the drill's temporary directory

    @property
    def passed(self) -> bool:
        return all(ok for _, ok in self.checks)

    @property
    def outcomes(self) -> list[str]:
        return [str(delivery["outcome"]) for delivery in self.deliveries]

    @property
    def report(self) -> dict[str, Any]:
        """The delivery that did the work (the one that failed over), else the first."""
        return next((d for d in self.deliveries if d["outcome"] == "failed_over"), self.deliveries[0])

    def writes(self, site: str) -> list[Any]:
        requests = self.main_requests if site == "main" else self.destination_requests
        return [request for request in requests if request.method == "POST"]

    @property
    def destination_staged(self) -> int:
        return sum(1 for request in self.writes("destination") if request.path == STAGED_DR_CONFIG)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.options.scenario,
            "expected_outcome": self.options.expected_outcome,
            "passed": self.passed,
            "checks": [{"check": name, "ok": ok} for name, ok in self.checks],
            "outcomes": self.outcomes,
            "deliveries": self.deliveries,
            "before": self.before,
            "after": self.after,
            "alarms_before": self.alarms_before,
            "alarms_after": self.alarms_after,
            "qradar_requests": {
                site: [
                    {"method": r.method, "path": r.path, "status": r.status, "seconds": round(r.duration_seconds, 3)}
                    for r in requests
                ]
                for site, requests in (("main", self.main_requests), ("destination", self.destination_requests))
            },
            "destination_staged_writes": self.destination_staged,
            "notifications": [{"subject": n.get("Subject"), "message": n.get("Message")} for n in self.notifications],
            "lock": self.lock,
            "settings": self.settings,
            "seconds": round(self.seconds, 3),
            "log_path": self.log_path,
            "workdir": self.workdir_note,
        }


Say = Callable[[str], None]


def command(args: argparse.Namespace, environ: Mapping[str, str], io: Any) -> int:
    """``qradar-failover drill``: run the scenario the flags describe and print (or emit) what happened."""
    if args.readiness is not None:
        return drill_readiness(args.readiness, io)
    if args.outage is not None:
        from qradar_devkit.outage_drill import drill_outage

        return drill_outage(args.outage, io)
    if args.failback:
        return drill_failback(args, io, failover_on(args.deploy_seconds, io.say, io.wait_for))
    options = DrillOptions(
        main_hung=args.main_hung,
        false_alarm=args.false_alarm,
        duplicates=args.duplicates,
        dry_run=args.dry_run,
        deploy_seconds=args.deploy_seconds,
        verbose=args.verbose,
    )
    result = run_drill(options, io.say, log_stream=io.err if args.json else io.out, wait_for=io.wait_for)
    if args.json:
        emit_json(result.as_dict(), io.out)
    else:
        print_result(result, io.say, width=io.width)
    return int(ExitCode.OK if result.passed else ExitCode.FAILED)


def run_drill(
    options: DrillOptions,
    say: Say,
    workdir: Path | None = None,
    endpoint: Any = None,
    log_stream: TextIO | None = None,
    wait_for: WaitFor | None = None,
) -> DrillResult:
    """Build the world, break the Main AZ as the scenario says, deliver the alarm, check the result.

    ``endpoint`` (a :class:`~qradar_devkit.world.MotoEndpoint`) may be shared across drills;
    it is reset first either way. ``log_stream`` receives the handler's log lines with ``verbose``.
    Without ``workdir`` the drill works in a temporary directory and removes it at the end (it holds
    the drill CA's private keys); only a failed drill's handler log is kept, and the result says where.
    """
    started = time.monotonic()
    settings = dict(DRILL_SETTINGS)
    if options.dry_run:
        settings["DRY_RUN"] = "true"
    main_collectors = 3 if options.false_alarm else 2
    with drill_place(say, workdir, endpoint) as place:
        world = w.build_world(place.workdir, place.endpoint_url, main_collectors=main_collectors,
                              deploy_seconds=options.deploy_seconds)  # fmt: skip
        try:
            result = _run(options, world, settings, say, place.workdir, started, log_stream, wait_for or no_wait)
            place.passed = result.passed
        finally:
            world.stop()
            reset_runtime()
    result.workdir_note = place.note or None
    if result.log_path is not None and not Path(result.log_path).is_file():
        result.log_path = None
    return result


def failover_on(
    deploy_seconds: float, say: Say, wait_for: WaitFor | None = None
) -> Callable[[Any, Path, float], DrillResult]:
    """The default scenario on a world someone else built (the failback drill fails over this way first):
    ``(world, workdir, started) -> DrillResult``."""

    def fail_over(world: Any, workdir: Path, started: float) -> DrillResult:
        options = DrillOptions(deploy_seconds=deploy_seconds)
        return _run(options, world, dict(DRILL_SETTINGS), say, workdir, started, None, wait_for or no_wait)

    return fail_over


def _run(
    options: DrillOptions,
    world: Any,
    settings: dict[str, str],
    say: Say,
    workdir: Path,
    started: float,
    log_stream: TextIO | None,
    wait_for: WaitFor,
) -> DrillResult:
    os.environ.update(world.env | settings)
    reset_runtime()  # clients pick up the endpoint and this environment
    say(f"QRadar: Main console https://{world.main.address}, Destination https://{world.destination.address}")
    say(f"  simulated, certificates from a drill CA trusted via QRADAR_CA_BUNDLE={world.ca.bundle_path}")
    say(
        f"Created: NLB {world.load_balancer}, target group {world.target_group} "
        f"({sum(c.availability_zone == w.MAIN_AZ for c in world.collectors)} collectors in {w.MAIN_AZ} = Main, "
        f"{sum(c.availability_zone == w.DEST_AZ for c in world.collectors)} in {w.DEST_AZ} = Destination), "
        f"{len(world.alarm_states())} alarms, trigger + notification topics, token secrets, lock table {w.LOCK_TABLE}"
    )
    say("Drill settings (engine defaults otherwise): " + ", ".join(f"{k}={v}" for k, v in settings.items()))
    before = {"main": world.main.deployed_dr_config(), "destination": world.destination.deployed_dr_config()}
    alarms_before = world.alarm_states()
    say("")
    say(f"Before:  Main {dr_state(before['main'])}; Destination {dr_state(before['destination'])}")

    say("")
    say(f"Scenario: {options.scenario}")
    if options.false_alarm:
        say(
            f"  1 of 3 Main collectors in {w.MAIN_AZ} fails its health checks "
            "(HealthyHostCount 2, UnHealthyHostCount 1)"
        )
        world.publish_health(w.MAIN_AZ, healthy=2, unhealthy=1)
        world.set_alarm("UnHealthyHostCount", "ALARM", _reason(1.0))
    else:
        say(f"  the Main AZ {w.MAIN_AZ} goes dark: HealthyHostCount 0, UnHealthyHostCount 2 for 3 minutes")
        world.publish_health(w.MAIN_AZ, healthy=0, unhealthy=2)
        world.set_alarm("UnHealthyHostCount", "ALARM", _reason(2.0))
        world.set_alarm("HealthyHostCount", "ALARM", "Threshold Crossed: 3 datapoints were less than 1.0")
    if options.main_hung:
        say("  the Main console accepts connections but never answers (hung)")
        world.main.inject(Fault(FaultKind.HANG))
    if options.dry_run:
        say("  the function runs with DRY_RUN=true")
    event = world.deliver_through_trigger_topic(world.alarm_message("UnHealthyHostCount"))
    count = max(1, options.duplicates)
    say(
        f"  alarm {event['Records'][0]['Sns']['Subject']} published to the trigger topic; "
        + ("delivered to the handler" if count == 1 else f"delivered {count} times at once (SNS redelivery)")
    )
    log_path = None if options.verbose else str(workdir / "handler.log")
    # The runtime lambda_handler builds from this environment, whose consoles also show each deploy poll.
    config = load_config(os.environ)
    runtime = build_runtime(config, deploy_observer=DeployProgress(say))
    with _handler_output(log_path, log_stream), wait_for("the function's run", LAMBDA_TIMEOUT_SECONDS):
        configure_logging(config.log_level)  # as lambda_handler does, into the handler's output
        deliveries = _deliver(event, count, runtime)
    say("")
    result = DrillResult(
        options=options,
        deliveries=deliveries,
        before=before,
        after={"main": world.main.deployed_dr_config(), "destination": world.destination.deployed_dr_config()},
        alarms_before=alarms_before,
        alarms_after=world.alarm_states(),
        main_requests=world.main.requests,
        destination_requests=world.destination.requests,
        notifications=_wait_for_notifications(world, deliveries),
        lock=world.lock_item(),
        settings=settings,
        seconds=time.monotonic() - started,
        log_path=log_path,
    )
    result.checks = _checks(result)
    return result


def _deliver(event: dict[str, Any], count: int, runtime: Runtime) -> list[dict[str, Any]]:
    if count == 1:
        return [handle(event, FakeLambdaContext("drill-1"), runtime)]
    results: list[dict[str, Any] | None] = [None] * count
    barrier = threading.Barrier(count)

    def deliver(index: int) -> None:
        barrier.wait()
        results[index] = handle(event, FakeLambdaContext(f"drill-{index + 1}"), runtime)

    threads = [threading.Thread(target=deliver, args=(index,), daemon=True) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=LAMBDA_TIMEOUT_SECONDS)
    return [result for result in results if result is not None]


@contextlib.contextmanager
def _handler_output(log_path: str | None, verbose_stream: TextIO | None) -> Iterator[None]:
    """The handler logs JSON lines to stdout (as in Lambda): into a file, or to ``verbose_stream``."""
    target: TextIO = open(log_path, "a", encoding="utf-8") if log_path else (verbose_stream or sys.stdout)  # noqa: SIM115
    try:
        with contextlib.redirect_stdout(target):
            yield
    finally:
        if log_path:
            target.close()
        configure_logging("INFO", io.StringIO())  # detach the engine's logger from the closed file
        configure_logging("INFO")


def _wait_for_notifications(world: Any, deliveries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    expected = sum(1 for d in deliveries if d.get("notified"))
    received: list[dict[str, Any]] = []
    give_up = time.monotonic() + 5
    while True:
        received += world.notifications()
        if len(received) >= expected or time.monotonic() > give_up:
            return received
        time.sleep(0.05)


def _checks(result: DrillResult) -> list[tuple[str, bool]]:
    options = result.options
    expected = options.expected_outcome
    outcomes = result.outcomes
    checks = [(f"{max(1, options.duplicates)} deliveries answered", len(outcomes) == max(1, options.duplicates))]
    if expected == "failed_over":
        duplicates = {"in_progress_elsewhere", "already_failed_over"}
        failed_over_notices = sum("Failed over" in str(n.get("Subject")) for n in result.notifications)
        checks += [
            ("exactly one delivery failed over", outcomes.count("failed_over") == 1),
            (
                "every other delivery was a recognised duplicate",
                all(o in duplicates for o in outcomes if o != expected),
            ),
            ("Destination deployed PRIMARY/ACTIVE", result.after["destination"].get("site_state") == "ACTIVE"),
            ("Destination staged exactly once", result.destination_staged == 1),
            ("one 'Failed over' notification", failed_over_notices == 1),
            ("lock records FAILED_OVER", (result.lock or {}).get("state", {}).get("S") == "FAILED_OVER"),
        ]
        if options.main_hung:
            budget = float(result.settings["MAIN_SITE_BUDGET_SECONDS"])
            main_wait = sum(s["duration_seconds"] for s in result.report["steps"] if s["site"] == "main")
            checks += [
                (f"the wait for Main stayed within {budget:g}s", main_wait <= budget + 1),
                ("Main left as manual steps", any("Main Site console" in a for a in result.report["manual_actions"])),
            ]
        else:
            checks.append(("Main deployed STANDBY", result.after["main"].get("site_state") == "STANDBY"))
    else:
        checks += [
            (f"every delivery {expected}", all(o == expected for o in outcomes)),
            ("nothing written to either console", not result.writes("main") and not result.writes("destination")),
            ("no lock taken", result.lock is None),
            ("people were told", len(result.notifications) >= 1),
        ]
    return checks


def _reason(value: float) -> str:
    points = ", ".join(f"{value} (datapoint {n})" for n in range(3, 0, -1))
    return (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{points}] were greater than or equal to the "
        "threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )


def print_result(result: DrillResult, say: Say, width: int | None = None) -> None:
    """The human part: timeline, states before/after, what the subscriber received, the verdict.
    ``width``: fit the tables to it (``say`` wraps the prose)."""
    options = result.options
    if len(result.deliveries) > 1:
        say("Deliveries")
        say_lines(say, table(("#", "run", "outcome", "took"), [
            (n, d["run_id"], d["outcome"], f"{d['duration_seconds']:.2f}s")
            for n, d in enumerate(result.deliveries, start=1)
        ]))  # fmt: skip
        say(f"  Destination staged {result.destination_staged} time(s) (simulator request log)")
        say("")
    report = result.report
    say(f"Timeline (run {report['run_id']})")
    say_lines(say, timeline(report, width=width))
    say("")
    say_lines(say, outcome_block(report))
    say("")
    say("DR state")
    say_lines(
        say,
        table(
            ("site", "before", "after"),
            [(site, dr_state(result.before[site]), dr_state(result.after[site])) for site in ("main", "destination")],
            width=width,
        ),
    )
    changed = {name: state for name, state in result.alarms_after.items() if result.alarms_before.get(name) != state}
    for name, state in changed.items():
        say(f"  alarm {name}: {result.alarms_before.get(name)} -> {state}")
    say("")
    say(f"Notifications received by the on-call subscriber ({len(result.notifications)})")
    for message in result.notifications:
        say_lines(say, ["  " + line if line else "" for line in notification(message)])
        say("")
    if result.log_path:
        say(f"Handler log (JSON lines): {result.log_path}")
    if result.workdir_note:
        say(f"Drill directory: {result.workdir_note}")
    say("")
    say(f"Checks ({options.scenario}: expected outcome {options.expected_outcome})")
    for name, ok in result.checks:
        say(f"  [{'ok' if ok else 'FAILED'}] {name}")
    verdict = demonstrated(options) if result.passed else "the drill did NOT go as expected"
    say(f"{'PASS' if result.passed else 'FAIL'}: {verdict} ({result.seconds:.1f}s)")


def demonstrated(options: DrillOptions) -> str:
    """What a passing drill of this scenario has shown."""
    if options.expected_outcome == "refused":
        return "a flapping collector did not fail the site over; people were told why"
    if options.expected_outcome == "dry_run":
        return "the confirmed alarm produced a notified plan and nothing was written"
    parts = ["the Destination Site took over and was verified PRIMARY/ACTIVE"]
    if options.main_hung:
        parts.append("the hung Main console cost a bounded wait and was left as manual steps")
    if options.duplicates > 1:
        parts.append(f"{options.duplicates} deliveries made exactly one failover")
    return "; ".join(parts)


def say_lines(say: Say, lines: list[str]) -> None:
    for line in lines:
        say(line)
