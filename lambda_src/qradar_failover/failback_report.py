"""What a failback decided and did: the report the CLI renders, the lock record's steps as they stand,
and the notice people receive."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from .failback_checks import Requirement, Seen
from .failback_plan import STEPS, Step
from .report import Failure, SiteProgress, StepRecord


# --- what a failback decided and did -------------------------------------------------------------
class FailbackOutcome(StrEnum):
    FAILED_BACK = "failed_back"  # every step done, the automation re-armed
    PLANNED = "planned"  # a dry run: preflight and plan, nothing written
    REFUSED = "refused"  # the preflight says not now; nothing written
    PAUSED = "paused"  # the operator stopped at a step; run failback again to resume there
    STOPPED = "stopped"  # a step failed or its verification contradicts it; resumes there once fixed


class StepState(StrEnum):
    DONE_BEFORE = "done before"  # an earlier run did it (the lock record says so)
    DONE = "done"  # this run did it and verified it
    ALREADY = "already so"  # it was already as the step makes it; nothing changed
    NOT_DONE = "not done"


@dataclass(frozen=True)
class StepResult:
    number: int
    step: Step
    status: StepState
    detail: str = ""
    seen: Seen | None = None  # a manual step: what its verification saw

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "id": self.step.id,
            "status": self.status.value,
            "detail": self.detail,
            "seen": self.seen.value if self.seen else None,
        }


@dataclass
class FailbackReport:
    run_id: str
    operator: str
    dry_run: bool = False
    outcome: FailbackOutcome = FailbackOutcome.REFUSED
    reason: str = ""
    preflight: list[Requirement] = field(default_factory=list)
    forced: list[str] = field(default_factory=list)  # the risks --force accepted
    results: list[StepResult] = field(default_factory=list)  # the plan's steps, as they stand after this run
    steps: list[StepRecord] = field(default_factory=list)  # every QRadar call and own step, as the failover's
    sites: dict[str, SiteProgress] = field(default_factory=dict)
    milestones: dict[str, float] = field(default_factory=dict)
    resumes_at: int = 1  # the first step not done when this run started
    failure: Failure | None = None
    unreachable: bool = False  # refused or stopped because a console could not be reached
    manual_actions: list[str] = field(default_factory=list)
    notified: bool | None = None
    duration_seconds: float = 0.0

    @property
    def stopped_at(self) -> StepResult | None:
        return next((result for result in self.results if result.status is StepState.NOT_DONE), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "reason": self.reason,
            "run_id": self.run_id,
            "operator": self.operator,
            "dry_run": self.dry_run,
            "preflight": [requirement.as_dict() for requirement in self.preflight],
            "forced": list(self.forced),
            "plan": [step.as_dict() | {"number": number} for number, step in enumerate(STEPS, start=1)],
            "results": [result.as_dict() for result in self.results],
            "resumes_at": self.resumes_at,
            "steps": [{**asdict(step), "status": step.status.value} for step in self.steps],
            "sites": {name: asdict(site) for name, site in self.sites.items()},
            "failure": self.failure.as_dict() if self.failure else None,
            "manual_actions": list(self.manual_actions),
            "milestones": {name: round(value, 3) for name, value in self.milestones.items()},
            "duration_seconds": round(self.duration_seconds, 3),
            "notified": self.notified,
        }


def notice(report: FailbackReport) -> tuple[str, str]:
    """The notification: subject and body (people read it; the same facts as the CLI shows)."""
    if report.outcome is FailbackOutcome.FAILED_BACK:
        subject = "[QRadar DR] Failed back to the Main Site; automation re-armed"
    else:
        stopped = report.stopped_at
        where = f" at step {stopped.number} ({stopped.step.id})" if stopped else ""
        subject = f"[QRadar DR] FAILBACK STOPPED{where} - action needed"
    lines = [f"QRadar DataSync failback: {report.outcome.value}", "", f"Decision: {report.reason}", "", "Steps"]
    for result in report.results:
        detail = f": {result.detail}" if result.detail else ""
        lines.append(f"  {result.number}. [{result.status.value}] {result.step.title}{detail}")
    if report.forced:
        lines += ["", "Risks accepted with --force"] + [f"  - {risk}" for risk in report.forced]
    if report.manual_actions:
        lines += ["", "What to do by hand"]
        lines += [f"  {number}. {action}" for number, action in enumerate(report.manual_actions, start=1)]
    lines += ["", f"Run {report.run_id} by {report.operator}, {report.duration_seconds:.1f}s."]
    return subject, "\n".join(lines)


def describe_resume(report: FailbackReport) -> str:
    """``resuming at step 4 (started ...)`` or ``starting at step 1``, for people."""
    if report.resumes_at == 1:
        return "starting at step 1"
    if report.resumes_at > len(STEPS):
        return "every step is recorded as done"
    return f"resuming at step {report.resumes_at} (steps 1-{report.resumes_at - 1} done before)"
