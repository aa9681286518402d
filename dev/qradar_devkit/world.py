"""One world for the drill and every test suite: what the Terraform module and the upstream
architecture would create in AWS, built in moto, and two simulated QRadar consoles over HTTPS.

:func:`build_aws_world` creates, through boto3 (moto in-process under ``mock_aws``, or moto in
server mode through ``AWS_ENDPOINT_URL``): a VPC with a subnet in each site's AZ, a network load
balancer with a target group holding the collectors of both sites (IP targets), the module's two
alarms per Main-Site AZ, the trigger and notification topics, the token secrets and the lock
table, and the failover function subscribed to the trigger topic (moto holds its configuration;
the real handler runs in this process, on the event :meth:`AwsWorld.deliver_through_trigger_topic`
returns). Two SQS queues stand in for subscribers: ``oncall-inbox`` on the notification topic (what
people receive) and ``trigger-tap`` on the trigger topic (the envelope SNS hands the function).
:func:`build_world` adds the consoles and their CA for the drill.
"""

from __future__ import annotations

import io
import json
import logging
import os
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import requests

from qradar_devkit import target_health
from qradar_simulator import CertificateAuthority, QRadarSimulator, start_site_pair

REGION = "ca-central-1"
REGION_NAME = "Canada (Central)"
MAIN_AZ = "ca-central-1a"
DEST_AZ = "ca-central-1b"
NAME_PREFIX = "qradar-dr"
FAILOVER_FUNCTION = NAME_PREFIX  # the module names the failover function exactly its name
FAILOVER_FUNCTION_CONCURRENCY = -1  # the module's reserved_concurrent_executions default: none reserved
TRIGGER_PERMISSION = "InvokeFromTriggerTopic"  # statement id of the module's lambda_permission
LOCK_TABLE = f"{NAME_PREFIX}-lock"
MAIN_SECRET = "qradar/main/sec-token"  # noqa: S105 (a secret name, not a value)
DEST_SECRET = "qradar/dest/sec-token"  # noqa: S105
MAIN_TOKEN = "drill-main-SEC-token"  # noqa: S105 (a throw-away token for the local simulator)
DEST_TOKEN = "drill-dest-SEC-token"  # noqa: S105
COLLECTOR_PORT = 32500  # DLC
_FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "drill", "AWS_SECRET_ACCESS_KEY": "drill"}  # moto accepts any
_AWS_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_CONFIG_FILE")


