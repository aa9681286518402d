"""Decoding what reaches the function into one typed alarm record.

Three shapes arrive: an SNS notification wrapping a CloudWatch alarm message (the message is a
JSON *string*), an EventBridge "CloudWatch Alarm State Change" event, and a direct invocation
carrying the alarm message itself (console test events). Anything else is rejected with a
reason; decoding never raises anything but :class:`EventRejected`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

ELB_NAMESPACES = frozenset({"AWS/NetworkELB", "AWS/ApplicationELB"})
HEALTH_METRICS = frozenset({"UnHealthyHostCount", "HealthyHostCount"})
_MAX_EVENT_BYTES = 256 * 1024  # SNS and EventBridge cap messages at 256 KiB


class EventRejected(ValueError):
    """The event is not an alarm this function can interpret; the message says why."""


class NotAnEvent(EventRejected):
    """The event has none of the three shapes: not something an alarm delivery can look like at all."""


# JSON's names for what ``json.loads`` returns: a message never names a Python type.
_JSON_TYPES: dict[type[Any], str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


class AlarmState(StrEnum):
    ALARM = "ALARM"
    OK = "OK"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"


class EventSource(StrEnum):
    SNS = "sns"
    EVENTBRIDGE = "eventbridge"
    DIRECT = "direct"


@dataclass(frozen=True)
class AlarmRecord:
    """One CloudWatch alarm state change on a load balancer target group, in a single AZ."""

    source: EventSource
    alarm_name: str
    alarm_arn: str | None
    state: AlarmState
    state_changed_at: str | None
    namespace: str
    metric_name: str
    load_balancer: str  # e.g. net/qradar-collect/50dc6c495c0c9188
    target_group: str  # e.g. targetgroup/qradar-dlc/6d0ecf831eec9f09
    availability_zone: str
    region: str | None  # from the alarm ARN when present
    account_id: str | None
    delivery_id: str | None  # SNS MessageId or EventBridge id, for logs

    @classmethod
    def probe(
        cls, purpose: str, arn: str, namespace: str, load_balancer: str, target_group: str, zone: str
    ) -> AlarmRecord:
        """Not a state change: a question about a target group in one AZ, asked of live target health in
        the shape it answers (``purpose`` names it in the logs; partition, region and account come from
        ``arn``, any ARN of the deployment: a health alarm's, the trigger topic's)."""
        arn_parts = arn.split(":")
        return cls(
            source=EventSource.DIRECT,
            alarm_name=purpose,
            alarm_arn=arn,
            state=AlarmState.OK,
            state_changed_at=None,
            namespace=namespace,
            metric_name="HealthyHostCount",
            load_balancer=load_balancer,
            target_group=target_group,
            availability_zone=zone,
            region=arn_parts[3] if len(arn_parts) > 4 else None,
            account_id=arn_parts[4] if len(arn_parts) > 4 else None,
            delivery_id=None,
        )

    @property
    def target_group_name(self) -> str:
        parts = self.target_group.split("/")
        return parts[1] if len(parts) >= 2 else self.target_group

    @property
    def state_changed_epoch(self) -> float | None:
        """The state change as epoch seconds (``2026-12-06T03:00:00.000+0000``), None if absent or unreadable."""
        if self.state_changed_at is None:
            return None
        try:
            moment = datetime.fromisoformat(self.state_changed_at)
        except ValueError:
            return None
        return moment.timestamp() if moment.tzinfo is not None else None

    @property
    def state_change_key(self) -> str:
        """Names this state change of this alarm: the same on every delivery and retry of it."""
        return f"{self.alarm_name}@{self.state_changed_at or self.delivery_id or 'unknown'}"


def decode_event(event: object) -> AlarmRecord:
    """Turn a Lambda event into an :class:`AlarmRecord` or raise :class:`EventRejected`."""
    if not isinstance(event, dict):
        raise NotAnEvent(f"it is {_json_type(event)}, not a JSON object")
    if "Records" in event:
        return _decode_sns(event)
    if event.get("detail-type") == "CloudWatch Alarm State Change":
        return _decode_eventbridge(event)
    if "AlarmName" in event or "NewStateValue" in event:
        return _decode_alarm_message(event, EventSource.DIRECT, delivery_id=None)
    raise NotAnEvent("it is neither an SNS notification, an EventBridge alarm event nor an alarm message")


def _decode_sns(event: dict[str, Any]) -> AlarmRecord:
    records = event["Records"]
    if not isinstance(records, list) or len(records) != 1:
        raise EventRejected("SNS event must carry exactly one record")
    record = records[0]
    sns = record.get("Sns") if isinstance(record, dict) else None
    if not isinstance(sns, dict):
        raise EventRejected("SNS record has no Sns object")
    message = sns.get("Message")
    if not isinstance(message, str):
        raise EventRejected("SNS Message is not a string")
    if len(message.encode("utf-8", "surrogatepass")) > _MAX_EVENT_BYTES:
        raise EventRejected("SNS Message is larger than SNS allows")
    try:
        alarm_message = json.loads(message)
    except ValueError:
        raise EventRejected("SNS Message is not JSON (is the topic receiving something other than alarms?)") from None
    except RecursionError:
        raise EventRejected("SNS Message is JSON nested too deeply to be a CloudWatch alarm") from None
    if not isinstance(alarm_message, dict):
        raise EventRejected("SNS Message is not a JSON object")
    message_id = sns.get("MessageId")
    return _decode_alarm_message(
        alarm_message, EventSource.SNS, delivery_id=message_id if isinstance(message_id, str) else None
    )


def _decode_alarm_message(message: dict[str, Any], source: EventSource, delivery_id: str | None) -> AlarmRecord:
    trigger = _field(message, "Trigger", dict)
    dimensions = _dimensions_from_list(_field(trigger, "Dimensions", list))
    alarm_arn = _optional_str(message, "AlarmArn")
    region, account_id = _region_and_account(alarm_arn)
    return _build_record(
        source=source,
        alarm_name=_field(message, "AlarmName", str),
        alarm_arn=alarm_arn,
        state=_state(_field(message, "NewStateValue", str)),
        state_changed_at=_optional_str(message, "StateChangeTime"),
        namespace=_field(trigger, "Namespace", str),
        metric_name=_field(trigger, "MetricName", str),
        dimensions=dimensions,
        region=region,
        account_id=account_id or _optional_str(message, "AWSAccountId"),
        delivery_id=delivery_id,
    )


def _decode_eventbridge(event: dict[str, Any]) -> AlarmRecord:
    detail = _field(event, "detail", dict)
    state = _field(detail, "state", dict)
    metrics = _field(_field(detail, "configuration", dict), "metrics", list)
    metric_stats = [
        metric["metricStat"]["metric"]
        for metric in metrics
        if isinstance(metric, dict)
        and isinstance(metric.get("metricStat"), dict)
        and isinstance(metric["metricStat"].get("metric"), dict)
    ]
    if len(metric_stats) != 1:
        raise EventRejected("EventBridge alarm must watch exactly one metric (metric-math alarms are not supported)")
    metric = metric_stats[0]
    dimensions = _field(metric, "dimensions", dict)
    if not all(isinstance(key, str) and isinstance(value, str) for key, value in dimensions.items()):
        raise EventRejected("EventBridge metric dimensions must map names to strings")
    resources = event.get("resources")
    alarm_arn = resources[0] if isinstance(resources, list) and resources and isinstance(resources[0], str) else None
    arn_region, arn_account = _region_and_account(alarm_arn)
    delivery_id = event.get("id")
    return _build_record(
        source=EventSource.EVENTBRIDGE,
        alarm_name=_field(detail, "alarmName", str),
        alarm_arn=alarm_arn,
        state=_state(_field(state, "value", str)),
        state_changed_at=_optional_str(state, "timestamp"),
        namespace=_field(metric, "namespace", str),
        metric_name=_field(metric, "name", str),
        dimensions=dimensions,
        region=_optional_str(event, "region") or arn_region,
        account_id=_optional_str(event, "account") or arn_account,
        delivery_id=delivery_id if isinstance(delivery_id, str) else None,
    )


def _build_record(
    *,
    source: EventSource,
    alarm_name: str,
    alarm_arn: str | None,
    state: AlarmState,
    state_changed_at: str | None,
    namespace: str,
    metric_name: str,
    dimensions: dict[str, str],
    region: str | None,
    account_id: str | None,
    delivery_id: str | None,
) -> AlarmRecord:
    if namespace not in ELB_NAMESPACES:
        raise EventRejected(f"alarm metric namespace {namespace!r} is not a load balancer namespace")
    if metric_name not in HEALTH_METRICS:
        raise EventRejected(f"alarm metric {metric_name!r} is not a target health metric")
    missing = [name for name in ("LoadBalancer", "TargetGroup", "AvailabilityZone") if not dimensions.get(name)]
    if missing:
        raise EventRejected(f"alarm metric lacks the {', '.join(missing)} dimension(s); per-AZ alarms are required")
    return AlarmRecord(
        source=source,
        alarm_name=alarm_name,
        alarm_arn=alarm_arn,
        state=state,
        state_changed_at=state_changed_at,
        namespace=namespace,
        metric_name=metric_name,
        load_balancer=dimensions["LoadBalancer"],
        target_group=dimensions["TargetGroup"],
        availability_zone=dimensions["AvailabilityZone"],
        region=region,
        account_id=account_id,
        delivery_id=delivery_id,
    )


def _field(container: dict[str, Any], name: str, kind: type[Any]) -> Any:
    value = container.get(name)
    if not isinstance(value, kind) or (kind is str and not value.strip()):
        raise EventRejected(f"{name} is missing or not {_JSON_TYPES.get(kind, kind.__name__)}")
    return value


def _optional_str(container: dict[str, Any], name: str) -> str | None:
    value = container.get(name)
    return value if isinstance(value, str) and value else None


def _state(value: str) -> AlarmState:
    try:
        return AlarmState(value)
    except ValueError:
        raise EventRejected(f"alarm state {value[:40]!r} is not ALARM, OK or INSUFFICIENT_DATA") from None


def _dimensions_from_list(items: list[Any]) -> dict[str, str]:
    dimensions: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            raise EventRejected("Trigger.Dimensions entries must be objects")
        name, value = item.get("name"), item.get("value")
        if not isinstance(name, str) or not isinstance(value, str):
            raise EventRejected("Trigger.Dimensions entries need string name and value")
        dimensions[name] = value
    return dimensions


def _region_and_account(arn: str | None) -> tuple[str | None, str | None]:
    if not arn:
        return None, None
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return None, None
    return parts[3] or None, parts[4] or None
