"""The judgement of each readiness check: what was read -> ok or not, and a detail a person can act on.

Pure functions of what :mod:`qradar_failover.readiness` read; no I/O here. Each detail names what
is wrong, why a failover would suffer from it, and how to fix it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .lock import LockRecord, LockState
from .objectives import RecoveryTime
from .observability import human_duration, iso_utc
from .qradar import AuthorizedService, DRConfig, QRadarError
from .readiness_aws import FunctionState, HealthAlarm, Subscription
from .report import FailureKind


class Check(StrEnum):
    """The checks, in the order they run and are reported (the metric dimension ``Check``)."""

    CONFIGURATION = "configuration"
    TOKEN_SECRETS = "token_secrets"  # noqa: S105 (a check's name, not a secret)
    CONSOLES = "consoles"
    DR_STATE = "dr_state"
    ARIEL_COPY_PROFILES = "ariel_copy_profiles"
    LOCK = "lock"
    HEALTH_ALARMS = "health_alarms"
    FAILOVER_FUNCTION = "failover_function"
    NOTIFICATION_SUBSCRIBERS = "notification_subscribers"
    DESTINATION_COLLECTORS = "destination_collectors"
    TOKEN_EXPIRY = "token_expiry"  # noqa: S105 (a check's name, not a secret)
    REPLICATION_LAG = "replication_lag"
    RECOVERY_TIME = "recovery_time"


class Status(StrEnum):
    """A check's result. ``warn`` keeps the deployment ready: a failover would work now, but something
    needs a person before it stops one (a token about to expire, replication falling behind)."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


# The checks that may warn. Each has its CheckWarned metric every run (0 or 1) and, in the module, an alarm on
# it that notifies when the warning starts and when it ends (readiness.tf holds the same list).
WARNING_CHECKS = frozenset({Check.LOCK, Check.FAILOVER_FUNCTION, Check.TOKEN_EXPIRY, Check.REPLICATION_LAG})


@dataclass(frozen=True)
class CheckResult:
    name: Check
    status: Status
    detail: str

    def __post_init__(self) -> None:
        if self.status is Status.WARN and self.name not in WARNING_CHECKS:
            raise ValueError(f"{self.name.value} cannot warn: add it to WARNING_CHECKS (and the module's alarms)")

    @property
    def ok(self) -> bool:
        """Not failed: a failover would work as far as this check can tell (with or without a warning)."""
        return self.status is not Status.FAIL

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name.value, "ok": self.ok, "status": self.status.value, "detail": self.detail}


@dataclass(frozen=True)
class SiteProbe:
    """What one console's read-only probe found. ``token_error`` set: nothing else was tried."""

    site: str  # "main" or "destination"
    token_source: str = ""  # where the token was read from, for the detail (never the value)
    token_error: str | None = None
    console_error: QRadarError | None = None
    dr: DRConfig | None = None
    profiles: list[dict[str, Any]] | None = None
    profiles_error: QRadarError | None = None
    service: AuthorizedService | None = None  # the token's authorized service, as the console describes it
    service_error: QRadarError | None = None

    @property
    def label(self) -> str:
        return "Main" if self.site == "main" else "Destination"


def not_checked(name: Check, reason: str) -> CheckResult:
    return CheckResult(name, Status.FAIL, f"not checked: {reason}")


# --- 2 token secrets ----------------------------------------------------------------------------
def judge_token_secrets(probes: Sequence[SiteProbe]) -> CheckResult:
    failures = [f"{probe.label}: {probe.token_error}" for probe in probes if probe.token_error]
    if failures:
        return CheckResult(
            Check.TOKEN_SECRETS,
            Status.FAIL,
            "; ".join(failures) + " (the function's role needs secretsmanager:GetSecretValue on the secret, and "
            "kms:Decrypt on its key through Secrets Manager; the secret's SecretString must be the SEC token)",
        )
    return CheckResult(
        Check.TOKEN_SECRETS, Status.OK, "; ".join(f"{probe.label}: readable ({probe.token_source})" for probe in probes)
    )


