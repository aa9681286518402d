"""``qradar-failover failover``: the engine's runbook run by hand, with the operator's decision in
place of the alarm's confirmation, progress on every call, and a typed consent to go on without
the lock when its table cannot be used."""

from __future__ import annotations

import argparse
import getpass
import time
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from qradar_failover.config import Config, load_config
from qradar_failover.deadline import Deadline
from qradar_failover.events import AlarmRecord, EventRejected, decode_event
from qradar_failover.failback_checks import lock_summary
from qradar_failover.failover import MAIN_SITE_BY_HAND, Collaborators, Lock, fail_over
from qradar_failover.health import HealthUnavailable, UnknownTargetGroup
from qradar_failover.lock import ClaimResult, LockRecord, LockState
from qradar_failover.parallel import at_once
from qradar_failover.report import FailoverReport, FailureKind, Outcome, SiteProgress
from qradar_failover.runtime import Runtime, aws_call_bound_seconds

from .alarms import manual_failover_event, read_event_file
from .deployment import Deployment, deployment_for
from .exit_codes import CliError, ExitCode
from .problems import Problem, aws_advice
from .progress import DeployProgress, ProgressConsoles
from .render import emit_json, outcome_block, timeline
from .streams import Io
from .views import LIVE_HEALTH_CALLS, LockView, SiteView, read_alarms, read_lock, read_site, site_read_bound

_OK_OUTCOMES = {Outcome.FAILED_OVER, Outcome.ALREADY_FAILED_OVER, Outcome.DRY_RUN}
_UNREACHABLE_KINDS = {FailureKind.TIMEOUT, FailureKind.CONNECTION, FailureKind.DEADLINE}


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


def run(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    deployment = deployment_for(args, environ, wait_for=io.wait_for, dry_run=args.dry_run)
    operator = getpass.getuser()
    event, lock, main, destination = _show_failover_plan(args, deployment, io, operator)
    if lock.record is not None:
        decided = _nothing_to_do(lock.record, main, destination, io)
        if decided is not None:
            return decided
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
) -> tuple[Any, LockView, SiteView, SiteView]:
    """Everything the operator decides on: the alarm, live health, both consoles, the lock. Refuses
    (one line, before anything is read or claimed) what the function would refuse outright."""
    config, runtime = deployment.config, deployment.runtime
    if args.alarm_file:
        event = read_event_file(args.alarm_file)
    else:
        with io.wait_for("the Main-AZ alarms (CloudWatch)", aws_call_bound_seconds()):
            alarms, problem = read_alarms(deployment)
        if problem:
            raise CliError(f"{problem.detail} (or pass --alarm-file with the alarm event)", problem.code)
        event = manual_failover_event(alarms, args.az)
    alarm = _decoded(event)
    _refuse_unless_relevant(alarm, config)
    io.say(f"Failover of {alarm.availability_zone} ({alarm.target_group}) to the Destination Site")
    bound = max(LIVE_HEALTH_CALLS * aws_call_bound_seconds(), site_read_bound(config))
    with io.wait_for("live target health, the consoles and the lock table", bound):
        live_text, main, destination, lock = at_once(
            lambda: _live_health(runtime, alarm, deployment.region),
            lambda: read_site(deployment, config.main_site, with_deploy=False),
            lambda: read_site(deployment, config.destination_site, with_deploy=False),
            lambda: read_lock(deployment),
        )
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
    if load_config(deployment.env).dry_run and not config.dry_run:  # the function's own DRY_RUN, not --dry-run
        io.say("  Note: the function runs with DRY_RUN=true; this manual failover is real (--dry-run rehearses it)")
    return event, lock, main, destination


def _nothing_to_do(record: LockRecord, main: SiteView, destination: SiteView, io: Io) -> int | None:
    """When the lock records a failover, or a run holds it now, the engine would do nothing (and notify again):
    say so before any question, with what the sites need, and end. None: the failover may go on."""
    if record.state is LockState.CLAIMED and not record.expired(time.time()):
        outcome = Outcome.IN_PROGRESS_ELSEWHERE
        reason = (
            f"Nothing to do: a failover is running now ({lock_summary(record)}, claimed at "
            f"{record.as_dict()['claimed_at']}; the claim expires at {record.as_dict()['expires_at']})"
        )
        advice = ["Wait for it, then check both sites: qradar-failover status"]
        code = ExitCode.FAILED
    elif record.state is LockState.FAILED_OVER:
        outcome = Outcome.ALREADY_FAILED_OVER
        reason = (
            f"Nothing to do: the lock records a failover ({lock_summary(record)}); a failover now changes nothing "
            "until the automation is re-armed"
        )
        advice, code = _recorded_failover_advice(main, destination)
    else:
        return None
    if io.json:
        emit_json({"outcome": outcome.value, "reason": reason, "advice": advice, "exit_code": int(code)}, io.out)
    io.say()
    io.say(reason + ".")
    for line in advice:
        io.say(f"  {line}")
    return code


