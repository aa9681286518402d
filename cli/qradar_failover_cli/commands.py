"""The operator commands: status, failover, rearm, decode. Each returns an exit code."""

from __future__ import annotations

import argparse
import getpass
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from qradar_failover.aws_errors import AWS_ERRORS, AwsProblem, aws_error_code, aws_problem
from qradar_failover.config import Config, SiteConfig
from qradar_failover.deadline import Deadline
from qradar_failover.events import AlarmRecord, AlarmState, EventRejected, decode_event
from qradar_failover.failover import Collaborators, fail_over
from qradar_failover.health import HealthUnavailable
from qradar_failover.lock import LockRecord, LockState, LockUnavailable
from qradar_failover.qradar import DeployStatus, DRConfig, QRadarConsole, QRadarError
from qradar_failover.report import FailoverReport, FailureKind, Outcome
from qradar_failover.runtime import Runtime, build_runtime
from qradar_failover.tokens import TokenUnavailable

from .alarms import AlarmView, main_site_alarms, manual_failover_event
from .exit_codes import CliError, ExitCode
from .progress import ProgressConsoles, deploy_progress
from .render import emit_json, outcome_block, table, timeline
from .settings import aws_access, config_from, environment

_UNREACHABLE_KINDS = {FailureKind.TIMEOUT, FailureKind.CONNECTION, FailureKind.DEADLINE}
_OK_OUTCOMES = {Outcome.FAILED_OVER, Outcome.ALREADY_FAILED_OVER, Outcome.DRY_RUN}


@dataclass
class Io:
    out: TextIO
    err: TextIO
    stdin: TextIO
    json: bool

    def say(self, text: str = "") -> None:
        """Human output; in --json mode it goes to stderr so stdout stays one JSON document."""
        (self.err if self.json else self.out).write(text + "\n")
        (self.err if self.json else self.out).flush()


# --- shared ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SiteView:
    name: str
    address: str
    dr: DRConfig | None = None
    deploy: DeployStatus | None = None
    error: str | None = None
    exit_code: ExitCode = ExitCode.OK

    def describe(self) -> str:
        return self.dr.describe() if self.dr else f"not read: {self.error}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "dr_config": dict(self.dr.raw) if self.dr else None,
            "state": self.dr.describe() if self.dr else None,
            "deploy_status": self.deploy.__dict__ if self.deploy else None,
            "error": self.error,
        }


def _runtime(args: argparse.Namespace, environ: Mapping[str, str], **overrides: Any) -> tuple[Config, Runtime]:
    env = environment(args, environ)
    config = config_from(env, **overrides)
    aws = aws_access(args, env)
    return config, build_runtime(config, env, session=aws.session)


def _read_site(runtime: Runtime, site: SiteConfig, with_deploy: bool = True) -> SiteView:
    deadline = Deadline.after(runtime.config.main_site_budget_seconds)
    try:
        console = runtime.consoles.open(site, lambda _call: None)
        dr = console.read_dr_config(deadline)
        deploy = console.deploy_status(deadline) if with_deploy and isinstance(console, QRadarConsole) else None
    except QRadarError as error:
        return SiteView(site.name, site.address, error=str(error), exit_code=qradar_exit_code(error))
    except TokenUnavailable as error:
        return SiteView(site.name, site.address, error=str(error), exit_code=_aws_exit_code(error.aws_problem))
    return SiteView(site.name, site.address, dr, deploy)


def qradar_exit_code(error: QRadarError) -> ExitCode:
    if error.kind in (FailureKind.TIMEOUT, FailureKind.CONNECTION, FailureKind.DEADLINE):
        return ExitCode.UNREACHABLE
    if error.kind is FailureKind.TLS:
        return ExitCode.USAGE
    return ExitCode.FAILED


def _aws_exit_code(problem: AwsProblem | None) -> ExitCode:
    """The exit code for an AWS error, from the problem the engine's adapters classified."""
    if problem in (AwsProblem.CREDENTIALS, AwsProblem.REGION):
        return ExitCode.USAGE
    if problem is AwsProblem.ENDPOINT:
        return ExitCode.UNREACHABLE
    return ExitCode.FAILED