# --- 3 consoles ---------------------------------------------------------------------------------
def judge_consoles(probes: Sequence[SiteProbe], tls_verify: bool) -> CheckResult:
    parts, ok = [], True
    for probe in probes:
        if probe.token_error:
            parts.append(f"{probe.label}: not tried (no token)")
            ok = False
        elif probe.console_error is not None:
            parts.append(f"{probe.label}: {_console_problem(probe.console_error)}")
            ok = False
        else:
            parts.append(f"{probe.label}: answered over {'verified ' if tls_verify else ''}TLS, token accepted")
    if ok and not tls_verify:
        return CheckResult(
            Check.CONSOLES,
            Status.FAIL,
            "; ".join(parts) + "; but TLS verification is OFF (QRADAR_TLS_VERIFY=false): trust the consoles' CA "
            "with ca_bundle_pem instead",
        )
    return CheckResult(Check.CONSOLES, Status.OK if ok else Status.FAIL, "; ".join(parts))


def _console_problem(error: QRadarError) -> str:
    if error.http_status == 401:
        return (
            f"token refused (HTTP 401): {error.detail}; create a new authorized service token and put it "
            "into the site's secret"
        )
    if error.http_status == 403:
        return f"token lacks the rights (HTTP 403): {error.detail}; the authorized service needs admin rights"
    if error.kind is FailureKind.TLS:
        return f"certificate not trusted: {error.detail}"
    if error.kind in (FailureKind.TIMEOUT, FailureKind.DEADLINE):
        return f"no answer in time: {error.detail}"
    if error.kind is FailureKind.CONNECTION:
        return f"unreachable: {error.detail} (security group, route, console down?)"
    return str(error)


# --- 4 DR state ---------------------------------------------------------------------------------
def judge_dr_state(main: SiteProbe, destination: SiteProbe) -> CheckResult:
    if main.dr is None or destination.dr is None:
        unread = [probe.label for probe in (main, destination) if probe.dr is None]
        return not_checked(Check.DR_STATE, f"{' and '.join(unread)} DR configuration not read (see consoles)")
    main_dr, destination_dr = main.dr, destination.dr
    states = f"Main {main_dr.describe()}, Destination {destination_dr.describe()}"
    if main_dr.is_active_primary and destination_dr.site_state == "ACTIVE":
        return CheckResult(
            Check.DR_STATE,
            Status.FAIL,
            f"SPLIT: both consoles are ACTIVE ({states}): decide which site collects and set the other "
            "STANDBY in the DataSync app; a failover now would leave two primaries",
        )
    if destination_dr.is_active_primary:
        return CheckResult(
            Check.DR_STATE,
            Status.FAIL,
            f"already failed over ({states}): once the Main AZ is healthy, fail back (Main PRIMARY/ACTIVE, "
            "Destination DR/STANDBY, copy profiles on, automation re-armed): qradar-failover failback",
        )
    problems = []
    if not main_dr.is_active_primary:
        problems.append(f"Main is {main_dr.is_dr}/{main_dr.site_state}, expected PRIMARY/ACTIVE")
    elif not main_dr.ariel_copy_enabled:
        problems.append("ariel copy is off on the Main Site, so the Destination receives no data")
    if not destination_dr.is_standby_dr:
        problems.append(
            f"Destination is {destination_dr.is_dr}/{destination_dr.site_state}, expected DR/STANDBY (the failover "
            "only activates a standby Destination)"
        )
    if problems:
        return CheckResult(
            Check.DR_STATE, Status.FAIL, "; ".join(problems) + f" ({states}): fix it in the DataSync app"
        )
    return CheckResult(Check.DR_STATE, Status.OK, states)


# --- 5 ariel copy profiles ----------------------------------------------------------------------
def judge_copy_profiles(main: SiteProbe) -> CheckResult:
    if main.dr is None:
        return not_checked(Check.ARIEL_COPY_PROFILES, "the Main console was not read (see consoles)")
    if main.profiles_error is not None:
        return CheckResult(
            Check.ARIEL_COPY_PROFILES,
            Status.FAIL,
            f"the Main console's ariel copy profiles could not be read: {_console_problem(main.profiles_error)}",
        )
    profiles = main.profiles or []
    enabled = [str(profile.get("id")) for profile in profiles if profile.get("enabled") is True]
    if not enabled:
        return CheckResult(
            Check.ARIEL_COPY_PROFILES,
            Status.FAIL,
            f"no ariel copy profile is enabled on the Main Site ({len(profiles)} configured): events and flows are "
            "not copied to the Destination, which would take over without them; enable the profiles in the "
            "DataSync app",
        )
    return CheckResult(
        Check.ARIEL_COPY_PROFILES,
        Status.OK,
        f"{len(enabled)} of {len(profiles)} ariel copy profile(s) enabled on the Main Site (id {', '.join(enabled)})",
    )


