"""Live target health: the AWS side of confirming that an alarm means the Main Site lost collection.

First a guard: the alarm's target group, load balancer and AZ must have reported ``HealthyHostCount``
at some time (``ListMetrics``, last two weeks). An unknown target group is an event that does not
describe this deployment; an AZ that never reported had no collectors to lose. Both are refused.

Then two sources, read independently, so that one unavailable API does not blind the decision:

* CloudWatch ``HealthyHostCount`` / ``UnHealthyHostCount``, 1-minute datapoints over the lookback, for
  the alarmed AZ *and* every other AZ the target group reports in (the others tell a silent AZ from a
  late CloudWatch);
* ELB ``DescribeTargetHealth`` for the target group. IP targets carry their AZ; for ``instance``
  targets the API returns none, so their AZ is the instance's placement (``ec2:DescribeInstances``).

How the readings are judged (ages, silence, the lookback) is :mod:`qradar_failover.evidence`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from .aws_errors import AWS_ERRORS, aws_error_code
from .events import AlarmRecord
from .evidence import (
    LOOKBACK_SECONDS,
    PERIOD_SECONDS,
    CloudWatchReading,
    CloudWatchView,
    Datapoint,
    HealthEvidence,
    TargetState,
    judge_cloudwatch,
)

__all__ = [
    "AvailabilityZoneNeverReported",
    "HealthEvidence",
    "HealthUnavailable",
    "LiveTargetHealth",
    "TargetState",
    "UnknownTargetGroup",
]

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


class CloudWatchMetrics(Protocol):
    def get_metric_data(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def list_metrics(self, **kwargs: Any) -> Mapping[str, Any]: ...


class TargetHealthReader(Protocol):
    def describe_target_health(self, **kwargs: Any) -> Mapping[str, Any]: ...


class InstancePlacementReader(Protocol):
    def describe_instances(self, **kwargs: Any) -> Mapping[str, Any]: ...


@dataclass
class LiveTargetHealth:
    """Reads CloudWatch, ELB and (for instance targets) EC2; see the module docstring."""

    cloudwatch: CloudWatchMetrics
    elb: TargetHealthReader
    ec2: InstancePlacementReader | None = None  # None: instance targets' AZ stays unknown
    min_healthy_collectors: int = 1
    clock: Callable[[], float] = field(default=time.time)  # wall clock, epoch seconds

    def confirm(self, alarm: AlarmRecord) -> HealthEvidence:
        zones = self._check_alarm_describes_a_served_az(alarm)
        now = self.clock()
        cloudwatch = self._read_cloudwatch(alarm, zones, now)
        elb = self._read_elb(alarm)
        if cloudwatch.view is CloudWatchView.UNAVAILABLE and elb.counts is None:
            codes = {"cloudwatch": cloudwatch.aws_error_code, "elb": elb.aws_error_code}
            raise HealthUnavailable(
                f"CloudWatch: {cloudwatch.note}; ELB: {elb.note}",
                {source: code for source, code in codes.items() if code},
            )
        current = [count for count in (cloudwatch.healthy, elb.counts[0] if elb.counts else None) if count is not None]
        return HealthEvidence(
            availability_zone=alarm.availability_zone,
            healthy_collectors=max(current, default=0),
            cloudwatch_healthy=cloudwatch.healthy,
            cloudwatch_unhealthy=cloudwatch.unhealthy,
            cloudwatch_note=cloudwatch.note,
            elb_healthy=elb.counts[0] if elb.counts else None,
            elb_unhealthy=elb.counts[1] if elb.counts else None,
            elb_note=elb.note,
            targets=elb.targets,
            cloudwatch_view=cloudwatch.view,
            peak_healthy=cloudwatch.peak_healthy,
            newest_datapoint_at=cloudwatch.newest_at,
            breach_started_at=cloudwatch.breach_started_at,
            healthy_since=cloudwatch.healthy_since,
            read_at=now,
        )

    def _check_alarm_describes_a_served_az(self, alarm: AlarmRecord) -> list[str] | None:
        """Refuse an alarm whose target group, load balancer and AZ never reported ``HealthyHostCount``
        (``ListMetrics`` covers the last two weeks). Returns every AZ the target group reports in, or
        None when CloudWatch cannot be asked (then the readings decide)."""
        anywhere = self._healthy_host_count_metrics(alarm)
        if anywhere is None:
            return None
        zones = sorted(
            {
                dimension["Value"]
                for metric in anywhere
                for dimension in metric.get("Dimensions", [])
                if dimension.get("Name") == "AvailabilityZone"
            }
        )
        if not anywhere:
            raise UnknownTargetGroup(
                f"CloudWatch has no {alarm.namespace} metrics for {alarm.target_group} on {alarm.load_balancer} "
                "in this account and region"
            )
        if alarm.availability_zone not in zones:
            raise AvailabilityZoneNeverReported(
                f"{alarm.target_group} on {alarm.load_balancer} never reported HealthyHostCount in "
                f"{alarm.availability_zone} (it reports in {', '.join(zones) or 'no AZ'})"
            )
        return zones

    def _healthy_host_count_metrics(self, alarm: AlarmRecord) -> list[Mapping[str, Any]] | None:
        """The target group's metrics on that load balancer (any extra dimension included), or None when
        CloudWatch cannot be asked."""
        dimensions = [
            {"Name": "TargetGroup", "Value": alarm.target_group},
            {"Name": "LoadBalancer", "Value": alarm.load_balancer},
        ]
        metrics: list[Mapping[str, Any]] = []
        request: dict[str, Any] = {
            "Namespace": alarm.namespace,
            "MetricName": "HealthyHostCount",
            "Dimensions": dimensions,
        }
        try:
            while True:
                response = self.cloudwatch.list_metrics(**request)
                metrics += response.get("Metrics", [])
                if not response.get("NextToken"):
                    return metrics
                request["NextToken"] = response["NextToken"]
        except AWS_ERRORS:  # an unavailable CloudWatch is judged by the readings, not here
            return None

    def _read_cloudwatch(self, alarm: AlarmRecord, zones: list[str] | None, now: float) -> CloudWatchReading:
        """Every AZ's datapoints over the lookback, judged by :func:`~qradar_failover.evidence.judge_cloudwatch`."""
        read = sorted({alarm.availability_zone, *(zones or [])})
        queries = [
            {
                "Id": f"{prefix}{index}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": alarm.namespace,
                        "MetricName": metric,
                        "Dimensions": [
                            {"Name": "TargetGroup", "Value": alarm.target_group},
                            {"Name": "LoadBalancer", "Value": alarm.load_balancer},
                            {"Name": "AvailabilityZone", "Value": zone},
                        ],
                    },
                    "Period": PERIOD_SECONDS,
                    "Stat": "Maximum",
                },
                "ReturnData": True,
            }
            for index, zone in enumerate(read)
            for prefix, metric in (("h", "HealthyHostCount"), ("u", "UnHealthyHostCount"))
        ]
        minute = int(now) // PERIOD_SECONDS * PERIOD_SECONDS  # GetMetricData aligns periods to the minute
        request: dict[str, Any] = {
            "MetricDataQueries": queries,
            "StartTime": datetime.fromtimestamp(minute - LOOKBACK_SECONDS, UTC),
            "EndTime": datetime.fromtimestamp(minute + PERIOD_SECONDS, UTC),  # the current, partial minute too
            "ScanBy": "TimestampDescending",
        }
        values: dict[str, dict[float, float]] = {}
        try:
            while True:
                response = self.cloudwatch.get_metric_data(**request)
                for result in response.get("MetricDataResults", []):
                    series = values.setdefault(str(result.get("Id")), {})
                    for at, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
                        series[at.timestamp()] = float(value)
                if not response.get("NextToken"):
                    break
                request["NextToken"] = response["NextToken"]
        except AWS_ERRORS as error:
            code = aws_error_code(error)
            return CloudWatchReading(CloudWatchView.UNAVAILABLE, note=f"unavailable ({code})", aws_error_code=code)
        series_by_zone = {
            zone: [
                Datapoint(at, values.get(f"h{index}", {}).get(at), values.get(f"u{index}", {}).get(at))
                for at in sorted(set(values.get(f"h{index}", {})) | set(values.get(f"u{index}", {})))
            ]
            for index, zone in enumerate(read)
        }
        alarmed = series_by_zone.pop(alarm.availability_zone)
        return judge_cloudwatch(alarmed, series_by_zone, now, self.min_healthy_collectors)

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
        targets, placement_note = self._place_instance_targets(targets)
        if targets and not any(target.availability_zone for target in targets):
            note = placement_note or "targets carry no availability zone"
            return _Reading(None, f"{note}; CloudWatch decides", targets=targets)
        in_zone = [target for target in targets if target.availability_zone == alarm.availability_zone]
        healthy = sum(1 for target in in_zone if target.state == "healthy")
        return _Reading((healthy, len(in_zone) - healthy), placement_note, targets=targets)

    def _place_instance_targets(self, targets: tuple[TargetState, ...]) -> tuple[tuple[TargetState, ...], str | None]:
        """Instance targets get their AZ from EC2 (DescribeTargetHealth does not return it for them)."""
        unplaced = sorted(
            {t.target_id for t in targets if t.availability_zone is None and t.target_id.startswith("i-")}
        )
        if not unplaced:
            return targets, None
        if self.ec2 is None:
            return targets, "instance targets' AZ unknown"
        try:
            response = self.ec2.describe_instances(InstanceIds=unplaced)
        except AWS_ERRORS as error:
            return targets, f"instance placement unavailable ({aws_error_code(error)})"
        zones = {
            instance.get("InstanceId"): instance.get("Placement", {}).get("AvailabilityZone")
            for reservation in response.get("Reservations", [])
            for instance in reservation.get("Instances", [])
        }
        placed = tuple(
            TargetState(t.target_id, t.port, zones.get(t.target_id), t.state, t.reason)
            if t.availability_zone is None and isinstance(zones.get(t.target_id), str)
            else t
            for t in targets
        )
        missing = [t.target_id for t in placed if t.availability_zone is None and t.target_id.startswith("i-")]
        return placed, (f"no placement for {', '.join(missing)}" if missing else None)


@dataclass(frozen=True)
class _Reading:
    """What ELB said: (healthy, other) counts, or None when it could not tell, and why."""

    counts: tuple[int, int] | None
    note: str | None = None
    aws_error_code: str | None = None
    targets: tuple[TargetState, ...] = ()

    @classmethod
    def unavailable(cls, error: Exception) -> _Reading:
        code = aws_error_code(error)
        return cls(None, f"unavailable ({code})", code)


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
