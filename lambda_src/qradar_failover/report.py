"""What a run decided and did: the record that is returned, logged, stored and notified."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from .aws_errors import AwsProblem
from .events import AlarmRecord
from .evidence import HealthEvidence
from .observability import iso_utc, utc_clock


class Outcome(StrEnum):
    FAILED_OVER = "failed_over"
    ALREADY_FAILED_OVER = "already_failed_over"
    IN_PROGRESS_ELSEWHERE = "in_progress_elsewhere"
    REFUSED = "refused"
    IGNORED = "ignored"
    REJECTED = "rejected"
    DRY_RUN = "dry_run"
    FAILED = "failed"
    DEFERRED = "deferred"  # the evidence could not decide yet; Lambda runs the alarm again (report.next_attempt)


class StepStatus(StrEnum):
    OK = "ok"
    SKIPPED = "skipped"
    FAILED = "failed"
    PLANNED = "planned"  # dry run: what would be done


@dataclass(frozen=True)
class StepRecord:
    site: str  # "main", "destination" or "aws"
    step: str
    status: StepStatus
    detail: str = ""
    http_status: int | None = None
    duration_seconds: float = 0.0


class ConfirmedBy(StrEnum):
    """Who or what decided that the Main Site has lost collection."""

    LIVE_HEALTH = "live_health"  # live target health: fewer healthy collectors than MIN_HEALTHY_COLLECTORS
    ALARM_ALONE = "alarm_alone"  # live health could not be read and FAILOVER_WHEN_UNCONFIRMED=true
    OPERATOR = "operator"  # a manual failover: the operator's decision, whatever live health said


@dataclass(frozen=True)
class Confirmation:
    by: ConfirmedBy
    detail: str  # one sentence with the evidence, e.g. "manual failover by alice against the evidence: ..."
    operator: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"by": self.by.value, "detail": self.detail, "operator": self.operator}


@dataclass
class SiteProgress:
    """What a run knows about one site's console. Each fact is True only once it was seen: a console
    that answered, a change it accepted, a deploy it started, a deployed configuration read back."""

    reached: bool = False  # the console answered over HTTPS (with any status, a 401 too)
    staged: bool = False  # it accepted the run's change to its staged DR configuration
    deploy_started: bool = False  # it accepted the deploy of the staged change
    confirmed: bool = False  # its deployed configuration reads as the run meant it to (Main: and no copy profile on)
    state: str | None = None  # the last DR state read, e.g. "PRIMARY/ACTIVE, ariel copy on"
    problem: str | None = None  # what stopped the run short of confirming this site
    copy_profiles_disabled: list[str] = field(default_factory=list)  # ids of the ariel copy profiles it disabled

    def facts(self) -> str:
        """``reached, staged, deploy started, not confirmed``: all four, always."""
        return ", ".join(
            (
                "reached" if self.reached else "not reached",
                "staged" if self.staged else "not staged",
                "deploy started" if self.deploy_started else "deploy not started",
                "confirmed" if self.confirmed else "not confirmed",
            )
        )

    def describe(self) -> str:
        if self.state is None:
            return self.facts()
        if self.confirmed:
            return f"{self.facts()}: {self.state}"
        return f"{self.facts()} (last read: {self.state})"


class FailureKind(StrEnum):
    """Why a run failed (``failure.kind`` in the report). A QRadar call fails with one of the first
    eight (:class:`~qradar_failover.qradar.QRadarError`); the run's other dependencies with the rest."""

    TIMEOUT = "timeout"
    CONNECTION = "connection"
    TLS = "tls"
    HTTP = "http"
    MALFORMED = "malformed_response"
    DEADLINE = "deadline"
    DEPLOY = "deploy"
    UNEXPECTED_STATE = "unexpected_state"
    AWS_UNAVAILABLE = "aws_unavailable"  # an AWS API (the lock table) could not be used
    TOKEN_UNAVAILABLE = "token_unavailable"  # noqa: S105 (a kind, not a secret): a site's token could not be read
    DEFECT = "defect"  # a bug in the engine: the traceback is in the function's logs


