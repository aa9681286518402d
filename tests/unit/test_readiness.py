"""Readiness checks, one behaviour per test, with in-memory collaborators (no network, no moto)."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Mapping
from contextlib import redirect_stdout
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from qradar_failover import readiness, readiness_handler, runtime
from qradar_failover.config import Config, ReadinessSettings, SiteConfig, load_config, load_readiness_settings
from qradar_failover.deadline import Deadline
from qradar_failover.health import HealthEvidence, HealthUnavailable, UnknownTargetGroup
from qradar_failover.lock import LockRecord, LockState, LockUnavailable
from qradar_failover.qradar import AuthorizedService, FailureKind, QRadarError
from qradar_failover.readiness import ReadinessCollaborators, ReadinessReport, check_readiness
from qradar_failover.readiness_aws import AwsReadFailed, FunctionState, HealthAlarm, Subscription
from qradar_failover.readiness_checks import WARNING_CHECKS, Check, CheckResult, Status
from qradar_failover.readiness_handler import emit_metrics
from qradar_failover.runtime import AWS_CLIENT_CONFIG
from qradar_failover.sec_token import Token
from qradar_failover.tokens import TokenUnavailable
from support.events import DEST_AZ, FAKE_SITES_ENV, LOAD_BALANCER, MAIN_AZ, MAIN_TOKEN, TARGET_GROUP
from support.fakes import FakeConsole, FakeConsoles, dr_config, qradar_error

ACCOUNT = "111122223333"
TRIGGER = f"arn:aws:sns:ca-central-1:{ACCOUNT}:qradar-failover-trigger"
FUNCTION_ARN = f"arn:aws:lambda:ca-central-1:{ACCOUNT}:function:qradar-failover"
ENV = FAKE_SITES_ENV | {
    "FAILOVER_FUNCTION_NAME": "qradar-failover",
    "TRIGGER_TOPIC_ARN": TRIGGER,
    "DEST_SITE_AVAILABILITY_ZONES": DEST_AZ,
    "LOAD_BALANCER_ARN_SUFFIX": LOAD_BALANCER,
    "TARGET_GROUPS": TARGET_GROUP,
}


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "simulated"}}, "Operation")


def health_alarm(metric: str = "UnHealthyHostCount", zone: str = MAIN_AZ, **changes: Any) -> HealthAlarm:
    alarm = HealthAlarm(
        name=f"qradar-failover-dlc-{zone}-{metric}",
        arn=f"arn:aws:cloudwatch:ca-central-1:{ACCOUNT}:alarm:qradar-failover-dlc-{zone}-{metric}",
        state="OK",
        actions_enabled=True,
        alarm_actions=(TRIGGER,),
        namespace="AWS/NetworkELB",
        metric_name=metric,
        load_balancer=LOAD_BALANCER,
        target_group=TARGET_GROUP,
        availability_zone=zone,
        datapoints_to_alarm=3,
        period=60,
    )
    return replace(alarm, **changes)


@dataclass
class FakeTokens:
    errors: set[str] = field(default_factory=set)

    def token_for(self, site: SiteConfig) -> Token:
        if site.name in self.errors:
            raise TokenUnavailable(f"cannot read the {site.name} site token from Secrets Manager: AccessDenied")
        return Token(MAIN_TOKEN)


@dataclass
class FakeLock:
    record: LockRecord | None = None
    unavailable: bool = False
    calls: list[str] = field(default_factory=list)

    def current(self) -> LockRecord | None:
        self.calls.append("current")
        if self.unavailable:
            raise LockUnavailable("cannot read lock 'qradar-failover' in table 'lock': AccessDeniedException")
        return self.record


@dataclass
class FakeDeployment:
    alarms: list[HealthAlarm] = field(
        default_factory=lambda: [health_alarm("UnHealthyHostCount"), health_alarm("HealthyHostCount")]
    )
    function: FunctionState = field(
        default_factory=lambda: FunctionState(
            FUNCTION_ARN, "Active", None, None, "Successful", 1, (TRIGGER,), timeout=300
        )
    )
    trigger_subscriptions: list[Subscription] = field(
        default_factory=lambda: [Subscription(f"{TRIGGER}:1234", "lambda", FUNCTION_ARN)]
    )
    notification_subscriptions: list[Subscription] = field(
        default_factory=lambda: [Subscription("arn:aws:sns:ca-central-1:1:n:1", "email", "soc@example.com")]
    )
    failures: dict[str, AwsReadFailed] = field(default_factory=dict)
    asked: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def _fail(self, name: str) -> None:
        if name in self.failures:
            raise self.failures[name]

    def alarms_for_metric(self, namespace: str, metric: str, dimensions: Mapping[str, str]) -> list[HealthAlarm]:
        self._fail("alarms")
        self.asked.append((namespace, metric, dict(dimensions)))
        return [
            alarm
            for alarm in self.alarms
            if (alarm.namespace, alarm.metric_name) == (namespace, metric)
            and {"AvailabilityZone": alarm.availability_zone, "LoadBalancer": alarm.load_balancer,
                 "TargetGroup": alarm.target_group} == dimensions
        ]  # fmt: skip

    def subscriptions(self, topic_arn: str) -> list[Subscription]:
        self._fail("subscriptions")
        return self.trigger_subscriptions if topic_arn == TRIGGER else self.notification_subscriptions

    def failover_function(self, name: str) -> FunctionState:
        self._fail("function")
        return self.function


@dataclass
class FakeLiveHealth:
    healthy: dict[str, int] = field(default_factory=lambda: {DEST_AZ: 2})
    error: Exception | None = None
    asked: list[Any] = field(default_factory=list)

    def confirm(self, alarm: Any) -> HealthEvidence:
        self.asked.append(alarm)
        if self.error is not None:
            raise self.error
        count = self.healthy.get(alarm.availability_zone, 0)
        return HealthEvidence(alarm.availability_zone, count, cloudwatch_healthy=count, cloudwatch_unhealthy=0)


class Deployment:
    """Both consoles, the lock, the AWS side, all in memory and all ready until a test breaks one."""

    def __init__(self) -> None:
        self.main = FakeConsole(
            "main", dr_config("PRIMARY", "ACTIVE", True), profiles=[{"id": 1, "enabled": True}, {"id": 2}]
        )
        self.destination = FakeConsole("destination", dr_config("DR", "STANDBY", False))
        self.consoles = FakeConsoles({"main": self.main, "destination": self.destination})
        self.tokens = FakeTokens()
        self.lock = FakeLock()
        self.aws = FakeDeployment()
        self.health = FakeLiveHealth()

    def collaborators(self, config: Config, settings: ReadinessSettings) -> ReadinessCollaborators:
        return ReadinessCollaborators(self.tokens, self.consoles, self.lock, self.aws, self.health)

    def check(self, **env: str | None) -> ReadinessReport:
        environ = {name: value for name, value in (ENV | env).items() if value is not None}
        return check_readiness(environ, self.collaborators, Deadline.after(30), "run-1")


def result(report: ReadinessReport, name: Check) -> Any:
    (found,) = [check for check in report.checks if check.name is name]
    return found


def failing(report: ReadinessReport) -> list[str]:
    return [check.name.value for check in report.failing]


@pytest.fixture
def deployment() -> Deployment:
    return Deployment()


# --- the whole run ---------------------------------------------------------------------------------
def test_a_ready_deployment_passes_every_check_in_their_fixed_order(deployment: Deployment) -> None:
    report = deployment.check()

    assert [check.name for check in report.checks] == list(Check)
    assert report.ready, report.failing
    document = report.as_dict()
    assert document["ready"] is True
    assert [check["name"] for check in document["checks"]] == [name.value for name in Check]
    assert all(set(check) == {"name", "ok", "status", "detail"} and check["detail"] for check in document["checks"])
    assert {check["status"] for check in document["checks"]} == {"ok"} and document["warnings"] == 0


def test_readiness_never_writes_to_a_console_or_the_lock(deployment: Deployment) -> None:
    deployment.check()

    assert deployment.main.writes == [] and deployment.destination.writes == []
    assert deployment.main.calls == ["read_dr_config", "read_authorized_service", "list_copy_profiles"]
    assert deployment.destination.calls == ["read_dr_config", "read_authorized_service"]
    assert deployment.lock.calls == ["current"]


def test_readiness_interfaces_offer_no_write() -> None:
    """The collaborators readiness is given cannot stage, deploy, disable, claim, record or publish."""
    for interface in (readiness.SiteConsole, readiness.LockReader, readiness.DeploymentReader, readiness.TokenSource):
        members = {name for name in vars(interface) if not name.startswith("_")}
        assert not members & {"stage_dr_config", "deploy", "disable_copy_profile", "claim", "rearm", "publish"}
        assert not any(name.startswith(("record_", "mark_")) for name in members)


def test_a_defect_in_one_check_is_reported_and_the_others_still_run(deployment: Deployment) -> None:
    deployment.aws.function = replace(deployment.aws.function, sns_invoke_sources=7)  # type: ignore[arg-type]

    report = deployment.check()

    assert failing(report) == ["failover_function"]  # judging it raises TypeError (7 is not iterable)
    assert "the check itself failed (TypeError" in result(report, Check.FAILOVER_FUNCTION).detail


# --- 1 configuration ---------------------------------------------------------------------------------
def test_invalid_configuration_fails_the_first_check_with_the_variable_and_runs_nothing(
    deployment: Deployment,
) -> None:
    report = deployment.check(LOCK_TABLE_NAME=None)

    first = report.checks[0]
    assert first.name is Check.CONFIGURATION and not first.ok
    assert first.detail == "LOCK_TABLE_NAME is required but not set"
    assert all(check.detail == "not checked: the configuration is invalid" for check in report.checks[1:])
    assert deployment.main.calls == [] and deployment.lock.calls == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"FAILOVER_FUNCTION_NAME": None}, "FAILOVER_FUNCTION_NAME is required but not set"),
        ({"FAILOVER_FUNCTION_NAME": "not a name"}, "FAILOVER_FUNCTION_NAME must be a Lambda function name or ARN"),
        ({"TRIGGER_TOPIC_ARN": "trigger"}, "TRIGGER_TOPIC_ARN must be an SNS topic ARN"),
        ({"DEST_SITE_AVAILABILITY_ZONES": None}, "DEST_SITE_AVAILABILITY_ZONES is required but not set"),
        ({"DEST_SITE_AVAILABILITY_ZONES": MAIN_AZ}, "DEST_SITE_AVAILABILITY_ZONES and MAIN_SITE_AVAILABILITY_ZONES"),
        ({"LOAD_BALANCER_ARN_SUFFIX": None}, "LOAD_BALANCER_ARN_SUFFIX is required but not set"),
        ({"LOAD_BALANCER_ARN_SUFFIX": "gwy/x/0123"}, "LOAD_BALANCER_ARN_SUFFIX must be a load balancer's arn_suffix"),
        ({"TARGET_GROUPS": None}, "TARGET_GROUPS is required but not set"),
        ({"TARGET_GROUPS": f"{TARGET_GROUP},dlc"}, "TARGET_GROUPS must be a comma-separated list of target group"),
    ],
)
def test_the_readiness_settings_are_part_of_the_configuration_check(
    deployment: Deployment, changes: dict[str, str | None], message: str
) -> None:
    report = deployment.check(**changes)

    assert not report.checks[0].ok
    assert report.checks[0].detail.startswith(message)


def test_readiness_settings_are_one_name_per_setting() -> None:
    settings = load_readiness_settings(ENV, load_config(ENV))

    assert settings == ReadinessSettings(
        "qradar-failover", TRIGGER, frozenset({DEST_AZ}), LOAD_BALANCER, (TARGET_GROUP,)
    )


# --- 2 token secrets, 3 consoles -------------------------------------------------------------------
def test_an_unreadable_token_secret_fails_the_token_check_and_that_console_is_not_tried(
    deployment: Deployment,
) -> None:
    deployment.tokens.errors.add("destination")

    report = deployment.check()

    assert failing(report) == ["token_secrets", "consoles", "dr_state", "token_expiry"]
    assert "Destination: cannot read the destination site token" in result(report, Check.TOKEN_SECRETS).detail
    assert "Destination: not tried (no token)" in result(report, Check.CONSOLES).detail
    assert deployment.destination.calls == []


def test_a_refused_token_names_the_401_and_how_to_fix_it(deployment: Deployment) -> None:
    deployment.main.fail_on["read_dr_config"] = qradar_error("main", "read DR config", FailureKind.HTTP, 401)

    report = deployment.check()

    detail = result(report, Check.CONSOLES).detail
    assert "Main: token refused (HTTP 401)" in detail
    assert "authorized service token" in detail
    assert "Destination: answered over verified TLS, token accepted" in detail
    assert failing(report) == ["consoles", "dr_state", "ariel_copy_profiles", "token_expiry", "replication_lag"]


def test_an_untrusted_certificate_is_named(deployment: Deployment) -> None:
    deployment.destination.fail_on["read_dr_config"] = qradar_error("destination", "read DR config", FailureKind.TLS)

    detail = result(deployment.check(), Check.CONSOLES).detail

    assert "Destination: certificate not trusted" in detail


def test_tls_verification_turned_off_is_not_ready(deployment: Deployment) -> None:
    report = deployment.check(QRADAR_TLS_VERIFY="false")

    check = result(report, Check.CONSOLES)
    assert not check.ok
    assert "TLS verification is OFF" in check.detail


def test_token_values_appear_nowhere_in_the_report(deployment: Deployment) -> None:
    deployment.main.fail_on["read_dr_config"] = QRadarError(
        site="main", step="read DR config", kind=FailureKind.HTTP, detail="denied", http_status=401
    )

    text = json.dumps(deployment.check().as_dict())

    assert MAIN_TOKEN not in text
    assert "secret qradar/main" in text, "where the token lives is named, never the token"


# --- 11 token expiry ----------------------------------------------------------------------------
DAY = 24 * 3600.0


def service(days: float | None, label: str = "DataSync failover", *, reported: bool = True) -> AuthorizedService:
    expires = None if days is None else time.time() + days * DAY
    return AuthorizedService(label, expires, reported, "" if reported else "the console does not report it")


def test_tokens_that_never_expire_are_ok(deployment: Deployment) -> None:
    check = result(deployment.check(), Check.TOKEN_EXPIRY)

    assert check.status is Status.OK
    assert check.detail == (
        "Main: never expires (authorized service 'DataSync failover'); Destination: never expires (authorized "
        "service 'DataSync failover')"
    )
    assert deployment.main.calls.count("read_authorized_service") == 1
    assert deployment.destination.calls.count("read_authorized_service") == 1


def test_a_token_expiring_within_the_warning_days_is_a_warning(deployment: Deployment) -> None:
    deployment.main.authorized_service = service(12.5)

    report = deployment.check()

    check = result(report, Check.TOKEN_EXPIRY)
    assert check.status is Status.WARN and report.ready
    assert check.detail.startswith("Main: the token expires ")
    assert "(in 12 days; authorized service 'DataSync failover'): create a new authorized service" in check.detail
    assert "secret qradar/main" in check.detail
    assert "Destination: never expires" in check.detail


def test_the_warning_days_are_a_setting(deployment: Deployment) -> None:
    deployment.main.authorized_service = service(12.5)

    check = result(deployment.check(TOKEN_EXPIRY_WARNING_DAYS="10"), Check.TOKEN_EXPIRY)

    assert check.status is Status.OK
    assert "Main: expires " in check.detail and "(in 12 days" in check.detail


def test_an_expired_token_fails(deployment: Deployment) -> None:
    """The console refuses an expired token (401, the consoles check); one that still answered, or a clock
    ahead of the console's, is named here."""
    deployment.destination.authorized_service = service(-0.5)

    check = result(deployment.check(), Check.TOKEN_EXPIRY)

    assert check.status is Status.FAIL
    assert "Destination: the token EXPIRED at " in check.detail


