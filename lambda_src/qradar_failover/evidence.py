"""How live target health is judged: pure functions over what CloudWatch and ELB said, and when.

An AZ outage is a timeline, and every source has an age:

* CloudWatch's per-AZ ``HealthyHostCount``/``UnHealthyHostCount`` are 1-minute datapoints published
  by the load balancer's node in each AZ. When the AZ is lost, its datapoints **stop** and the
  healthy values from before the loss stay behind; when only the collectors fail, datapoints go on
  and say so; a regional CloudWatch delay makes *every* AZ late at once. So the alarmed AZ's newest
  datapoint is judged against the other AZs' newest (:func:`judge_cloudwatch`): the Main AZ is
  *reporting* (its newest value decides), *silent* (it stopped while others report: no healthy
  collectors there), or CloudWatch is *stale* (every AZ is late: CloudWatch says nothing now).
* ELB ``DescribeTargetHealth`` is live, but a lost target turns ``unhealthy`` only after the health
  check's unhealthy threshold (interval x count).

:meth:`HealthEvidence.judge` combines what the current sources say: all below the minimum confirms,
all at or above it refutes, a split (or no current source at all) is *inconclusive*, which the runbook
meets by looking again rather than by deciding. An AZ that had no healthy collectors to lose within
:data:`LOOKBACK_SECONDS` never confirms a failover, whatever its alarm says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from .observability import iso_utc, utc_clock

PERIOD_SECONDS = 60  # ELB publishes one datapoint per minute and AZ
# The alarmed AZ is silent when its newest datapoint is this much older than another AZ's newest: two
# whole minutes missing while the load balancer's other nodes report.
SILENCE_SECONDS = 120
# A datapoint older than this says nothing about now: ELB datapoints normally appear within about two
# minutes of their minute's end, so five minutes means CloudWatch (or the AZ's node) is late.
STALE_SECONDS = 300
# How far back an AZ must have had at least the minimum of healthy collectors for its alarm to be an
# outage: as long as Lambda keeps an event (maximum_event_age_in_seconds is at most 6 hours), so a
# replayed or retried alarm is judged like a fresh one.
LOOKBACK_SECONDS = 6 * 3600


class CloudWatchView(StrEnum):
    """What CloudWatch's datapoints say about the alarmed AZ now."""

    REPORTING = "reporting"  # the AZ publishes current datapoints: the newest one decides
    SILENT = "silent"  # the AZ stopped publishing while other AZs report: its load balancer node is gone
    STALE = "stale"  # every AZ's newest datapoint is old (CloudWatch delayed): no evidence about now
    UNAVAILABLE = "unavailable"  # CloudWatch could not be read


class Verdict(StrEnum):
    CONFIRMED = "confirmed"  # every current source says fewer healthy collectors than the minimum
    REFUTED = "refuted"  # every current source says the minimum or more remain
    INCONCLUSIVE = "inconclusive"  # the sources disagree, or none is current: look again
    NOTHING_TO_LOSE = "nothing_to_lose"  # the AZ had no healthy collectors within the lookback


@dataclass(frozen=True)
class Datapoint:
    at: float  # epoch seconds of the minute the datapoint describes
    healthy: float | None
    unhealthy: float | None


@dataclass(frozen=True)
class CloudWatchReading:
    """CloudWatch's judgement of the alarmed AZ (see :func:`judge_cloudwatch`)."""

    view: CloudWatchView
    healthy: int | None = None  # REPORTING: the newest value; SILENT: 0; otherwise None
    unhealthy: int | None = None
    note: str | None = None
    newest_at: float | None = None  # the alarmed AZ's newest datapoint
    reference_at: float | None = None  # the newest datapoint of any other AZ of the target group
    peak_healthy: int | None = None  # most healthy collectors in the alarmed AZ within the lookback
    breach_started_at: float | None = None  # first minute of the current shortfall, where the data shows it
    healthy_since: float | None = None  # first minute of the current unbroken run at or above the minimum
    aws_error_code: str | None = None  # UNAVAILABLE: AWS's error code (or botocore's error class)

    @property
    def current(self) -> bool:
        return self.view in (CloudWatchView.REPORTING, CloudWatchView.SILENT)


