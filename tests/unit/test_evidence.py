"""How evidence is judged (evidence.py), on the timelines that produce each decision and the look-alikes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from qradar_devkit.world import publish_target_health
from qradar_failover.events import decode_event
from qradar_failover.evidence import (
    STALE_SECONDS,
    CloudWatchView,
    Datapoint,
    HealthEvidence,
    TargetState,
    Verdict,
    judge_cloudwatch,
)
from qradar_failover.health import LiveTargetHealth
from support.events import LOAD_BALANCER, MAIN_AZ, REGION, TARGET_GROUP, load_event
from support.fakes import evidence

NOW = 1_796_540_000.0  # a whole minute plus 20 s
DEST_AZ = "ca-central-1b"


def minutes(healthy: int | None, first: int, last: int, unhealthy: int = 0) -> list[Datapoint]:
    """Datapoints for the minutes ``first`` .. ``last`` minutes before NOW's minute (first > last)."""
    minute = NOW // 60 * 60
    return [Datapoint(minute - 60 * ago, healthy, unhealthy) for ago in range(first, last - 1, -1)]


# --- CloudWatch: reporting, silent, stale ---------------------------------------------------------
def test_an_az_that_went_silent_while_others_report_has_no_healthy_collectors() -> None:
    reading = judge_cloudwatch(minutes(2, 30, 4), {DEST_AZ: minutes(2, 30, 1)}, NOW, 1)

    assert reading.view is CloudWatchView.SILENT
    assert reading.healthy == 0
    assert reading.breach_started_at == NOW // 60 * 60 - 3 * 60, "the first minute without a datapoint"
    assert "AZ silent" in (reading.note or "")


def test_every_az_late_at_once_is_a_stale_cloudwatch_not_a_lost_az() -> None:
    reading = judge_cloudwatch(minutes(2, 30, 7), {DEST_AZ: minutes(2, 30, 7)}, NOW, 1)

    assert reading.view is CloudWatchView.STALE
    assert reading.healthy is None
    assert "CloudWatch is late" in (reading.note or "")


def test_a_reporting_az_is_judged_by_its_newest_datapoint_and_says_when_the_shortfall_began() -> None:
    reading = judge_cloudwatch(minutes(2, 30, 4) + minutes(0, 3, 1, unhealthy=2), {DEST_AZ: minutes(2, 30, 1)}, NOW, 1)

    assert reading.view is CloudWatchView.REPORTING
    assert (reading.healthy, reading.unhealthy) == (0, 2)
    assert reading.breach_started_at == NOW // 60 * 60 - 3 * 60


def test_a_target_group_in_one_az_only_cannot_tell_silence_from_delay() -> None:
    """No other AZ to compare with: old data is stale, never read as a lost AZ."""
    reading = judge_cloudwatch(minutes(2, 30, 7), {}, NOW, 1)

    assert reading.view is CloudWatchView.STALE


def test_a_datapoint_just_within_the_stale_age_still_reports() -> None:
    newest_ago = int(STALE_SECONDS // 60) - 1
    reading = judge_cloudwatch(minutes(2, 30, newest_ago), {DEST_AZ: minutes(2, 30, newest_ago)}, NOW, 1)

    assert reading.view is CloudWatchView.REPORTING


# --- combining the sources ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cloudwatch", "elb", "verdict"),
    [
        (0, 0, Verdict.CONFIRMED),  # every current source agrees: lost
        (0, None, Verdict.CONFIRMED),  # ELB unreadable: CloudWatch alone
        (None, 0, Verdict.CONFIRMED),  # CloudWatch stale: ELB alone
        (2, 2, Verdict.REFUTED),
        (None, 2, Verdict.REFUTED),  # a regional CloudWatch delay, targets healthy
        (1, 1, Verdict.REFUTED),  # one collector of two left
        (0, 2, Verdict.INCONCLUSIVE),  # silent AZ, health checks not yet failed: look again
        (2, 0, Verdict.INCONCLUSIVE),
        (None, None, Verdict.INCONCLUSIVE),  # nothing current
    ],
)
def test_sources_are_combined_only_while_current(cloudwatch: int | None, elb: int | None, verdict: Verdict) -> None:
    assert evidence(cloudwatch, elb, elb_other=2).judge(1).verdict is verdict


def test_an_az_that_never_had_the_minimum_has_nothing_to_lose() -> None:
    judgement = evidence(0, 0, peak=0, elb_other=2).judge(1)

    assert judgement.verdict is Verdict.NOTHING_TO_LOSE
    assert "no collectors to lose" in judgement.reason


def test_an_az_without_a_registered_target_has_nothing_to_lose() -> None:
    assert evidence(None, 0, peak=None).judge(1).verdict is Verdict.NOTHING_TO_LOSE


# --- LiveTargetHealth on the measured timeline (moto) --------------------------------------
class Targets:
    """DescribeTargetHealth of the fixture's target group: two Main targets, one Destination target."""

    def __init__(
        self, main_state: str, *, with_zone: bool = True, ids: tuple[str, str] = ("10.0.1.1", "10.0.1.2")
    ) -> None:
        self.main_state, self.with_zone, self.ids = main_state, with_zone, ids

    def describe_target_health(self, **kwargs: Any) -> Any:
        def target(target_id: str, zone: str, state: str) -> dict[str, Any]:
            found: dict[str, Any] = {"Id": target_id, "Port": 32500}
            if self.with_zone:
                found["AvailabilityZone"] = zone
            reason = None if state == "healthy" else "Target.Timeout"
            return {"Target": found, "TargetHealth": {"State": state, "Reason": reason}}

        main = [target(target_id, MAIN_AZ, self.main_state) for target_id in self.ids]
        return {"TargetHealthDescriptions": [*main, target("10.0.2.1", DEST_AZ, "healthy")]}