# --- 6 lock -------------------------------------------------------------------------------------
def judge_lock(
    record: LockRecord | None, where: str, now: float | None = None, run_limit_seconds: float | None = None
) -> CheckResult:
    """``run_limit_seconds``: the failover function's timeout, when known; a claim older than that was left by
    a run that is gone."""
    now = time.time() if now is None else now
    if record is None:
        return CheckResult(Check.LOCK, Status.OK, f"armed: no failover recorded ({where})")
    run = f"run {record.holder}" if record.holder else "a run"
    alarm = f" for {record.alarm_name}" if record.alarm_name else ""
    if record.state is LockState.FAILED:
        failure = _failure_text(record.summary.get("failure"))
        return CheckResult(
            Check.LOCK,
            Status.OK,
            f"armed; the last attempt ({run}{alarm}) failed" + (f": {failure}" if failure else "") + f" ({where})",
        )
    if record.state is LockState.FAILED_OVER:
        at = record.summary.get("at")
        when = f" at {at}" if at else ""
        return CheckResult(
            Check.LOCK,
            Status.FAIL,
            f"disarmed: a failover is recorded ({run}{alarm}{when}) and later alarms are ignored until re-armed; "
            f"fail back with qradar-failover failback, which re-arms it (after a failback by hand: "
            f"qradar-failover rearm) ({where})",
        )
    claimed = f" at {iso_utc(record.claimed_at)}" if record.claimed_at else ""
    expires = iso_utc(record.expires_at or now)
    look = (
        "read the failover function's log for that run (why did it stop?) and check both consoles "
        "(qradar-failover status)"
    )
    if record.expired(now):
        # A later delivery takes an expired claim over (FailoverLock.claim): the automation still works.
        return CheckResult(
            Check.LOCK,
            Status.WARN,
            f"a run never finished: {run}{alarm} claimed the lock{claimed} and its claim expired at {expires}; the "
            f"next alarm takes it over and resumes safely, but {look} ({where})",
        )
    age = now - record.claimed_at if record.claimed_at else None
    if run_limit_seconds is not None and age is not None and age > run_limit_seconds:
        return CheckResult(
            Check.LOCK,
            Status.FAIL,
            f"stale claim: {run}{alarm} claimed the lock{claimed}, longer ago than the failover function's "
            f"{run_limit_seconds:g} s timeout, so that run has ended without recording; until the claim expires at "
            f"{expires} every alarm is answered 'in progress elsewhere' and fails nothing over (an alarm acts once: "
            f"that outage would not be failed over); {look}, then clear it: qradar-failover rearm ({where})",
        )
    return CheckResult(
        Check.LOCK,
        Status.FAIL,
        f"a failover is running now: {run}{alarm} claimed the lock{claimed}; its outcome will be notified ({where})",
    )


# --- 7 health alarms ----------------------------------------------------------------------------
# Why each of the pair matters when it does not act (alarms.tf creates both per target group and Main AZ).
_ALARM_ROLE = {
    "HealthyHostCount": "the alarm that fires when the AZ goes dark",
    "UnHealthyHostCount": "the alarm that fires when the collectors fail their health checks",
}


@dataclass(frozen=True)
class AlarmSlot:
    """One alarm the module defines: a health metric of a target group in a Main AZ, and every alarm
    CloudWatch holds on exactly that metric (none, the module's, or the module's and a caller's)."""

    target_group: str
    availability_zone: str
    metric: str
    alarms: tuple[HealthAlarm, ...]

    @property
    def where(self) -> str:
        return f"{_short_group(self.target_group)} in {self.availability_zone}"


