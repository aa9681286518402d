"""What a run decided and did: the record that is returned, logged, stored and notified."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from .aws_errors import AwsProblem
from .events import AlarmRecord
from .health import HealthEvidence


class Outcome(StrEnum):
    FAILED_OVER = "failed_over"
    ALREADY_FAILED_OVER = "already_failed_over"
    IN_PROGRESS_ELSEWHERE = "in_progress_elsewhere"
    REFUSED = "refused"
    IGNORED = "ignored"
    REJECTED = "rejected"
    DRY_RUN = "dry_run"
    FAILED = "failed"


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

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "kind": self.kind.value,
            "aws_problem": self.aws_problem.value if self.aws_problem else None,
        }


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