@dataclass(frozen=True)
class Failure:
    site: str
    step: str
    detail: str
    http_status: int | None = None
    qradar_code: int | None = None
    kind: FailureKind = FailureKind.HTTP
    aws_error_code: str | None = None  # AWS's error code (or botocore's error class) when AWS said no
    aws_problem: AwsProblem | None = None

    def may_pass(self) -> bool:
        """Whether another attempt may not meet this failure: no answer in time, a dropped connection, a
        deploy that failed or ran out of time, a server error, an AWS API that did not answer. A refused
        token, a certificate, a console in an unexpected state or a defect will be met again."""
        if self.kind in (FailureKind.TIMEOUT, FailureKind.CONNECTION, FailureKind.DEADLINE, FailureKind.DEPLOY):
            return True
        if self.kind is FailureKind.HTTP:
            return self.http_status is not None and (self.http_status >= 500 or self.http_status in (409, 429))
        if self.kind in (FailureKind.AWS_UNAVAILABLE, FailureKind.TOKEN_UNAVAILABLE):
            return self.aws_problem in (AwsProblem.ENDPOINT, AwsProblem.SERVICE)
        return False

    def describe(self) -> str:
        """Where it failed and what came back, for people (see :func:`describe_failure`)."""
        return describe_failure(self.as_dict())

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "kind": self.kind.value,
            "aws_problem": self.aws_problem.value if self.aws_problem else None,
        }


# What a failed call got instead of an HTTP status, by kind: a console that answered is never said to have
# given no answer (a deploy polled until the time ran out, a state it did not expect).
_WITHOUT_HTTP_STATUS = {
    FailureKind.TIMEOUT.value: "no answer in time",
    FailureKind.CONNECTION.value: "no connection",
    FailureKind.TLS.value: "TLS failed",
    FailureKind.MALFORMED.value: "an answer that is not the DR API's",
    FailureKind.DEADLINE.value: "out of time",
    FailureKind.DEPLOY.value: "the deploy failed",
    FailureKind.UNEXPECTED_STATE.value: "an unexpected DR state",
    FailureKind.AWS_UNAVAILABLE.value: "AWS could not be used",
    FailureKind.TOKEN_UNAVAILABLE.value: "its token could not be read",
    FailureKind.DEFECT.value: "a defect in the engine",
}
DEPLOY_WAIT_STEP = "deploy"  # the step of a failure while a started deploy is awaited (the console adapter's)


def describe_failure(failure: Mapping[str, Any]) -> str:
    """``destination console, step 'deploy': still running when the time ran out`` or ``main console, step
    'stage DR config': HTTP 409, QRadar code 1002``, from a failure as the report holds it (``as_dict``)."""
    site = str(failure.get("site"))
    where = (
        f"{site} console" if site in ("main", "destination") else {"aws": "AWS", "engine": "the engine"}.get(site, site)
    )
    kind, step = failure.get("kind"), failure.get("step")
    if failure.get("http_status") is not None:
        code = f", QRadar code {failure['qradar_code']}" if failure.get("qradar_code") is not None else ""
        answer = f"HTTP {failure['http_status']}{code}"
    elif kind == FailureKind.DEADLINE.value and step == DEPLOY_WAIT_STEP:
        answer = "still running when the time ran out"
    else:
        answer = _WITHOUT_HTTP_STATUS.get(str(kind), "no HTTP answer")
    return f"{where}, step '{step}': {answer}"


@dataclass(frozen=True)
class NextAttempt:
    """Whether this alarm will be worked on again without anyone doing anything, and when."""

    attempt: int  # this run's attempt at the alarm (1: the first delivery)
    attempts: int  # the attempts there will be in all (1 + Lambda's maximum_retry_attempts)
    at: float | None  # epoch seconds when Lambda runs the alarm again; None: no attempt follows
    why_not: str | None = None  # why none follows

    @property
    def follows(self) -> bool:
        return self.at is not None

    def describe(self) -> str:
        """``attempt 1 of 3; Lambda runs this alarm again at about 03:05 UTC`` or why it does not."""
        done = f"attempt {self.attempt} of {self.attempts}"
        if self.at is not None:
            return f"{done}; Lambda runs this alarm again at about {utc_clock(self.at)} UTC"
        return f"{done}; no automatic attempt follows: {self.why_not}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "attempt": self.attempt,
            "attempts": self.attempts,
            "at": iso_utc(self.at) if self.at is not None else None,
            "why_not": self.why_not,
        }