def test_a_console_that_does_not_say_is_unknown_not_a_warning(deployment: Deployment) -> None:
    deployment.main.authorized_service = service(None, reported=False)

    check = result(deployment.check(), Check.TOKEN_EXPIRY)

    assert check.status is Status.OK
    assert check.detail.startswith("Main: expiry unknown (the console does not report it)")


def test_token_expiry_is_not_checked_for_a_console_that_was_not_read(deployment: Deployment) -> None:
    deployment.main.fail_on["read_dr_config"] = qradar_error("main", "read DR config", FailureKind.HTTP, 401)

    check = result(deployment.check(), Check.TOKEN_EXPIRY)

    assert check.status is Status.FAIL
    assert check.detail.startswith("not checked: the Main console was not read (see consoles)")


def test_the_token_expiry_warning_days_are_validated(deployment: Deployment) -> None:
    report = deployment.check(TOKEN_EXPIRY_WARNING_DAYS="0")

    assert report.checks[0].detail == "TOKEN_EXPIRY_WARNING_DAYS must be at least 1, got '0'"


# --- 12 replication lag (RPO) ----------------------------------------------------------------------
MINUTE_MS = 60_000


def copying(profile_id: int, minutes_ago: float, every_minutes: float = 15, **changes: Any) -> dict[str, Any]:
    """An enabled ariel copy profile whose last successful copy was ``minutes_ago`` (epoch ms dates)."""
    now = time.time() * 1000
    return {
        "id": profile_id,
        "enabled": True,
        "frequency": int(every_minutes * MINUTE_MS),
        "start_date": int(now - 30 * 24 * 60 * MINUTE_MS),
        "last_successful_transfer_date": int(now - minutes_ago * MINUTE_MS),
        "last_error_date": None,
        "last_error_max_threshold_surpassed_date": None,
    } | changes