class MotoEndpoint:
    """moto in server mode on 127.0.0.1: the handler reaches it over HTTP like it reaches AWS."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per AWS call otherwise
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"

    def reset(self) -> None:
        """Forget every resource (moto's own reset API)."""
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()

    def stop(self) -> None:
        self._server.stop()


@contextmanager
def aws_environment(endpoint_url: str, extra: Mapping[str, str] | None = None) -> Iterator[None]:
    """Point every boto3 client in this process at ``endpoint_url``; restore ``os.environ`` afterwards."""
    saved = dict(os.environ)
    try:
        for name in _AWS_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(_FAKE_CREDENTIALS)
        os.environ["AWS_ENDPOINT_URL"] = endpoint_url
        os.environ["AWS_DEFAULT_REGION"] = REGION
        os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
        os.environ.update(extra or {})
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass(frozen=True)
class Collector:
    ip: str
    availability_zone: str
    instance_id: str | None = None  # set when the target groups register instances, not IPs

    @property
    def target_id(self) -> str:
        return self.instance_id or self.ip


@dataclass(frozen=True)
class TargetGroupRef:
    dimension: str  # CloudWatch's TargetGroup dimension, e.g. targetgroup/qradar-dlc/4567...
    arn: str


# The module's two health alarms per (target group, Main-Site AZ), as alarms.tf creates them with
# its defaults; tests/terraform/test_world_matches_module.py holds this table to what Terraform plans.
HEALTH_ALARMS: dict[str, dict[str, Any]] = {
    "UnHealthyHostCount": {
        "suffix": "unhealthy-collectors",
        "Statistic": "Maximum",
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "Threshold": 1.0,
        "TreatMissingData": "notBreaching",
    },
    "HealthyHostCount": {
        "suffix": "healthy-collectors-below-1",
        "Statistic": "Minimum",
        "ComparisonOperator": "LessThanThreshold",
        "Threshold": 1.0,
        "TreatMissingData": "breaching",
    },
}
ALARM_PERIOD_SECONDS = 60
# What put_metric_alarm takes back from describe_alarms to re-create an alarm as it is.
_ALARM_SETTINGS = (
    "AlarmName", "AlarmDescription", "Namespace", "MetricName", "Dimensions", "Statistic", "Period",
    "EvaluationPeriods", "DatapointsToAlarm", "ComparisonOperator", "Threshold", "TreatMissingData",
    "OKActions", "InsufficientDataActions", "ActionsEnabled",
)  # fmt: skip
ALARM_EVALUATION_PERIODS = 3


def publish_target_health(
    load_balancer: str,
    target_group: str,
    availability_zone: str,
    healthy: int | None,
    unhealthy: int,
    minutes_ago: range = range(3, 0, -1),
) -> None:
    """What the load balancer publishes every minute for one AZ of a target group (by default the last
    3 minutes' datapoints); ``healthy=None`` leaves HealthyHostCount out."""
    dimensions = [
        {"Name": "TargetGroup", "Value": target_group},
        {"Name": "LoadBalancer", "Value": load_balancer},
        {"Name": "AvailabilityZone", "Value": availability_zone},
    ]
    namespace = "AWS/ApplicationELB" if load_balancer.startswith("app/") else "AWS/NetworkELB"
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    data = []
    for minute in minutes_ago:
        at = now - timedelta(minutes=minute)
        data.append({"MetricName": "UnHealthyHostCount", "Dimensions": dimensions, "Value": unhealthy, "Timestamp": at})
        if healthy is not None:
            data.append({"MetricName": "HealthyHostCount", "Dimensions": dimensions, "Value": healthy, "Timestamp": at})
    aws("cloudwatch").put_metric_data(Namespace=namespace, MetricData=data)


def create_lock_table(name: str) -> None:
    """The lock table as the module creates it: on-demand, string hash key ``lock_id``."""
    aws("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "lock_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "lock_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


@dataclass
class AwsWorld:
    """What the module and the upstream architecture create in AWS, with the operations a drill or a
    test performs on it. Works against moto in-process (``mock_aws``) and moto in server mode."""

    env: dict[str, str]  # the function's environment contract, without the consoles' CA bundle
    load_balancer: str  # CloudWatch dimension, e.g. net/qradar-collect/0123...
    target_group: str  # CloudWatch dimension, e.g. targetgroup/qradar-dlc/4567...
    target_group_arn: str
    trigger_topic_arn: str
    notification_topic_arn: str
    lock_table: str
    inbox_url: str
    trigger_tap_url: str
    collectors: list[Collector]
    groups: list[TargetGroupRef]  # every target group on the load balancer (the first is target_group)

    # --- what happens in the AZ ---------------------------------------------------------------
    def publish_health(
        self, availability_zone: str, healthy: int | None, unhealthy: int, minutes_ago: range = range(3, 0, -1)
    ) -> None:
        """What the load balancer reports for one AZ of every target group: the datapoints of the last
        minutes (``healthy=None``: no HealthyHostCount, the AZ went silent), and the same state in
        ``DescribeTargetHealth`` (the AZ's first ``healthy`` collectors healthy, the others failing)."""
        in_zone = [collector for collector in self.collectors if collector.availability_zone == availability_zone]
        for group in self.groups:
            publish_target_health(
                self.load_balancer, group.dimension, availability_zone, healthy, unhealthy, minutes_ago
            )
            for index, collector in enumerate(in_zone):
                if healthy is not None and index < healthy:
                    target_health.set_state(group.arn, collector.target_id, "healthy")
                else:
                    target_health.set_state(group.arn, collector.target_id, "unhealthy", self.failure_reason)

    @property
    def failure_reason(self) -> str:
        """Why the load balancer marks a target that stopped answering unhealthy."""
        return (
            target_health.NLB_FAILURE_REASON
            if self.load_balancer.startswith("net/")
            else target_health.ALB_FAILURE_REASON
        )

    def set_alarm(self, metric: str, state: str, reason: str) -> None:
        aws("cloudwatch").set_alarm_state(
            AlarmName=alarm_name(self.target_group, MAIN_AZ, metric), StateValue=state, StateReason=reason
        )

    def alarm_message(self, metric: str = "UnHealthyHostCount", old_state: str = "OK") -> dict[str, Any]:
        """The CloudWatch alarm message for a Main-AZ alarm, built from the alarm as CloudWatch holds it."""
        (alarm,) = aws("cloudwatch").describe_alarms(AlarmNames=[alarm_name(self.target_group, MAIN_AZ, metric)])[
            "MetricAlarms"
        ]
        return cloudwatch_alarm_message(alarm, old_state)

    def deliver_through_trigger_topic(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """Publish the alarm message to the trigger topic, as CloudWatch does, and return the Lambda
        event SNS builds from it (the envelope is taken from a queue subscribed to the same topic)."""
        sns = aws("sns")
        name = message.get("AlarmName", "")
        subject = f'{message.get("NewStateValue")}: "{name}" in {REGION_NAME}'[:100]
        sns.publish(TopicArn=self.trigger_topic_arn, Subject=subject, Message=json.dumps(message))
        envelope = self._receive(self.trigger_tap_url, expected=1, wait_seconds=5.0)[0]
        return lambda_sns_event(envelope, self._trigger_subscription_arn())

    def remove_alarm_actions(self, metric: str, target_group: str | None = None) -> str:
        """Strip a Main-AZ health alarm of its alarm action (it stays, with its actions enabled, acting on
        nothing): what an edit in the console or a drifted apply leaves. Returns the alarm's name."""
        cloudwatch = aws("cloudwatch")
        name = alarm_name(target_group or self.target_group, MAIN_AZ, metric)
        (alarm,) = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        settings = {key: alarm[key] for key in _ALARM_SETTINGS if key in alarm}
        cloudwatch.put_metric_alarm(**settings, AlarmActions=[])
        cloudwatch.set_alarm_state(AlarmName=name, StateValue=alarm["StateValue"], StateReason="unchanged")
        return name

    def replace_token(self, site: str, value: str) -> None:
        """Put another value into a site's token secret (a token revoked or rotated in QRadar alone)."""
        aws("secretsmanager").put_secret_value(
            SecretId=MAIN_SECRET if site == "main" else DEST_SECRET, SecretString=value
        )

    def unsubscribe_people(self) -> None:
        """Remove every subscription of the notification topic: nobody would hear."""
        sns = aws("sns")
        for subscription in sns.list_subscriptions_by_topic(TopicArn=self.notification_topic_arn)["Subscriptions"]:
            sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])

    def ingest_emf(self, log_output: str) -> int:
        """What CloudWatch Logs does with the Embedded Metric Format documents in a function's log
        output: put their metrics, with their dimensions and timestamps. Returns how many."""
        cloudwatch = aws("cloudwatch")
        count = 0
        for line in log_output.splitlines():
            try:
                document = json.loads(line)
            except ValueError:
                continue
            directive = document.get("_aws") if isinstance(document, dict) else None
            if not isinstance(directive, dict):
                continue
            at = datetime.fromtimestamp(directive["Timestamp"] / 1000, UTC)
            for spec in directive["CloudWatchMetrics"]:
                for names in spec["Dimensions"]:
                    dimensions = [{"Name": name, "Value": str(document[name])} for name in names]
                    data = [
                        {"MetricName": metric["Name"], "Dimensions": dimensions, "Timestamp": at,
                         "Value": float(document[metric["Name"]]), "Unit": metric.get("Unit", "None")}
                        for metric in spec["Metrics"]
                    ]  # fmt: skip
                    cloudwatch.put_metric_data(Namespace=spec["Namespace"], MetricData=data)
                    count += len(data)
        return count

    # --- what people and the lock saw -------------------------------------------------------------
    def notifications(self) -> list[dict[str, Any]]:
        """Every message the on-call subscriber received so far (SNS envelopes), drained."""
        return self._receive(self.inbox_url, expected=0, wait_seconds=0.0)

    def alarm_states(self) -> dict[str, str]:
        alarms = aws("cloudwatch").describe_alarms(AlarmNamePrefix=NAME_PREFIX)["MetricAlarms"]
        return {alarm["AlarmName"]: alarm["StateValue"] for alarm in alarms}

    def lock_item(self) -> dict[str, Any] | None:
        response = aws("dynamodb").get_item(
            TableName=self.lock_table, Key={"lock_id": {"S": "qradar-failover"}}, ConsistentRead=True
        )
        item: dict[str, Any] | None = response.get("Item")
        return item

    def rearm(self) -> None:
        """Delete the lock item, as ``qradar-failover rearm`` does."""
        aws("dynamodb").delete_item(TableName=self.lock_table, Key={"lock_id": {"S": "qradar-failover"}})

    def _receive(self, queue_url: str, expected: int, wait_seconds: float) -> list[dict[str, Any]]:
        sqs = aws("sqs")
        received: list[dict[str, Any]] = []
        give_up = time.monotonic() + wait_seconds
        while True:
            batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            for message in batch:
                received.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            if batch:
                continue
            if len(received) >= expected or time.monotonic() >= give_up:
                return received
            time.sleep(0.05)

    def _trigger_subscription_arn(self) -> str:
        """The failover function's subscription to the trigger topic (the event names it)."""
        subscriptions = aws("sns").list_subscriptions_by_topic(TopicArn=self.trigger_topic_arn)["Subscriptions"]
        return str(next(s for s in subscriptions if s["Protocol"] == "lambda")["SubscriptionArn"])


@dataclass
class DrillWorld(AwsWorld):
    """The AWS side plus both simulated consoles and the CA their certificates come from."""

    ca: CertificateAuthority
    main: QRadarSimulator
    destination: QRadarSimulator
    endpoint_url: str

    def stop(self) -> None:
        self.main.stop()
        self.destination.stop()


def aws(service: str) -> Any:
    """A client of moto: in-process under ``mock_aws``, or the server in ``AWS_ENDPOINT_URL``
    (typed loosely: the world builds plain dicts)."""
    return boto3.client(service, region_name=REGION)  # type: ignore[call-overload]


def alarm_name(target_group: str, availability_zone: str, metric: str) -> str:
    """The module's alarm names (alarms.tf): ``<name>-<target group>-<az>-<suffix>``."""
    group = target_group.split("/")[1]
    return f"{NAME_PREFIX}-{group}-{availability_zone}-{HEALTH_ALARMS[metric]['suffix']}"


def build_world(
    workdir: Path,
    endpoint_url: str,
    *,
    main_collectors: int = 2,
    destination_collectors: int = 2,
    deploy_seconds: float = 2.0,
    clock: Callable[[], float] = time.monotonic,
    target_type: str = "ip",
    target_groups: int = 1,
    health_check_interval_seconds: int = 30,
    unhealthy_threshold_count: int = 3,
    publish_history: bool = True,
) -> DrillWorld:
    """Start both consoles (``clock`` times their deploys) and create the AWS side
    (:func:`build_aws_world`). Call inside :func:`aws_environment` or ``mock_aws``."""
    ca = CertificateAuthority.create(workdir / "ca")
    main, destination = start_site_pair(ca, MAIN_TOKEN, DEST_TOKEN, deploy_seconds=deploy_seconds, clock=clock)
    try:
        aws = build_aws_world(
            main.address,
            destination.address,
            main_token=MAIN_TOKEN,
            destination_token=DEST_TOKEN,
            main_collectors=main_collectors,
            destination_collectors=destination_collectors,
            target_type=target_type,
            target_groups=target_groups,
            health_check_interval_seconds=health_check_interval_seconds,
            unhealthy_threshold_count=unhealthy_threshold_count,
            publish_history=publish_history,
        )
    except Exception:
        main.stop()
        destination.stop()
        raise
    world = DrillWorld(
        **{f.name: getattr(aws, f.name) for f in fields(AwsWorld)},
        ca=ca,
        main=main,
        destination=destination,
        endpoint_url=endpoint_url,
    )
    world.env["QRADAR_CA_BUNDLE"] = ca.bundle_path
    return world


def build_aws_world(
    main_address: str,
    destination_address: str,
    *,
    main_token: str,
    destination_token: str,
    main_collectors: int = 2,
    destination_collectors: int = 2,
    target_type: str = "ip",
    target_groups: int = 1,
    health_check_interval_seconds: int = 30,
    unhealthy_threshold_count: int = 3,
    publish_history: bool = True,
) -> AwsWorld:
    """Create what the module (and the architecture around it) would create, in moto: a VPC with a
    subnet per site, an NLB whose target groups (``target_groups`` of them, ``target_type`` ``ip`` or
    ``instance``) hold the collectors of both sites, the module's two alarms per target group and
    Main-Site AZ, the trigger and notification topics (each with a subscribed queue), the token
    secrets and the lock table. Every target is healthy in ``DescribeTargetHealth``. With
    ``publish_history``, the last 10 minutes of CloudWatch datapoints say every collector is healthy
    (the Main AZ's last 3 minutes are left for the caller to write); an outage timeline writes its own."""
    ec2, elb, cloudwatch = aws("ec2"), aws("elbv2"), aws("cloudwatch")
    sns, sqs, secrets = (aws(name) for name in ("sns", "sqs", "secretsmanager"))
    target_health.install()
    target_health.forget()

    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        zone: ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{index}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for index, zone in ((1, MAIN_AZ), (2, DEST_AZ))
    }
    balancer = elb.create_load_balancer(
        Name="qradar-collect", Subnets=list(subnets.values()), Type="network", Scheme="internal"
    )["LoadBalancers"][0]
    collectors = [Collector(f"10.0.1.{20 + n}", MAIN_AZ) for n in range(main_collectors)]
    collectors += [Collector(f"10.0.2.{20 + n}", DEST_AZ) for n in range(destination_collectors)]
    if target_type == "instance":
        collectors = [
            _launch_collector(ec2, collector, subnets[collector.availability_zone]) for collector in collectors
        ]
    groups: list[TargetGroupRef] = []
    for index in range(target_groups):
        name, port = ("qradar-dlc", COLLECTOR_PORT) if index == 0 else (f"qradar-syslog-{index}", 514 + index)
        group = elb.create_target_group(
            Name=name,
            Protocol="TCP",
            Port=port,
            VpcId=vpc,
            TargetType=target_type,
            HealthCheckProtocol="TCP",
            HealthCheckIntervalSeconds=health_check_interval_seconds,
            UnhealthyThresholdCount=unhealthy_threshold_count,
            HealthyThresholdCount=unhealthy_threshold_count,
        )["TargetGroups"][0]
        elb.create_listener(
            LoadBalancerArn=balancer["LoadBalancerArn"],
            Protocol="TCP",
            Port=port,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
        )
        elb.register_targets(
            TargetGroupArn=group["TargetGroupArn"],
            Targets=[{"Id": c.target_id, "Port": port} for c in collectors],
        )
        for collector in collectors:  # the API reports the AZ of IP targets only
            zone = collector.availability_zone if target_type == "ip" else None
            target_health.register(group["TargetGroupArn"], collector.target_id, zone)
        groups.append(
            TargetGroupRef("targetgroup/" + group["TargetGroupArn"].split(":targetgroup/")[1], group["TargetGroupArn"])
        )
    # CloudWatch names a load balancer by its ARN suffix; an NLB's is net/<name>/<id> (moto's ARNs
    # always say app/, so the suffix is rebuilt from the name and id for a network load balancer).
    lb_name, lb_id = balancer["LoadBalancerArn"].split("/")[-2:]
    load_balancer = f"net/{lb_name}/{lb_id}"
    target_group = groups[0].dimension

    trigger_topic = sns.create_topic(Name=f"{NAME_PREFIX}-trigger")["TopicArn"]
    notification_topic = sns.create_topic(Name=f"{NAME_PREFIX}-notifications")["TopicArn"]
    inbox_url = _subscribed_queue(sns, sqs, notification_topic, "oncall-inbox")
    trigger_tap_url = _subscribed_queue(sns, sqs, trigger_topic, "trigger-tap")

    for group, zone in ((group, zone) for group in groups for zone in (MAIN_AZ,)):  # Main-Site AZs only
        dimensions = [
            {"Name": "LoadBalancer", "Value": load_balancer},
            {"Name": "TargetGroup", "Value": group.dimension},
            {"Name": "AvailabilityZone", "Value": zone},
        ]
        for metric, alarm in HEALTH_ALARMS.items():
            name = alarm_name(group.dimension, zone, metric)
            cloudwatch.put_metric_alarm(
                AlarmName=name,
                AlarmDescription=f"QRadar Main Site collectors: {metric} in {zone}",
                Namespace="AWS/NetworkELB",
                MetricName=metric,
                Dimensions=dimensions,
                Statistic=alarm["Statistic"],
                Period=ALARM_PERIOD_SECONDS,
                EvaluationPeriods=ALARM_EVALUATION_PERIODS,
                DatapointsToAlarm=ALARM_EVALUATION_PERIODS,
                ComparisonOperator=alarm["ComparisonOperator"],
                Threshold=alarm["Threshold"],
                TreatMissingData=alarm["TreatMissingData"],
                AlarmActions=[trigger_topic],
            )
            cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="collectors healthy")

    secrets.create_secret(Name=MAIN_SECRET, SecretString=main_token)
    secrets.create_secret(Name=DEST_SECRET, SecretString=destination_token)
    create_lock_table(LOCK_TABLE)
    create_failover_function(trigger_topic)
    env = {
        "MAIN_SITE_ADDRESS": main_address,
        "DEST_SITE_ADDRESS": destination_address,
        "MAIN_SITE_TOKEN_SECRET_ARN": MAIN_SECRET,
        "DEST_SITE_TOKEN_SECRET_ARN": DEST_SECRET,
        "MAIN_SITE_AVAILABILITY_ZONES": MAIN_AZ,
        "NOTIFICATION_TOPIC_ARN": notification_topic,
        "LOCK_TABLE_NAME": LOCK_TABLE,
        # what the readiness function reads beyond the failover function's contract
        "FAILOVER_FUNCTION_NAME": FAILOVER_FUNCTION,
        "TRIGGER_TOPIC_ARN": trigger_topic,
        "DEST_SITE_AVAILABILITY_ZONES": DEST_AZ,
        "LOAD_BALANCER_ARN_SUFFIX": load_balancer,
        "TARGET_GROUPS": ",".join(group.dimension for group in groups),
    }
    world = AwsWorld(
        env=env,
        load_balancer=load_balancer,
        target_group=target_group,
        target_group_arn=groups[0].arn,
        trigger_topic_arn=trigger_topic,
        notification_topic_arn=notification_topic,
        lock_table=LOCK_TABLE,
        inbox_url=inbox_url,
        trigger_tap_url=trigger_tap_url,
        collectors=collectors,
        groups=groups,
    )
    if publish_history:
        world.publish_health(MAIN_AZ, healthy=main_collectors, unhealthy=0, minutes_ago=range(10, 3, -1))
        world.publish_health(DEST_AZ, healthy=destination_collectors, unhealthy=0, minutes_ago=range(10, 0, -1))
    return world


