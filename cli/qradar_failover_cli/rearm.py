"""``qradar-failover rearm``: after a failback, check that the Main Site is back, then delete the
lock record so the next confirmed alarm fails over again. The requirements are the engine's
(:func:`qradar_failover.failback_checks.rearm_requirements`), the last step of ``failback`` too."""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from typing import Any

from qradar_failover.failback_checks import Requirement, lock_summary, rearm_requirements
from qradar_failover.lock import LockRecord, LockUnavailable
from qradar_failover.parallel import at_once

from .alarms import AlarmView
from .deployment import deployment_for
from .exit_codes import CliError, ExitCode
from .problems import Problem, aws_access_problem
from .render import emit_json
from .streams import Io
from .views import SiteView, lock_name, read_alarms, read_lock, read_site, site_read_bound


def run(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    deployment = deployment_for(args, environ, wait_for=io.wait_for)
    config = deployment.config
    with io.wait_for("the consoles, the Main-AZ alarms and the lock table", site_read_bound(config)):
        main, destination, (alarms, alarms_problem), lock = at_once(
            lambda: read_site(deployment, config.main_site, with_deploy=False),
            lambda: read_site(deployment, config.destination_site, with_deploy=False),
            lambda: read_alarms(deployment),
            lambda: read_lock(deployment),
        )
    if lock.problem:
        raise CliError(f"not re-armed: {lock.problem.detail}", lock.problem.code)
    checks = rearm_checks(main, destination, alarms, lock.record, alarms_problem)
    problems = [check for check in checks if not check.ok]
    unreachable = ExitCode.UNREACHABLE if main.exit_code is ExitCode.UNREACHABLE else ExitCode.FAILED
    result: dict[str, Any] = {
        "checks": [check.as_dict() for check in checks],
        "lock_before": lock.as_dict(),
        "forced": bool(args.force and problems),
    }
    for check in checks:
        io.say(f"  {check.line()}")
    if problems and not args.force:
        io.say("Not re-armed: " + "; ".join(_unmet(check) for check in problems) + " (--force re-arms anyway)")
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
            problem = aws_access_problem(lock_name(deployment.config), error, deployment.region)
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


def _unmet(check: Requirement) -> str:
    return f"{check.required}, found {check.found}" + (f": {check.fix}" if check.fix else "")


def rearm_checks(
    main: SiteView,
    destination: SiteView,
    alarms: list[AlarmView],
    lock: LockRecord | None,
    alarms_problem: Problem | None = None,
) -> list[Requirement]:
    """Each requirement for re-arming, with what was found."""
    problem = alarms_problem.detail if alarms_problem else None
    return rearm_requirements(main.reading(), destination.reading(), alarms, problem, lock, time.time())