def judge_cloudwatch(
    alarmed: Sequence[Datapoint],
    others: Mapping[str, Sequence[Datapoint]],
    now: float,
    min_healthy: int,
) -> CloudWatchReading:
    """Judge the alarmed AZ's datapoints (``alarmed``, any order, within the lookback) against the
    other AZs' (``others``: AZ -> datapoints) at ``now``."""
    newest = max(alarmed, key=lambda point: point.at, default=None)
    reference_zone, reference_at = _newest_elsewhere(others)
    seen = CloudWatchReading(
        CloudWatchView.STALE,
        newest_at=newest.at if newest else None,
        reference_at=reference_at,
        peak_healthy=max((int(point.healthy) for point in alarmed if point.healthy is not None), default=None),
    )
    behind = None if reference_at is None else reference_at - (newest.at if newest else float("-inf"))
    if newest is not None and (behind is None or behind < SILENCE_SECONDS) and now - newest.at <= STALE_SECONDS:
        healthy = int(newest.healthy or 0)
        return replace(
            seen,
            view=CloudWatchView.REPORTING,
            healthy=healthy,
            unhealthy=int(newest.unhealthy or 0),
            breach_started_at=_shortfall_started(alarmed, min_healthy) if healthy < min_healthy else None,
            healthy_since=_healthy_run_started(alarmed, min_healthy) if healthy >= min_healthy else None,
        )
    if (
        reference_at is not None
        and behind is not None
        and behind >= SILENCE_SECONDS
        and now - reference_at <= STALE_SECONDS
    ):
        since = f"since {utc_clock(newest.at + PERIOD_SECONDS)} UTC" if newest else "in the lookback"
        return replace(
            seen,
            view=CloudWatchView.SILENT,
            healthy=0,
            unhealthy=0,
            note=(
                f"no datapoints {since} while {reference_zone} reports (newest {utc_clock(reference_at)} UTC): "
                "AZ silent"
            ),
            breach_started_at=newest.at + PERIOD_SECONDS if newest else None,
        )
    latest = max((at for at in (reference_at, seen.newest_at) if at is not None), default=None)
    if latest is None:
        return replace(seen, note="no datapoints in any AZ of the target group within the lookback")
    return replace(
        seen,
        note=(
            f"every AZ's newest datapoint is {round((now - latest) / 60)} min old (newest {utc_clock(latest)} UTC): "
            "CloudWatch is late, so it says nothing about now"
        ),
    )


def _newest_elsewhere(others: Mapping[str, Sequence[Datapoint]]) -> tuple[str | None, float | None]:
    best: tuple[str | None, float | None] = (None, None)
    for zone, points in sorted(others.items()):
        for point in points:
            if best[1] is None or point.at > best[1]:
                best = (zone, point.at)
    return best


def _shortfall_started(points: Sequence[Datapoint], min_healthy: int) -> float | None:
    """The first minute of the run of datapoints, ending with the newest, below ``min_healthy``."""
    started = None
    for point in sorted(points, key=lambda p: p.at, reverse=True):
        if point.healthy is not None and point.healthy >= min_healthy:
            break
        started = point.at
    return started


def _healthy_run_started(points: Sequence[Datapoint], min_healthy: int) -> float | None:
    """The first minute of the unbroken run of datapoints, ending with the newest, at or above ``min_healthy``
    (a minute that did not report HealthyHostCount breaks the run: nothing shows it was healthy)."""
    started = None
    for point in sorted(points, key=lambda p: p.at, reverse=True):
        unbroken = started is None or started - point.at <= PERIOD_SECONDS
        if not unbroken or point.healthy is None or point.healthy < min_healthy:
            break
        started = point.at
    return started


@dataclass(frozen=True)
class TargetState:
    target_id: str
    port: int | None
    availability_zone: str | None
    state: str
    reason: str | None


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: str  # one sentence with the evidence