def judge_health_alarms(slots: Sequence[AlarmSlot], trigger_topic: str) -> CheckResult:
    """Every slot needs an alarm that acts on the trigger topic, with actions enabled, in OK: CloudWatch
    starts the failover only on an alarm's change to ALARM, and only through its actions."""
    problems: list[str] = []
    for slot in slots:
        acting = [alarm for alarm in slot.alarms if trigger_topic in alarm.alarm_actions]
        if any(alarm.actions_enabled and alarm.state == "OK" for alarm in acting):
            continue
        role = _ALARM_ROLE.get(slot.metric, "a health alarm")
        if not slot.alarms:
            problems.append(
                f"no {slot.metric} alarm watches {slot.where} ({role}; deleted?): an outage there would not start "
                "the failover (re-apply the module)"
            )
        elif not acting:
            problems += [
                f"{alarm.name} does not act on the trigger topic (its alarm action was removed; {role}): an outage "
                "there would not start the failover (re-apply the module)"
                for alarm in slot.alarms
            ]
        for alarm in acting:
            if not alarm.actions_enabled:
                problems.append(
                    f"actions disabled on {alarm.name} ({role}): aws cloudwatch enable-alarm-actions --alarm-names "
                    f"{alarm.name}"
                )
            elif alarm.state == "INSUFFICIENT_DATA":
                problems.append(
                    f"{alarm.name} in INSUFFICIENT_DATA: the load balancer publishes no such metric for that target "
                    "group and AZ (wrong target group or load balancer, or the AZ is not enabled on it)"
                )
            elif alarm.state == "ALARM":
                problems.append(
                    f"{alarm.name} in ALARM now: CloudWatch acts only on a change of state, so while it stays in "
                    "ALARM a new outage would not start the failover (qradar-failover status)"
                )
    if problems:
        return CheckResult(Check.HEALTH_ALARMS, Status.FAIL, "; ".join(problems))
    groups = sorted({_short_group(slot.target_group) for slot in slots})
    zones = sorted({slot.availability_zone for slot in slots})
    metrics = sorted({slot.metric for slot in slots})
    return CheckResult(
        Check.HEALTH_ALARMS,
        Status.OK,
        f"{len(slots)} health alarm(s) act on the trigger topic ({' and '.join(metrics)} for {', '.join(groups)} in "
        f"{', '.join(zones)}), all OK with actions enabled",
    )


# --- 8 failover function ------------------------------------------------------------------------
def judge_failover_function(
    name: str, function: FunctionState, trigger_subscriptions: Sequence[Subscription], trigger_topic: str
) -> CheckResult:
    problems = []
    subscribed = [
        sub
        for sub in trigger_subscriptions
        if sub.protocol == "lambda" and (sub.endpoint == function.arn or sub.endpoint.startswith(function.arn + ":"))
    ]
    if not subscribed:
        problems.append(f"not subscribed to the trigger topic {trigger_topic}: alarms would reach nobody")
    elif not any(sub.confirmed for sub in subscribed):
        problems.append("its trigger topic subscription is not confirmed")
    sources = function.sns_invoke_sources
    if sources is None or not ({trigger_topic, "*"} & set(sources)):
        problems.append(
            "its resource policy does not let SNS invoke it for the trigger topic (lambda:InvokeFunction for "
            "sns.amazonaws.com with that SourceArn; re-apply the module)"
        )
    if function.reserved_concurrency == 0:
        problems.append(
            "throttled to zero (reserved concurrency 0, the console's Throttle button): restore "
            "reserved_concurrent_executions by re-applying the module"
        )
    reason = f" ({function.state_reason_code}: {function.state_reason})" if function.state_reason_code else ""
    warning = ""
    if function.state == "Inactive" and function.state_reason_code == "Idle":
        warning = (
            "Inactive (Idle): Lambda reclaimed its network interfaces after weeks without an invocation; the first "
            "alarm's invocation would fail while Lambda re-creates them (a minute or more, in subnets of which one "
            "may be in the lost AZ), in the middle of an outage: wake it now with 'aws lambda invoke --function-name "
            f"{name} --cli-binary-format raw-in-base64-out --payload {{}} /dev/null' (the first call may fail with "
            "ResourceNotReadyException and wakes it; the function rejects the empty event and changes nothing)"
        )
    elif function.state == "Pending":
        problems.append(
            f"Pending{reason}: Lambda is still creating its resources (network interfaces) and does not invoke it "
            "until it is Active, so an alarm now would not start the failover; if it stays Pending, read the reason "
            "and re-apply the module"
        )
    elif function.state != "Active":
        problems.append(f"state {function.state}{reason}: it cannot be invoked until Active (re-apply the module)")
    if function.last_update_status == "Failed":
        why = (
            f" ({function.last_update_status_reason_code}: {function.last_update_status_reason})"
            if function.last_update_status_reason_code
            else ""
        )
        problems.append(
            f"its last update failed{why}: it runs its previous code and configuration, while readiness checked the "
            "configuration the module applied (re-apply the module)"
        )
    if problems:
        return CheckResult(Check.FAILOVER_FUNCTION, Status.FAIL, f"{name}: " + "; ".join(problems))
    if warning:
        return CheckResult(
            Check.FAILOVER_FUNCTION,
            Status.WARN,
            f"{name}: {warning}; subscribed to the trigger topic, SNS may invoke it",
        )
    return CheckResult(
        Check.FAILOVER_FUNCTION,
        Status.OK,
        f"{name}: {function.state}, subscribed to the trigger topic, SNS may invoke it"
        + (f", reserved concurrency {function.reserved_concurrency}" if function.reserved_concurrency else ""),
    )