def _recorded_failover_advice(main: SiteView, destination: SiteView) -> tuple[list[str], ExitCode]:
    """What the sites need after a recorded failover, from what they read now."""
    main_active = main.dr is not None and main.dr.is_active_primary
    destination_active = destination.dr is not None and destination.dr.is_active_primary
    status = "then check with 'qradar-failover status' (Main PRIMARY/STANDBY, ariel copy off)"
    if main_active and destination_active:
        return [
            "WARNING: both consoles are PRIMARY/ACTIVE (a split): the Main Site must not collect as a primary "
            f"again. Before it takes traffic, {MAIN_SITE_BY_HAND}; {status}.",
        ], ExitCode.FAILED
    if destination_active:
        return [f"The sites are failed over: Main {main.describe()}, Destination {destination.describe()}."], (
            ExitCode.OK
        )
    if destination.dr is not None:
        return [
            f"The Destination is not active ({destination.describe()}): if you failed back with the DataSync app, "
            "re-arm first (qradar-failover rearm), then fail over again.",
        ], ExitCode.FAILED
    return [f"The Destination could not be read ({destination.describe()}): check with 'qradar-failover status'."], (
        ExitCode.FAILED
    )


def _run_failover(
    args: argparse.Namespace, deployment: Deployment, io: Io, operator: str, event: Any, lock: Lock
) -> FailoverReport:
    """The engine's runbook with the operator's decision, progress on every call, and the notifier the run may use."""
    config, runtime = deployment.config, deployment.runtime
    notifier = runtime.collaborators.notifier if (args.notify or not config.dry_run) else HeldNotifier()
    io.say()
    io.say("Progress")
    shown = replace(runtime.consoles, deploy_observer=DeployProgress(io.say))
    consoles = ProgressConsoles(shown, io.say, io.wait_for)
    collaborators = Collaborators(consoles, runtime.collaborators.health, lock, notifier)
    run_id = f"cli-{operator}-{uuid.uuid4().hex[:8]}"
    decided_by = None if args.require_confirmation else operator  # the operator's decision replaces confirmation
    try:
        return fail_over(event, config, collaborators, Deadline.after(args.time_budget), run_id, operator=decided_by)
    except KeyboardInterrupt:
        raise CliError(
            f"interrupted during the failover (run {run_id}): it stopped part-way, and a deploy a console had "
            "already started goes on there. A claim it held on the lock stays until it expires "
            f"({config.lock_claim_ttl_seconds:g} s after it was taken); alarms meanwhile find a failover in "
            "progress. See where both sites are: qradar-failover status",
            ExitCode.INTERRUPTED,
        ) from None


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
    # A console that answered, then ran out of time (a deploy that outlasted the run), was not unreachable.
    reached = report.sites.get(failure.site, SiteProgress()).reached
    if failure.kind in _UNREACHABLE_KINDS and not (failure.kind is FailureKind.DEADLINE and reached):
        return ExitCode.UNREACHABLE
    if failure.aws_problem is not None or failure.aws_error_code is not None:
        return aws_advice(failure.aws_error_code, None, failure.aws_problem)[1]
    return ExitCode.FAILED


def _confirmed(io: Io, prompt: str, expected: str = "y") -> bool:
    try:
        return io.confirm(prompt, expected, without_answer="pass --yes to fail over without the question")
    except KeyboardInterrupt:
        raise CliError("interrupted: nothing was changed", ExitCode.INTERRUPTED) from None


def _cancelled(io: Io) -> int:
    io.say("Cancelled: nothing was changed.")
    if io.json:
        emit_json({"outcome": "cancelled", "exit_code": int(ExitCode.FAILED)}, io.out)
    return ExitCode.FAILED
