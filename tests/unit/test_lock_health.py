"""The DynamoDB lock's state machine and the live-health confirmation, on moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from qradar_devkit.world import publish_target_health
from qradar_failover.aws_errors import AwsProblem
from qradar_failover.events import decode_event
from qradar_failover.health import (
    AvailabilityZoneNeverReported,
    HealthUnavailable,
    LiveTargetHealth,
    UnknownTargetGroup,
)
from qradar_failover.lock import ClaimResult, FailoverLock, LockState, LockUnavailable
from support.events import LOAD_BALANCER, MAIN_AZ, REGION, TARGET_GROUP, load_event
from support.fakes import DefectiveClient, client_without_credentials, unreachable_client
from support.lock import make_lock


def test_only_one_claim_wins(dynamodb: Any) -> None:
    now = [1000.0]
    lock = make_lock(dynamodb, now)

    assert lock.claim("a", "alarm")[0] is ClaimResult.CLAIMED
    result, record = lock.claim("b", "alarm")

    assert result is ClaimResult.HELD_BY_ANOTHER_RUN
    assert record is not None
    assert record.holder == "a"


def test_recorded_failover_blocks_until_rearmed(dynamodb: Any) -> None:
    now = [1000.0]
    lock = make_lock(dynamodb, now)
    lock.claim("a", "alarm")

    assert lock.record_failed_over("a", {"destination_state": "PRIMARY/ACTIVE"})
    now[0] += 10**6
    assert lock.claim("b", "alarm")[0] is ClaimResult.ALREADY_FAILED_OVER, "a recorded failover never expires"
    previous = lock.rearm()

    assert previous is not None
    assert previous.state is LockState.FAILED_OVER
    assert previous.summary == {"destination_state": "PRIMARY/ACTIVE"}
    assert lock.claim("c", "alarm")[0] is ClaimResult.CLAIMED


def test_duplicate_notice_is_granted_once(dynamodb: Any) -> None:
    lock = make_lock(dynamodb, [1000.0])
    assert lock.mark_duplicate_notice_sent() is False, "nothing recorded yet"
    lock.claim("a", "alarm")
    lock.record_failed_over("a", {})

    assert [lock.mark_duplicate_notice_sent() for _ in range(3)] == [True, False, False]


def test_failed_attempt_leaves_the_system_armed(dynamodb: Any) -> None:
    lock = make_lock(dynamodb, [1000.0])
    lock.claim("a", "alarm")
    lock.record_failed("a", {"failure": "destination 500"})

    assert lock.blocking_record() is None
    assert lock.claim("b", "alarm")[0] is ClaimResult.CLAIMED


def test_crashed_claim_expires_and_the_late_owner_cannot_overwrite(dynamodb: Any) -> None:
    now = [1000.0]
    lock = make_lock(dynamodb, now)
    lock.claim("crashed", "alarm")
    assert lock.blocking_record() is not None

    now[0] += 901
    assert lock.blocking_record() is None
    assert lock.claim("resumer", "alarm")[0] is ClaimResult.CLAIMED
    assert lock.record_failed_over("crashed", {}) is False, "the expired holder no longer owns the lock"
    assert lock.record_failed_over("resumer", {}) is True


class CountingReads:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.reads = 0

    def get_item(self, **kwargs: Any) -> Any:
        self.reads += 1
        return self.client.get_item(**kwargs)

    def put_item(self, **kwargs: Any) -> Any:
        return self.client.put_item(**kwargs)


def test_contended_claim_learns_the_holder_from_the_failed_write_itself(dynamodb: Any) -> None:
    make_lock(dynamodb, [1000.0]).claim("first-run", "alarm-a")
    counting = CountingReads(dynamodb)

    result, record = FailoverLock(counting, "lock", "qradar-failover", 900, clock=lambda: 1001.0).claim("b", "x")

    assert result is ClaimResult.HELD_BY_ANOTHER_RUN
    assert record is not None and (record.holder, record.alarm_name) == ("first-run", "alarm-a")
    assert counting.reads == 0, "no second read that could see a different item than the write did"


class AnswerLostThenRetried:
    """What botocore's retry does when the answer to a write that succeeded is lost (read timeout, 500):
    the same request again, which now fails its condition against the item the first try wrote."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def put_item(self, **kwargs: Any) -> Any:
        self.client.put_item(**kwargs)
        return self.client.put_item(**kwargs)


def test_claim_retried_by_the_sdk_after_its_answer_was_lost_is_still_ours(dynamodb: Any) -> None:
    lock = FailoverLock(AnswerLostThenRetried(dynamodb), "lock", "qradar-failover", 900, clock=lambda: 1000.0)

    assert lock.claim("run-1", "alarm") == (ClaimResult.CLAIMED, None)
    assert make_lock(dynamodb, [1000.0]).claim("run-1", "alarm")[0] is ClaimResult.HELD_BY_ANOTHER_RUN, (
        "a second claim by a delivery with the same run id is not mistaken for ours"
    )