class Placement:
    def __init__(self, zones: dict[str, str] | None = None, fail: bool = False) -> None:
        self.zones, self.fail = zones or {}, fail

    def describe_instances(self, **kwargs: Any) -> Any:
        if self.fail:
            raise ClientError({"Error": {"Code": "UnauthorizedOperation", "Message": "no"}}, "DescribeInstances")
        instances = [{"InstanceId": i, "Placement": {"AvailabilityZone": self.zones[i]}} for i in kwargs["InstanceIds"]]
        return {"Reservations": [{"Instances": instances}]}


@pytest.fixture
def cloudwatch(aws_credentials: None) -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("cloudwatch", region_name=REGION)


def main_az_lost_four_minutes_ago() -> None:
    """The issue's measurement: 2 healthy every minute until 4 minutes ago, then nothing; the
    Destination AZ keeps reporting."""
    publish_target_health(LOAD_BALANCER, TARGET_GROUP, MAIN_AZ, healthy=2, unhealthy=0, minutes_ago=range(30, 3, -1))
    publish_target_health(LOAD_BALANCER, TARGET_GROUP, DEST_AZ, healthy=2, unhealthy=0, minutes_ago=range(30, 0, -1))


def alarm() -> Any:
    return decode_event(load_event("sns-cloudwatch-alarm-event.json"))


def test_a_lost_az_whose_last_datapoints_were_healthy_is_confirmed(cloudwatch: Any) -> None:
    main_az_lost_four_minutes_ago()

    evidence = LiveTargetHealth(cloudwatch, Targets("unhealthy")).confirm(alarm())

    assert evidence.supports_failover(1), evidence.summary()
    assert evidence.cloudwatch_view is CloudWatchView.SILENT
    assert evidence.judge(1).verdict is Verdict.CONFIRMED


def test_a_lost_az_with_instance_targets_is_placed_through_ec2_and_confirmed(cloudwatch: Any) -> None:
    main_az_lost_four_minutes_ago()
    ids = ("i-0aaa", "i-0bbb")
    placement = Placement({"i-0aaa": MAIN_AZ, "i-0bbb": MAIN_AZ})

    evidence = LiveTargetHealth(cloudwatch, Targets("unhealthy", with_zone=False, ids=ids), placement).confirm(alarm())

    assert (evidence.elb_healthy, evidence.elb_unhealthy) == (0, 2)
    assert evidence.supports_failover(1)


def test_a_regional_cloudwatch_delay_with_instance_targets_stays_a_refusal(cloudwatch: Any) -> None:
    for zone in (MAIN_AZ, DEST_AZ):  # every AZ 7 minutes late
        publish_target_health(LOAD_BALANCER, TARGET_GROUP, zone, healthy=2, unhealthy=0, minutes_ago=range(30, 6, -1))
    ids = ("i-0aaa", "i-0bbb")
    placement = Placement({"i-0aaa": MAIN_AZ, "i-0bbb": MAIN_AZ})

    evidence = LiveTargetHealth(cloudwatch, Targets("healthy", with_zone=False, ids=ids), placement).confirm(alarm())

    assert evidence.cloudwatch_view is CloudWatchView.STALE
    assert evidence.judge(1).verdict is Verdict.REFUTED


def test_instance_placement_that_cannot_be_read_leaves_elb_out_with_the_reason(cloudwatch: Any) -> None:
    main_az_lost_four_minutes_ago()
    targets = Targets("unhealthy", with_zone=False, ids=("i-0aaa", "i-0bbb"))

    evidence = LiveTargetHealth(cloudwatch, targets, Placement(fail=True)).confirm(alarm())

    assert evidence.elb_healthy is None
    assert "instance placement unavailable (UnauthorizedOperation)" in (evidence.elb_note or "")
    assert evidence.judge(1).verdict is Verdict.CONFIRMED, "CloudWatch's silent AZ still decides"


def test_an_az_that_reported_zero_from_the_start_has_nothing_to_lose(cloudwatch: Any) -> None:
    publish_target_health(LOAD_BALANCER, TARGET_GROUP, MAIN_AZ, healthy=0, unhealthy=0, minutes_ago=range(30, 0, -1))
    publish_target_health(LOAD_BALANCER, TARGET_GROUP, DEST_AZ, healthy=2, unhealthy=0, minutes_ago=range(30, 0, -1))

    evidence = LiveTargetHealth(cloudwatch, Targets("unhealthy")).confirm(alarm())

    assert evidence.judge(1).verdict is Verdict.NOTHING_TO_LOSE
    assert not evidence.supports_failover(1)


def test_targets_report_their_zone_as_given() -> None:
    state = TargetState("10.0.1.1", 32500, MAIN_AZ, "unhealthy", "Target.Timeout")
    assert "Target.Timeout" in HealthEvidence(MAIN_AZ, 0, elb_healthy=0, elb_unhealthy=1, targets=(state,)).summary()
