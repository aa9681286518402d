"""The operator commands: status, failover, rearm, decode. Each returns an exit code."""

from __future__ import annotations

import argparse
import getpass
import json
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from qradar_failover.aws_errors import AWS_ERRORS
from qradar_failover.config import Config, SiteConfig
from qradar_failover.deadline import Deadline
from qradar_failover.events import AlarmRecord, AlarmState, EventRejected, EventSource, decode_event
from qradar_failover.failover import Collaborators, Lock, fail_over
from qradar_failover.health import HealthUnavailable, LiveTargetHealth, UnknownTargetGroup
from qradar_failover.lock import ClaimResult, LockRecord, LockState, LockUnavailable
from qradar_failover.qradar import DeployStatus, DRConfig, QRadarConsole, QRadarError
from qradar_failover.report import FailoverReport, FailureKind, Outcome
from qradar_failover.runtime import Runtime, build_runtime
from qradar_failover.tokens import TokenUnavailable

from .alarms import AlarmView, main_site_alarms, manual_failover_event
from .deployment import settings_of_function
from .exit_codes import CliError, ExitCode
from .problems import Problem, aws_access_problem, aws_advice, console_problem
from .progress import ProgressConsoles, WaitFor, Waiting, deploy_progress
from .readiness import readiness_status
from .render import emit_json, fit, lock_lines, outcome_block, table, terminal_width, timeline
from .settings import AwsAccess, aws_access, config_from, environment

_OK_OUTCOMES = {Outcome.FAILED_OVER, Outcome.ALREADY_FAILED_OVER, Outcome.DRY_RUN}
_UNREACHABLE_KINDS = {FailureKind.TIMEOUT, FailureKind.CONNECTION, FailureKind.DEADLINE}
MAX_EVENT_BYTES = 1024 * 1024  # SNS and EventBridge deliver at most 256 KiB


@dataclass
class Io:
    out: TextIO
    err: TextIO
    stdin: TextIO
    json: bool
    width: int = field(default_factory=terminal_width)
    progress: bool | None = None  # ticking "waiting for ..." lines; None: when stderr is a terminal
    waiting: Waiting = field(init=False)

    def __post_init__(self) -> None:
        self.waiting = Waiting(self.err, self.progress if self.progress is not None else _is_terminal(self.err))

    @property
    def wait_for(self) -> WaitFor:
        return self.waiting

    def say(self, text: str = "") -> None:
        """Human output, fitted to the width; in --json mode it goes to stderr so stdout stays one JSON document."""
        self.waiting.interrupt()
        stream = self.err if self.json else self.out
        for line in fit(text, self.width):
            stream.write(line + "\n")
        stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# --- the deployment a command acts on ----------------------------------------------------------
@dataclass
class Deployment:
    config: Config
    env: dict[str, str]
    aws: AwsAccess
    runtime: Runtime
    source: str  # where the settings came from, for people

    @property
    def region(self) -> str:
        return self.aws.region


def deployment_for(args: argparse.Namespace, environ: Mapping[str, str], **overrides: Any) -> Deployment:
    """The settings (from --function, else the environment; flags over both), AWS access and the engine's runtime."""
    if args.function:
        aws = aws_access(args, environ)
        function = settings_of_function(aws, args.function, args, environ)
        env = environment(args, function.variables)
        source = f"function {function.name} ({aws.region})"
    else:
        env = environment(args, environ)
        aws = None
        source = "the environment"
    config = config_from(env, **overrides)
    aws = aws or aws_access(args, env)
    return Deployment(config, env, aws, build_runtime(config, env, session=aws.session), source)


# --- reading what there is ---------------------------------------------------------------------
@dataclass(frozen=True)
class SiteView:
    name: str
    address: str
    dr: DRConfig | None = None
    deploy: DeployStatus | None = None
    problem: Problem | None = None

    @property
    def exit_code(self) -> ExitCode:
        return self.problem.code if self.problem else ExitCode.OK

    def describe(self) -> str:
        if self.dr is not None:
            return self.dr.describe()
        return self.problem.words if self.problem else "not read"

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "dr_config": dict(self.dr.raw) if self.dr else None,
            "state": self.dr.describe() if self.dr else None,
            "deploy_status": self.deploy.__dict__ if self.deploy else None,
            "problem": self.problem.words if self.problem else None,
            "error": self.problem.detail if self.problem else None,
        }


