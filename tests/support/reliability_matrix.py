"""The fault matrix as data: every row, what is done to the system, and the outcome we expect.

The suite (``test_fault_matrix.py``) runs every row against the real handler, simulated consoles
over HTTPS and moto; ``render_matrix.py`` turns the same rows into ``docs/reliability.md``, and a
test keeps the committed page equal to what this module renders, so the page cannot drift.

Nothing here talks to the network; it is plain data plus the settings the rows run with.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# --- the settings every row runs with (lowered from the defaults so the matrix stays fast) ------
CONNECT_TIMEOUT = 0.3
READ_TIMEOUT = 1.0
MAX_RETRIES = 2  # the default
BACKOFFS = 0.5 + 1.0  # the adapter's backoff before retry 1 and 2
MAIN_SITE_BUDGET = 4.0
DEPLOY_TIMEOUT = 3.0
POLL_INTERVAL = 0.05
SIM_DEPLOY_SECONDS = 0.1
SLOW_DELAY = 0.7 * READ_TIMEOUT  # "slow answers near the timeout"
HEALTHY_RUN_ALLOWANCE = 5.0  # the rest of a run (moto, both deploys, SNS) on a loaded CI machine

ENGINE_ENV = {
    "HTTP_CONNECT_TIMEOUT_SECONDS": str(CONNECT_TIMEOUT),
    "HTTP_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT),
    "HTTP_MAX_RETRIES": str(MAX_RETRIES),
    "MAIN_SITE_BUDGET_SECONDS": str(MAIN_SITE_BUDGET),
    "DEPLOY_TIMEOUT_SECONDS": str(DEPLOY_TIMEOUT),
    "DEPLOY_POLL_INTERVAL_SECONDS": str(POLL_INTERVAL),
}

# A failing Destination call costs at most its attempts and backoffs; verification waits at most
# DEPLOY_TIMEOUT. The Main Site costs at most its budget until its deploy starts, whatever it does,
# and a deploy it started is waited for at most DEPLOY_TIMEOUT.
WORST_CALL = (MAX_RETRIES + 1) * (CONNECT_TIMEOUT + READ_TIMEOUT) + BACKOFFS
DESTINATION_BOUND = HEALTHY_RUN_ALLOWANCE + DEPLOY_TIMEOUT + 2 * WORST_CALL
MAIN_BOUND = HEALTHY_RUN_ALLOWANCE + MAIN_SITE_BUDGET + DEPLOY_TIMEOUT
AWS_BOUND = HEALTHY_RUN_ALLOWANCE + 5.0


class Expect(Enum):
    FAILED_OVER = "failed over"
    MANUAL = "failed over, manual step left"
    NOT = "not failed over"
    DUPLICATE = "not failed over (duplicate)"

    @property
    def outcomes(self) -> frozenset[str]:
        """The handler outcomes that satisfy this expectation."""
        return {
            Expect.FAILED_OVER: frozenset({"failed_over"}),
            Expect.MANUAL: frozenset({"failed_over"}),
            Expect.NOT: frozenset({"failed", "refused"}),
            Expect.DUPLICATE: frozenset({"in_progress_elsewhere", "already_failed_over"}),
        }[self]


# --- QRadar side: console x step x fault --------------------------------------------------------
DR_CONFIG = "/api/config/disaster_recovery/disaster_recovery_config"
STAGED_DR_CONFIG = "/api/staged_config/disaster_recovery/disaster_recovery_config"
DEPLOY_STATUS = "/api/staged_config/deploy_status"
COPY_PROFILES = "/api/disaster_recovery/ariel_copy_profiles"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    method: str
    path: str  # a prefix, as the simulator's Fault matches it


STEPS = {
    step.key: step
    for step in (
        Step("read_config", "read DR config", "GET", DR_CONFIG),
        Step("stage", "stage DR config", "POST", STAGED_DR_CONFIG),
        Step("deploy", "start deploy", "POST", DEPLOY_STATUS),
        Step("deploy_status", "deploy status", "GET", DEPLOY_STATUS),
        Step("read_profiles", "read copy profiles", "GET", COPY_PROFILES),
        Step("disable_profile", "disable copy profile", "POST", COPY_PROFILES + "/"),
    )
}
# The runbook never reads nor writes copy profiles on the Destination (it only turns ariel copy
# on in the Destination's DR config), so those two steps exist for the Main console only.
SITE_STEPS = {
    "destination": ("read_config", "stage", "deploy", "deploy_status"),
    "main": ("read_config", "stage", "deploy", "deploy_status", "read_profiles", "disable_profile"),
}

FAULTS = {
    "connect_timeout": "connect timeout (TCP handshake never completes)",
    "hang": "hang after connect",
    "refused": "connection refused",
    "tls": "TLS failure (certificate from another CA)",
    "401": "HTTP 401",
    "403": "HTTP 403",
    "404": "HTTP 404",
    "409": "HTTP 409",
    "422": "HTTP 422",
    "500": "HTTP 500",
    "503": "HTTP 503",
    "malformed": "malformed JSON (200, truncated body)",
    "slow": f"slow answer ({SLOW_DELAY:g}s of a {READ_TIMEOUT:g}s read timeout)",
}

# Where the generic rule (Destination fault -> not failed over; Main fault -> failed over with the
# Main-Site steps left to an operator) does not hold, and why.
_EXCEPTIONS: dict[tuple[str, str, str], tuple[Expect, str]] = {
    ("destination", "deploy", "404"): (
        Expect.FAILED_OVER,
        "older release: falls back to config/deploy_action, then verifies the deployed config",
    ),
    ("destination", "deploy_status", "404"): (
        Expect.FAILED_OVER,
        "no deploy status: waits for the deployed config itself to read PRIMARY/ACTIVE",
    ),
    ("destination", "stage", "malformed"): (
        Expect.NOT,
        "200 that staged nothing: verification sees DR/STANDBY until DEPLOY_TIMEOUT and fails",
    ),
    ("destination", "deploy", "malformed"): (
        Expect.NOT,
        "200 that started nothing: verification sees DR/STANDBY until DEPLOY_TIMEOUT and fails",
    ),
    ("main", "deploy", "404"): (
        Expect.FAILED_OVER,
        "older release: Main deploys through config/deploy_action",
    ),
    ("main", "deploy_status", "404"): (
        Expect.FAILED_OVER,
        "no deploy status: Main's deployed config is polled until it reads STANDBY",
    ),
    ("main", "stage", "malformed"): (
        Expect.MANUAL,
        "200 that staged nothing: Main's verification still reads PRIMARY/ACTIVE, so the steps are left",
    ),
    ("main", "deploy", "malformed"): (
        Expect.MANUAL,
        "200 that started nothing: Main's verification still reads PRIMARY/ACTIVE, so the deploy is reported "
        "as started but not confirmed",
    ),
    ("main", "disable_profile", "malformed"): (
        Expect.MANUAL,
        "200 that disabled nothing: the re-read shows an enabled copy profile, so the steps are left",
    ),
}
for _site, _steps in SITE_STEPS.items():
    for _step in _steps:
        _EXCEPTIONS.setdefault(
            (_site, _step, "slow"), (Expect.FAILED_OVER, "every answer arrives within the read timeout")
        )


@dataclass(frozen=True)
class QRadarRow:
    site: str
    step: str
    fault: str
    expect: Expect
    why: str

    @property
    def id(self) -> str:
        return f"{self.site}-{self.step}-{self.fault}"

    @property
    def bound(self) -> float:
        return DESTINATION_BOUND if self.site == "destination" else MAIN_BOUND


def _generic(site: str, step: str, fault: str) -> tuple[Expect, str]:
    if site == "destination":
        reason = {
            "connect_timeout": "retried, then the run fails; nothing is done on Main",
            "refused": "retried, then the run fails; nothing is done on Main",
            "503": "retried, then the run fails; nothing is done on Main",
            "hang": "read timeout (never retried); the run fails; nothing is done on Main",
        }.get(fault, "the run fails with QRadar's status and message; nothing is done on Main")
        return Expect.NOT, reason
    if step == "deploy_status":
        return Expect.MANUAL, (
            "Main's deploy was started: reported as started but not confirmed, with 'qradar-failover status' "
            "to confirm it (never as unreachable)"
        )
    reason = {
        "connect_timeout": "retried within the Main-Site budget; the Destination is already active",
        "refused": "retried within the Main-Site budget; the Destination is already active",
        "503": "retried within the Main-Site budget; the Destination is already active",
        "hang": "read timeout within the Main-Site budget; the Destination is already active",
    }.get(fault, "the Destination is already active; the Main-Site steps are left to an operator")
    return Expect.MANUAL, reason


QRADAR_ROWS: tuple[QRadarRow, ...] = tuple(
    QRadarRow(site, step, fault, *_EXCEPTIONS.get((site, step, fault), _generic(site, step, fault)))
    for site in ("destination", "main")
    for step in SITE_STEPS[site]
    for fault in FAULTS
)


# --- AWS side -----------------------------------------------------------------------------------
MAIN_TOKEN_UNREADABLE = "could not read the Main console's token"


@dataclass(frozen=True)
class AwsRow:
    id: str
    service: str
    fault: str
    expect: Expect
    lock_after: str | None  # the lock item's state after the run (None: no item)
    notice: str  # "sent"; "lost" (SNS failed: ERROR log line + NotificationFailed metric); "none" (by design)
    why: str
    env: tuple[tuple[str, str], ...] = ()
    manual_hint: str = "When the Main Site console is back"  # the manual step an MANUAL row leaves

    @property
    def bound(self) -> float:
        return AWS_BOUND


AWS_ROWS: tuple[AwsRow, ...] = (
    AwsRow(
        "secrets-dest-denied",
        "Secrets Manager",
        "GetSecretValue AccessDeniedException (Destination token)",
        Expect.NOT,
        "FAILED",
        "sent",
        "no Destination token: nothing is written; the failure is recorded and the automation stays armed",
    ),
    AwsRow(
        "secrets-dest-throttled",
        "Secrets Manager",
        "GetSecretValue ThrottlingException (Destination token)",
        Expect.NOT,
        "FAILED",
        "sent",
        "as above; botocore's own retries are assumed spent",
    ),
    AwsRow(
        "secrets-main-denied",
        "Secrets Manager",
        "GetSecretValue AccessDeniedException (Main token)",
        Expect.MANUAL,
        "FAILED_OVER",
        "sent",
        "the Destination is activated; without its token Main is not called, so its steps are left (the notice "
        "says the token could not be read)",
        manual_hint=MAIN_TOKEN_UNREADABLE,
    ),
    AwsRow(
        "secrets-main-throttled",
        "Secrets Manager",
        "GetSecretValue ThrottlingException (Main token)",
        Expect.MANUAL,
        "FAILED_OVER",
        "sent",
        "as above",
        manual_hint=MAIN_TOKEN_UNREADABLE,
    ),
    AwsRow(
        "sns-publish-denied",
        "SNS",
        "Publish AuthorizationError",
        Expect.FAILED_OVER,
        "FAILED_OVER",
        "lost",
        "the failover stands; the lost notice is an ERROR log line and the NotificationFailed metric",
    ),
    AwsRow(
        "sns-publish-kms",
        "SNS",
        "Publish KMSAccessDeniedException (encrypted topic)",
        Expect.FAILED_OVER,
        "FAILED_OVER",
        "lost",
        "as above",
    ),
    AwsRow(
        "sns-publish-failed-run",
        "SNS",
        "Publish InternalError, and the Destination answers 500",
        Expect.NOT,
        "FAILED",
        "lost",
        "a failed run whose notice is lost still leaves the log line, the metric and the FAILED record",
    ),
    AwsRow(
        "dynamodb-read-throttled",
        "DynamoDB",
        "GetItem ProvisionedThroughputExceededException",
        Expect.NOT,
        None,
        "sent",
        "exactly-once cannot be guaranteed without the lock: nothing is changed; operators are told",
    ),
    AwsRow(
        "dynamodb-claim-throttled",
        "DynamoDB",
        "PutItem (claim) ThrottlingException",
        Expect.NOT,
        None,
        "sent",
        "as above",
    ),
    AwsRow(
        "dynamodb-record-throttled",
        "DynamoDB",
        "UpdateItem (record success) ProvisionedThroughputExceededException",
        Expect.MANUAL,
        "CLAIMED",
        "sent",
        "done but not recorded: the claim stays until it expires (later deliveries are duplicates); "
        "operators are told to check the lock",
        manual_hint="The lock table does not show this failover",
    ),
    AwsRow(
        "dynamodb-claim-race",
        "DynamoDB",
        "another run claims between the check and the claim (ConditionalCheckFailed)",
        Expect.DUPLICATE,
        "CLAIMED",
        "none",
        "the other run owns the failover; this one writes nothing and stays quiet",
    ),
    AwsRow(
        "dynamodb-claim-race-done",
        "DynamoDB",
        "another run records FAILED_OVER between the check and the claim",
        Expect.DUPLICATE,
        "FAILED_OVER",
        "sent",
        "already failed over: one 'already failed over' notice, no QRadar call",
    ),
    AwsRow(
        "dynamodb-record-race",
        "DynamoDB",
        "our expired claim is taken over before we record (ConditionalCheckFailed)",
        Expect.MANUAL,
        "CLAIMED",
        "sent",
        "never overwrites the other run's claim; says the lock does not show this failover",
        manual_hint="The lock table does not show this failover",
    ),
    AwsRow(
        "cloudwatch-elb-unavailable",
        "CloudWatch + ELB",
        "GetMetricData and DescribeTargetHealth ServiceUnavailable",
        Expect.NOT,
        None,
        "sent",
        "cannot confirm with live data: refused (default), with the manual command in the notice",
    ),
    AwsRow(
        "cloudwatch-elb-unavailable-allowed",
        "CloudWatch + ELB",
        "as above, FAILOVER_WHEN_UNCONFIRMED=true",
        Expect.FAILED_OVER,
        "FAILED_OVER",
        "sent",
        "the operator chose to fail over on the alarm alone",
        (("FAILOVER_WHEN_UNCONFIRMED", "true"),),
    ),
    AwsRow(
        "cloudwatch-unavailable-elb-confirms",
        "CloudWatch",
        "GetMetricData ThrottlingException; ELB reports no healthy target in the AZ",
        Expect.FAILED_OVER,
        "FAILED_OVER",
        "sent",
        "one live source is enough to confirm",
    ),
    AwsRow(
        "elb-unavailable-cloudwatch-confirms",
        "ELB",
        "DescribeTargetHealth ServiceUnavailable; CloudWatch shows 0 healthy",
        Expect.FAILED_OVER,
        "FAILED_OVER",
        "sent",
        "one live source is enough to confirm",
    ),
    AwsRow(
        "cloudwatch-unavailable-elb-healthy",
        "CloudWatch",
        "GetMetricData ThrottlingException; ELB still reports 2 healthy targets in the AZ",
        Expect.NOT,
        None,
        "sent",
        "the one source left says the Main Site still collects: refused",
    ),
)


# --- crashes midway -----------------------------------------------------------------------------
@dataclass(frozen=True)
class CrashRow:
    id: str
    site: str
    step: str
    why: str


CRASH_ROWS: tuple[CrashRow, ...] = (
    CrashRow("crash-after-destination-stage", "destination", "deploy", "killed after staging, before the deploy"),
    CrashRow("crash-during-destination-deploy", "destination", "deploy_status", "killed while the deploy runs"),
    CrashRow("crash-during-main-demotion", "main", "deploy", "killed after Main was staged STANDBY"),
)