def test_replication_lag_is_the_age_of_the_oldest_last_successful_copy(deployment: Deployment) -> None:
    deployment.main.profiles = [copying(1, 4), copying(2, 35, every_minutes=60), {"id": 3, "enabled": False}]

    report = deployment.check()

    check = result(report, Check.REPLICATION_LAG)
    assert check.status is Status.OK
    assert check.detail.startswith("RPO now 35 min (profile 2 copied last at ")
    assert "no RPO target (rpo_target_seconds)" in check.detail
    assert report.replication_lag_seconds == pytest.approx(35 * 60, abs=5)


def test_a_lag_beyond_the_rpo_target_fails(deployment: Deployment) -> None:
    deployment.main.profiles = [
        copying(1, 185, last_error_date=int(time.time() * 1000) - MINUTE_MS,
                last_error_max_threshold_surpassed_date=int(time.time() * 1000) - 140 * MINUTE_MS),
    ]  # fmt: skip

    report = deployment.check(RPO_TARGET_SECONDS="3600")

    check = result(report, Check.REPLICATION_LAG)
    assert check.status is Status.FAIL and not report.ready
    assert check.detail.startswith("RPO now 3 h 05 min (profile 1 copied last at ")
    assert "exceeds the RPO target of 1 h: a failover now would lose 3 h 05 min of events and flows" in check.detail
    assert (
        "profile 1 (copies every 15 min): missed its schedule (last copy 3 h 05 min ago), copies failed since (last "
        "error at " in check.detail
    )
    assert "QRadar stopped retrying (error threshold surpassed at " in check.detail
    assert report.replication_lag_seconds == pytest.approx(185 * 60, abs=5)