def _launch_collector(ec2: Any, collector: Collector, subnet_id: str) -> Collector:
    """An EC2 instance for a collector (its placement is its subnet's AZ)."""
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        InstanceType="m5.2xlarge",
        SubnetId=subnet_id,
        PrivateIpAddress=collector.ip,
    )["Instances"][0]
    return Collector(collector.ip, collector.availability_zone, instance["InstanceId"])


def create_failover_function(trigger_topic_arn: str) -> str:
    """The failover function as the module creates it, in moto: its role, its reserved concurrency
    (none by default), the permission for the trigger topic to invoke it, and its subscription to
    that topic. Its code is a placeholder: moto never runs it (see
    :func:`_keep_moto_from_running_functions`)."""
    role = aws("iam").create_role(
        RoleName=f"{NAME_PREFIX}-function",
        AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                           "Action": "sts:AssumeRole"}],
        }),
    )["Role"]["Arn"]  # fmt: skip
    functions = aws("lambda")
    function_arn = str(
        functions.create_function(
            FunctionName=FAILOVER_FUNCTION,
            Runtime="python3.12",
            Role=role,
            Handler="qradar_failover.handler.lambda_handler",
            Code={"ZipFile": _placeholder_package()},
            Timeout=300,
        )["FunctionArn"]
    )
    if FAILOVER_FUNCTION_CONCURRENCY >= 0:
        functions.put_function_concurrency(
            FunctionName=FAILOVER_FUNCTION, ReservedConcurrentExecutions=FAILOVER_FUNCTION_CONCURRENCY
        )
    functions.add_permission(
        FunctionName=FAILOVER_FUNCTION,
        StatementId=TRIGGER_PERMISSION,
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        SourceArn=trigger_topic_arn,
    )
    _keep_moto_from_running_functions()
    aws("sns").subscribe(TopicArn=trigger_topic_arn, Protocol="lambda", Endpoint=function_arn)
    return function_arn


