"""The readiness function's AWS reads (alarms on the trigger topic, subscriptions, the failover
function), on moto in-process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from qradar_devkit.world import AwsWorld, alarm_name, build_aws_world
from qradar_failover.readiness_aws import AwsDeploymentReader, AwsReadFailed, _sns_sources
from support.events import DEST_TOKEN, MAIN_AZ, MAIN_TOKEN, REGION


@pytest.fixture
def world(aws_credentials: None) -> Iterator[AwsWorld]:
    with mock_aws():
        yield build_aws_world("main.example", "dest.example", main_token=MAIN_TOKEN, destination_token=DEST_TOKEN)


@pytest.fixture
def reader(world: AwsWorld) -> AwsDeploymentReader:
    return AwsDeploymentReader(*(boto3.client(name, region_name=REGION) for name in ("cloudwatch", "sns", "lambda")))


def _dimensions(world: AwsWorld, target_group: str | None = None, zone: str = MAIN_AZ) -> dict[str, str]:
    return {
        "AvailabilityZone": zone,
        "LoadBalancer": world.load_balancer,
        "TargetGroup": target_group or world.target_group,
    }


def test_the_alarms_on_a_health_metric_are_found_by_the_metric_whatever_their_actions(
    world: AwsWorld, reader: AwsDeploymentReader
) -> None:
    stripped = world.remove_alarm_actions("HealthyHostCount")

    (healthy,) = reader.alarms_for_metric("AWS/NetworkELB", "HealthyHostCount", _dimensions(world))
    (unhealthy,) = reader.alarms_for_metric("AWS/NetworkELB", "UnHealthyHostCount", _dimensions(world))

    assert healthy.name == stripped and healthy.alarm_actions == () and healthy.actions_enabled
    assert unhealthy.alarm_actions == (world.trigger_topic_arn,) and unhealthy.state == "OK"
    assert (unhealthy.datapoints_to_alarm, unhealthy.period) == (3, 60)
    assert (unhealthy.target_group, unhealthy.load_balancer, unhealthy.availability_zone) == (
        world.target_group, world.load_balancer, MAIN_AZ
    )  # fmt: skip


def test_alarms_on_another_metric_namespace_or_dimension_are_not_the_ones_asked_for(
    world: AwsWorld, reader: AwsDeploymentReader
) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    for name, namespace, dimensions in (
        ("same-metric-other-az", "AWS/NetworkELB", _dimensions(world, zone="ca-central-1b")),
        ("same-metric-on-an-alb", "AWS/ApplicationELB", _dimensions(world)),
        ("same-metric-fewer-dimensions", "AWS/NetworkELB", {"AvailabilityZone": MAIN_AZ}),
    ):
        cloudwatch.put_metric_alarm(
            AlarmName=name, Namespace=namespace, MetricName="HealthyHostCount", Statistic="Minimum", Period=60,
            EvaluationPeriods=1, Threshold=1, ComparisonOperator="LessThanThreshold",
            AlarmActions=[world.trigger_topic_arn],
            Dimensions=[{"Name": key, "Value": value} for key, value in dimensions.items()],
        )  # fmt: skip

    found = reader.alarms_for_metric("AWS/NetworkELB", "HealthyHostCount", _dimensions(world))

    assert [alarm.name for alarm in found] == [alarm_name(world.target_group, MAIN_AZ, "HealthyHostCount")]


def test_a_target_group_without_alarms_has_none(world: AwsWorld, reader: AwsDeploymentReader) -> None:
    assert (
        reader.alarms_for_metric(
            "AWS/NetworkELB", "HealthyHostCount", _dimensions(world, "targetgroup/qradar-syslog/0a1b2c3d4e5f6071")
        )
        == []
    )


def test_alarms_that_cannot_be_read_name_the_action(reader: AwsDeploymentReader) -> None:
    class Denied:
        def describe_alarms_for_metric(self, **_kwargs: Any) -> Any:
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeAlarmsForMetric")

    with pytest.raises(AwsReadFailed) as failure:
        AwsDeploymentReader(Denied(), reader.sns, reader.lambda_).alarms_for_metric("AWS/NetworkELB", "X", {})

    assert (failure.value.operation, failure.value.aws_error_code) == (
        "cloudwatch:DescribeAlarmsForMetric", "AccessDenied"
    )  # fmt: skip


def test_the_failover_function_as_the_module_creates_it(world: AwsWorld, reader: AwsDeploymentReader) -> None:
    function = reader.failover_function(world.env["FAILOVER_FUNCTION_NAME"])

    assert function.state == "Active"
    assert function.timeout == 300  # a claim older than this was left by a run that is gone
    assert function.reserved_concurrency is None  # the module reserves none by default
    assert function.sns_invoke_sources == (world.trigger_topic_arn,)
    (subscription,) = [s for s in reader.subscriptions(world.trigger_topic_arn) if s.protocol == "lambda"]
    assert subscription.endpoint == function.arn and subscription.confirmed


def test_a_missing_function_is_a_read_failure_with_aws_code(reader: AwsDeploymentReader) -> None:
    with pytest.raises(AwsReadFailed) as failure:
        reader.failover_function("no-such-function")

    assert failure.value.aws_error_code == "ResourceNotFoundException"
    assert failure.value.operation == "lambda:GetFunctionConfiguration"


def test_a_function_without_a_resource_policy_may_be_invoked_by_no_one(
    world: AwsWorld, reader: AwsDeploymentReader
) -> None:
    boto3.client("lambda", region_name=REGION).remove_permission(
        FunctionName=world.env["FAILOVER_FUNCTION_NAME"], StatementId="InvokeFromTriggerTopic"
    )

    assert reader.failover_function(world.env["FAILOVER_FUNCTION_NAME"]).sns_invoke_sources in (None, ())


def test_a_missing_topic_is_a_read_failure(reader: AwsDeploymentReader) -> None:
    with pytest.raises(AwsReadFailed) as failure:
        reader.subscriptions(f"arn:aws:sns:{REGION}:123456789012:nothing-here")

    assert failure.value.aws_error_code == "NotFound"


@pytest.mark.parametrize(
    ("statement", "sources"),
    [
        ({"Condition": {"ArnLike": {"AWS:SourceArn": "arn:t"}}}, ["arn:t"]),
        ({"Condition": {"ArnEquals": {"aws:SourceArn": ["arn:a", "arn:b"]}}}, ["arn:a", "arn:b"]),
        ({}, ["*"]),
        ({"Effect": "Deny"}, []),
        ({"Principal": {"Service": "events.amazonaws.com"}}, []),
        ({"Action": "lambda:GetFunction"}, []),
    ],
)
def test_sns_invoke_sources_from_the_resource_policy(statement: dict[str, Any], sources: list[str]) -> None:
    base = {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "lambda:InvokeFunction"}

    assert _sns_sources(json.loads(json.dumps({"Statement": [base | statement]}))) == sources