def _read_site(deployment: Deployment, site: SiteConfig, with_deploy: bool = True) -> SiteView:
    runtime, config = deployment.runtime, deployment.config
    deadline = Deadline.after(config.main_site_budget_seconds)
    try:
        console = runtime.consoles.open(site, lambda _call: None)
        dr = console.read_dr_config(deadline)
        deploy = console.deploy_status(deadline) if with_deploy and isinstance(console, QRadarConsole) else None
    except (QRadarError, TokenUnavailable) as error:
        problem = console_problem(error, ca_bundle=bool(config.qradar_ca_bundle), region=deployment.region)
        return SiteView(site.name, site.address, problem=problem)
    return SiteView(site.name, site.address, dr, deploy)


def _read_sites(deployment: Deployment, io: Io, with_deploy: bool = True) -> tuple[SiteView, SiteView]:
    """Both consoles at once (a hung one costs its timeout once, not twice), with progress on a terminal."""
    config = deployment.config
    bound = min(config.main_site_budget_seconds, config.http_read_timeout_seconds + config.http_connect_timeout_seconds)
    with io.wait_for("the Main and Destination consoles", bound), ThreadPoolExecutor(2) as pool:
        main = pool.submit(_read_site, deployment, config.main_site, with_deploy)
        destination = pool.submit(_read_site, deployment, config.destination_site, with_deploy)
        return main.result(), destination.result()


@dataclass(frozen=True)
class LockView:
    record: LockRecord | None
    problem: Problem | None = None

    def summary(self, armed_text: str = "none (automation armed)") -> str:
        if self.problem:
            return f"NOT READ: {self.problem.detail}"
        return lock_summary(self.record, armed_text)

    def as_dict(self) -> dict[str, Any] | None:
        return self.record.as_dict() if self.record else None


def _read_lock(deployment: Deployment) -> LockView:
    try:
        return LockView(deployment.runtime.lock.current())
    except LockUnavailable as error:
        return LockView(None, aws_access_problem(_lock_name(deployment.config), error, deployment.region))


def _lock_name(config: Config) -> str:
    return f"lock table {config.lock_table_name} (item {config.lock_id})"


def _read_alarms(deployment: Deployment) -> tuple[list[AlarmView], Problem | None]:
    prefix = deployment.env.get("ALARM_NAME_PREFIX") or None
    try:
        alarms = main_site_alarms(
            deployment.aws.client("cloudwatch"), deployment.config.main_site_availability_zones, prefix
        )
    except AWS_ERRORS as error:
        return [], aws_access_problem("CloudWatch alarms", error, deployment.region)
    return alarms, None


def lock_summary(record: LockRecord | None, now_armed_text: str = "none (automation armed)") -> str:
    if record is None:
        return now_armed_text
    holder = f" by {record.holder}" if record.holder else ""
    alarm = f" for {record.alarm_name}" if record.alarm_name else ""
    return f"{record.state.value}{holder}{alarm}"


