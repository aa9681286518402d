"""Live target health: confirms that an alarm means the Main Site really lost collection in its AZ.

First a guard: the alarm's target group, load balancer and AZ must have reported ``HealthyHostCount``
at some time (``ListMetrics``, last two weeks). An unknown target group is an event that does not
describe this deployment; an AZ that never reported had no collectors to lose (the module's alarm,
missing data breaching, is in ALARM there from the start). Both are refused.

Then two sources, read independently, so that one unavailable API does not blind the decision:

* CloudWatch ``HealthyHostCount`` / ``UnHealthyHostCount`` for the alarm's target group, load
  balancer and AZ over the last few minutes. An AZ that reported before but publishes no
  ``HealthyHostCount`` now counts as zero healthy collectors (the AZ is gone), as the module's
  alarms treat missing data.
* ELB ``DescribeTargetHealth`` for the target group: the targets the load balancer reports
  in that AZ right now.

The healthy count used for the decision is the larger of the two (the more conservative one:
a single source still seeing healthy collectors stops the failover).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from .aws_errors import AWS_ERRORS, aws_error_code
from .events import AlarmRecord

logger = logging.getLogger(__name__)


class HealthUnavailable(RuntimeError):
    """Neither CloudWatch nor ELB could tell how many collectors are healthy. ``aws_error_codes``
    holds each source's AWS error code (``{"cloudwatch": "Throttling", ...}``) where AWS said no."""

    def __init__(self, message: str, aws_error_codes: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.aws_error_codes = dict(aws_error_codes or {})


class UnknownTargetGroup(ValueError):
    """CloudWatch has never seen the alarmed target group on that load balancer in this account and
    region: the event does not describe this deployment (a pasted test event, a typo). Without this
    check such an event would read as "no datapoints, AZ lost" and fail over for real."""

    explanation = "the event does not describe this deployment (a test event, or a typo in the alarm's dimensions?)"


class AvailabilityZoneNeverReported(UnknownTargetGroup):
    """The target group is known on that load balancer, but never reported ``HealthyHostCount`` in
    the alarmed AZ: the load balancer does not serve that AZ, or no collector of the target group is
    registered there. The module's alarm treats missing data as breaching, so such an AZ is in ALARM
    from the moment it is created; it has no collectors to lose."""

    explanation = (
        "an alarm on missing data there is not an outage: check that the load balancer serves that AZ and "
        "that Main-Site collectors are registered in it, or remove the AZ from the Main-Site AZs"
    )


@dataclass(frozen=True)
class TargetState:
    target_id: str
    port: int | None
    availability_zone: str | None
    state: str
    reason: str | None


@dataclass(frozen=True)
class HealthEvidence:
    """What the live data says about collectors in the alarmed AZ."""

    availability_zone: str
    healthy_collectors: int
    cloudwatch_healthy: int | None = None  # None: CloudWatch unavailable
    cloudwatch_unhealthy: int | None = None
    cloudwatch_note: str | None = None
    elb_healthy: int | None = None  # None: ELB unavailable or it does not report target AZs
    elb_unhealthy: int | None = None
    elb_note: str | None = None
    targets: tuple[TargetState, ...] = field(default=())

    def supports_failover(self, min_healthy_collectors: int) -> bool:
        return self.healthy_collectors < min_healthy_collectors

    def summary(self) -> str:
        parts = [f"{self.healthy_collectors} healthy collector(s) in {self.availability_zone}"]
        if self.cloudwatch_healthy is not None:
            parts.append(
                f"CloudWatch: {self.cloudwatch_healthy} healthy / {self.cloudwatch_unhealthy or 0} unhealthy"
                + (f" ({self.cloudwatch_note})" if self.cloudwatch_note else "")
            )
        elif self.cloudwatch_note:
            parts.append(f"CloudWatch: {self.cloudwatch_note}")
        if self.elb_healthy is not None:
            parts.append(f"ELB target health: {self.elb_healthy} healthy / {self.elb_unhealthy or 0} other")
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
            },
            "elb": {"healthy": self.elb_healthy, "unhealthy": self.elb_unhealthy, "note": self.elb_note},
            "targets": [target.__dict__ for target in self.targets],
        }


