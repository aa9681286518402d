"""Telling people: a readable email body with the same facts as JSON, published to SNS."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any, Protocol

from .aws_errors import AWS_ERRORS, aws_error_code, aws_problem
from .observability import scrub, scrub_values, utc_clock
from .report import FailoverReport, Outcome

logger = logging.getLogger(__name__)

SUBJECT_LIMIT = 100  # SNS rejects longer subjects
_SUBJECT_PREFIX = "[QRadar DR] "

_HEADLINES = {
    Outcome.FAILED_OVER: "Failed over to the Destination Site",
    Outcome.ALREADY_FAILED_OVER: "Already failed over; further alarms ignored until re-armed",
    Outcome.REFUSED: "Failover refused: alarm not confirmed by live target health",
    Outcome.DRY_RUN: "DRY RUN: would fail over to the Destination Site",
    Outcome.FAILED: "FAILOVER FAILED - action needed",
    Outcome.IN_PROGRESS_ELSEWHERE: "Failover already in progress",
    Outcome.IGNORED: "Alarm ignored",
    Outcome.REJECTED: "Event rejected",
    Outcome.DEFERRED: "Failover not confirmed yet; checking again",
}


class SnsPublisher(Protocol):
    def publish(self, **kwargs: Any) -> Mapping[str, Any]: ...


def subject_for(report: FailoverReport) -> str:
    headline = _HEADLINES[report.outcome]
    retry_at = _retry_time(report)
    if report.outcome is Outcome.FAILED and report.failure and retry_at:
        headline = f"Failover attempt failed at {report.failure.site} {report.failure.step}; retry {retry_at}"
    elif report.outcome is Outcome.FAILED and report.failure:
        headline = f"FAILOVER FAILED at {report.failure.site} {report.failure.step} - action needed"
    elif report.outcome is Outcome.DEFERRED and retry_at:
        headline = f"Failover not confirmed yet; checking again {retry_at}"
    elif report.outcome is Outcome.FAILED_OVER and report.manual_actions:
        headline += " (manual steps left)"
    where = f" ({report.alarm.availability_zone})" if report.alarm else ""
    return fit_subject(_SUBJECT_PREFIX + headline + where)


def fit_subject(subject: str) -> str:
    """What SNS accepts as a subject: printable ASCII, no line breaks, at most 100 characters."""
    subject = re.sub(r"[^\x20-\x7e]", "?", subject)
    return subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 3] + "..."


def _retry_time(report: FailoverReport) -> str | None:
    """``at 03:05 UTC`` when Lambda runs the alarm again, else None."""
    attempt = report.next_attempt
    if attempt is None or attempt.at is None:
        return None
    return f"at {utc_clock(attempt.at)} UTC"


def body_for(report: FailoverReport) -> str:
    lines = [f"QRadar DataSync failover: {_HEADLINES[report.outcome]}", "", f"Decision: {report.reason}"]
    if report.alarm:
        alarm = report.alarm
        lines += [
            "",
            "Alarm",
            f"  Name:          {alarm.alarm_name} ({alarm.state.value} at {alarm.state_changed_at or 'unknown time'})",
            f"  Zone:          {alarm.availability_zone}",
            f"  Target group:  {alarm.target_group}",
            f"  Load balancer: {alarm.load_balancer} ({alarm.metric_name}, {alarm.namespace})",
        ]
    lines += _health_lines(report)
    if report.recovery:
        lines += ["", "Recovery", f"  {report.recovery.describe()}"]
    if report.next_attempt:
        lines += ["", "Next attempt", f"  {report.next_attempt.describe()}"]
    if report.steps:
        lines += ["", "Steps"]
        for step in report.steps:
            status = f"HTTP {step.http_status}" if step.http_status is not None else ""
            lines.append(
                f"  [{step.status.value:7}] {step.site:11} {step.step:40} {status:8} {step.duration_seconds:6.2f}s"
                + (f"  {step.detail}" if step.detail else "")
            )
    lines += _site_lines(report)
    if report.failure:
        lines += ["", "Failure", f"  {report.failure.describe()}", f"  {report.failure.detail}"]
    if report.manual_actions:
        lines += ["", "What to do by hand"]
        lines += [f"  {number}. {action}" for number, action in enumerate(report.manual_actions, start=1)]
    if report.next_steps:
        lines += ["", "Next steps"]
        lines += [f"  {number}. {step}" for number, step in enumerate(report.next_steps, start=1)]
    lines += [
        "",
        f"Run {report.run_id}, {report.duration_seconds:.1f}s.",
        "",
        "Machine-readable",
        json.dumps(scrub_values(report.as_dict()), indent=2, sort_keys=True, default=str),
    ]
    return scrub("\n".join(lines))


def _health_lines(report: FailoverReport) -> list[str]:
    if not (report.evidence or report.confirmation):
        return []
    lines = ["", "Live target health"]
    if report.evidence:
        lines.append(f"  {report.evidence.summary()}")
    if report.confirmation:
        lines.append(f"  Confirmation: {report.confirmation.detail}")
    return lines


def _site_lines(report: FailoverReport) -> list[str]:
    """What is known about each site; a dry run only read them."""
    if not report.sites:
        return []
    lines = ["", "Sites (read only: nothing was written)" if report.dry_run else "Site state after this run"]
    for name, label in (("destination", "Destination"), ("main", "Main")):
        site = report.sites.get(name)
        if site is None:
            text = "not touched"
        elif report.dry_run:
            text = site.state or f"not read ({site.problem})"
        else:
            text = site.describe()
        lines.append(f"  {label + ':':13}{text}")
    return lines


class SnsNotifier:
    def __init__(self, client: SnsPublisher, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(self, report: FailoverReport) -> bool:
        """Publish the report. An SNS or SDK error is logged and returns False (the caller counts it);
        a defect raises, so the invocation fails and the function's Errors alarm tells people."""
        return self.publish_text(
            subject_for(report), body_for(report), report.outcome.value, dry_run=str(report.dry_run).lower()
        )

    def publish_text(self, subject: str, body: str, outcome: str, **attributes: str) -> bool:
        """Publish a notice written elsewhere (the failback's): ``subject`` fitted to SNS's limits, ``body``
        scrubbed, ``outcome`` and ``attributes`` as message attributes. Errors as :meth:`publish`."""
        try:
            self._client.publish(
                TopicArn=self._topic_arn,
                Subject=fit_subject(subject),
                Message=scrub(body),
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": value}
                    for name, value in ({"outcome": outcome} | attributes).items()
                },
            )
        except AWS_ERRORS as error:
            code = aws_error_code(error)
            logger.error(  # noqa: TRY400 (the traceback adds nothing; the code says why)
                "notification could not be published: %s",
                code,
                extra={
                    "step": "notify",
                    "outcome": outcome,
                    "topic": self._topic_arn,
                    "aws_error_code": code,
                    "aws_problem": aws_problem(error).value,
                },
            )
            return False
        return True
