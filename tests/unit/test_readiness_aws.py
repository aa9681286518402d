"""The readiness function's AWS reads (alarms on the trigger topic, subscriptions, the failover
function), on moto in-process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from qradar_devkit.world import AwsWorld, build_aws_world
from qradar_failover.readiness_aws import AwsDeploymentReader, AwsReadFailed, _sns_sources
from support.events import DEST_TOKEN, MAIN_AZ, MAIN_TOKEN, REGION


@pytest.fixture
def world(aws_credentials: None) -> Iterator[AwsWorld]:
    with mock_aws():
        yield build_aws_world("main.example", "dest.example", main_token=MAIN_TOKEN, destination_token=DEST_TOKEN)


@pytest.fixture
def reader(world: AwsWorld) -> AwsDeploymentReader:
    return AwsDeploymentReader(*(boto3.client(name, region_name=REGION) for name in ("cloudwatch", "sns", "lambda")))


def test_health_alarms_are_the_load_balancer_alarms_acting_on_the_trigger_topic(
    world: AwsWorld, reader: AwsDeploymentReader
) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    sns = boto3.client("sns", region_name=REGION)
    other_topic = sns.create_topic(Name="qradar-dr-trigger-2")["TopicArn"]  # the trigger ARN is its prefix
    for name, namespace, topic in (
        ("cpu-on-trigger", "AWS/EC2", world.trigger_topic_arn),
        ("health-on-other-topic", "AWS/NetworkELB", other_topic),
    ):
        cloudwatch.put_metric_alarm(
            AlarmName=name, Namespace=namespace, MetricName="HealthyHostCount", Statistic="Minimum", Period=60,
            EvaluationPeriods=1, Threshold=1, ComparisonOperator="LessThanThreshold", AlarmActions=[topic],
            Dimensions=[{"Name": "AvailabilityZone", "Value": MAIN_AZ}],
        )  # fmt: skip

    alarms = reader.health_alarms(world.trigger_topic_arn)

    assert sorted(alarm.metric_name for alarm in alarms) == ["HealthyHostCount", "UnHealthyHostCount"]
    assert {(alarm.target_group, alarm.load_balancer, alarm.availability_zone) for alarm in alarms} == {
        (world.target_group, world.load_balancer, MAIN_AZ)
    }
    assert all(alarm.state == "OK" and alarm.actions_enabled for alarm in alarms)


def test_the_failover_function_as_the_module_creates_it(world: AwsWorld, reader: AwsDeploymentReader) -> None:
    function = reader.failover_function(world.env["FAILOVER_FUNCTION_NAME"])

    assert function.state == "Active"
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