def test_missing_table_is_a_lock_error_with_the_aws_code_as_data(aws_credentials: None) -> None:
    with mock_aws():
        lock = make_lock(boto3.client("dynamodb", region_name=REGION), [0.0])
        with pytest.raises(LockUnavailable, match="ResourceNotFoundException") as raised:
            lock.claim("a", "alarm")

    assert raised.value.aws_error_code == "ResourceNotFoundException"
    assert raised.value.aws_problem is AwsProblem.SERVICE


def test_unreachable_endpoint_is_a_lock_error_naming_the_endpoint_problem(aws_credentials: None) -> None:
    lock = make_lock(unreachable_client("dynamodb"), [0.0])

    with pytest.raises(LockUnavailable) as raised:
        lock.current()

    assert raised.value.aws_error_code == "EndpointConnectionError"
    assert raised.value.aws_problem is AwsProblem.ENDPOINT


def test_missing_credentials_are_a_lock_error_naming_the_credentials_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    lock = make_lock(client_without_credentials("dynamodb", monkeypatch), [0.0])

    with pytest.raises(LockUnavailable) as raised:
        lock.claim("a", "alarm")

    assert raised.value.aws_error_code == "NoCredentialsError"
    assert raised.value.aws_problem is AwsProblem.CREDENTIALS


@pytest.mark.parametrize("operation", ["current", "claim", "rearm", "mark_duplicate_notice_sent", "record_failed"])
def test_a_coding_bug_inside_the_lock_is_not_taken_for_an_unavailable_table(operation: str) -> None:
    lock = make_lock(DefectiveClient(), [0.0])
    arguments = {"claim": ("a", "alarm"), "record_failed": ("a", {})}.get(operation, ())

    with pytest.raises(TypeError):
        getattr(lock, operation)(*arguments)


class FixtureTargetGroup:
    """CloudWatch's view of the event fixtures' load balancer and target group."""

    def put_health(
        self, healthy: int | None, unhealthy: int, az: str = MAIN_AZ, minutes_ago: range = range(3, 0, -1)
    ) -> None:
        publish_target_health(LOAD_BALANCER, TARGET_GROUP, az, healthy, unhealthy, minutes_ago)


@pytest.fixture
def world(aws_credentials: None) -> Iterator[FixtureTargetGroup]:
    with mock_aws():
        yield FixtureTargetGroup()


def health() -> LiveTargetHealth:
    return LiveTargetHealth(
        boto3.client("cloudwatch", region_name=REGION),
        boto3.client("elbv2", region_name=REGION),
    )


def alarm() -> Any:
    return decode_event(load_event("sns-cloudwatch-alarm-event.json"))


def test_zero_healthy_collectors_supports_failover(world: FixtureTargetGroup) -> None:
    world.put_health(healthy=3, unhealthy=0, minutes_ago=range(10, 3, -1))  # collectors to lose
    world.put_health(healthy=0, unhealthy=3)

    evidence = health().confirm(alarm())

    assert evidence.healthy_collectors == 0
    assert evidence.cloudwatch_unhealthy == 3
    assert evidence.supports_failover(1)


def test_remaining_healthy_collectors_do_not(world: FixtureTargetGroup) -> None:
    world.put_health(healthy=2, unhealthy=1)

    evidence = health().confirm(alarm())

    assert evidence.healthy_collectors == 2
    assert not evidence.supports_failover(1)
    assert "2 healthy collector(s) in ca-central-1a" in evidence.summary()


def test_az_that_stopped_reporting_counts_as_no_healthy_collectors(world: FixtureTargetGroup) -> None:
    world.put_health(healthy=2, unhealthy=0, minutes_ago=range(60, 59, -1))  # the Main AZ reported, then went silent
    world.put_health(healthy=2, unhealthy=0, az="ca-central-1b")  # the target group lives on in the other AZ

    evidence = health().confirm(alarm())

    assert evidence.healthy_collectors == 0
    assert "AZ silent" in (evidence.cloudwatch_note or "")


class Unavailable:
    def get_metric_data(self, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "GetMetricData")

    describe_target_health = list_metrics = get_metric_data


def test_target_group_unknown_to_cloudwatch_is_not_taken_for_a_lost_az(world: FixtureTargetGroup) -> None:
    with pytest.raises(UnknownTargetGroup, match="targetgroup/qradar-dlc/6d0ecf831eec9f09") as raised:
        health().confirm(alarm())

    assert not isinstance(raised.value, AvailabilityZoneNeverReported)


