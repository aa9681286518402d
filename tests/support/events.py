"""Event fixtures (tests/events) in the shapes AWS delivers, and the constants the tests share."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parents[1] / "events"
REGION = "ca-central-1"
MAIN_AZ = "ca-central-1a"
DEST_AZ = "ca-central-1b"
MAIN_TOKEN = "main-SEC-token-7f3e9c2a-do-not-log"
DEST_TOKEN = "dest-SEC-token-4b1d8e6f-do-not-log"
TARGET_GROUP = "targetgroup/qradar-dlc/6d0ecf831eec9f09"
LOAD_BALANCER = "net/qradar-collect/50dc6c495c0c9188"
# A valid environment contract for tests whose consoles and AWS are fakes (nothing is dialled).
FAKE_SITES_ENV = {
    "MAIN_SITE_ADDRESS": "main.qradar.example",
    "DEST_SITE_ADDRESS": "dest.qradar.example",
    "MAIN_SITE_TOKEN_SECRET_ARN": "qradar/main",
    "DEST_SITE_TOKEN_SECRET_ARN": "qradar/dest",
    "MAIN_SITE_AVAILABILITY_ZONES": MAIN_AZ,
    "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:ca-central-1:111122223333:qradar-failover-notifications",
    "LOCK_TABLE_NAME": "lock",
}


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / name).read_text())


def alarm_message(**changes: Any) -> dict[str, Any]:
    """The CloudWatch alarm message fixture, with top-level fields or dimensions changed."""
    message = load_event("cloudwatch-alarm-message.json")
    dimensions = {d["name"]: d["value"] for d in message["Trigger"]["Dimensions"]}
    for name in ("TargetGroup", "AvailabilityZone", "LoadBalancer"):
        if name in changes:
            dimensions[name] = changes.pop(name)
    message["Trigger"]["Dimensions"] = [{"name": k, "value": v} for k, v in dimensions.items()]
    if "Namespace" in changes:
        message["Trigger"]["Namespace"] = changes.pop("Namespace")
    if "MetricName" in changes:
        message["Trigger"]["MetricName"] = changes.pop("MetricName")
    message.update(changes)
    return message


def sns_event(message: dict[str, Any], message_id: str = "95df01b4-ee98-5cb9-9903-4c221d41eb5e") -> dict[str, Any]:
    event = copy.deepcopy(load_event("sns-cloudwatch-alarm-event.json"))
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    event["Records"][0]["Sns"]["MessageId"] = message_id
    return event
