"""Reading what there is, for status, failover and rearm: both consoles (at once), the lock record
and the Main-Site AZ alarms. What cannot be read comes back as a :class:`~.problems.Problem`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qradar_failover.aws_errors import AWS_ERRORS
from qradar_failover.config import Config, SiteConfig
from qradar_failover.deadline import Deadline
from qradar_failover.failback_checks import SiteReading, lock_summary
from qradar_failover.lock import LockRecord, LockUnavailable
from qradar_failover.qradar import DeployStatus, DRConfig, QRadarConsole, QRadarError
from qradar_failover.runtime import aws_call_bound_seconds
from qradar_failover.tokens import TokenUnavailable

from .alarms import AlarmView, main_site_alarms
from .deployment import Deployment
from .exit_codes import ExitCode
from .problems import Problem, aws_access_problem, console_problem


@dataclass(frozen=True)
class SiteView:
    name: str
    address: str
    dr: DRConfig | None = None
    deploy: DeployStatus | None = None
    problem: Problem | None = None
    profiles: list[dict[str, Any]] | None = None  # Main's ariel copy profiles, read while it is active
    profiles_problem: Problem | None = None

    @property
    def exit_code(self) -> ExitCode:
        return self.problem.code if self.problem else ExitCode.OK

    def describe(self) -> str:
        if self.dr is not None:
            return self.dr.describe()
        return self.problem.words if self.problem else "not read"

    def reading(self) -> SiteReading:
        """What was read, as the engine's requirements judge it."""
        return SiteReading(
            self.name,
            self.dr,
            self.problem.words if self.problem else None,
            self.profiles,
            self.profiles_problem.words if self.profiles_problem else None,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "dr_config": dict(self.dr.raw) if self.dr else None,
            "state": self.dr.describe() if self.dr else None,
            "deploy_status": self.deploy.__dict__ if self.deploy else None,
            "copy_profiles": self.profiles,
            "problem": self.problem.words if self.problem else None,
            "error": self.problem.detail if self.problem else None,
        }


def read_site(deployment: Deployment, site: SiteConfig, with_deploy: bool = True) -> SiteView:
    """A console's deployed DR configuration (and deploy status); for an active Main Site also its ariel
    copy profiles, which a failover leaves disabled."""
    runtime, config = deployment.runtime, deployment.config
    deadline = Deadline.after(config.main_site_budget_seconds)

    def problem_of(error: QRadarError | TokenUnavailable) -> Problem:
        return console_problem(error, ca_bundle=bool(config.qradar_ca_bundle), region=deployment.region)

    try:
        console = runtime.consoles.open(site, lambda _call: None)
        dr = console.read_dr_config(deadline)
        deploy = console.deploy_status(deadline) if with_deploy and isinstance(console, QRadarConsole) else None
    except (QRadarError, TokenUnavailable) as error:
        return SiteView(site.name, site.address, problem=problem_of(error))
    if site.name != "main" or not dr.is_active_primary:
        return SiteView(site.name, site.address, dr, deploy)
    try:
        profiles = console.list_copy_profiles(deadline)
    except QRadarError as error:
        return SiteView(site.name, site.address, dr, deploy, profiles_problem=problem_of(error))
    return SiteView(site.name, site.address, dr, deploy, profiles=profiles)


# Live target health asks CloudWatch twice (ListMetrics, GetMetricData), ELB, and EC2 for instance targets.
LIVE_HEALTH_CALLS = 4


def site_read_bound(config: Config) -> float:
    """How long reading a console takes at most: its token (one AWS call), then the console's answers
    within MAIN_SITE_BUDGET_SECONDS (a hung console costs one read timeout of it)."""
    return aws_call_bound_seconds() + config.main_site_budget_seconds


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


def read_lock(deployment: Deployment) -> LockView:
    try:
        return LockView(deployment.runtime.lock.current())
    except LockUnavailable as error:
        return LockView(None, aws_access_problem(lock_name(deployment.config), error, deployment.region))


def lock_name(config: Config) -> str:
    return f"lock table {config.lock_table_name} (item {config.lock_id})"


def read_alarms(deployment: Deployment) -> tuple[list[AlarmView], Problem | None]:
    prefix = deployment.env.get("ALARM_NAME_PREFIX") or None
    try:
        alarms = main_site_alarms(
            deployment.aws.client("cloudwatch"), deployment.config.main_site_availability_zones, prefix
        )
    except AWS_ERRORS as error:
        return [], aws_access_problem("CloudWatch alarms", error, deployment.region)
    return alarms, None