@dataclass(frozen=True)
class HealthEvidence:
    """What the live data says about collectors in the alarmed AZ, and how current each source is.

    A source's counts are None when it says nothing about now (unavailable, stale, or no AZ for its
    targets); its note says why."""

    availability_zone: str
    healthy_collectors: int  # the larger count of the current sources (the conservative one)
    cloudwatch_healthy: int | None = None
    cloudwatch_unhealthy: int | None = None
    cloudwatch_note: str | None = None
    elb_healthy: int | None = None
    elb_unhealthy: int | None = None
    elb_note: str | None = None
    targets: tuple[TargetState, ...] = field(default=())
    cloudwatch_view: CloudWatchView | None = None  # None: built by hand (tests), counts are current
    peak_healthy: int | None = None  # most healthy collectors within the lookback (None: unknown)
    newest_datapoint_at: float | None = None
    breach_started_at: float | None = None  # epoch seconds, where the data shows when the shortfall began
    healthy_since: float | None = None  # epoch seconds: since when CloudWatch shows the minimum or more, unbroken
    read_at: float | None = None

    def sources(self) -> dict[str, int]:
        """The current sources' healthy counts."""
        current = {"CloudWatch": self.cloudwatch_healthy, "ELB": self.elb_healthy}
        return {name: count for name, count in current.items() if count is not None}

    def supports_failover(self, min_healthy_collectors: int) -> bool:
        return self.judge(min_healthy_collectors).verdict is Verdict.CONFIRMED

    def judge(self, min_healthy: int) -> Judgement:
        zone = self.availability_zone
        if self.peak_healthy is not None and self.peak_healthy < min_healthy:
            return Judgement(
                Verdict.NOTHING_TO_LOSE,
                f"{zone} had at most {self.peak_healthy} healthy collector(s) in the last "
                f"{LOOKBACK_SECONDS // 3600} h, never {min_healthy}: there were no collectors to lose, so its alarm "
                "is not an outage (are Main-Site collectors registered there?)",
            )
        if self.elb_healthy == 0 and not self.elb_unhealthy:
            return Judgement(
                Verdict.NOTHING_TO_LOSE,
                f"no target of the target group is registered in {zone}: there were no collectors to lose, so its "
                "alarm is not an outage (are Main-Site collectors registered there?)",
            )
        sources = self.sources()
        if not sources:
            return Judgement(Verdict.INCONCLUSIVE, f"no current evidence about {zone}: {self.summary()}")
        below = {name: count for name, count in sources.items() if count < min_healthy}
        said = ", ".join(f"{name} {count}" for name, count in sources.items())
        if len(below) == len(sources):
            return Judgement(
                Verdict.CONFIRMED,
                f"{self.healthy_collectors} healthy collector(s) in {zone} ({said}), fewer than {min_healthy}",
            )
        if not below:
            return Judgement(
                Verdict.REFUTED,
                f"{self.healthy_collectors} healthy collector(s) remain in {zone} ({said}; fail over below "
                f"{min_healthy})",
            )
        return Judgement(
            Verdict.INCONCLUSIVE,
            f"the sources disagree about {zone} (healthy collectors: {said}; fail over below {min_healthy})",
        )

    def summary(self) -> str:
        if self.sources():
            parts = [f"{self.healthy_collectors} healthy collector(s) in {self.availability_zone}"]
        else:
            parts = [f"no current count of healthy collectors in {self.availability_zone}"]
        if self.cloudwatch_healthy is not None:
            parts.append(
                f"CloudWatch: {self.cloudwatch_healthy} healthy / {self.cloudwatch_unhealthy or 0} unhealthy"
                + (f" ({self.cloudwatch_note})" if self.cloudwatch_note else "")
            )
        elif self.cloudwatch_note:
            parts.append(f"CloudWatch: {self.cloudwatch_note}")
        if self.elb_healthy is not None:
            reasons = sorted(
                {t.reason for t in self.targets if t.availability_zone == self.availability_zone and t.reason}
            )
            parts.append(
                f"ELB target health: {self.elb_healthy} healthy / {self.elb_unhealthy or 0} other"
                + (f" ({', '.join(reasons)})" if reasons else "")
            )
        elif self.elb_note:
            parts.append(f"ELB target health: {self.elb_note}")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "availability_zone": self.availability_zone,
            "healthy_collectors": self.healthy_collectors,
            "cloudwatch": {
                "healthy": self.cloudwatch_healthy,
                "unhealthy": self.cloudwatch_unhealthy,
                "note": self.cloudwatch_note,
                "view": self.cloudwatch_view.value if self.cloudwatch_view else None,
                "newest_datapoint_at": _iso(self.newest_datapoint_at),
                "peak_healthy_in_lookback": self.peak_healthy,
            },
            "elb": {"healthy": self.elb_healthy, "unhealthy": self.elb_unhealthy, "note": self.elb_note},
            "targets": [target.__dict__ for target in self.targets],
            "breach_started_at": _iso(self.breach_started_at),
            "healthy_since": _iso(self.healthy_since),
            "read_at": _iso(self.read_at),
        }


def _iso(epoch_seconds: float | None) -> str | None:
    return None if epoch_seconds is None else iso_utc(epoch_seconds)