def test_missed_copies_are_a_warning_without_a_target(deployment: Deployment) -> None:
    deployment.main.profiles = [copying(1, 50, every_minutes=15)]

    report = deployment.check()

    check = result(report, Check.REPLICATION_LAG)
    assert check.status is Status.WARN and report.ready
    assert "profile 1 (copies every 15 min): missed its schedule (last copy 50 min ago)" in check.detail


def test_a_schedule_slower_than_the_target_is_a_warning(deployment: Deployment) -> None:
    deployment.main.profiles = [copying(1, 10, every_minutes=24 * 60)]

    check = result(deployment.check(RPO_TARGET_SECONDS="3600"), Check.REPLICATION_LAG)

    assert check.status is Status.WARN
    assert "profile 1 (copies every 1 d): the RPO target of 1 h cannot hold between copies" in check.detail


def test_a_profile_that_never_copied_is_named(deployment: Deployment) -> None:
    deployment.main.profiles = [copying(1, 4), copying(2, 0, last_successful_transfer_date=None)]

    check = result(deployment.check(RPO_TARGET_SECONDS="3600"), Check.REPLICATION_LAG)

    assert check.status is Status.FAIL
    assert "profile 2 has never completed a copy" in check.detail


def test_a_console_without_transfer_dates_is_unknown_and_emits_no_lag(deployment: Deployment) -> None:
    deployment.main.profiles = [{"id": 1, "enabled": True, "frequency": 900000}]

    report = deployment.check(RPO_TARGET_SECONDS="3600")

    check = result(report, Check.REPLICATION_LAG)
    assert check.status is Status.OK
    assert check.detail.startswith("RPO unknown: the Main console does not report its copy profiles' transfer dates")
    assert report.replication_lag_seconds is None


def test_replication_is_not_checked_without_an_enabled_profile(deployment: Deployment) -> None:
    deployment.main.profiles = [{"id": 1, "enabled": False}]

    check = result(deployment.check(), Check.REPLICATION_LAG)

    assert check.detail == "not checked: no ariel copy profile is enabled on the Main Site (see ariel_copy_profiles)"


def test_the_rpo_target_is_validated(deployment: Deployment) -> None:
    report = deployment.check(RPO_TARGET_SECONDS="30")

    assert report.checks[0].detail == "RPO_TARGET_SECONDS must be at least 60, got '30'"


def test_replication_lag_is_emitted_as_a_metric(deployment: Deployment) -> None:
    deployment.main.profiles = [copying(1, 4)]
    out = io.StringIO()

    with redirect_stdout(out):
        emit_metrics(deployment.check(), "QRadarFailover", "qradar-failover")

    (lag,) = [view for view in map(metric_view, emf_documents(out.getvalue())) if view[0] == "ReplicationLagSeconds"]
    assert lag[1] == ["FailoverFunction"]
    assert lag[2]["ReplicationLagSeconds"] == pytest.approx(240, abs=5)


# --- 13 recovery time (RTO) --------------------------------------------------------------------------
def test_the_recovery_time_the_deployed_settings_allow_is_reported(deployment: Deployment) -> None:
    check = result(deployment.check(), Check.RECOVERY_TIME)

    assert check.status is Status.OK
    assert check.detail.startswith(
        "worst case 24 min (1440 s) from the Main AZ going dark to the Destination verified ACTIVE: alarm 360 s"
    )
    assert check.detail.endswith("; no RTO target (rto_target_seconds)")


def test_a_recovery_time_beyond_the_rto_target_fails(deployment: Deployment) -> None:
    report = deployment.check(RTO_TARGET_SECONDS="1200")

    check = result(report, Check.RECOVERY_TIME)
    assert check.status is Status.FAIL and not report.ready
    assert "exceeds the RTO target of 20 min (1200 s)" in check.detail


def test_the_recovery_time_follows_what_is_deployed_not_what_was_planned(deployment: Deployment) -> None:
    """An alarm edited to 5 datapoints, a function whose timeout was raised: readiness sees the drift."""
    deployment.aws.alarms[1] = health_alarm("HealthyHostCount", datapoints_to_alarm=5)
    deployment.aws.function = replace(deployment.aws.function, timeout=900)

    check = result(deployment.check(RTO_TARGET_SECONDS="1500", MAXIMUM_RETRY_ATTEMPTS="0"), Check.RECOVERY_TIME)

    # alarm (5 + 1) x 60 + 120 = 480, delivery 30, one attempt of min(120 + 210 + 180, 900 - 10) = 510
    assert check.detail.startswith("worst case 17 min (1020 s)")
    assert check.status is Status.OK


def test_the_recovery_time_is_not_checked_without_the_failover_function(deployment: Deployment) -> None:
    deployment.aws.failures["function"] = AwsReadFailed("lambda:GetFunctionConfiguration", client_error("Throttling"))

    check = result(deployment.check(), Check.RECOVERY_TIME)

    assert check.detail == "not checked: the failover function's timeout could not be read (see failover_function)"


def test_the_recovery_time_is_not_checked_without_an_acting_alarm(deployment: Deployment) -> None:
    deployment.aws.alarms = []

    check = result(deployment.check(), Check.RECOVERY_TIME)

    assert check.detail == "not checked: no health alarm acts on the trigger topic (see health_alarms)"


def test_the_rto_target_is_validated(deployment: Deployment) -> None:
    report = deployment.check(RTO_TARGET_SECONDS="86401")

    assert report.checks[0].detail == "RTO_TARGET_SECONDS must be at most 86400, got '86401'"