# --- 9 notification subscribers -----------------------------------------------------------------
def judge_notification_subscribers(subscriptions: Sequence[Subscription]) -> CheckResult:
    confirmed = [sub for sub in subscriptions if sub.confirmed]
    pending = [sub for sub in subscriptions if sub.arn == "PendingConfirmation"]
    waiting = f"; {len(pending)} pending confirmation ({_protocols(pending)})" if pending else ""
    if not confirmed:
        return CheckResult(
            Check.NOTIFICATION_SUBSCRIBERS,
            Status.FAIL,
            "nobody would hear: the notification topic has no confirmed subscription"
            + waiting
            + " (add notification_subscriptions, and have each email recipient click the confirmation link)",
        )
    return CheckResult(
        Check.NOTIFICATION_SUBSCRIBERS,
        Status.OK,
        f"{len(confirmed)} confirmed subscription(s) ({_protocols(confirmed)}){waiting}",
    )


def _protocols(subscriptions: Sequence[Subscription]) -> str:
    counts: dict[str, int] = {}
    for sub in subscriptions:
        counts[sub.protocol] = counts.get(sub.protocol, 0) + 1
    return ", ".join(f"{count} {protocol}" for protocol, count in sorted(counts.items()))


# --- 10 Destination collectors ------------------------------------------------------------------
@dataclass(frozen=True)
class TargetGroupHealth:
    """The Destination's collectors in one target group the alarms watch."""

    target_group: str
    healthy: int | None  # None: could not be told
    detail: str


def judge_destination_collectors(groups: Sequence[TargetGroupHealth], minimum: int) -> CheckResult:
    if not groups:
        return not_checked(Check.DESTINATION_COLLECTORS, "no health alarm names a target group (see health_alarms)")
    short = [group for group in groups if group.healthy is None or group.healthy < minimum]
    parts = [f"{_short_group(group.target_group)}: {group.detail}" for group in groups]
    if short:
        return CheckResult(
            Check.DESTINATION_COLLECTORS,
            Status.FAIL,
            "; ".join(parts) + f": failing over needs at least {minimum} healthy Destination collector(s) per target "
            "group, or collection stops anyway (check the collectors and their load balancer health checks)",
        )
    return CheckResult(Check.DESTINATION_COLLECTORS, Status.OK, "; ".join(parts))


# --- 11 token expiry ----------------------------------------------------------------------------
_DAY = 86400.0


def judge_token_expiry(probes: Sequence[SiteProbe], warning_days: int, now: float | None = None) -> CheckResult:
    """Each console's own word on its token's expiry: a warning within ``warning_days``, a failure once
    expired (the console then refuses it), ok when it never expires, is further off or is not reported."""
    now = time.time() if now is None else now
    unread = [probe.label for probe in probes if probe.dr is None]
    if unread:
        return not_checked(Check.TOKEN_EXPIRY, f"the {' and '.join(unread)} console was not read (see consoles)")
    parts, statuses = [], []
    for probe in probes:
        status, text = _token_expiry(probe, warning_days, now)
        statuses.append(status)
        parts.append(f"{probe.label}: {text}")
    worst = Status.FAIL if Status.FAIL in statuses else Status.WARN if Status.WARN in statuses else Status.OK
    return CheckResult(Check.TOKEN_EXPIRY, worst, "; ".join(parts))


