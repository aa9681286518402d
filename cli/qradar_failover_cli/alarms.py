"""The per-AZ health alarms of the Main Site, as CloudWatch holds them, and an alarm event read from a file."""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qradar_failover.events import ELB_NAMESPACES, HEALTH_METRICS

from .exit_codes import CliError, ExitCode

MAX_EVENT_BYTES = 1024 * 1024  # SNS and EventBridge deliver at most 256 KiB


@dataclass(frozen=True)
class AlarmView:
    name: str
    state: str
    reason: str
    metric: str
    namespace: str
    availability_zone: str
    load_balancer: str
    target_group: str
    arn: str
    updated: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def main_site_alarms(cloudwatch: Any, zones: frozenset[str], prefix: str | None) -> list[AlarmView]:
    """Load balancer health alarms on a Main-Site AZ (optionally only those named ``prefix...``)."""
    paginator = cloudwatch.get_paginator("describe_alarms")
    arguments: dict[str, Any] = {"AlarmTypes": ["MetricAlarm"]}
    if prefix:
        arguments["AlarmNamePrefix"] = prefix
    views = []
    for page in paginator.paginate(**arguments):
        for alarm in page.get("MetricAlarms", []):
            dimensions = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
            if (
                alarm.get("Namespace") not in ELB_NAMESPACES
                or alarm.get("MetricName") not in HEALTH_METRICS
                or dimensions.get("AvailabilityZone") not in zones
            ):
                continue
            updated = alarm.get("StateUpdatedTimestamp")
            views.append(
                AlarmView(
                    name=alarm["AlarmName"],
                    state=alarm.get("StateValue", "INSUFFICIENT_DATA"),
                    reason=alarm.get("StateReason", ""),
                    metric=alarm["MetricName"],
                    namespace=alarm["Namespace"],
                    availability_zone=dimensions["AvailabilityZone"],
                    load_balancer=dimensions.get("LoadBalancer", ""),
                    target_group=dimensions.get("TargetGroup", ""),
                    arn=alarm.get("AlarmArn", ""),
                    updated=updated.isoformat() if isinstance(updated, datetime) else None,
                )
            )
    return sorted(views, key=lambda view: view.name)


def manual_failover_event(alarms: list[AlarmView], zone: str | None) -> dict[str, Any]:
    """An alarm message (the shape a console test event has) for the operator's failover, built from
    the Main-AZ alarm CloudWatch holds, so the engine confirms and logs the same target group."""
    candidates = [alarm for alarm in alarms if zone is None or alarm.availability_zone == zone]
    candidates.sort(key=lambda alarm: alarm.metric != "UnHealthyHostCount")
    if not candidates:
        where = f"availability zone {zone}" if zone else "the Main-Site availability zones"
        raise CliError(
            f"no load balancer health alarm found for {where}: pass --alarm-file with an alarm event, or "
            "--alarm-name-prefix with the module's name and a dash (its alarms are named <name>-...)",
            ExitCode.USAGE,
        )
    alarm = candidates[0]
    arn_parts = alarm.arn.split(":")
    return {
        "AlarmName": alarm.name,
        "AlarmArn": alarm.arn,
        "AWSAccountId": arn_parts[4] if len(arn_parts) > 4 else None,
        "NewStateValue": "ALARM",
        "NewStateReason": f"Manual failover requested by {getpass.getuser()} with qradar-failover",
        "StateChangeTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "OldStateValue": alarm.state,
        "Trigger": {
            "MetricName": alarm.metric,
            "Namespace": alarm.namespace,
            "Dimensions": [
                {"name": "LoadBalancer", "value": alarm.load_balancer},
                {"name": "TargetGroup", "value": alarm.target_group},
                {"name": "AvailabilityZone", "value": alarm.availability_zone},
            ],
        },
    }


def read_event_file(path: str) -> Any:
    """The JSON in ``path``, or one line saying why it cannot be an event (exit 2)."""
    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_EVENT_BYTES + 1)
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror or error}", ExitCode.USAGE) from None
    if len(data) > MAX_EVENT_BYTES:
        raise CliError(
            f"{path} is larger than 1 MiB: not an alarm event (AWS delivers at most 256 KiB)", ExitCode.USAGE
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CliError(
            f"{path} is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}): not an alarm event",
            ExitCode.USAGE,
        ) from None
    try:
        return json.loads(text)
    except RecursionError:
        raise CliError(f"{path} nests JSON too deeply to be an alarm event", ExitCode.USAGE) from None
    except ValueError as error:
        raise CliError(f"{path} is not JSON: {error}", ExitCode.USAGE) from None