# --- 4 DR state, 5 ariel copy profiles -----------------------------------------------------------------
def test_a_destination_left_active_beside_an_active_main_is_a_split(deployment: Deployment) -> None:
    deployment.destination.deployed = dr_config("PRIMARY", "ACTIVE", True)

    check = result(deployment.check(), Check.DR_STATE)

    assert not check.ok
    assert check.detail.startswith("SPLIT: both consoles are ACTIVE")


def test_an_already_failed_over_pair_says_to_fail_back_with_the_command(deployment: Deployment) -> None:
    deployment.main.deployed = dr_config("PRIMARY", "STANDBY", False)
    deployment.destination.deployed = dr_config("PRIMARY", "ACTIVE", True)

    check = result(deployment.check(), Check.DR_STATE)

    assert not check.ok
    assert check.detail.startswith("already failed over")
    assert "qradar-failover failback" in check.detail


@pytest.mark.parametrize(
    ("site", "config", "expected"),
    [
        ("main", dr_config("PRIMARY", "ACTIVE", False), "ariel copy is off on the Main Site"),
        ("main", dr_config("PRIMARY", "STANDBY", False), "Main is PRIMARY/STANDBY, expected PRIMARY/ACTIVE"),
        ("destination", dr_config("DR", "OFFLINE", False), "Destination is DR/OFFLINE, expected DR/STANDBY"),
    ],
)
def test_a_dr_state_a_failover_cannot_use_is_named(
    deployment: Deployment, site: str, config: dict[str, Any], expected: str
) -> None:
    getattr(deployment, site).deployed = config

    check = result(deployment.check(), Check.DR_STATE)

    assert not check.ok
    assert expected in check.detail


def test_no_enabled_ariel_copy_profile_on_the_main_site_is_not_ready(deployment: Deployment) -> None:
    deployment.main.profiles = [{"id": 1, "enabled": False}]

    check = result(deployment.check(), Check.ARIEL_COPY_PROFILES)

    assert not check.ok
    assert "no ariel copy profile is enabled on the Main Site (1 configured)" in check.detail


# --- 6 lock --------------------------------------------------------------------------------------
FAILED_DEPLOY = {"site": "destination", "step": "deploy", "detail": "x"}


def lock_record(state: LockState, **changes: Any) -> LockRecord:
    record = LockRecord("qradar-failover", state, "run-7", 1000.0, 1900.0, "dlc-alarm", {}, False)
    return replace(record, **changes)


@pytest.mark.parametrize(
    ("record", "ok", "expected"),
    [
        (
            lock_record(LockState.FAILED_OVER, summary={"at": "2026-11-28T00:30:00.000Z"}),
            False,
            "disarmed: a failover is recorded (run run-7 for dlc-alarm at 2026-11-28T00:30:00.000Z)",
        ),
        (
            lock_record(
                LockState.FAILED, summary={"failure": {"site": "destination", "step": "deploy", "detail": "x"}}
            ),
            True,
            "armed; the last attempt (run run-7 for dlc-alarm) failed: destination deploy: x",
        ),
    ],
)
def test_the_lock_must_be_armed(deployment: Deployment, record: LockRecord, ok: bool, expected: str) -> None:
    deployment.lock.record = record

    check = result(deployment.check(), Check.LOCK)

    assert check.ok is ok
    assert check.detail.startswith(expected)


def test_a_claim_younger_than_the_functions_timeout_is_a_failover_running_now(deployment: Deployment) -> None:
    now = time.time()  # at run time: a time taken when the tests are collected is minutes old by now
    deployment.lock.record = lock_record(LockState.CLAIMED, claimed_at=now - 30, expires_at=now + 870)

    check = result(deployment.check(), Check.LOCK)

    assert check.status is Status.FAIL
    assert check.detail.startswith("a failover is running now: run run-7")


def test_a_claim_older_than_the_functions_timeout_is_stale_and_blocks_every_alarm_until_it_expires(
    deployment: Deployment,
) -> None:
    """A run that claimed the lock and died: its claim outlives it (LOCK_CLAIM_TTL_SECONDS > timeout), and until
    it expires every alarm is answered 'in progress elsewhere'; an alarm acts once, so that outage is lost."""
    now = time.time()
    deployment.lock.record = lock_record(LockState.CLAIMED, claimed_at=now - 400, expires_at=now + 500)

    check = result(deployment.check(), Check.LOCK)

    assert check.status is Status.FAIL
    assert check.detail.startswith("stale claim: run run-7 for dlc-alarm claimed the lock at ")
    assert "longer ago than the failover function's 300 s timeout" in check.detail
    assert "every alarm is answered 'in progress elsewhere'" in check.detail
    assert "qradar-failover rearm" in check.detail


def test_an_expired_claim_is_a_warning_the_next_alarm_takes_it_over(deployment: Deployment) -> None:
    now = time.time()
    deployment.lock.record = lock_record(LockState.CLAIMED, claimed_at=now - 1000, expires_at=now - 100)

    report = deployment.check()

    check = result(report, Check.LOCK)
    assert check.status is Status.WARN and report.ready
    assert check.detail.startswith("a run never finished: run run-7 for dlc-alarm claimed the lock at ")
    assert "the next alarm takes it over" in check.detail


def test_without_the_functions_timeout_a_live_claim_is_a_running_failover(deployment: Deployment) -> None:
    deployment.aws.failures["function"] = AwsReadFailed("lambda:GetFunctionConfiguration", client_error("Throttling"))
    now = time.time()
    deployment.lock.record = lock_record(LockState.CLAIMED, claimed_at=now - 400, expires_at=now + 500)

    check = result(deployment.check(), Check.LOCK)

    assert check.status is Status.FAIL
    assert check.detail.startswith("a failover is running now")


def test_an_unreadable_lock_table_is_not_ready(deployment: Deployment) -> None:
    deployment.lock.unavailable = True

    check = result(deployment.check(), Check.LOCK)

    assert not check.ok
    assert "AccessDeniedException" in check.detail
    assert "changes nothing" in check.detail