@dataclass(frozen=True)
class Recovery:
    """How long collection was down before the Destination was verified ACTIVE (wall clock)."""

    destination_active_at: float
    seconds_from_alarm: float | None  # from the alarm's state change (None: the alarm does not say when)
    seconds_from_breach: float | None  # from the first breaching minute, where the datapoints show it

    def describe(self) -> str:
        parts = [
            f"{round(seconds)} s after {what}"
            for seconds, what in (
                (self.seconds_from_alarm, "the alarm's state change"),
                (self.seconds_from_breach, "the first breaching minute"),
            )
            if seconds is not None
        ]
        return f"Destination verified ACTIVE at {iso_utc(self.destination_active_at)}" + (
            f": {', '.join(parts)}" if parts else ""
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "destination_active_at": iso_utc(self.destination_active_at),
            "seconds_from_alarm": _rounded(self.seconds_from_alarm),
            "seconds_from_breach": _rounded(self.seconds_from_breach),
        }


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


@dataclass
class FailoverReport:
    outcome: Outcome
    reason: str
    run_id: str
    alarm: AlarmRecord | None = None
    evidence: HealthEvidence | None = None
    confirmation: Confirmation | None = None  # how the failover was decided (None: it was not)
    steps: list[StepRecord] = field(default_factory=list)
    manual_actions: list[str] = field(default_factory=list)  # what the run could not finish
    next_steps: list[str] = field(default_factory=list)  # routine follow-ups after a failover
    sites: dict[str, SiteProgress] = field(default_factory=dict)  # "destination", "main": the sites the run worked on
    failure: Failure | None = None
    milestones: dict[str, float] = field(default_factory=dict)  # seconds since the run started
    next_attempt: NextAttempt | None = None  # set when the run ended without concluding: what comes next
    recovery: Recovery | None = None  # set once the Destination is verified ACTIVE
    duration_seconds: float = 0.0
    dry_run: bool = False
    notify: bool = True
    notified: bool | None = None  # None: not attempted

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "reason": self.reason,
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "alarm": _alarm_dict(self.alarm),
            "evidence": self.evidence.as_dict() if self.evidence else None,
            "confirmation": self.confirmation.as_dict() if self.confirmation else None,
            "steps": [{**asdict(step), "status": step.status.value} for step in self.steps],
            "manual_actions": list(self.manual_actions),
            "next_steps": list(self.next_steps),
            "sites": self.sites_as_dict(),
            "failure": self.failure.as_dict() if self.failure else None,
            "milestones": {name: round(value, 3) for name, value in self.milestones.items()},
            "next_attempt": self.next_attempt.as_dict() if self.next_attempt else None,
            "recovery": self.recovery.as_dict() if self.recovery else None,
            "duration_seconds": round(self.duration_seconds, 3),
            "notified": self.notified,
        }

    def sites_as_dict(self) -> dict[str, dict[str, Any]]:
        return {name: asdict(site) for name, site in self.sites.items()}


def _alarm_dict(alarm: AlarmRecord | None) -> dict[str, Any] | None:
    if alarm is None:
        return None
    return {
        "name": alarm.alarm_name,
        "arn": alarm.alarm_arn,
        "state": alarm.state.value,
        "state_changed_at": alarm.state_changed_at,
        "namespace": alarm.namespace,
        "metric": alarm.metric_name,
        "load_balancer": alarm.load_balancer,
        "target_group": alarm.target_group,
        "availability_zone": alarm.availability_zone,
        "source": alarm.source.value,
        "delivery_id": alarm.delivery_id,
    }