def _token_expiry(probe: SiteProbe, warning_days: int, now: float) -> tuple[Status, str]:
    service = probe.service
    if service is None or not service.reported:
        why = (
            _console_problem(probe.service_error)
            if probe.service_error is not None
            else service.note
            if service is not None and service.note
            else "the console does not report it"
        )
        return Status.OK, f"expiry unknown ({why}); note the authorized service's expiry yourself"
    named = f"authorized service '{service.label}'" if service.label else "its authorized service"
    if service.expires_at is None:
        return Status.OK, f"never expires ({named})"
    at = iso_utc(service.expires_at)
    days = (service.expires_at - now) / _DAY
    renew = (
        f"create a new authorized service (admin rights) and put its token into the {probe.token_source}"
        if probe.token_source
        else "create a new authorized service (admin rights) and put its token into the site's secret"
    )
    if days <= 0:
        return Status.FAIL, f"the token EXPIRED at {at} ({named}): the console refuses it; {renew}"
    if days <= warning_days:
        return Status.WARN, (
            f"the token expires {at} (in {int(days)} days; {named}): {renew} before then (the failover function "
            "re-reads the secret at the first 401)"
        )
    return Status.OK, f"expires {at} (in {int(days)} days; {named})"


# --- 12 replication lag (RPO) ----------------------------------------------------------------------
@dataclass(frozen=True)
class ProfileTransfers:
    """One enabled ariel copy profile's schedule and transfer dates (epoch seconds), as the Main console reports
    them."""

    profile_id: str
    frequency_seconds: float | None
    last_success: float | None
    last_error: float | None
    threshold_surpassed: float | None

    @classmethod
    def of(cls, profile: Mapping[str, Any]) -> ProfileTransfers:
        def seconds(name: str) -> float | None:
            value = profile.get(name)
            return (
                value / 1000 if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else None
            )

        return cls(
            str(profile.get("id")),
            seconds("frequency"),
            seconds("last_successful_transfer_date"),
            seconds("last_error_date"),
            seconds("last_error_max_threshold_surpassed_date"),
        )


@dataclass(frozen=True)
class Replication:
    """The Main Site's replication as readiness measured it: the check, and the lag (RPO) it measured."""

    result: CheckResult
    lag_seconds: float | None  # the age of the oldest last successful copy; None: not measured


def judge_replication(main: SiteProbe, target_seconds: float | None, now: float | None = None) -> Replication:
    """The data a failover now would lose: how long ago the least recent enabled profile last copied (RPO), held
    to ``target_seconds``; missed copies, errors and a schedule slower than the target are warnings."""
    now = time.time() if now is None else now

    def unmeasured(result: CheckResult) -> Replication:
        return Replication(result, None)

    if main.dr is None or main.profiles_error is not None:
        return unmeasured(not_checked(Check.REPLICATION_LAG, "the Main console's copy profiles were not read"))
    enabled = [profile for profile in main.profiles or [] if profile.get("enabled") is True]
    if not enabled:
        return unmeasured(
            not_checked(
                Check.REPLICATION_LAG, "no ariel copy profile is enabled on the Main Site (see ariel_copy_profiles)"
            )
        )
    if not any("last_successful_transfer_date" in profile for profile in enabled):
        return unmeasured(
            CheckResult(
                Check.REPLICATION_LAG,
                Status.OK,
                "RPO unknown: the Main console does not report its copy profiles' transfer dates; check the last copy "
                "in the DataSync app",
            )
        )
    profiles = [ProfileTransfers.of(profile) for profile in enabled]
    target = f"the RPO target of {human_duration(target_seconds)}" if target_seconds else ""
    failures: list[str] = []
    warnings: list[str] = []
    never = [p.profile_id for p in profiles if p.last_success is None]
    for profile_id in never:
        (failures if target_seconds else warnings).append(f"profile {profile_id} has never completed a copy")
    copied = [p for p in profiles if p.last_success is not None]
    oldest = min(copied, key=lambda p: p.last_success or 0.0) if copied else None
    lag = max(0.0, now - oldest.last_success) if oldest is not None and oldest.last_success is not None else None
    for profile in copied:
        warnings += _replication_warnings(profile, now, target_seconds, target)
    if oldest is not None and lag is not None:
        assert oldest.last_success is not None
        measured = (
            f"RPO now {human_duration(lag)} (profile {oldest.profile_id} copied last at {iso_utc(oldest.last_success)})"
        )
    else:
        measured = "RPO unknown (no profile has completed a copy)"
    if target_seconds and lag is not None and lag > target_seconds:
        failures.insert(0, f"exceeds {target}: a failover now would lose {human_duration(lag)} of events and flows")
    fix = (
        "check the copy profiles in the DataSync app, the network from the Main Site to the Destination and the "
        "Destination's disk"
    )
    if failures:
        status, problems = Status.FAIL, failures + warnings
    elif warnings:
        status, problems = Status.WARN, warnings
    else:
        held = f"within {target}" if target else "no RPO target (rpo_target_seconds)"
        return Replication(CheckResult(Check.REPLICATION_LAG, Status.OK, f"{measured}; {held}"), lag)
    return Replication(CheckResult(Check.REPLICATION_LAG, status, f"{measured}: {'; '.join(problems)}; {fix}"), lag)