# --- status ------------------------------------------------------------------------------------
def status(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    deployment = deployment_for(args, environ)
    config = deployment.config
    main, destination = _read_sites(deployment, io)
    with io.wait_for("the lock table and the alarms", config.http_read_timeout_seconds * 2):
        lock = _read_lock(deployment)
        alarms, alarms_problem = _read_alarms(deployment)
    readiness_text, readiness_last = readiness_status(deployment, args)
    verdict, healthy = status_verdict(main, destination, lock, alarms, alarms_problem)
    problems = [view.exit_code for view in (main, destination)]
    problems += [problem.code for problem in (lock.problem, alarms_problem) if problem]
    unreadable = max(problems, default=ExitCode.OK)
    code = unreadable if unreadable is not ExitCode.OK else (ExitCode.OK if healthy else ExitCode.FAILED)
    if io.json:
        emit_json(
            {
                "verdict": verdict,
                "healthy": healthy,
                "settings_from": deployment.source,
                "main": main.as_dict(),
                "destination": destination.as_dict(),
                "lock": lock.as_dict(),
                "lock_error": lock.problem.detail if lock.problem else None,
                "alarms": [alarm.as_dict() for alarm in alarms],
                "alarms_error": alarms_problem.detail if alarms_problem else None,
                "readiness": {"summary": readiness_text, "last": readiness_last},
                "exit_code": int(code),
            },
            io.out,
        )
        return code
    io.say(f"Consoles (settings from {deployment.source})")
    for line in table(
        ("site", "address", "DR state", "deploy"),
        [(view.name, view.address, view.describe(), _deploy_text(view.deploy)) for view in (main, destination)],
        width=io.width,
        shrink=1,
    ):
        io.say(line)
    for view in (main, destination):
        if view.problem:
            io.say(f"  {view.name}: {view.problem.detail}")
    io.say()
    io.say(f"Lock ({config.lock_table_name}/{config.lock_id}): {lock.summary()}")
    if lock.record is not None:
        for line in lock_lines(lock.record.as_dict()):
            io.say(line)
    io.say()
    io.say(f"Main-Site AZ alarms ({', '.join(sorted(config.main_site_availability_zones))})")
    if alarms_problem:
        io.say(f"  NOT READ: {alarms_problem.detail}")
    elif alarms:
        rows = [(a.name, a.state, _short_time(a.updated)) for a in alarms]
        for line in table(("alarm", "state", "since"), rows, width=io.width, shrink=0):
            io.say(line)
    else:
        io.say("  none found (wrong region, or pass --alarm-name-prefix)")
    io.say()
    io.say(readiness_text)
    io.say()
    io.say(verdict)
    return code


def status_verdict(
    main: SiteView,
    destination: SiteView,
    lock: LockView,
    alarms: list[AlarmView],
    alarms_problem: Problem | None = None,
) -> tuple[str, bool]:
    """One line for people, and whether this is the normal armed state."""
    main_text = _site_word("Main", main)
    destination_text = _site_word("Destination", destination)
    record = lock.record
    if lock.problem:
        automation = "automation state unknown (lock table not read)"
    elif record is None or record.state is LockState.FAILED:
        automation = "automation armed"
    elif record.state is LockState.FAILED_OVER:
        automation = "automation disarmed (failover recorded; re-arm after failback: qradar-failover rearm)"
    else:
        automation = f"failover in progress ({record.holder})"
    parts = [main_text, destination_text, automation]
    firing = [alarm.name for alarm in alarms if alarm.state == "ALARM"]
    if firing:
        parts.append(f"{len(firing)} Main-AZ alarm(s) in ALARM")
    if alarms_problem:
        parts.append("Main-AZ alarms not read")
    if main.dr and destination.dr and main.dr.is_active_primary and destination.dr.is_active_primary:
        parts.insert(0, "WARNING: both consoles are PRIMARY/ACTIVE")
    healthy = (
        main.dr is not None
        and main.dr.is_active_primary
        and destination.dr is not None
        and destination.dr.is_standby_dr
        and automation == "automation armed"
        and not firing
        and alarms_problem is None
    )
    return ", ".join(parts), healthy


def _site_word(label: str, view: SiteView) -> str:
    if view.dr is None:
        return f"{label} {view.problem.words if view.problem else 'not read'}"
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


def _short_time(iso: str | None) -> str | None:
    """``2026-11-28T01:40:39.521000+00:00`` -> ``2026-11-28 01:40Z`` (the table's width is precious)."""
    return f"{iso[:10]} {iso[11:16]}Z" if iso and len(iso) >= 16 else iso


# --- failover ----------------------------------------------------------------------------------
class LocklessLock:
    """The lock of a failover the operator confirmed without it: not used at all (the table could not be
    used when the failover started), so nothing stops a concurrent run and nothing records this one."""

    def blocking_record(self) -> LockRecord | None:
        return None

    def claim(self, holder: str, alarm_name: str) -> tuple[ClaimResult, LockRecord | None]:
        return ClaimResult.CLAIMED, None

    def record_failed_over(self, holder: str, summary: Mapping[str, Any]) -> bool:
        return False

    def record_failed(self, holder: str, summary: Mapping[str, Any]) -> bool:
        return False

    def mark_duplicate_notice_sent(self) -> bool:
        return False


class HeldNotifier:
    """A dry run from the CLI notifies nobody: it is a rehearsal, not an event (unless --notify)."""

    def publish(self, report: FailoverReport) -> bool:
        return False


WITHOUT_LOCK_RISK = (
    "WITHOUT THE LOCK there is no exactly-once guarantee: nothing stops the function (or another "
    "operator) from failing over at the same time, and nothing records this failover, so the "
    "automation stays armed: a new Main-AZ alarm runs the function again (it finds the Destination "
    "active and leaves it; it tries to demote the Main Site)."
)


def failover(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    deployment = deployment_for(args, environ, dry_run=args.dry_run)
    operator = getpass.getuser()
    event, lock = _show_failover_plan(args, deployment, io, operator)
    dry_run = deployment.config.dry_run
    lock_for_run: Lock = _lockless(args, io, lock.problem, dry_run=dry_run) if lock.problem else deployment.runtime.lock
    if args.without_lock and not lock.problem:
        io.say("  --without-lock is not needed: the lock table answers, so this failover uses the lock")
    if dry_run:
        io.say("  DRY RUN: nothing will be written" + ("" if args.notify else "; nobody will be notified (--notify)"))
    elif not args.yes and not _confirmed(io, "Fail over to the Destination Site now? [y/N] "):
        return _cancelled(io)
    report = _run_failover(args, deployment, io, operator, event, lock_for_run)
    code = failover_exit_code(report)
    notification = None
    if dry_run and not args.notify:
        report.notified = None
        notification = "not sent (a dry run from the CLI; --notify sends the plan to the topic)"
    lockless = isinstance(lock_for_run, LocklessLock)
    if io.json:
        emit_json(report.as_dict() | {"exit_code": int(code), "without_lock": lockless}, io.out)
        return code
    io.say()
    io.say("Timeline")
    for line in timeline(report.as_dict(), width=io.width):
        io.say(line)
    io.say()
    if report.confirmation:
        io.say(f"Confirmation: {report.confirmation.detail}")
    for line in outcome_block(report.as_dict(), notification=notification):
        io.say(line)
    if lockless:
        io.say(f"Lock: NOT USED for this failover ({lock.summary()})")
        io.say("  " + WITHOUT_LOCK_RISK)
    return code


def _show_failover_plan(
    args: argparse.Namespace, deployment: Deployment, io: Io, operator: str
) -> tuple[Any, LockView]:
    """Everything the operator decides on: the alarm, live health, both consoles, the lock. Refuses
    (one line, before anything is read or claimed) what the function would refuse outright."""
    config, runtime = deployment.config, deployment.runtime
    if args.alarm_file:
        event = read_event_file(args.alarm_file)
    else:
        alarms, problem = _read_alarms(deployment)
        if problem:
            raise CliError(f"{problem.detail} (or pass --alarm-file with the alarm event)", problem.code)
        event = manual_failover_event(alarms, args.az)
    alarm = _decoded(event)
    _refuse_unless_relevant(alarm, config)
    io.say(f"Failover of {alarm.availability_zone} ({alarm.target_group}) to the Destination Site")
    with io.wait_for("live target health (CloudWatch, ELB)", config.http_read_timeout_seconds * 2):
        live_text = _live_health(runtime, alarm, deployment.region)
    main, destination = _read_sites(deployment, io, with_deploy=False)
    lock = _read_lock(deployment)
    io.say(f"  Settings    from {deployment.source}")
    io.say(f"  Main        {config.main_site.address:24} {main.describe()}")
    io.say(f"  Destination {config.destination_site.address:24} {destination.describe()}")
    io.say(f"  Lock        {lock.summary()}")
    io.say(f"  Live health {live_text}")
    confirmation = (
        "live target health must confirm (as the function does)"
        if args.require_confirmation
        else f"your decision ({operator}) replaces the alarm's confirmation"
    )
    io.say(f"  Confirmation: {confirmation}")
    if _truthy(deployment.env.get("DRY_RUN")) and not config.dry_run:
        io.say("  Note: the function runs with DRY_RUN=true; this manual failover is real (--dry-run rehearses it)")
    return event, lock


def _run_failover(
    args: argparse.Namespace, deployment: Deployment, io: Io, operator: str, event: Any, lock: Lock
) -> FailoverReport:
    """The engine's runbook with the operator's decision, progress on every call, and the notifier the run may use."""
    config, runtime = deployment.config, deployment.runtime
    notifier = runtime.collaborators.notifier if (args.notify or not config.dry_run) else HeldNotifier()
    io.say()
    io.say("Progress")
    consoles = ProgressConsoles(runtime.consoles, io.say, io.wait_for)
    collaborators = Collaborators(consoles, runtime.collaborators.health, lock, notifier)
    run_id = f"cli-{operator}-{uuid.uuid4().hex[:8]}"
    decided_by = None if args.require_confirmation else operator  # the operator's decision replaces confirmation
    with deploy_progress(io.say, config):
        return fail_over(event, config, collaborators, Deadline.after(args.time_budget), run_id, operator=decided_by)


def _decoded(event: Any) -> AlarmRecord:
    try:
        return decode_event(event)
    except EventRejected as error:
        raise CliError(f"the alarm event cannot be used: {error}", ExitCode.USAGE) from None


def _refuse_unless_relevant(alarm: AlarmRecord, config: Config) -> None:
    """The refusals the function makes before any call, said in one line before anything is read."""
    zones = config.main_site_availability_zones
    if alarm.availability_zone not in zones:
        raise CliError(
            f"refused: {alarm.availability_zone} is not a Main-Site availability zone ({', '.join(sorted(zones))}); "
            "pass --az or an alarm event for a Main-Site AZ",
            ExitCode.FAILED,
        )


def _live_health(runtime: Runtime, alarm: AlarmRecord, region: str) -> str:
    """Live target health for the operator to decide on; refuses (one line) an alarm the function refuses outright."""
    try:
        evidence = runtime.collaborators.health.confirm(alarm)
    except UnknownTargetGroup as error:
        raise CliError(
            f"refused: {error} ({region}): {error.explanation}; the function refuses it too", ExitCode.FAILED
        ) from None
    except HealthUnavailable as error:
        return f"unavailable ({error})"
    return evidence.summary()


def _lockless(args: argparse.Namespace, io: Io, problem: Problem, *, dry_run: bool) -> LocklessLock:
    """The lock table cannot be used: go on only with --without-lock or a typed confirmation."""
    io.say()
    io.say(f"The lock table cannot be used: {problem.detail}")
    io.say(WITHOUT_LOCK_RISK)
    if dry_run or args.without_lock:
        io.say("Proceeding without the lock" + (" (dry run: nothing is written)" if dry_run else " (--without-lock)"))
        return LocklessLock()
    if args.yes:
        raise CliError(
            f"refused: the lock table cannot be used ({problem.detail}); a failover without it has no exactly-once "
            "guarantee: pass --without-lock with --yes to fail over anyway",
            problem.code,
        )
    if not _confirmed(io, "Type 'without lock' to fail over without the exactly-once guarantee: ", "without lock"):
        raise CliError("cancelled: nothing was changed (the lock table cannot be used)", ExitCode.FAILED)
    return LocklessLock()


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
    if failure.aws_problem is not None or failure.aws_error_code is not None:
        return aws_advice(failure.aws_error_code, None, failure.aws_problem)[1]
    return ExitCode.FAILED


def _confirmed(io: Io, prompt: str, expected: str = "y") -> bool:
    (io.err if io.json else io.out).write(prompt)
    (io.err if io.json else io.out).flush()
    answer = io.stdin.readline()
    if not answer:
        io.say("(no answer: stdin is closed; pass --yes to fail over without the question)")
    accepted = {"y", "yes"} if expected == "y" else {expected}
    return answer.strip().lower() in accepted


def _cancelled(io: Io) -> int:
    io.say("Cancelled: nothing was changed.")
    if io.json:
        emit_json({"outcome": "cancelled", "exit_code": int(ExitCode.FAILED)}, io.out)
    return ExitCode.FAILED


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"true", "1", "yes", "on"}


# --- rearm -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    ok: bool
    required: str
    found: str

    def line(self) -> str:
        return f"[{'ok' if self.ok else 'NO'}] {self.required}: found {self.found}"


def rearm(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    deployment = deployment_for(args, environ)
    main, destination = _read_sites(deployment, io, with_deploy=False)
    alarms, alarms_problem = _read_alarms(deployment)
    lock = _read_lock(deployment)
    if lock.problem:
        raise CliError(f"not re-armed: {lock.problem.detail}", lock.problem.code)
    checks = rearm_checks(main, destination, alarms, lock.record, alarms_problem)
    problems = [check for check in checks if not check.ok]
    unreachable = ExitCode.UNREACHABLE if main.exit_code is ExitCode.UNREACHABLE else ExitCode.FAILED
    result: dict[str, Any] = {
        "checks": [check.__dict__ for check in checks],
        "lock_before": lock.as_dict(),
        "forced": bool(args.force and problems),
    }
    for check in checks:
        io.say(f"  {check.line()}")
    if problems and not args.force:
        io.say(
            "Not re-armed: "
            + "; ".join(f"{check.required}, found {check.found}" for check in problems)
            + " (--force re-arms anyway)"
        )
        code = unreachable
        result |= {"rearmed": False, "exit_code": int(code)}
    elif lock.record is None:
        io.say("Nothing to do: the automation is already armed (no lock record).")
        code = ExitCode.OK
        result |= {"rearmed": False, "exit_code": int(code)}
    else:
        try:
            removed = deployment.runtime.lock.rearm()
        except LockUnavailable as error:
            problem = aws_access_problem(_lock_name(deployment.config), error, deployment.region)
            raise CliError(f"not re-armed: {problem.detail}", problem.code) from None
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
    main: SiteView,
    destination: SiteView,
    alarms: list[AlarmView],
    lock: LockRecord | None,
    alarms_problem: Problem | None = None,
) -> list[Check]:
    """Each requirement for re-arming, with what was found."""
    not_ok = [f"{alarm.name} {alarm.state}" for alarm in alarms if alarm.state != "OK"]
    if alarms_problem:
        alarms_found = f"not read ({alarms_problem.detail})"
    elif not alarms:
        alarms_found = "none (pass --alarm-name-prefix?)"
    else:
        alarms_found = ", ".join(not_ok) if not_ok else f"all {len(alarms)} OK"
    in_progress = lock is not None and lock.state is LockState.CLAIMED and not lock.expired(time.time())
    return [
        Check(
            main.dr is not None and main.dr.is_active_primary, "the Main Site must be PRIMARY/ACTIVE", main.describe()
        ),
        Check(
            destination.dr is None or not destination.dr.is_active_primary,
            "the Destination must no longer be PRIMARY/ACTIVE",
            destination.describe(),
        ),
        Check(bool(alarms) and not not_ok and alarms_problem is None, "every Main-AZ alarm must be OK", alarms_found),
        Check(not in_progress, "no failover may be running", f"lock {lock_summary(lock, 'none')}"),
    ]


# --- decode ------------------------------------------------------------------------------------
_DELIVERIES = {
    EventSource.SNS: "an SNS delivery of a CloudWatch alarm",
    EventSource.EVENTBRIDGE: "an EventBridge delivery of a CloudWatch alarm state change",
    EventSource.DIRECT: "a plain CloudWatch alarm message (what a console test event carries)",
}


def decode(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    event = read_event_file(args.file)
    base: Mapping[str, str] = environ
    aws: AwsAccess | None = None
    hint = " (or pass --offline)"
    if args.function:
        aws = aws_access(args, environ, offline_hint=hint)
        base = settings_of_function(aws, args.function, args, environ, with_ca_bundle=False).variables
    env = environment(args, base)
    zones_text = env.get("MAIN_SITE_AVAILABILITY_ZONES", "")
    zones = frozenset(zone.strip() for zone in zones_text.split(",") if zone.strip())
    alarm: AlarmRecord | None = None
    plan: list[str] = []
    live: str | None = None
    try:
        alarm = decode_event(event)
    except EventRejected as error:
        decision, code = f"rejected: {error}", ExitCode.FAILED
    else:
        decision, code, plan = _decision(alarm, zones, env)
        if code is ExitCode.OK and args.offline:
            decision += " (target group not checked: --offline)"
        elif code is ExitCode.OK:
            aws = aws or aws_access(args, env, offline_hint=hint)
            decision, code, live = _check_target_group(alarm, aws, decision)
    if io.json:
        emit_json(
            {
                "file": str(args.file),
                "delivery": _DELIVERIES[alarm.source] if alarm else None,
                "alarm": _alarm_fields(alarm) if alarm else None,
                "decision": decision,
                "live_target_health": live,
                "plan": plan if code is ExitCode.OK else [],
                "exit_code": int(code),
            },
            io.out,
        )
        return code
    if alarm is not None:
        io.say(f"Interpreted as {_DELIVERIES[alarm.source]}")
        for name, value in _alarm_fields(alarm).items():
            io.say(f"  {name.replace('_', ' ') + ':':18} {value if value is not None else '-'}")
    io.say(f"Decision: {decision}")
    if live:
        io.say(f"Live target health now: {live}")
    if code is ExitCode.OK:
        for number, step in enumerate(plan, start=1):
            io.say(f"  {number}. {step}")
    return code


def _decision(alarm: AlarmRecord, zones: frozenset[str], env: Mapping[str, str]) -> tuple[str, ExitCode, list[str]]:
    if alarm.state is not AlarmState.ALARM:
        return f"ignored: alarm state is {alarm.state.value}: nothing to fail over", ExitCode.FAILED, []
    if not zones:
        return (
            f"cannot tell: is {alarm.availability_zone} a Main-Site AZ? The Main-Site AZs are not set (pass "
            "--main-site-availability-zones, or --function NAME)",
            ExitCode.USAGE,
            [],
        )
    if alarm.availability_zone not in zones:
        return (
            f"ignored: {alarm.availability_zone} is not a Main-Site availability zone ({', '.join(sorted(zones))})",
            ExitCode.FAILED,
            [],
        )
    decision = f"acted on: ALARM for the Main-Site AZ {alarm.availability_zone}"
    minimum = env.get("MIN_HEALTHY_COLLECTORS") or "1"
    plan = [
        "unless the lock table already records a failover or a running one (then: a duplicate, no changes)",
        f"check that CloudWatch knows {alarm.target_group} on {alarm.load_balancer} in this account and region; "
        "refuse (and notify) otherwise: the event does not describe this deployment",
        f"confirm with live target health: CloudWatch HealthyHostCount and ELB DescribeTargetHealth for "
        f"{alarm.target_group} in {alarm.availability_zone}; refuse (and notify) if {minimum} or more collectors "
        "are still healthy",
    ]
    if _truthy(env.get("DRY_RUN")):
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


def _check_target_group(alarm: AlarmRecord, aws: AwsAccess, decision: str) -> tuple[str, ExitCode, str | None]:
    """The function's first live check, asked of CloudWatch here (cloudwatch:ListMetrics)."""
    health = LiveTargetHealth(aws.client("cloudwatch"), aws.client("elbv2"))
    try:
        evidence = health.confirm(alarm)
    except UnknownTargetGroup as error:
        return f"refused: {error} ({aws.region}): {error.explanation}", ExitCode.FAILED, None
    except HealthUnavailable as error:
        return decision, ExitCode.OK, f"not readable now ({error}); the function refuses unless it can confirm"
    return decision, ExitCode.OK, f"{evidence.summary()} (the function confirms again when the alarm arrives)"


def _alarm_fields(alarm: AlarmRecord) -> dict[str, Any]:
    return {
        "alarm": alarm.alarm_name,
        "state": alarm.state.value,
        "changed_at": alarm.state_changed_at,
        "metric": f"{alarm.namespace} {alarm.metric_name}",
        "load_balancer": alarm.load_balancer,
        "target_group": alarm.target_group,
        "availability_zone": alarm.availability_zone,
        "region": alarm.region,
        "account": alarm.account_id,
        "delivery_id": alarm.delivery_id,
    }


def read_event_file(path: str) -> Any:
    """The JSON in ``path``, or one line saying why it cannot be an event (exit 2)."""
    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_EVENT_BYTES + 1)
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror or error}", ExitCode.USAGE) from None
    if len(data) > MAX_EVENT_BYTES:
        raise CliError(
            f"{path} is larger than 1 MiB: not an alarm event (AWS delivers at most 256 KiB)", ExitCode.USAGE
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CliError(
            f"{path} is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}): not an alarm event",
            ExitCode.USAGE,
        ) from None
    try:
        return json.loads(text)
    except RecursionError:
        raise CliError(f"{path} nests JSON too deeply to be an alarm event", ExitCode.USAGE) from None
    except ValueError as error:
        raise CliError(f"{path} is not JSON: {error}", ExitCode.USAGE) from None