# --- 7 health alarms -------------------------------------------------------------------------------
def test_a_main_az_without_an_alarm_on_the_trigger_topic_is_not_ready(deployment: Deployment) -> None:
    report = deployment.check(MAIN_SITE_AVAILABILITY_ZONES=f"{MAIN_AZ},ca-central-1d")

    check = result(report, Check.HEALTH_ALARMS)
    assert not check.ok
    assert (
        "no HealthyHostCount alarm watches qradar-dlc in ca-central-1d (the alarm that fires when the AZ goes "
        "dark; deleted?): an outage there would not start the failover" in check.detail
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"actions_enabled": False}, "actions disabled on qradar-failover-dlc-ca-central-1a-HealthyHostCount"),
        ({"state": "INSUFFICIENT_DATA"}, "HealthyHostCount in INSUFFICIENT_DATA"),
        ({"state": "ALARM"}, "HealthyHostCount in ALARM now"),
    ],
)
def test_an_alarm_that_would_not_act_is_named(deployment: Deployment, changes: dict[str, Any], expected: str) -> None:
    deployment.aws.alarms[1] = health_alarm("HealthyHostCount", **changes)

    check = result(deployment.check(), Check.HEALTH_ALARMS)

    assert not check.ok
    assert expected in check.detail


def test_a_healthy_host_count_alarm_without_its_alarm_action_is_not_ready(deployment: Deployment) -> None:
    """The measured defect: the UnHealthyHostCount alarm still acts, the HealthyHostCount alarm (the only one
    that fires when the Main AZ goes dark) lost its action; readiness said ready."""
    deployment.aws.alarms[1] = health_alarm("HealthyHostCount", alarm_actions=())

    report = deployment.check()

    check = result(report, Check.HEALTH_ALARMS)
    assert not check.ok and not report.ready
    assert "qradar-failover-dlc-ca-central-1a-HealthyHostCount does not act on the trigger topic" in check.detail


SYSLOG_GROUP = "targetgroup/qradar-syslog/0a1b2c3d4e5f6071"


def test_a_target_group_whose_alarms_lost_their_actions_is_not_ready_while_another_covers_the_az(
    deployment: Deployment,
) -> None:
    deployment.aws.alarms += [
        health_alarm(metric, name=f"qradar-failover-syslog-{MAIN_AZ}-{metric}", target_group=SYSLOG_GROUP,
                     alarm_actions=())
        for metric in ("UnHealthyHostCount", "HealthyHostCount")
    ]  # fmt: skip

    report = deployment.check(TARGET_GROUPS=f"{TARGET_GROUP},{SYSLOG_GROUP}")

    check = result(report, Check.HEALTH_ALARMS)
    assert not check.ok
    assert f"qradar-failover-syslog-{MAIN_AZ}-HealthyHostCount does not act on the trigger topic" in check.detail
    assert f"qradar-failover-syslog-{MAIN_AZ}-UnHealthyHostCount does not act on the trigger topic" in check.detail


def test_a_target_group_without_any_alarm_is_named(deployment: Deployment) -> None:
    report = deployment.check(TARGET_GROUPS=f"{TARGET_GROUP},{SYSLOG_GROUP}")

    check = result(report, Check.HEALTH_ALARMS)
    assert not check.ok
    assert f"no HealthyHostCount alarm watches qradar-syslog in {MAIN_AZ}" in check.detail
    assert f"no UnHealthyHostCount alarm watches qradar-syslog in {MAIN_AZ}" in check.detail


def test_unreadable_alarms_fail_their_check_and_the_collectors_are_still_checked(deployment: Deployment) -> None:
    deployment.aws.failures["alarms"] = AwsReadFailed(
        "cloudwatch:DescribeAlarmsForMetric", client_error("AccessDenied")
    )

    report = deployment.check()

    assert failing(report) == ["health_alarms", "recovery_time"]
    assert "cloudwatch:DescribeAlarmsForMetric: AccessDenied" in result(report, Check.HEALTH_ALARMS).detail
    assert result(report, Check.DESTINATION_COLLECTORS).ok


def test_every_alarm_the_module_defines_is_looked_up_by_the_metric_it_watches(deployment: Deployment) -> None:
    report = deployment.check(TARGET_GROUPS=f"{TARGET_GROUP},{SYSLOG_GROUP}", MAIN_SITE_AVAILABILITY_ZONES=(
        f"{MAIN_AZ},ca-central-1d"))  # fmt: skip

    assert {(namespace, metric, dimensions["TargetGroup"], dimensions["AvailabilityZone"])
            for namespace, metric, dimensions in deployment.aws.asked} == {
        ("AWS/NetworkELB", metric, group, zone)
        for metric in ("HealthyHostCount", "UnHealthyHostCount")
        for group in (TARGET_GROUP, SYSLOG_GROUP)
        for zone in (MAIN_AZ, "ca-central-1d")
    }  # fmt: skip
    assert {dimensions["LoadBalancer"] for _, _, dimensions in deployment.aws.asked} == {LOAD_BALANCER}
    assert len(deployment.aws.asked) == 8
    assert (
        "no HealthyHostCount alarm watches qradar-syslog in ca-central-1d" in result(report, Check.HEALTH_ALARMS).detail
    )


def test_an_application_load_balancers_alarms_are_looked_up_in_its_namespace(deployment: Deployment) -> None:
    deployment.check(LOAD_BALANCER_ARN_SUFFIX="app/qradar-collect/50dc6c495c0c9188")

    assert {namespace for namespace, _, _ in deployment.aws.asked} == {"AWS/ApplicationELB"}


def test_an_alarm_acting_on_the_trigger_topic_beside_a_stripped_one_covers_its_metric(deployment: Deployment) -> None:
    """A caller's own alarm on the same metric that acts on the trigger topic starts the failover too."""
    deployment.aws.alarms.append(health_alarm("HealthyHostCount", name="callers-own-alarm", alarm_actions=()))

    assert result(deployment.check(), Check.HEALTH_ALARMS).ok


# --- 8 failover function ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"reserved_concurrency": 0}, "throttled to zero"),
        ({"sns_invoke_sources": None}, "does not let SNS invoke it"),
        ({"sns_invoke_sources": ("arn:aws:sns:ca-central-1:1:other",)}, "does not let SNS invoke it"),
        ({"state": "Failed", "state_reason_code": "SubnetOutOfIPAddresses", "state_reason": "no IPs"}, "state Failed"),
        ({"last_update_status": "Failed"}, "its last update failed"),
    ],
)
def test_a_failover_function_that_could_not_run_is_named(
    deployment: Deployment, changes: dict[str, Any], expected: str
) -> None:
    deployment.aws.function = replace(deployment.aws.function, **changes)

    check = result(deployment.check(), Check.FAILOVER_FUNCTION)

    assert not check.ok
    assert check.detail.startswith("qradar-failover: ")
    assert expected in check.detail


