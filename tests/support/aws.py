"""The moto-backed AWS world the module would create, and the part of Lambda's context the handler reads."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import boto3

from support.events import DEST_TOKEN, LOAD_BALANCER, MAIN_AZ, MAIN_TOKEN, REGION, TARGET_GROUP


@dataclass
class AwsWorld:
    """moto-backed resources named by the environment contract, plus a queue that receives notifications."""

    env: dict[str, str]
    topic_arn: str
    queue_url: str
    table: str

    def notifications(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs", region_name=REGION)
        received: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return received
            for message in batch:
                received.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def lock_item(self) -> dict[str, Any] | None:
        item = boto3.client("dynamodb", region_name=REGION).get_item(
            TableName=self.table, Key={"lock_id": {"S": "qradar-failover"}}, ConsistentRead=True
        )
        return item.get("Item")

    def put_health(self, healthy: float | None, unhealthy: float, az: str = MAIN_AZ) -> None:
        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        dimensions = [
            {"Name": "TargetGroup", "Value": TARGET_GROUP},
            {"Name": "LoadBalancer", "Value": LOAD_BALANCER},
            {"Name": "AvailabilityZone", "Value": az},
        ]
        data = [{"MetricName": "UnHealthyHostCount", "Dimensions": dimensions, "Value": unhealthy}]
        if healthy is not None:
            data.append({"MetricName": "HealthyHostCount", "Dimensions": dimensions, "Value": healthy})
        cloudwatch.put_metric_data(Namespace="AWS/NetworkELB", MetricData=data)


def create_lock_table(dynamodb: Any, name: str) -> None:
    """The lock table as the module creates it: on-demand, string hash key ``lock_id``."""
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "lock_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "lock_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def create_aws_world(main_address: str, dest_address: str) -> AwsWorld:
    """Create what the Terraform module would create, inside an active moto mock."""
    secrets = boto3.client("secretsmanager", region_name=REGION)
    secrets.create_secret(Name="qradar/main/sec-token", SecretString=MAIN_TOKEN)
    secrets.create_secret(Name="qradar/dest/sec-token", SecretString=DEST_TOKEN)
    create_lock_table(boto3.client("dynamodb", region_name=REGION), "qradar-failover-lock")
    sns = boto3.client("sns", region_name=REGION)
    topic_arn = sns.create_topic(Name="qradar-failover-notifications")["TopicArn"]
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="notifications-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    env = {
        "MAIN_SITE_ADDRESS": main_address,
        "DEST_SITE_ADDRESS": dest_address,
        "MAIN_SITE_TOKEN_SECRET_ARN": "qradar/main/sec-token",
        "DEST_SITE_TOKEN_SECRET_ARN": "qradar/dest/sec-token",
        "MAIN_SITE_AVAILABILITY_ZONES": MAIN_AZ,
        "NOTIFICATION_TOPIC_ARN": topic_arn,
        "LOCK_TABLE_NAME": "qradar-failover-lock",
        "DEPLOY_POLL_INTERVAL_SECONDS": "0.05",
    }
    return AwsWorld(env=env, topic_arn=topic_arn, queue_url=queue_url, table="qradar-failover-lock")


class FakeContext:
    """The part of Lambda's context object the handler reads."""

    def __init__(self, remaining_seconds: float = 300.0, request_id: str = "req-0001") -> None:
        self.aws_request_id = request_id
        self._deadline = time.monotonic() + remaining_seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)
