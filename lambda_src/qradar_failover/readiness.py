"""Readiness: would a failover work if the Main AZ failed now? The checks, run by the readiness
function (:mod:`qradar_failover.readiness_handler`) on a schedule and by ``qradar-failover readiness``.

configuration valid -> token secrets readable -> consoles answer over verified TLS -> DR state as a
failover needs it -> ariel copy profiles enabled -> lock armed -> every health alarm acts on the
trigger topic -> failover function subscribed and active -> someone subscribed to notifications ->
Destination collectors healthy -> tokens far from expiry -> replication within the RPO target ->
worst-case recovery within the RTO target. Each check is ok, warn (still ready) or fail.

Read-only by construction: the consoles are asked only GETs (:class:`SiteConsole` has no write
call), the lock is only read, nothing is published. The two consoles are probed in parallel, each
within its connect + read timeout, while the AWS checks run. What each check makes of what was
read is in :mod:`qradar_failover.readiness_checks`; the real readers are wired in
:mod:`qradar_failover.runtime`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from .config import Config, ConfigError, ReadinessSettings, SiteConfig, load_config, load_readiness_settings
from .deadline import Deadline
from .events import AlarmRecord
from .failover import HealthSource
from .health import HealthUnavailable, UnknownTargetGroup
from .lock import LockRecord, LockUnavailable
from .objectives import ALARM_PERIOD_SECONDS, recovery_time_objective
from .observability import iso_utc
from .parallel import at_once
from .qradar import AuthorizedService, CallObserver, CallRecord, DRConfig, QRadarError
from .readiness_aws import AwsReadFailed, FunctionState, HealthAlarm, Subscription
from .readiness_checks import (
    AlarmSlot,
    Check,
    CheckResult,
    SiteProbe,
    Status,
    TargetGroupHealth,
    judge_consoles,
    judge_copy_profiles,
    judge_destination_collectors,
    judge_dr_state,
    judge_failover_function,
    judge_health_alarms,
    judge_lock,
    judge_notification_subscribers,
    judge_recovery_time,
    judge_replication,
    judge_token_expiry,
    judge_token_secrets,
    not_checked,
)
from .sec_token import Token
from .tokens import TokenUnavailable

logger = logging.getLogger(__name__)


# --- what the checks read, through small interfaces ----------------------------------------------
class SiteConsole(Protocol):
    """The console calls readiness may make: reads only."""

    def read_dr_config(self, deadline: Deadline, step: str = ...) -> DRConfig: ...
    def list_copy_profiles(self, deadline: Deadline) -> list[dict[str, Any]]: ...
    def read_authorized_service(self, deadline: Deadline) -> AuthorizedService: ...


class SiteConsoles(Protocol):
    def open(self, site: SiteConfig, observer: CallObserver) -> SiteConsole: ...


class TokenSource(Protocol):
    def token_for(self, site: SiteConfig) -> Token: ...


class LockReader(Protocol):
    def current(self) -> LockRecord | None: ...


class DeploymentReader(Protocol):
    def alarms_for_metric(self, namespace: str, metric: str, dimensions: Mapping[str, str]) -> list[HealthAlarm]: ...
    def subscriptions(self, topic_arn: str) -> list[Subscription]: ...
    def failover_function(self, name: str) -> FunctionState: ...


@dataclass(frozen=True)
class ReadinessCollaborators:
    tokens: TokenSource
    consoles: SiteConsoles
    lock: LockReader
    deployment: DeploymentReader
    health: HealthSource


@dataclass(frozen=True)
class ReadinessReport:
    run_id: str
    checked_at: float  # epoch seconds
    duration_seconds: float
    checks: tuple[CheckResult, ...]
    replication_lag_seconds: float | None = None  # the RPO measured now (None: not measured)

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failing(self) -> list[CheckResult]:
        return [check for check in self.checks if check.status is Status.FAIL]

    @property
    def warnings(self) -> list[CheckResult]:
        return [check for check in self.checks if check.status is Status.WARN]

    @property
    def verdict(self) -> str:
        if not self.ready:
            return "NOT READY"
        return f"ready with {len(self.warnings)} warning(s)" if self.warnings else "ready"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "warnings": len(self.warnings),
            "checks": [check.as_dict() for check in self.checks],
            "checked_at": iso_utc(self.checked_at),
            "duration_seconds": round(self.duration_seconds, 3),
            "replication_lag_seconds": (
                round(self.replication_lag_seconds) if self.replication_lag_seconds is not None else None
            ),
            "run_id": self.run_id,
        }


Build = Callable[[Config, ReadinessSettings], ReadinessCollaborators]


# --- the checks ----------------------------------------------------------------------------------
def check_readiness(
    environ: Mapping[str, str], build: Build, deadline: Deadline, run_id: str, clock: Callable[[], float] = time.time
) -> ReadinessReport:
    """Every check, in order. An invalid configuration is check 1's failure; the others then say why
    they were not run. Never raises for anything the environment, QRadar or AWS can do."""
    started = clock()
    try:
        config = load_config(environ)
        settings = load_readiness_settings(environ, config)
    except ConfigError as error:
        results = [CheckResult(Check.CONFIGURATION, Status.FAIL, str(error))]
        results += [not_checked(name, "the configuration is invalid") for name in list(Check)[1:]]
        return ReadinessReport(run_id, started, clock() - started, tuple(results))
    return run_checks(config, settings, build(config, settings), deadline, run_id, clock)


def run_checks(
    config: Config,
    settings: ReadinessSettings,
    collaborators: ReadinessCollaborators,
    deadline: Deadline,
    run_id: str,
    clock: Callable[[], float] = time.time,
) -> ReadinessReport:
    """Checks 2-10 for a valid configuration: the consoles in parallel while the AWS checks run."""
    started = clock()
    run = _Readiness(config, settings, collaborators, deadline, run_id)
    main, destination, (lock, alarms, function, subscribers, collectors) = at_once(
        lambda: run.probe_site(config.main_site, with_profiles=True),
        lambda: run.probe_site(config.destination_site, with_profiles=False),
        lambda: (
            run.guarded(Check.LOCK, run.check_lock),
            run.guarded(Check.HEALTH_ALARMS, run.check_health_alarms),
            run.guarded(Check.FAILOVER_FUNCTION, run.check_failover_function),
            run.guarded(Check.NOTIFICATION_SUBSCRIBERS, run.check_notification_subscribers),
            run.guarded(Check.DESTINATION_COLLECTORS, run.check_destination_collectors),
        ),
    )
    probes = (main, destination)
    results = (
        CheckResult(Check.CONFIGURATION, Status.OK, _configuration_summary(config, settings)),
        run.guarded(Check.TOKEN_SECRETS, lambda: judge_token_secrets(probes)),
        run.guarded(Check.CONSOLES, lambda: judge_consoles(probes, config.qradar_tls_verify)),
        run.guarded(Check.DR_STATE, lambda: judge_dr_state(*probes)),
        run.guarded(Check.ARIEL_COPY_PROFILES, lambda: judge_copy_profiles(probes[0])),
        lock,
        alarms,
        function,
        subscribers,
        collectors,
        run.guarded(
            Check.TOKEN_EXPIRY, lambda: judge_token_expiry(probes, settings.token_expiry_warning_days, clock())
        ),
        run.guarded(Check.REPLICATION_LAG, lambda: run.check_replication(probes[0], clock())),
        run.guarded(Check.RECOVERY_TIME, run.check_recovery_time),
    )
    return ReadinessReport(run_id, started, clock() - started, results, run.replication_lag_seconds)


@dataclass
class _Readiness:
    config: Config
    settings: ReadinessSettings
    collaborators: ReadinessCollaborators
    deadline: Deadline
    run_id: str
    calls: list[CallRecord] = field(default_factory=list)
    replication_lag_seconds: float | None = None  # measured by check_replication
    alarm_slots: list[AlarmSlot] | None = None  # read by check_health_alarms
    _function: FunctionState | AwsReadFailed | None = None

    def failover_function(self) -> FunctionState:
        """The failover function's state, read once per run (the lock and function checks both need it)."""
        if self._function is None:
            try:
                self._function = self.collaborators.deployment.failover_function(self.settings.failover_function_name)
            except AwsReadFailed as error:
                self._function = error
        if isinstance(self._function, AwsReadFailed):
            raise self._function
        return self._function

    # 2, 3, 4, 5: token, console, DR state, copy profiles of one site ------------------------------
    def probe_site(self, site: SiteConfig, *, with_profiles: bool) -> SiteProbe:
        try:
            return self._probe(site, with_profiles)
        except Exception as error:  # a defect must show as a failed check, not end the run
            logger.exception("readiness probe of the %s console failed unexpectedly", site.name)
            return SiteProbe(site.name, token_error=f"the check itself failed ({type(error).__name__}: {error})")

    def _probe(self, site: SiteConfig, with_profiles: bool) -> SiteProbe:
        try:
            self.collaborators.tokens.token_for(site)
        except TokenUnavailable as error:
            return SiteProbe(site.name, token_error=str(error))
        source = (
            f"secret {site.token_secret_arn}"
            if site.token_secret_arn
            else f"plain variable {site.legacy_token_variable}; move it to Secrets Manager"
        )
        # A hung console costs at most one connect + read timeout, whatever is asked of it.
        budget = self.deadline.within(self.config.http_connect_timeout_seconds + self.config.http_read_timeout_seconds)
        try:
            console = self.collaborators.consoles.open(site, self.observe)
            dr = console.read_dr_config(budget)
        except QRadarError as error:
            return SiteProbe(site.name, source, console_error=error)
        except TokenUnavailable as error:
            return SiteProbe(site.name, token_error=str(error))
        try:
            service, service_error = console.read_authorized_service(budget), None
        except QRadarError as error:
            service, service_error = None, error
        probe = SiteProbe(site.name, source, dr=dr, service=service, service_error=service_error)
        if not with_profiles:
            return probe
        try:
            return replace(probe, profiles=console.list_copy_profiles(budget))
        except QRadarError as error:
            return replace(probe, profiles_error=error)

    # 6 ------------------------------------------------------------------------------------------
    def check_lock(self) -> CheckResult:
        where = f"table {self.config.lock_table_name}, lock id {self.config.lock_id}"
        try:
            record = self.collaborators.lock.current()
        except LockUnavailable as error:
            return CheckResult(
                Check.LOCK,
                Status.FAIL,
                f"{error}: without its lock table the failover function changes nothing (check the table name, "
                "IAM and the DynamoDB endpoint)",
            )
        try:
            timeout = self.failover_function().timeout
        except AwsReadFailed:
            timeout = None  # the failover_function check says why; a live claim then reads as a running failover
        return judge_lock(record, where, run_limit_seconds=timeout)

    # 7 ------------------------------------------------------------------------------------------
    def check_health_alarms(self) -> CheckResult:
        """Every alarm the module defines, found by the metric it watches (not by its actions, which are
        what may be missing): both health metrics of every target group in every Main AZ."""
        settings = self.settings
        slots = []
        for target_group in settings.target_groups:
            for zone in sorted(self.config.main_site_availability_zones):
                for metric in ("HealthyHostCount", "UnHealthyHostCount"):
                    dimensions = {
                        "AvailabilityZone": zone,
                        "LoadBalancer": settings.load_balancer_arn_suffix,
                        "TargetGroup": target_group,
                    }
                    try:
                        found = self.collaborators.deployment.alarms_for_metric(
                            settings.elb_namespace, metric, dimensions
                        )
                    except AwsReadFailed as error:
                        return CheckResult(Check.HEALTH_ALARMS, Status.FAIL, f"the alarms cannot be read ({error})")
                    slots.append(AlarmSlot(target_group, zone, metric, tuple(found)))
        self.alarm_slots = slots
        return judge_health_alarms(slots, settings.trigger_topic_arn)

    # 8 ------------------------------------------------------------------------------------------
    def check_failover_function(self) -> CheckResult:
        name = self.settings.failover_function_name
        try:
            function = self.failover_function()
        except AwsReadFailed as error:
            missing = " (no such function here: check FAILOVER_FUNCTION_NAME and the region)"
            return CheckResult(
                Check.FAILOVER_FUNCTION,
                Status.FAIL,
                f"{name} cannot be read ({error})"
                + (missing if error.aws_error_code == "ResourceNotFoundException" else ""),
            )
        try:
            subscriptions = self.collaborators.deployment.subscriptions(self.settings.trigger_topic_arn)
        except AwsReadFailed as error:
            return CheckResult(
                Check.FAILOVER_FUNCTION, Status.FAIL, f"the trigger topic's subscriptions cannot be read ({error})"
            )
        return judge_failover_function(name, function, subscriptions, self.settings.trigger_topic_arn)

    # 9 ------------------------------------------------------------------------------------------
    def check_notification_subscribers(self) -> CheckResult:
        try:
            subscriptions = self.collaborators.deployment.subscriptions(self.config.notification_topic_arn)
        except AwsReadFailed as error:
            return CheckResult(
                Check.NOTIFICATION_SUBSCRIBERS,
                Status.FAIL,
                f"the notification topic's subscriptions cannot be read ({error})",
            )
        return judge_notification_subscribers(subscriptions)

    # 10 -----------------------------------------------------------------------------------------
    def check_destination_collectors(self) -> CheckResult:
        return judge_destination_collectors(
            [self._destination_health(group) for group in self.settings.target_groups],
            self.config.min_healthy_collectors,
        )

    def _destination_health(self, target_group: str) -> TargetGroupHealth:
        """The same live evidence the failover reads for the Main AZ, asked about each Destination AZ."""
        settings = self.settings
        healthy: list[int] = []
        parts: list[str] = []
        for zone in sorted(settings.dest_site_availability_zones):
            probe = AlarmRecord.probe(
                f"readiness: Destination collectors in {zone}",
                settings.trigger_topic_arn,
                settings.elb_namespace,
                settings.load_balancer_arn_suffix,
                target_group,
                zone,
            )
            try:
                evidence = self.collaborators.health.confirm(probe)
            except UnknownTargetGroup as error:
                healthy.append(0)
                parts.append(f"{zone}: none ({error}; are the Destination collectors registered?)")
                continue
            except HealthUnavailable as error:
                parts.append(f"{zone}: cannot be told ({error})")
                continue
            healthy.append(evidence.healthy_collectors)
            unhealthy = evidence.cloudwatch_unhealthy or evidence.elb_unhealthy or 0
            note = f", {evidence.cloudwatch_note}" if evidence.cloudwatch_note else ""
            parts.append(f"{evidence.healthy_collectors} healthy, {unhealthy} unhealthy in {zone}{note}")
        return TargetGroupHealth(target_group, sum(healthy) if healthy else None, "; ".join(parts))

    # 12 -----------------------------------------------------------------------------------------
    def check_replication(self, main: SiteProbe, now: float) -> CheckResult:
        replication = judge_replication(main, self.settings.rpo_target_seconds, now)
        self.replication_lag_seconds = replication.lag_seconds
        return replication.result

    # 13 -----------------------------------------------------------------------------------------
    def check_recovery_time(self) -> CheckResult:
        """The worst case the deployed alarms and failover function allow: the slowest alarm acting on the
        trigger topic, the function's own timeout, and the retries Lambda makes (its environment's)."""
        acting = [
            alarm
            for slot in self.alarm_slots or []
            for alarm in slot.alarms
            if self.settings.trigger_topic_arn in alarm.alarm_actions and alarm.datapoints_to_alarm
        ]
        if not acting:
            return not_checked(Check.RECOVERY_TIME, "no health alarm acts on the trigger topic (see health_alarms)")
        try:
            timeout = self.failover_function().timeout
        except AwsReadFailed:
            timeout = None
        if timeout is None:
            return not_checked(
                Check.RECOVERY_TIME, "the failover function's timeout could not be read (see failover_function)"
            )
        worst = recovery_time_objective(
            alarm_datapoints_to_alarm=max(alarm.datapoints_to_alarm or 0 for alarm in acting),
            deploy_timeout_seconds=self.config.deploy_timeout_seconds,
            timeout=timeout,
            maximum_retry_attempts=self.config.maximum_retry_attempts,
            maximum_event_age_in_seconds=self.config.maximum_event_age_in_seconds,
            alarm_period_seconds=max(alarm.period or ALARM_PERIOD_SECONDS for alarm in acting),
        )
        return judge_recovery_time(worst, self.settings.rto_target_seconds)

    # ---------------------------------------------------------------------------------------------
    def guarded(self, name: Check, check: Callable[[], CheckResult]) -> CheckResult:
        if self.deadline.remaining() <= 0:
            return not_checked(name, "the run's time ran out (AWS APIs slow or unreachable from the function?)")
        try:
            return check()
        except Exception as error:  # a defect in one check must not hide the others' results
            logger.exception("readiness check %s failed unexpectedly", name.value, extra={"run_id": self.run_id})
            return CheckResult(name, Status.FAIL, f"the check itself failed ({type(error).__name__}: {error})")

    def observe(self, call: CallRecord) -> None:
        self.calls.append(call)
        logger.info(
            call.step,
            extra={
                "run_id": self.run_id,
                "site": call.site,
                "method": call.method,
                "path": call.path,
                "http_status": call.http_status,
                "duration_ms": round(call.duration_seconds * 1000),
                "error": call.error,
            },
        )


def _configuration_summary(config: Config, settings: ReadinessSettings) -> str:
    return (
        f"valid: Main {config.main_site.address} ({', '.join(sorted(config.main_site_availability_zones))}), "
        f"Destination {config.destination_site.address} ({', '.join(sorted(settings.dest_site_availability_zones))}), "
        f"failover function {settings.failover_function_name}"
    )