def _lock(runtime: Runtime) -> LockRecord | None:
    try:
        return runtime.lock.current()
    except LockUnavailable as error:
        raise CliError(f"lock table: {error}", _aws_exit_code(error.aws_problem)) from None


def _alarms(runtime: Runtime, args: argparse.Namespace, environ: Mapping[str, str]) -> list[AlarmView]:
    prefix = environment(args, environ).get("ALARM_NAME_PREFIX") or None
    cloudwatch = aws_access(args, environment(args, environ)).client("cloudwatch")
    try:
        return main_site_alarms(cloudwatch, runtime.config.main_site_availability_zones, prefix)
    except AWS_ERRORS as error:
        raise CliError(
            f"CloudWatch alarms: cannot be read: {aws_error_code(error)}", _aws_exit_code(aws_problem(error))
        ) from None


def lock_summary(record: LockRecord | None, now_armed_text: str = "none (automation armed)") -> str:
    if record is None:
        return now_armed_text
    holder = f" by {record.holder}" if record.holder else ""
    alarm = f" for {record.alarm_name}" if record.alarm_name else ""
    return f"{record.state.value}{holder}{alarm}"


# --- status ------------------------------------------------------------------------------------
def status(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    config, runtime = _runtime(args, environ)
    main = _read_site(runtime, config.main_site)
    destination = _read_site(runtime, config.destination_site)
    lock = _lock(runtime)
    alarms = _alarms(runtime, args, environ)
    verdict, healthy = status_verdict(main, destination, lock, alarms)
    unreadable = max((main.exit_code, destination.exit_code), default=ExitCode.OK)
    code = unreadable if unreadable is not ExitCode.OK else (ExitCode.OK if healthy else ExitCode.FAILED)
    if io.json:
        emit_json(
            {
                "verdict": verdict,
                "healthy": healthy,
                "main": main.as_dict(),
                "destination": destination.as_dict(),
                "lock": lock.as_dict() if lock else None,
                "alarms": [alarm.as_dict() for alarm in alarms],
                "exit_code": int(code),
            },
            io.out,
        )
        return code
    io.say("Consoles")
    for line in table(
        ("site", "address", "DR state", "deploy"),
        [(view.name, view.address, view.describe(), _deploy_text(view.deploy)) for view in (main, destination)],
    ):
        io.say(line)
    io.say()
    io.say(f"Lock ({config.lock_table_name}/{config.lock_id}): {lock_summary(lock)}")
    if lock is not None and lock.summary:
        io.say(f"  recorded: {json.dumps(lock.summary, sort_keys=True, default=str)}")
    io.say()
    io.say(f"Main-Site AZ alarms ({', '.join(sorted(config.main_site_availability_zones))})")
    if alarms:
        for line in table(("alarm", "state", "since"), [(a.name, a.state, a.updated) for a in alarms]):
            io.say(line)
    else:
        io.say("  none found (wrong region, or pass --alarm-prefix)")
    io.say()
    io.say(verdict)
    return code


def status_verdict(
    main: SiteView, destination: SiteView, lock: LockRecord | None, alarms: list[AlarmView]
) -> tuple[str, bool]:
    """One line for people, and whether this is the normal armed state."""
    main_text = _site_word("Main", main, active_is_normal=True)
    destination_text = _site_word("Destination", destination, active_is_normal=False)
    if lock is None or lock.state is LockState.FAILED:
        automation = "automation armed"
    elif lock.state is LockState.FAILED_OVER:
        automation = "automation disarmed (failover recorded; re-arm after failback: qradar-failover rearm)"
    else:
        automation = f"failover in progress ({lock.holder})"
    parts = [main_text, destination_text, automation]
    firing = [alarm.name for alarm in alarms if alarm.state == "ALARM"]
    if firing:
        parts.append(f"{len(firing)} Main-AZ alarm(s) in ALARM")
    if main.dr and destination.dr and main.dr.is_active_primary and destination.dr.is_active_primary:
        parts.insert(0, "WARNING: both consoles are PRIMARY/ACTIVE")
    healthy = (
        main.dr is not None
        and main.dr.is_active_primary
        and destination.dr is not None
        and destination.dr.is_standby_dr
        and automation == "automation armed"
        and not firing
    )
    return ", ".join(parts), healthy


def _site_word(label: str, view: SiteView, *, active_is_normal: bool) -> str:
    if view.dr is None:
        return f"{label} unreachable"
    if view.dr.is_active_primary:
        return f"{label} active"
    if view.dr.site_state == "STANDBY":
        return f"{label} standby"
    return f"{label} {view.dr.is_dr}/{view.dr.site_state}"


def _deploy_text(deploy: DeployStatus | None) -> str:
    if deploy is None:
        return "-"
    errors = f", errors: {deploy.error_message or 'yes'}" if deploy.has_errors else ""
    return f"{deploy.status} {deploy.percent_complete}%{errors}"


# --- failover ----------------------------------------------------------------------------------
def failover(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    overrides: dict[str, Any] = {"dry_run": True} if args.dry_run else {}
    config, runtime = _runtime(args, environ, **overrides)
    operator = getpass.getuser()
    if args.alarm_file:
        event = _read_event_file(args.alarm_file)
    else:
        event = manual_failover_event(_alarms(runtime, args, environ), args.az)
    try:
        alarm = decode_event(event)
    except EventRejected as error:
        raise CliError(f"the alarm event cannot be used: {error}", ExitCode.USAGE) from None

    io.say(f"Failover of {alarm.availability_zone} ({alarm.target_group}) to the Destination Site")
    main = _read_site(runtime, config.main_site, with_deploy=False)
    destination = _read_site(runtime, config.destination_site, with_deploy=False)
    io.say(f"  Main        {config.main_site.address:24} {main.describe()}")
    io.say(f"  Destination {config.destination_site.address:24} {destination.describe()}")
    io.say(f"  Lock        {lock_summary(_lock(runtime))}")
    io.say(f"  Live health {_live_health(runtime, alarm)}")
    confirmation = (
        "live target health must confirm (as the function does)"
        if args.require_confirmation
        else f"your decision ({operator}) replaces the alarm's confirmation"
    )
    io.say(f"  Confirmation: {confirmation}")
    if config.dry_run:
        io.say("  DRY RUN: nothing will be written")
    elif not args.yes and not _confirmed(io):
        io.say("Cancelled: nothing was changed.")
        if io.json:
            emit_json({"outcome": "cancelled", "exit_code": int(ExitCode.FAILED)}, io.out)
        return ExitCode.FAILED

    io.say()
    io.say("Progress")
    collaborators = Collaborators(
        ProgressConsoles(runtime.consoles, io.say),
        runtime.collaborators.health,
        runtime.lock,
        runtime.collaborators.notifier,
    )
    run_id = f"cli-{operator}-{uuid.uuid4().hex[:8]}"
    decided_by = None if args.require_confirmation else operator  # the operator's decision replaces confirmation
    with deploy_progress(io.say):
        report = fail_over(event, config, collaborators, Deadline.after(args.time_budget), run_id, operator=decided_by)
    code = failover_exit_code(report)
    if io.json:
        emit_json(report.as_dict() | {"exit_code": int(code)}, io.out)
        return code
    io.say()
    io.say("Timeline")
    for line in timeline(report.as_dict()):
        io.say(line)
    io.say()
    if report.confirmation:
        io.say(f"Confirmation: {report.confirmation.detail}")
    for line in outcome_block(report.as_dict()):
        io.say(line)
    return code


def failover_exit_code(report: FailoverReport) -> ExitCode:
    if report.outcome in _OK_OUTCOMES:
        return ExitCode.OK
    failure = report.failure
    if report.outcome is not Outcome.FAILED or failure is None:
        return ExitCode.FAILED
    if failure.kind is FailureKind.TLS:
        return ExitCode.USAGE
    if failure.kind in _UNREACHABLE_KINDS:
        return ExitCode.UNREACHABLE
    if failure.aws_problem is not None:
        return _aws_exit_code(failure.aws_problem)
    return ExitCode.FAILED


def _live_health(runtime: Runtime, alarm: AlarmRecord) -> str:
    try:
        return runtime.collaborators.health.confirm(alarm).summary()
    except HealthUnavailable as error:
        return f"unavailable ({error})"


def _confirmed(io: Io) -> bool:
    prompt = "Fail over to the Destination Site now? [y/N] "
    (io.err if io.json else io.out).write(prompt)
    (io.err if io.json else io.out).flush()
    answer = io.stdin.readline()
    if not answer:
        io.say("(no answer: stdin is closed; pass --yes to fail over without the question)")
    return answer.strip().lower() in {"y", "yes"}


# --- rearm -------------------------------------------------------------------------------------
def rearm(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    config, runtime = _runtime(args, environ)
    main = _read_site(runtime, config.main_site, with_deploy=False)
    destination = _read_site(runtime, config.destination_site, with_deploy=False)
    alarms = _alarms(runtime, args, environ)
    lock = _lock(runtime)
    checks = rearm_checks(main, destination, alarms, lock)
    problems = [text for ok, text in checks if not ok]
    unreachable = ExitCode.UNREACHABLE if main.exit_code is ExitCode.UNREACHABLE else ExitCode.FAILED
    result: dict[str, Any] = {
        "checks": [{"ok": ok, "check": text} for ok, text in checks],
        "lock_before": lock.as_dict() if lock else None,
        "forced": bool(args.force and problems),
    }
    for ok, text in checks:
        io.say(f"  [{'ok' if ok else 'NO'}] {text}")
    if problems and not args.force:
        io.say("Not re-armed: " + "; ".join(problems) + " (--force re-arms anyway)")
        code = unreachable
        result |= {"rearmed": False, "exit_code": int(code)}
    elif lock is None:
        io.say("Nothing to do: the automation is already armed (no lock record).")
        code = ExitCode.OK
        result |= {"rearmed": False, "exit_code": int(code)}
    else:
        try:
            removed = runtime.lock.rearm()
        except LockUnavailable as error:
            raise CliError(f"lock table: {error}", _aws_exit_code(error.aws_problem)) from None
        forced = " (forced)" if problems else ""
        io.say(
            f"Re-armed{forced}: removed the lock record {lock_summary(removed, 'none')}; "
            "the next confirmed alarm fails over."
        )
        code = ExitCode.OK
        result |= {"rearmed": True, "exit_code": int(code)}
    if io.json:
        emit_json(result, io.out)
    return code


def rearm_checks(
    main: SiteView, destination: SiteView, alarms: list[AlarmView], lock: LockRecord | None
) -> list[tuple[bool, str]]:
    checks = [
        (
            main.dr is not None and main.dr.is_active_primary,
            f"Main Site is PRIMARY/ACTIVE again ({main.describe()})",
        ),
        (
            destination.dr is None or not destination.dr.is_active_primary,
            f"Destination is no longer PRIMARY/ACTIVE ({destination.describe()})",
        ),
    ]
    not_ok = [f"{alarm.name} is {alarm.state}" for alarm in alarms if alarm.state != "OK"]
    checks.append(
        (
            bool(alarms) and not not_ok,
            "Main-AZ alarms are OK"
            + (f" ({', '.join(not_ok)})" if not_ok else "" if alarms else " (none found: pass --alarm-prefix)"),
        )
    )
    in_progress = lock is not None and lock.state is LockState.CLAIMED and not lock.expired(_now())
    checks.append((not in_progress, f"no failover running now (lock: {lock_summary(lock, 'none')})"))
    return checks


def _now() -> float:
    return time.time()


# --- decode ------------------------------------------------------------------------------------
def decode(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    event = _read_event_file(args.file)
    env = environment(args, environ)
    zones_text = env.get("MAIN_SITE_AVAILABILITY_ZONES", "")
    zones = frozenset(zone.strip() for zone in zones_text.split(",") if zone.strip())
    alarm: AlarmRecord | None = None
    plan: list[str] = []
    try:
        alarm = decode_event(event)
    except EventRejected as error:
        decision, code = f"rejected: {error}", ExitCode.FAILED
    else:
        decision, code, plan = _decision(alarm, zones, env)
    if io.json:
        emit_json(
            {
                "file": str(args.file),
                "alarm": _alarm_fields(alarm) if alarm else None,
                "decision": decision,
                "plan": plan,
                "exit_code": int(code),
            },
            io.out,
        )
        return code
    if alarm is not None:
        io.say(f"Interpreted as a {alarm.source.value} delivery of a CloudWatch alarm")
        for name, value in _alarm_fields(alarm).items():
            io.say(f"  {name + ':':18} {value if value is not None else '-'}")
    io.say(f"Decision: {decision}")
    for number, step in enumerate(plan, start=1):
        io.say(f"  {number}. {step}")
    return code


def _decision(alarm: AlarmRecord, zones: frozenset[str], env: Mapping[str, str]) -> tuple[str, ExitCode, list[str]]:
    if alarm.state is not AlarmState.ALARM:
        return f"ignored: alarm state is {alarm.state.value}: nothing to fail over", ExitCode.FAILED, []
    if not zones:
        known = "Main-Site AZs unknown (set MAIN_SITE_AVAILABILITY_ZONES or pass --main-azs)"
        decision = f"acted on only if {alarm.availability_zone} is a Main-Site AZ; {known}"
    elif alarm.availability_zone not in zones:
        return (
            f"ignored: {alarm.availability_zone} is not a Main-Site availability zone ({', '.join(sorted(zones))})",
            ExitCode.FAILED,
            [],
        )
    else:
        decision = f"acted on: ALARM for the Main-Site AZ {alarm.availability_zone}"
    minimum = env.get("MIN_HEALTHY_COLLECTORS") or "1"
    dry_run = (env.get("DRY_RUN") or "").strip().lower() in {"true", "1", "yes", "on"}
    plan = [
        "unless the lock table already records a failover or a running one (then: a duplicate, no changes)",
        f"confirm with live target health: CloudWatch HealthyHostCount and ELB DescribeTargetHealth for "
        f"{alarm.target_group} in {alarm.availability_zone}; refuse (and notify) if {minimum} or more collectors "
        "are still healthy",
    ]
    if dry_run:
        plan.append("DRY_RUN is set: read both consoles, notify the plan, write nothing")
    else:
        plan += [
            "claim the lock (exactly one run proceeds)",
            "Destination: stage PRIMARY/ACTIVE with ariel copy on, deploy, wait, verify it is deployed ACTIVE",
            "Main (bounded by MAIN_SITE_BUDGET_SECONDS): stage STANDBY with ariel copy off, disable every ariel "
            "copy profile, deploy; if unreachable, leave these as manual steps",
            "record FAILED_OVER in the lock table (later alarms are ignored until 'qradar-failover rearm')",
        ]
    plan.append("notify the notification topic with the outcome")
    return decision, ExitCode.OK, plan


def _alarm_fields(alarm: AlarmRecord) -> dict[str, Any]:
    return {
        "alarm": alarm.alarm_name,
        "state": alarm.state.value,
        "changed at": alarm.state_changed_at,
        "metric": f"{alarm.namespace} {alarm.metric_name}",
        "load balancer": alarm.load_balancer,
        "target group": alarm.target_group,
        "availability zone": alarm.availability_zone,
        "region/account": f"{alarm.region or '?'} / {alarm.account_id or '?'}",
        "delivery id": alarm.delivery_id,
    }


def _read_event_file(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}", ExitCode.USAGE) from None
    try:
        return json.loads(text)
    except ValueError as error:
        raise CliError(f"{path} is not JSON: {error}", ExitCode.USAGE) from None
