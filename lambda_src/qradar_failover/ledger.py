"""A run's bookkeeping: what it did, when, and the log line for each thing it did.

:class:`StepLedger` keeps any run's steps, sites and milestones (the failover's and the failback's);
:class:`RunLedger` adds the failover's report (outcome, what the lock record keeps) and its log
context (run id, alarm, AZ), so the runbook in :mod:`qradar_failover.failover` only says what it does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from .observability import iso_utc
from .qradar import CallRecord
from .report import FailoverReport, Outcome, SiteProgress, StepRecord, StepStatus

logger = logging.getLogger(__name__)


class Journal(Protocol):
    """Where a run's steps go: the failover's report, or the failback's."""

    run_id: str
    steps: list[StepRecord]
    sites: dict[str, SiteProgress]  # "destination", "main": what is known about each site
    milestones: dict[str, float]  # seconds since the run started


class StepLedger:
    def __init__(self, journal: Journal, clock: Callable[[], float], wall: Callable[[], float] = time.time) -> None:
        self.journal = journal
        self.clock = clock  # monotonic: durations and milestones
        self.wall = wall  # epoch seconds: the time the record carries
        self.started = clock()

    def site(self, name: str) -> SiteProgress:
        """What is known about a site ("destination" or "main"); the journal lists it from the first ask."""
        return self.journal.sites.setdefault(name, SiteProgress())

    # --- steps --------------------------------------------------------------------------------
    @contextmanager
    def step(self, site: str, name: str) -> Iterator[list[str]]:
        """A step of the run's own (not a QRadar call): timed, recorded as failed if it raises; the
        caller appends what it found to the yielded list."""
        detail: list[str] = []
        started = self.clock()
        status = StepStatus.FAILED
        try:
            yield detail
            status = StepStatus.OK
        finally:
            duration = self.clock() - started
            self.journal.steps.append(StepRecord(site, name, status, "; ".join(detail), None, duration))
            self.log(name, step=name, site=site, duration_ms=round(duration * 1000), detail="; ".join(detail))

    def observe(self, call: CallRecord) -> None:
        """The observer handed to every console: each QRadar call becomes a step and a log line, and an
        HTTP answer (any status) means the console was reached."""
        if call.http_status is not None:
            self.site(call.site).reached = True
        status = StepStatus.FAILED if call.error else StepStatus.OK
        self.journal.steps.append(
            StepRecord(call.site, call.step, status, call.error or "", call.http_status, call.duration_seconds)
        )
        self.log(
            call.step,
            step=call.step,
            site=call.site,
            http_status=call.http_status,
            duration_ms=round(call.duration_seconds * 1000),
            attempts=call.attempts,
            error=call.error,
        )

    def skipped(self, site: str, step: str, detail: str) -> None:
        self.journal.steps.append(StepRecord(site, step, StepStatus.SKIPPED, detail))

    def planned(self, site: str, detail: str) -> None:
        self.journal.steps.append(StepRecord(site, "would", StepStatus.PLANNED, detail))

    def milestone(self, name: str) -> None:
        self.journal.milestones.setdefault(name, self.elapsed())

    def elapsed(self) -> float:
        return self.clock() - self.started

    def log(self, message: str, **fields: Any) -> None:
        logger.info(message, extra=self.context() | {key: value for key, value in fields.items() if value is not None})

    def context(self) -> dict[str, Any]:
        """What every log line of the run carries."""
        return {"run_id": self.journal.run_id}


class RunLedger(StepLedger):
    """The failover's ledger: its report is the journal, and it ends with an outcome."""

    def __init__(
        self, report: FailoverReport, clock: Callable[[], float], wall: Callable[[], float] = time.time
    ) -> None:
        super().__init__(report, clock, wall)
        self.report = report

    # --- the end ------------------------------------------------------------------------------
    def conclude(
        self,
        outcome: Outcome,
        reason: str,
        *,
        notify: bool,
        manual_actions: list[str] | None = None,
        next_steps: list[str] | None = None,
    ) -> None:
        self.report.outcome = outcome
        self.report.reason = reason
        self.report.notify = notify
        self.report.manual_actions += manual_actions or []
        self.report.next_steps += next_steps or []
        self.milestone("done")
        self.log(reason, step="finish", outcome=outcome.value)

    def close(self) -> FailoverReport:
        self.report.duration_seconds = self.elapsed()
        return self.report

    # --- what is stored and logged ------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """The run as the lock record keeps it."""
        report = self.report
        return {
            "run_id": report.run_id,
            "alarm": report.alarm.alarm_name if report.alarm else None,
            "availability_zone": report.alarm.availability_zone if report.alarm else None,
            "sites": report.sites_as_dict(),
            "failure": report.failure.as_dict() if report.failure else None,
            "recovery": report.recovery.as_dict() if report.recovery else None,
            "next_attempt": report.next_attempt.as_dict() if report.next_attempt else None,
            "at": iso_utc(self.wall()),
        }

    def context(self) -> dict[str, Any]:
        alarm = self.report.alarm
        if alarm is None:
            return super().context()
        return super().context() | {"alarm": alarm.alarm_name, "availability_zone": alarm.availability_zone}