def _replication_warnings(
    profile: ProfileTransfers, now: float, target_seconds: float | None, target: str
) -> list[str]:
    """What is wrong with one profile that has copied before, short of exceeding the target: one clause."""
    assert profile.last_success is not None
    problems = []
    age = max(0.0, now - profile.last_success)
    every = profile.frequency_seconds
    if every and age > 2 * every:  # one period of slack for a copy under way
        problems.append(f"missed its schedule (last copy {human_duration(age)} ago)")
    if every and target_seconds and every > target_seconds:
        problems.append(
            f"{target} cannot hold between copies (copy more often in the DataSync app, or set "
            "rpo_target_seconds to what the schedule allows)"
        )
    if profile.last_error and profile.last_error > profile.last_success:
        problems.append(f"copies failed since (last error at {iso_utc(profile.last_error)})")
    if profile.threshold_surpassed and profile.threshold_surpassed > profile.last_success:
        problems.append(
            f"QRadar stopped retrying (error threshold surpassed at {iso_utc(profile.threshold_surpassed)})"
        )
    if not problems:
        return []
    schedule = f" (copies every {human_duration(every)})" if every else ""
    return [f"profile {profile.profile_id}{schedule}: {', '.join(problems)}"]


# --- 13 recovery time (RTO) --------------------------------------------------------------------------
def judge_recovery_time(worst: RecoveryTime, target_seconds: float | None) -> CheckResult:
    """The worst case the deployed settings allow (:mod:`qradar_failover.objectives`), held to the target."""
    if target_seconds and worst.seconds > target_seconds:
        return CheckResult(
            Check.RECOVERY_TIME,
            Status.FAIL,
            f"{worst.explain()}: exceeds the RTO target of {human_duration(target_seconds)} ({target_seconds:g} s); "
            "the deployed alarms or function differ from what the plan allowed (re-apply the module), or lower "
            "alarm_datapoints_to_alarm, deploy_timeout_seconds, timeout or maximum_retry_attempts",
        )
    held = (
        f"within the RTO target of {human_duration(target_seconds)}"
        if target_seconds
        else "no RTO target (rto_target_seconds)"
    )
    return CheckResult(Check.RECOVERY_TIME, Status.OK, f"{worst.explain()}; {held}")


def _short_group(target_group: str) -> str:
    parts = target_group.split("/")
    return parts[1] if len(parts) >= 2 else target_group


def _failure_text(failure: Any) -> str:
    """The lock summary's failure (site, step, detail, ...) in a few words."""
    if isinstance(failure, dict):
        where = " ".join(str(failure[key]) for key in ("site", "step") if failure.get(key))
        return f"{where}: {failure.get('detail', '')}".strip(": ")
    return str(failure) if failure else ""
