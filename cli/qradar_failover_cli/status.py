"""``qradar-failover status``: both consoles' DR state and deploy status, the lock record, the
Main-AZ alarms and the readiness function's last result, ending with a one-line verdict."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from qradar_failover.failback_checks import FINISH_FAILBACK, copy_leftover
from qradar_failover.failback_plan import STEPS
from qradar_failover.lock import LockState
from qradar_failover.parallel import at_once
from qradar_failover.qradar import DeployStatus

from .alarms import AlarmView
from .deployment import Deployment, deployment_for
from .exit_codes import ExitCode
from .problems import Problem
from .readiness import readiness_status
from .render import emit_json, lock_lines, table
from .streams import Io
from .views import LockView, SiteView, read_alarms, read_lock, read_site, site_read_bound


def run(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    deployment = deployment_for(args, environ, wait_for=io.wait_for)
    config = deployment.config
    main, destination, lock, (alarms, alarms_problem), (readiness_text, readiness_last) = _read_all(
        deployment, args, io
    )
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


def _read_all(
    deployment: Deployment, args: argparse.Namespace, io: Io
) -> tuple[SiteView, SiteView, LockView, tuple[list[AlarmView], Problem | None], tuple[str, dict[str, Any] | None]]:
    """Both consoles, the lock, the alarms and the readiness result, all at once: when AWS or a console
    hangs, status takes the longest of their bounds, not their sum."""
    config = deployment.config
    with io.wait_for("the consoles, the lock table, the alarms and the readiness result", site_read_bound(config)):
        main, destination, lock, alarms, readiness = at_once(
            lambda: read_site(deployment, config.main_site),
            lambda: read_site(deployment, config.destination_site),
            lambda: read_lock(deployment),
            lambda: read_alarms(deployment),
            lambda: readiness_status(deployment, args),
        )
    return main, destination, lock, alarms, readiness


RESUME = "qradar-failover failback"


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
    elif record.state is LockState.FAILED_OVER and record.failback and record.failback.steps:
        done = f"{len(record.failback.steps)} of {len(STEPS)} steps done by {record.failback.operator}"
        automation = f"automation disarmed (failover recorded; failback in progress: {done}; resume: {RESUME})"
    elif record.state is LockState.FAILED_OVER:
        automation = f"automation disarmed (failover recorded; once the Main AZ is healthy, fail back: {RESUME})"
    else:
        automation = f"failover in progress ({record.holder})"
    leftover = copy_leftover(main.reading())
    if leftover and automation == "automation armed":  # armed in the lock, but a failover would copy nothing
        automation = f"automation not ready (Main still as the failover left it: {leftover}; {FINISH_FAILBACK})"
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