class CloudWatchMetrics(Protocol):
    def get_metric_data(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def list_metrics(self, **kwargs: Any) -> Mapping[str, Any]: ...


class TargetHealthReader(Protocol):
    def describe_target_health(self, **kwargs: Any) -> Mapping[str, Any]: ...


@dataclass
class LiveTargetHealth:
    """Reads CloudWatch and ELB; see the module docstring for how they combine."""

    cloudwatch: CloudWatchMetrics
    elb: TargetHealthReader
    window_minutes: int = 5
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def confirm(self, alarm: AlarmRecord) -> HealthEvidence:
        self._check_alarm_describes_a_served_az(alarm)
        cloudwatch = self._read_cloudwatch(alarm)
        elb = self._read_elb(alarm)
        if cloudwatch.counts is None and elb.counts is None:
            codes = {"cloudwatch": cloudwatch.aws_error_code, "elb": elb.aws_error_code}
            raise HealthUnavailable(
                f"CloudWatch: {cloudwatch.note}; ELB: {elb.note}",
                {source: code for source, code in codes.items() if code},
            )
        healthy = max(reading.counts[0] for reading in (cloudwatch, elb) if reading.counts is not None)
        return HealthEvidence(
            availability_zone=alarm.availability_zone,
            healthy_collectors=healthy,
            cloudwatch_healthy=cloudwatch.counts[0] if cloudwatch.counts else None,
            cloudwatch_unhealthy=cloudwatch.counts[1] if cloudwatch.counts else None,
            cloudwatch_note=cloudwatch.note,
            elb_healthy=elb.counts[0] if elb.counts else None,
            elb_unhealthy=elb.counts[1] if elb.counts else None,
            elb_note=elb.note,
            targets=elb.targets,
        )

    def _check_alarm_describes_a_served_az(self, alarm: AlarmRecord) -> None:
        """Refuse an alarm whose target group, load balancer and AZ never reported ``HealthyHostCount``
        (``ListMetrics`` covers the last two weeks). When CloudWatch cannot be asked, the counts decide."""
        in_zone = self._healthy_host_count_metrics(alarm, with_zone=True)
        if in_zone is None or in_zone:
            return
        anywhere = self._healthy_host_count_metrics(alarm, with_zone=False)
        if anywhere is None:
            return
        if not anywhere:
            raise UnknownTargetGroup(
                f"CloudWatch has no {alarm.namespace} metrics for {alarm.target_group} on {alarm.load_balancer} "
                "in this account and region"
            )
        zones = sorted(
            {
                dimension["Value"]
                for metric in anywhere
                for dimension in metric.get("Dimensions", [])
                if dimension.get("Name") == "AvailabilityZone"
            }
        )
        raise AvailabilityZoneNeverReported(
            f"{alarm.target_group} on {alarm.load_balancer} never reported HealthyHostCount in "
            f"{alarm.availability_zone} (it reports in {', '.join(zones) or 'no AZ'})"
        )

    def _healthy_host_count_metrics(self, alarm: AlarmRecord, *, with_zone: bool) -> list[Mapping[str, Any]] | None:
        """The matching metrics (any extra dimension included), or None when CloudWatch cannot be asked."""
        dimensions = [
            {"Name": "TargetGroup", "Value": alarm.target_group},
            {"Name": "LoadBalancer", "Value": alarm.load_balancer},
        ]
        if with_zone:
            dimensions.append({"Name": "AvailabilityZone", "Value": alarm.availability_zone})
        try:
            response = self.cloudwatch.list_metrics(
                Namespace=alarm.namespace, MetricName="HealthyHostCount", Dimensions=dimensions
            )
        except AWS_ERRORS:  # an unavailable CloudWatch is judged by the counts, not here
            return None
        return list(response.get("Metrics", []))

    def _read_cloudwatch(self, alarm: AlarmRecord) -> _Reading:
        dimensions = [
            {"Name": "TargetGroup", "Value": alarm.target_group},
            {"Name": "LoadBalancer", "Value": alarm.load_balancer},
            {"Name": "AvailabilityZone", "Value": alarm.availability_zone},
        ]
        queries = [
            {
                "Id": query_id,
                "MetricStat": {
                    "Metric": {"Namespace": alarm.namespace, "MetricName": metric, "Dimensions": dimensions},
                    "Period": 60,
                    "Stat": "Maximum",
                },
                "ReturnData": True,
            }
            for query_id, metric in (("healthy", "HealthyHostCount"), ("unhealthy", "UnHealthyHostCount"))
        ]
        now = self.now()
        try:
            response = self.cloudwatch.get_metric_data(
                MetricDataQueries=queries,
                StartTime=now - timedelta(minutes=self.window_minutes),
                EndTime=now + timedelta(minutes=1),  # include the current, still partial, minute
                ScanBy="TimestampDescending",
            )
        except AWS_ERRORS as error:
            return _Reading.unavailable(error)
        latest = {result.get("Id"): _latest_value(result) for result in response.get("MetricDataResults", [])}
        healthy, unhealthy = latest.get("healthy"), latest.get("unhealthy")
        if healthy is None:
            note = f"no HealthyHostCount datapoints in the last {self.window_minutes} min (AZ not reporting)"
            return _Reading((0, int(unhealthy or 0)), note)
        return _Reading((int(healthy), int(unhealthy or 0)))

    def _read_elb(self, alarm: AlarmRecord) -> _Reading:
        if not alarm.region or not alarm.account_id:
            return _Reading(None, "not read (the alarm does not name its region and account)")
        partition = alarm.alarm_arn.split(":")[1] if alarm.alarm_arn else "aws"
        target_group_arn = (
            f"arn:{partition}:elasticloadbalancing:{alarm.region}:{alarm.account_id}:{alarm.target_group}"
        )
        try:
            response = self.elb.describe_target_health(TargetGroupArn=target_group_arn)
        except AWS_ERRORS as error:
            return _Reading.unavailable(error)
        targets = tuple(_target_state(item) for item in response.get("TargetHealthDescriptions", []))
        in_zone = [target for target in targets if target.availability_zone == alarm.availability_zone]
        if targets and not any(target.availability_zone for target in targets):
            return _Reading(None, "targets carry no availability zone; CloudWatch decides", targets=targets)
        healthy = sum(1 for target in in_zone if target.state == "healthy")
        return _Reading((healthy, len(in_zone) - healthy), targets=targets)


@dataclass(frozen=True)
class _Reading:
    """What one source said: (healthy, other) counts, or None when it could not tell, and why."""

    counts: tuple[int, int] | None
    note: str | None = None
    aws_error_code: str | None = None
    targets: tuple[TargetState, ...] = ()

    @classmethod
    def unavailable(cls, error: Exception) -> _Reading:
        code = aws_error_code(error)
        return cls(None, f"unavailable ({code})", code)


def _latest_value(result: Mapping[str, Any]) -> float | None:
    pairs: Sequence[tuple[Any, Any]] = list(zip(result.get("Timestamps", []), result.get("Values", []), strict=False))
    if not pairs:
        return None
    return float(max(pairs, key=lambda pair: pair[0])[1])


def _target_state(item: Mapping[str, Any]) -> TargetState:
    target = item.get("Target", {})
    health = item.get("TargetHealth", {})
    zone = target.get("AvailabilityZone")
    return TargetState(
        target_id=str(target.get("Id")),
        port=target.get("Port"),
        availability_zone=zone if isinstance(zone, str) and zone != "all" else None,
        state=str(health.get("State", "unknown")),
        reason=health.get("Reason"),
    )
