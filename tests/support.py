"""Test support: event fixtures, the moto-backed AWS world the module would create, a Lambda context."""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

EVENTS_DIR = Path(__file__).parent / "events"
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
    "MAIN_SITE_TOKEN_SECRET": "qradar/main",
    "DEST_SITE_TOKEN_SECRET": "qradar/dest",
    "MAIN_SITE_AVAILABILITY_ZONES": MAIN_AZ,
    "SNS_TOPIC": "arn:aws:sns:ca-central-1:111122223333:qradar-failover-notifications",
    "LOCK_TABLE": "lock",
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
        "MAIN_SITE_TOKEN_SECRET": "qradar/main/sec-token",
        "DEST_SITE_TOKEN_SECRET": "qradar/dest/sec-token",
        "MAIN_SITE_AVAILABILITY_ZONES": MAIN_AZ,
        "SNS_TOPIC": topic_arn,
        "LOCK_TABLE": "qradar-failover-lock",
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
