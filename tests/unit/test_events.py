"""Decoding the three event shapes AWS delivers into one alarm record, and rejecting the rest."""

from __future__ import annotations

import json
from typing import Any

import pytest

from qradar_failover.events import AlarmState, EventRejected, EventSource, decode_event
from support.events import alarm_message, load_event, sns_event


def test_sns_wrapped_alarm_is_decoded() -> None:
    alarm = decode_event(load_event("sns-cloudwatch-alarm-event.json"))

    assert alarm.source is EventSource.SNS
    assert alarm.state is AlarmState.ALARM
    assert alarm.alarm_name == "qradar-main-ca-central-1a-dlc-unhealthy"
    assert (
        alarm.alarm_arn == "arn:aws:cloudwatch:ca-central-1:111122223333:alarm:qradar-main-ca-central-1a-dlc-unhealthy"
    )
    assert alarm.namespace == "AWS/NetworkELB"
    assert alarm.metric_name == "UnHealthyHostCount"
    assert alarm.load_balancer == "net/qradar-collect/50dc6c495c0c9188"
    assert alarm.target_group == "targetgroup/qradar-dlc/6d0ecf831eec9f09"
    assert alarm.target_group_name == "qradar-dlc"
    assert alarm.availability_zone == "ca-central-1a"
    assert alarm.state_changed_at == "2026-11-27T20:24:57.547+0000"
    assert (alarm.region, alarm.account_id) == ("ca-central-1", "111122223333")
    assert alarm.delivery_id == "95df01b4-ee98-5cb9-9903-4c221d41eb5e"


def test_eventbridge_alarm_state_change_is_decoded_to_the_same_record() -> None:
    from_eventbridge = decode_event(load_event("eventbridge-alarm-state-change-event.json"))
    from_sns = decode_event(load_event("sns-cloudwatch-alarm-event.json"))

    assert from_eventbridge.source is EventSource.EVENTBRIDGE
    for field in ("alarm_name", "alarm_arn", "state", "namespace", "metric_name", "load_balancer", "target_group"):
        assert getattr(from_eventbridge, field) == getattr(from_sns, field), field
    assert from_eventbridge.availability_zone == "ca-central-1a"


def test_direct_invocation_with_the_alarm_message_is_decoded() -> None:
    alarm = decode_event(load_event("cloudwatch-alarm-message.json"))

    assert alarm.source is EventSource.DIRECT
    assert alarm.availability_zone == "ca-central-1a"


def test_application_load_balancer_alarms_are_accepted() -> None:
    alarm = decode_event(
        sns_event(
            alarm_message(Namespace="AWS/ApplicationELB", LoadBalancer="app/qradar/1234", MetricName="HealthyHostCount")
        )
    )

    assert alarm.namespace == "AWS/ApplicationELB"
    assert alarm.metric_name == "HealthyHostCount"


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ([], "not a JSON object"),
        ({"Records": []}, "exactly one record"),
        ({"Records": [{"Sns": {"Message": "not json"}}]}, "not JSON"),
        ({"Records": [{"Sns": {"Message": "[1, 2]"}}]}, "not a JSON object"),
        ({"Records": [{"Sns": {"Message": json.dumps({"AlarmName": "x"})}}]}, "Trigger"),
        ({"something": "else"}, "neither"),
        (sns_event(alarm_message(Namespace="AWS/EC2")), "not a load balancer namespace"),
        (sns_event(alarm_message(MetricName="RequestCount")), "not a target health metric"),
        (sns_event(alarm_message(NewStateValue="MAYBE")), "not ALARM, OK or INSUFFICIENT_DATA"),
        (sns_event(alarm_message(AvailabilityZone="")), "AvailabilityZone"),
    ],
)
def test_malformed_events_are_rejected_with_a_reason(event: Any, reason: str) -> None:
    with pytest.raises(EventRejected, match=reason):
        decode_event(event)


def test_metric_math_eventbridge_alarm_is_rejected() -> None:
    event = load_event("eventbridge-alarm-state-change-event.json")
    event["detail"]["configuration"]["metrics"].append(event["detail"]["configuration"]["metrics"][0])

    with pytest.raises(EventRejected, match="exactly one metric"):
        decode_event(event)


def test_oversized_sns_message_is_rejected() -> None:
    event = sns_event(alarm_message(AlarmDescription="x" * 300_000))

    with pytest.raises(EventRejected, match="larger than SNS allows"):
        decode_event(event)


def test_deeply_nested_sns_message_is_rejected_not_a_defect() -> None:
    """json.loads raises RecursionError on deep nesting; the decoder must reject, not crash."""
    event = load_event("sns-cloudwatch-alarm-event.json")
    event["Records"][0]["Sns"]["Message"] = "[" * 100_000 + "]" * 100_000

    with pytest.raises(EventRejected, match="nested too deeply"):
        decode_event(event)
