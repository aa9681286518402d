"""``qradar-failover drill --readiness SCENARIO``: the readiness function on the drill's world.

The world is the failover drill's (simulated consoles over HTTPS, AWS on moto in server mode),
built as the module would build it, so it starts ready. A scenario then breaks one thing the way
months of idleness break it, and the real readiness handler runs once, as its schedule would run
it. The drill passes when the run names exactly the checks the scenario breaks, asked the
consoles nothing but GETs, wrote no lock and told nobody, and when ``status`` would show the
result it published.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import boto3

from qradar_failover import readiness_handler
from qradar_failover.config import load_config
from qradar_failover.observability import configure_logging
from qradar_failover.readiness_checks import Check
from qradar_failover_cli.exit_codes import CliError, ExitCode
from qradar_failover_cli.readiness import report_lines, status_line
from qradar_failover_cli.render import emit_json

from . import world as w
from .lambda_context import FakeLambdaContext
from .workdir import drill_place

Say = Callable[[str], None]


@dataclass(frozen=True)
class Scenario:
    what: str  # what broke, as the drill tells it
    failing: tuple[str, ...]  # the checks that must fail, in report order (none: ready)
    breaks: Callable[[w.DrillWorld], None]
    warnings: tuple[str, ...] = ()  # the checks that must warn (the deployment stays ready)


def _nothing(_world: w.DrillWorld) -> None:
    return None


def _token_refused(world: w.DrillWorld) -> None:
    world.replace_token("main", "token-of-a-deleted-authorized-service")


def _destination_active(world: w.DrillWorld) -> None:
    world.destination.set_dr_state(is_dr="PRIMARY", site_state="ACTIVE", ariel_copy_enabled=True)


def _no_subscribers(world: w.DrillWorld) -> None:
    world.unsubscribe_people()


def _token_expiring(world: w.DrillWorld) -> None:
    world.main.expire_token_in(12 * 86400 + 3600)


RPO_TARGET_SECONDS = 3600  # the deployment of the replication-lagging scenario set rpo_target_seconds = 3600


def _replication_lagging(world: w.DrillWorld) -> None:
    world.env["RPO_TARGET_SECONDS"] = str(RPO_TARGET_SECONDS)
    world.main.stall_replication(seconds_ago=3 * 3600)


def _alarm_not_acting(world: w.DrillWorld) -> None:
    world.remove_alarm_actions("HealthyHostCount")


SCENARIOS: dict[str, Scenario] = {
    "ready": Scenario("nothing: the deployment as the module creates it", (), _nothing),
    "token-refused": Scenario(
        "the Main console's authorized service was replaced, its secret still holds the old token",
        ("consoles", "dr_state", "ariel_copy_profiles", "token_expiry", "replication_lag"),
        _token_refused,
    ),
    "destination-active": Scenario(
        "the Destination was left PRIMARY/ACTIVE after a DataSync test", ("dr_state",), _destination_active
    ),
    "no-subscribers": Scenario(
        "the notification topic's only subscriber unsubscribed", ("notification_subscribers",), _no_subscribers
    ),
    "token-expiring": Scenario(
        "the Main console's authorized service token expires in 12 days", (), _token_expiring, ("token_expiry",)
    ),
    "replication-lagging": Scenario(
        "ariel copies to the Destination have failed for 3 hours; the deployment's RPO target is 1 hour",
        ("replication_lag",),
        _replication_lagging,
    ),
    "alarm-not-acting": Scenario(
        "the Main AZ's HealthyHostCount alarm lost its alarm action (the UnHealthyHostCount alarm still acts)",
        ("health_alarms",),
        _alarm_not_acting,
    ),
}


@dataclass
class ReadinessDrillResult:
    scenario: str
    result: dict[str, Any]  # what the readiness handler returned
    requests: list[Any]  # both consoles' recorded requests
    lock: dict[str, Any] | None
    notifications: list[dict[str, Any]]
    status_line: str
    seconds: float
    log_path: str | None
    checks: list[tuple[str, bool]] = field(default_factory=list)
    workdir_note: str | None = None

    @property
    def passed(self) -> bool:
        return all(ok for _, ok in self.checks)

    @property
    def failing(self) -> list[str]:
        return [check["name"] for check in self.result["checks"] if not check["ok"]]

    @property
    def warnings(self) -> list[str]:
        return [check["name"] for check in self.result["checks"] if check.get("status") == "warn"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "expected_failing_checks": list(SCENARIOS[self.scenario].failing),
            "expected_warning_checks": list(SCENARIOS[self.scenario].warnings),
            "passed": self.passed,
            "checks": [{"check": name, "ok": ok} for name, ok in self.checks],
            "readiness": self.result,
            "qradar_requests": [{"method": r.method, "path": r.path, "status": r.status} for r in self.requests],
            "status_line": self.status_line,
            "seconds": round(self.seconds, 3),
            "log_path": self.log_path,
            "workdir": self.workdir_note,
        }


def drill_readiness(scenario: str, io: Any) -> int:
    """``drill --readiness SCENARIO``: exit 0 when the drill showed what the scenario demonstrates."""
    if scenario not in SCENARIOS:
        raise CliError(f"--readiness must be one of {', '.join(SCENARIOS)}, got {scenario!r}", ExitCode.USAGE)
    drill = run_readiness_drill(scenario, io.say)
    if io.json:
        emit_json(drill.as_dict(), io.out)
    else:
        print_readiness_drill(drill, io.say, io.width)
    return int(ExitCode.OK if drill.passed else ExitCode.FAILED)


def run_readiness_drill(
    scenario: str, say: Say, workdir: Path | None = None, endpoint: Any = None
) -> ReadinessDrillResult:
    """Build the world, break it as ``scenario`` says, run the readiness handler once, judge it."""
    started = time.monotonic()
    chosen = SCENARIOS[scenario]
    with drill_place(say, workdir, endpoint) as place:
        world = w.build_world(place.workdir, place.endpoint_url)
        try:
            drill = _run(scenario, chosen, world, say, place.workdir, started)
            place.passed = drill.passed
        finally:
            world.stop()
    drill.workdir_note = place.note or None
    if drill.log_path is not None and not Path(drill.log_path).is_file():
        drill.log_path = None
    return drill


def _run(
    scenario: str, chosen: Scenario, world: w.DrillWorld, say: Say, workdir: Path, started: float
) -> ReadinessDrillResult:
    say(f"QRadar: Main console https://{world.main.address}, Destination https://{world.destination.address}")
    created = (
        f"Created as the module creates it: failover function {w.FAILOVER_FUNCTION} subscribed to the trigger "
        "topic, health alarms, notification topic with the on-call subscriber, token secrets, lock table"
    )
    for line in [*textwrap.wrap(created, 80, subsequent_indent="  "), "", *textwrap.wrap(
            f"Scenario: {scenario}: {chosen.what}", 80, subsequent_indent="  ")]:  # fmt: skip
        say(line)
    chosen.breaks(world)
    os.environ.update(world.env)  # the readiness function's environment, as the (broken) deployment has it
    log_path = workdir / "handler.log"
    output = io.StringIO()
    with _captured(output):
        result = readiness_handler.lambda_handler({"source": "schedule"}, FakeLambdaContext("readiness-drill-1", 60.0))
    log_path.write_text(output.getvalue(), encoding="utf-8")
    world.ingest_emf(output.getvalue())  # what CloudWatch Logs does with the function's EMF lines
    status, _ = status_line(boto3.client("cloudwatch", region_name=w.REGION), load_config(os.environ), os.environ)
    drill = ReadinessDrillResult(
        scenario=scenario,
        result=result,
        requests=world.main.requests + world.destination.requests,
        lock=world.lock_item(),
        notifications=world.notifications(),
        status_line=status,
        seconds=time.monotonic() - started,
        log_path=str(log_path),
    )
    drill.checks = _checks(drill, chosen)
    return drill


@contextlib.contextmanager
def _captured(target: TextIO) -> Any:
    """The handler logs JSON lines and EMF documents to stdout, as in Lambda: keep them."""
    try:
        with contextlib.redirect_stdout(target):
            yield
    finally:
        configure_logging("INFO", io.StringIO())  # detach the engine's logger from the captured stream
        configure_logging("INFO")


def _checks(drill: ReadinessDrillResult, chosen: Scenario) -> list[tuple[str, bool]]:
    expected, warned = list(chosen.failing), list(chosen.warnings)
    verdict = f"not ready, naming {', '.join(expected)}" if expected else "ready"
    status = drill.status_line
    if expected:
        published = re.search(rf"failed: {re.escape(', '.join(expected))}[;)]", status) is not None
    elif warned:
        published = status.startswith("Readiness: ready with warnings") and f"warnings: {', '.join(warned)}" in status
    else:
        published = status.startswith("Readiness: ready (")
    return [
        ("every check reported in its order", [c["name"] for c in drill.result["checks"]] == list(_CHECK_ORDER)),
        (verdict, drill.failing == expected and drill.result["ready"] is (not expected)),
        (
            f"warning about {', '.join(warned)} (still ready)" if warned else "no warning",
            drill.warnings == warned,
        ),
        ("the consoles were asked GETs only", bool(drill.requests) and {r.method for r in drill.requests} == {"GET"}),
        ("no lock written", drill.lock is None),
        ("nobody notified by the readiness function", drill.notifications == []),
        ("qradar-failover status shows the published result", published),
    ]


_CHECK_ORDER = tuple(check.value for check in Check)


def print_readiness_drill(drill: ReadinessDrillResult, say: Say, width: int = 80) -> None:
    for line in report_lines(drill.result, width):
        say(line)
    say("")
    for line in textwrap.wrap(f"qradar-failover status: {drill.status_line}", width, subsequent_indent="  "):
        say(line)
    if drill.log_path:
        say("Handler log (JSON lines and EMF metrics):")
        say(f"  {drill.log_path}")
    if drill.workdir_note:
        say(drill.workdir_note)
    say("")
    expected, warned = SCENARIOS[drill.scenario].failing, SCENARIOS[drill.scenario].warnings
    wanted = (
        "not ready: " + ", ".join(expected)
        if expected
        else "ready" + (f", warning: {', '.join(warned)}" if warned else "")
    )
    say(f"Checks ({drill.scenario}: expected {wanted})")
    for name, ok in drill.checks:
        say(f"  [{'ok' if ok else 'FAILED'}] {name}")
    if expected:
        found = f"named {', '.join(expected)}"
    elif warned:
        found = f"warned about {', '.join(warned)} and stayed ready"
    else:
        found = "confirmed the deployment ready"
    verdict = f"readiness {found}, read-only, before any AZ failed"
    outcome = verdict if drill.passed else "the drill did NOT go as expected"
    for line in textwrap.wrap(f"{'PASS' if drill.passed else 'FAIL'}: {outcome} ({drill.seconds:.1f}s)", width,
                              subsequent_indent="  "):  # fmt: skip
        say(line)