def test_a_failover_function_not_subscribed_to_the_trigger_topic_is_not_ready(deployment: Deployment) -> None:
    deployment.aws.trigger_subscriptions = [Subscription(f"{TRIGGER}:1", "sqs", "arn:aws:sqs:ca-central-1:1:tap")]

    check = result(deployment.check(), Check.FAILOVER_FUNCTION)

    assert not check.ok
    assert "not subscribed to the trigger topic" in check.detail


def test_an_idle_inactive_failover_function_is_a_warning_with_how_to_wake_it(deployment: Deployment) -> None:
    """Issue 18: its first invocation would re-create its network interfaces in the middle of an outage."""
    deployment.aws.function = replace(
        deployment.aws.function, state="Inactive", state_reason_code="Idle", state_reason="The function is idle"
    )

    report = deployment.check()

    check = result(report, Check.FAILOVER_FUNCTION)
    assert check.status is Status.WARN and report.ready
    assert check.detail.startswith("qradar-failover: Inactive (Idle): Lambda reclaimed its network interfaces")
    assert "in the middle of an outage" in check.detail
    assert "aws lambda invoke --function-name qradar-failover" in check.detail


def test_an_inactive_function_that_lambda_could_not_wake_is_not_ready(deployment: Deployment) -> None:
    deployment.aws.function = replace(
        deployment.aws.function, state="Inactive", state_reason_code="SubnetOutOfIPAddresses", state_reason="no IPs"
    )

    check = result(deployment.check(), Check.FAILOVER_FUNCTION)

    assert check.status is Status.FAIL
    assert "Inactive (SubnetOutOfIPAddresses: no IPs)" in check.detail


def test_a_pending_failover_function_is_not_ready_and_says_why(deployment: Deployment) -> None:
    deployment.aws.function = replace(
        deployment.aws.function, state="Pending", state_reason_code="Creating", state_reason="creating ENIs"
    )

    check = result(deployment.check(), Check.FAILOVER_FUNCTION)

    assert check.status is Status.FAIL
    assert "Pending (Creating: creating ENIs): Lambda is still creating its resources" in check.detail
    assert "an alarm now would not start the failover" in check.detail


def test_a_failed_last_update_names_its_reason(deployment: Deployment) -> None:
    deployment.aws.function = replace(
        deployment.aws.function,
        last_update_status="Failed",
        last_update_status_reason_code="EniLimitExceeded",
        last_update_status_reason="too many ENIs",
    )

    check = result(deployment.check(), Check.FAILOVER_FUNCTION)

    assert check.status is Status.FAIL
    assert "its last update failed (EniLimitExceeded: too many ENIs)" in check.detail
    assert "readiness checked the configuration the module applied" in check.detail


def test_a_missing_failover_function_says_check_the_name_and_region(deployment: Deployment) -> None:
    deployment.aws.failures["function"] = AwsReadFailed(
        "lambda:GetFunctionConfiguration", client_error("ResourceNotFoundException")
    )

    check = result(deployment.check(), Check.FAILOVER_FUNCTION)

    assert not check.ok
    assert "no such function here: check FAILOVER_FUNCTION_NAME and the region" in check.detail


# --- 9 notification subscribers --------------------------------------------------------------------------
def test_a_notification_topic_without_confirmed_subscribers_is_not_ready(deployment: Deployment) -> None:
    deployment.aws.notification_subscriptions = [Subscription("PendingConfirmation", "email", "soc@example.com")]

    check = result(deployment.check(), Check.NOTIFICATION_SUBSCRIBERS)

    assert not check.ok
    assert check.detail.startswith("nobody would hear")
    assert "1 pending confirmation (1 email)" in check.detail
    assert "soc@example.com" not in check.detail


# --- 10 Destination collectors --------------------------------------------------------------------------
def test_destination_collectors_are_read_like_the_failover_reads_the_main_az(deployment: Deployment) -> None:
    report = deployment.check()

    check = result(report, Check.DESTINATION_COLLECTORS)
    assert check.ok
    assert check.detail == "qradar-dlc: 2 healthy, 0 unhealthy in ca-central-1b"
    (asked,) = deployment.health.asked  # one target group watched by two alarms: asked once
    assert (asked.target_group, asked.load_balancer, asked.availability_zone) == (TARGET_GROUP, LOAD_BALANCER, DEST_AZ)
    assert (asked.region, asked.account_id) == ("ca-central-1", ACCOUNT)


def test_no_healthy_destination_collector_is_not_ready(deployment: Deployment) -> None:
    deployment.health.healthy = {DEST_AZ: 0}

    check = result(deployment.check(), Check.DESTINATION_COLLECTORS)

    assert not check.ok
    assert "needs at least 1 healthy Destination collector(s) per target group" in check.detail


def test_healthy_collectors_are_counted_over_every_destination_az(deployment: Deployment) -> None:
    deployment.health.healthy = {DEST_AZ: 1, "ca-central-1d": 1}

    report = deployment.check(DEST_SITE_AVAILABILITY_ZONES=f"{DEST_AZ},ca-central-1d", MIN_HEALTHY_COLLECTORS="2")

    assert result(report, Check.DESTINATION_COLLECTORS).ok


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (UnknownTargetGroup("CloudWatch has no AWS/NetworkELB metrics"), "none (CloudWatch has no AWS/NetworkELB"),
        (HealthUnavailable("CloudWatch: unavailable (Throttling)"), "cannot be told (CloudWatch: unavailable"),
    ],
)
def test_destination_collectors_that_cannot_be_seen_are_not_ready(
    deployment: Deployment, error: Exception, expected: str
) -> None:
    deployment.health.error = error

    check = result(deployment.check(), Check.DESTINATION_COLLECTORS)

    assert not check.ok
    assert expected in check.detail


# --- metrics and the handler -------------------------------------------------------------------------------
def emf_documents(text: str) -> list[dict[str, Any]]:
    documents = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [document for document in documents if "_aws" in document]