def _placeholder_package() -> bytes:
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("README.txt", "moto holds this function's configuration; it never runs it\n")
    return package.getvalue()


def _keep_moto_from_running_functions() -> None:
    """moto delivers a topic's message to a Lambda subscriber by running the function in docker. The
    world instead hands the event SNS builds to the real handler in this process
    (:meth:`AwsWorld.deliver_through_trigger_topic`), so moto's delivery to functions is a no-op.
    moto runs in this process (in-process mock or :class:`MotoEndpoint`), so this reaches it."""
    from moto.awslambda.models import LambdaBackend

    def delivered_by_the_world(*_args: Any, **_kwargs: Any) -> None:
        return None

    LambdaBackend.send_sns_message = delivered_by_the_world  # type: ignore[method-assign]


def _subscribed_queue(sns: Any, sqs: Any, topic_arn: str, name: str) -> str:
    queue_url = str(sqs.create_queue(QueueName=name)["QueueUrl"])
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return queue_url


def alarm_time(moment: datetime) -> str:
    """CloudWatch's way of writing a time in an alarm message: ``2026-12-06T03:00:00.000+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def cloudwatch_alarm_message(alarm: Mapping[str, Any], old_state: str = "OK") -> dict[str, Any]:
    """The JSON CloudWatch publishes to an alarm action topic, from a ``describe_alarms`` entry."""
    arn = str(alarm["AlarmArn"])

    def stamp(value: Any) -> str | None:
        return alarm_time(value) if isinstance(value, datetime) else None

    return {
        "AlarmName": alarm["AlarmName"],
        "AlarmDescription": alarm.get("AlarmDescription"),
        "AWSAccountId": arn.split(":")[4],
        "AlarmConfigurationUpdatedTimestamp": stamp(alarm.get("AlarmConfigurationUpdatedTimestamp")),
        "NewStateValue": alarm["StateValue"],
        "NewStateReason": alarm.get("StateReason", ""),
        "StateChangeTime": stamp(alarm.get("StateUpdatedTimestamp")) or stamp(datetime.now(UTC)),
        "Region": REGION_NAME,
        "AlarmArn": arn,
        "OldStateValue": old_state,
        "OKActions": list(alarm.get("OKActions", [])),
        "AlarmActions": list(alarm.get("AlarmActions", [])),
        "InsufficientDataActions": list(alarm.get("InsufficientDataActions", [])),
        "Trigger": {
            "MetricName": alarm["MetricName"],
            "Namespace": alarm["Namespace"],
            "StatisticType": "Statistic",
            "Statistic": str(alarm.get("Statistic", "")).upper(),
            "Unit": alarm.get("Unit"),
            "Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in alarm.get("Dimensions", [])],
            "Period": alarm.get("Period"),
            "EvaluationPeriods": alarm.get("EvaluationPeriods"),
            "DatapointsToAlarm": alarm.get("DatapointsToAlarm"),
            "ComparisonOperator": alarm.get("ComparisonOperator"),
            "Threshold": alarm.get("Threshold"),
            "TreatMissingData": alarm.get("TreatMissingData", "missing"),
            "EvaluateLowSampleCountPercentile": "",
        },
    }


def lambda_sns_event(envelope: Mapping[str, Any], subscription_arn: str) -> dict[str, Any]:
    """The event Lambda receives for one SNS notification (``Records[0].Sns``), from the envelope
    an SQS subscriber of the same topic receives (which spells the two URL keys ``...URL``)."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "Sns": {
                    "Type": envelope.get("Type", "Notification"),
                    "MessageId": envelope["MessageId"],
                    "TopicArn": envelope["TopicArn"],
                    "Subject": envelope.get("Subject"),
                    "Message": envelope["Message"],
                    "Timestamp": envelope.get("Timestamp"),
                    "SignatureVersion": envelope.get("SignatureVersion", "1"),
                    "Signature": envelope.get("Signature", ""),
                    "SigningCertUrl": envelope.get("SigningCertURL", ""),
                    "UnsubscribeUrl": envelope.get("UnsubscribeURL", ""),
                    "MessageAttributes": envelope.get("MessageAttributes", {}),
                },
            }
        ]
    }