class TargetsInZone:
    def __init__(self, states: list[str]) -> None:
        self.states = states

    def describe_target_health(self, **kwargs: Any) -> Any:
        return {
            "TargetHealthDescriptions": [
                {
                    "Target": {"Id": f"10.0.1.{i}", "Port": 32500, "AvailabilityZone": MAIN_AZ},
                    "TargetHealth": {"State": s},
                }
                for i, s in enumerate(self.states)
            ]
            + [
                {
                    "Target": {"Id": "10.0.2.1", "Port": 32500, "AvailabilityZone": "ca-central-1b"},
                    "TargetHealth": {"State": "healthy"},
                }
            ]
        }


def test_both_sources_unavailable_raises_with_each_aws_code_as_data() -> None:
    with pytest.raises(HealthUnavailable, match="Throttling") as raised:
        LiveTargetHealth(Unavailable(), Unavailable()).confirm(alarm())

    assert raised.value.aws_error_codes == {"cloudwatch": "Throttling", "elb": "Throttling"}


def test_unreachable_endpoints_are_unavailable_sources_not_crashes(aws_credentials: None) -> None:
    with pytest.raises(HealthUnavailable) as raised:
        LiveTargetHealth(unreachable_client("cloudwatch"), unreachable_client("elbv2")).confirm(alarm())

    assert raised.value.aws_error_codes == {"cloudwatch": "EndpointConnectionError", "elb": "EndpointConnectionError"}


def test_a_coding_bug_in_a_source_is_raised_not_taken_for_an_unavailable_source() -> None:
    with pytest.raises(TypeError):
        LiveTargetHealth(DefectiveClient(), TargetsInZone(["unhealthy"])).confirm(alarm())
    with pytest.raises(TypeError):
        LiveTargetHealth(Unavailable(), DefectiveClient()).confirm(alarm())


def test_az_the_load_balancer_never_served_is_refused_not_taken_for_a_lost_az(world: FixtureTargetGroup) -> None:
    world.put_health(healthy=2, unhealthy=0, az="ca-central-1b")  # the target group reports, never in ca-central-1a

    with pytest.raises(AvailabilityZoneNeverReported) as raised:
        health().confirm(alarm())

    assert "never reported HealthyHostCount in ca-central-1a" in str(raised.value)
    assert "it reports in ca-central-1b" in str(raised.value)


def test_elb_alone_decides_when_cloudwatch_is_unavailable() -> None:
    evidence = LiveTargetHealth(Unavailable(), TargetsInZone(["unhealthy", "unhealthy"])).confirm(alarm())

    assert evidence.healthy_collectors == 0
    assert evidence.elb_unhealthy == 2
    assert evidence.cloudwatch_healthy is None


def test_a_healthy_target_seen_by_elb_outweighs_stale_cloudwatch(world: FixtureTargetGroup) -> None:
    world.put_health(healthy=0, unhealthy=2)
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)

    evidence = LiveTargetHealth(cloudwatch, TargetsInZone(["healthy", "unhealthy"])).confirm(alarm())

    assert evidence.healthy_collectors == 1
    assert not evidence.supports_failover(1)


def test_record_written_by_the_previous_version_reads_as_iso_time_and_a_structured_failure(dynamodb: Any) -> None:
    old_summary = {
        "run_id": "req-9",
        "at": 1795826321.8,
        "failure": "Failure(site='destination', step='stage DR config', detail='HTTP 500: boom', "
        "http_status=500, qradar_code=None, kind='http')",
    }
    dynamodb.put_item(
        TableName="lock",
        Item={
            "lock_id": {"S": "qradar-failover"},
            "state": {"S": "FAILED"},
            "holder": {"S": "req-9"},
            "claimed_at": {"N": "1795826300.000"},
            "summary": {"S": json.dumps(old_summary)},
        },
    )

    record = make_lock(dynamodb, [0.0]).current()

    assert record is not None
    assert record.summary["at"] == "2026-11-28T00:38:41.800Z"
    assert record.summary["failure"] == {
        "site": "destination",
        "step": "stage DR config",
        "detail": "HTTP 500: boom",
        "http_status": 500,
        "qradar_code": None,
        "kind": "http",
    }
    assert record.as_dict()["claimed_at"] == "2026-11-28T00:38:20.000Z"


def test_unparseable_old_failure_text_is_kept_as_its_detail(dynamodb: Any) -> None:
    summary = json.dumps({"failure": "Failure(site=<engine>"})
    dynamodb.put_item(
        TableName="lock",
        Item={"lock_id": {"S": "qradar-failover"}, "state": {"S": "FAILED"}, "summary": {"S": summary}},
    )

    record = make_lock(dynamodb, [0.0]).current()

    assert record is not None and record.summary["failure"] == {"detail": "Failure(site=<engine>"}