def metric_view(document: Mapping[str, Any]) -> tuple[str, list[str], dict[str, Any]]:
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    (dimensions,) = directive["Dimensions"]
    (metric,) = directive["Metrics"]
    return metric["Name"], dimensions, {name: document[name] for name in [*dimensions, metric["Name"]]}


def no_warnings(*warning: Check) -> list[tuple[str, list[str], dict[str, Any]]]:
    """The CheckWarned documents of a run: every check that can warn, 1 for those in ``warning``."""
    return [
        ("CheckWarned", ["Check", "FailoverFunction"],
         {"Check": name.value, "FailoverFunction": "qradar-failover", "CheckWarned": int(name in warning)})
        for name in Check
        if name in WARNING_CHECKS
    ]  # fmt: skip


def test_metrics_are_ready_and_one_check_failed_per_failing_check(deployment: Deployment) -> None:
    deployment.aws.notification_subscriptions = []
    deployment.lock.record = lock_record(LockState.FAILED_OVER)
    report = deployment.check()
    out = io.StringIO()

    with redirect_stdout(out):
        emit_metrics(report, "QRadarFailover", "qradar-failover")

    views = [metric_view(document) for document in emf_documents(out.getvalue())]
    assert views == [
        ("Ready", ["FailoverFunction"], {"FailoverFunction": "qradar-failover", "Ready": 0}),
        ("CheckFailed", ["Check", "FailoverFunction"], {"Check": "lock", "FailoverFunction": "qradar-failover",
                                                         "CheckFailed": 1}),
        ("CheckFailed", ["Check", "FailoverFunction"], {"Check": "notification_subscribers",
                                                         "FailoverFunction": "qradar-failover", "CheckFailed": 1}),
        *no_warnings(),
    ]  # fmt: skip
    assert {document["_aws"]["CloudWatchMetrics"][0]["Namespace"] for document in emf_documents(out.getvalue())} == {
        "QRadarFailover"
    }


def test_a_warning_keeps_the_deployment_ready_and_has_its_own_metric() -> None:
    checks = tuple(CheckResult(name, Status.WARN if name is Check.LOCK else Status.OK, "x") for name in Check)
    report = ReadinessReport("run-1", 0.0, 0.1, checks)
    out = io.StringIO()

    with redirect_stdout(out):
        emit_metrics(report, "QRadarFailover", "qradar-failover")

    assert report.ready and report.failing == [] and [check.name for check in report.warnings] == [Check.LOCK]
    assert report.verdict == "ready with 1 warning(s)"
    assert report.as_dict()["warnings"] == 1
    assert [check["status"] for check in report.as_dict()["checks"]].count("warn") == 1
    assert [metric_view(document) for document in emf_documents(out.getvalue())] == [
        ("Ready", ["FailoverFunction"], {"FailoverFunction": "qradar-failover", "Ready": 1}),
        *no_warnings(Check.LOCK),
    ]


def test_a_ready_run_emits_ready_one_no_check_failed_and_every_warning_at_zero(deployment: Deployment) -> None:
    """CheckWarned = 0 for each check that can warn: the alarm on it returns to OK on what readiness said, never
    on a missing run (the not-ready alarm covers those)."""
    out = io.StringIO()

    with redirect_stdout(out):
        emit_metrics(deployment.check(), "QRadarFailover", "qradar-failover")

    assert [metric_view(document) for document in emf_documents(out.getvalue())] == [
        ("Ready", ["FailoverFunction"], {"FailoverFunction": "qradar-failover", "Ready": 1}),
        *no_warnings(),
    ]


def test_only_the_checks_that_can_warn_may_warn() -> None:
    with pytest.raises(ValueError, match="dr_state cannot warn"):
        CheckResult(Check.DR_STATE, Status.WARN, "x")

    assert {Check.LOCK, Check.FAILOVER_FUNCTION, Check.TOKEN_EXPIRY, Check.REPLICATION_LAG} == WARNING_CHECKS


def test_the_handler_with_a_broken_configuration_still_reports_not_ready(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [*ENV, "METRICS_NAMESPACE"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FAILOVER_FUNCTION_NAME", "qradar-failover")
    monkeypatch.setenv("METRICS_NAMESPACE", "QRadarFailover/prod")

    returned = readiness_handler.lambda_handler({"source": "schedule"}, None)

    assert returned["ready"] is False
    assert returned["checks"][0] == {
        "name": "configuration",
        "ok": False,
        "status": "fail",
        "detail": "MAIN_SITE_ADDRESS is required but not set",
    }
    lines = capsys.readouterr().out.splitlines()
    (log,) = [json.loads(line) for line in lines if '"readiness"' in line and "_aws" not in line]
    assert log["message"] == "readiness: NOT READY" and log["readiness"] == returned
    views = [metric_view(document) for document in emf_documents("\n".join(lines))]
    assert views[0] == ("Ready", ["FailoverFunction"], {"FailoverFunction": "qradar-failover", "Ready": 0})
    assert {view[2].get("Check") for view in views if view[0] == "CheckFailed"} == {check.value for check in Check}
    assert {d["_aws"]["CloudWatchMetrics"][0]["Namespace"] for d in emf_documents("\n".join(lines))} == {
        "QRadarFailover/prod"
    }


def test_every_aws_client_readiness_builds_is_bounded_like_the_engines(aws_credentials: None) -> None:
    """A dead endpoint must not eat a run whose timeout is 60 s: the engine's client settings apply."""
    built: dict[str, Any] = {}

    class RecordingSession:
        def client(self, service: str, **kwargs: Any) -> Any:
            built[service] = kwargs.get("config")
            return object()

    config = load_config(ENV)
    runtime.build_readiness_collaborators(config, load_readiness_settings(ENV, config), session=RecordingSession())

    assert {"cloudwatch", "sns", "lambda", "secretsmanager", "dynamodb", "elbv2"} <= set(built)
    assert all(client_config is AWS_CLIENT_CONFIG for client_config in built.values()), built


def test_checks_left_when_the_time_runs_out_say_so_instead_of_overrunning(deployment: Deployment) -> None:
    config = load_config(ENV)
    settings = load_readiness_settings(ENV, config)

    report = readiness.run_checks(config, settings, deployment.collaborators(config, settings), Deadline.after(0), "r")

    assert report.checks[0].ok
    assert all("the run's time ran out" in check.detail for check in report.checks[5:])
    assert deployment.lock.calls == []
