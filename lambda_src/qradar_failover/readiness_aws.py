"""The AWS reads the readiness checks need beyond the failover's own adapters: the alarms watching a
load balancer health metric, a topic's subscriptions, and the failover function's state. Read calls only.

A failure surfaces as :class:`AwsReadFailed`, an :class:`~qradar_failover.aws_errors.AwsError`
that also names the operation; anything else (a coding bug) is left to surface as itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .aws_errors import AWS_ERRORS, AwsError, aws_error_code
from .events import ELB_NAMESPACES, HEALTH_METRICS


class AwsReadFailed(AwsError):
    """An AWS read failed; ``operation`` is the IAM action, ``aws_error_code`` what AWS answered."""

    def __init__(self, operation: str, cause: BaseException | None = None) -> None:
        self.operation = operation
        super().__init__(operation, cause)


@dataclass(frozen=True)
class HealthAlarm:
    """A load balancer health alarm (per target group and AZ) as CloudWatch holds it."""

    name: str
    arn: str
    state: str  # OK, ALARM, INSUFFICIENT_DATA
    actions_enabled: bool
    alarm_actions: tuple[str, ...]
    namespace: str
    metric_name: str
    load_balancer: str
    target_group: str
    availability_zone: str
    datapoints_to_alarm: int | None = None  # M of "M out of N" (CloudWatch's default: N)
    period: int | None = None  # seconds


@dataclass(frozen=True)
class Subscription:
    arn: str  # "PendingConfirmation" until the endpoint confirms
    protocol: str
    endpoint: str

    @property
    def confirmed(self) -> bool:
        return self.arn.startswith("arn:")


@dataclass(frozen=True)
class FunctionState:
    arn: str
    state: str  # Active, Pending, Inactive, Failed
    state_reason_code: str | None
    state_reason: str | None
    last_update_status: str | None
    reserved_concurrency: int | None  # None: no reservation (shares the account's pool)
    sns_invoke_sources: tuple[str, ...] | None  # SourceArns SNS may invoke it for; None: no resource policy
    timeout: int | None = None  # seconds: no run lasts longer
    last_update_status_reason_code: str | None = None
    last_update_status_reason: str | None = None


class CloudWatchAlarms(Protocol):
    def describe_alarms_for_metric(self, **kwargs: Any) -> Mapping[str, Any]: ...


class SnsSubscriptions(Protocol):
    def get_paginator(self, operation_name: str) -> Any: ...


class LambdaFunctions(Protocol):
    def get_function_configuration(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def get_function_concurrency(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def get_policy(self, **kwargs: Any) -> Mapping[str, Any]: ...


@dataclass
class AwsDeploymentReader:
    cloudwatch: CloudWatchAlarms
    sns: SnsSubscriptions
    lambda_: LambdaFunctions

    def alarms_for_metric(self, namespace: str, metric: str, dimensions: Mapping[str, str]) -> list[HealthAlarm]:
        """Every metric alarm on exactly this metric (namespace, name and dimensions), whatever its actions:
        an alarm that lost its action is found and named, not missed."""
        try:
            response = self.cloudwatch.describe_alarms_for_metric(
                Namespace=namespace,
                MetricName=metric,
                Dimensions=[{"Name": name, "Value": value} for name, value in sorted(dimensions.items())],
            )
        except AWS_ERRORS as error:
            raise AwsReadFailed("cloudwatch:DescribeAlarmsForMetric", error) from None
        wanted = dict(dimensions)
        return [
            alarm
            for item in response.get("MetricAlarms", [])
            # the API matches the metric exactly already; moto matches namespace and name only
            if item.get("Namespace") == namespace
            and item.get("MetricName") == metric
            and {d.get("Name"): d.get("Value") for d in item.get("Dimensions", [])} == wanted
            and (alarm := _health_alarm(item))
        ]

    def subscriptions(self, topic_arn: str) -> list[Subscription]:
        try:
            pages = self.sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
            return [
                Subscription(str(item.get("SubscriptionArn")), str(item.get("Protocol")), str(item.get("Endpoint")))
                for page in pages
                for item in page.get("Subscriptions", [])
            ]
        except AWS_ERRORS as error:
            raise AwsReadFailed("sns:ListSubscriptionsByTopic", error) from None

    def failover_function(self, name: str) -> FunctionState:
        try:
            configuration = self.lambda_.get_function_configuration(FunctionName=name)
        except AWS_ERRORS as error:
            raise AwsReadFailed("lambda:GetFunctionConfiguration", error) from None
        try:
            concurrency = self.lambda_.get_function_concurrency(FunctionName=name)
        except AWS_ERRORS as error:
            raise AwsReadFailed("lambda:GetFunctionConcurrency", error) from None
        reserved = concurrency.get("ReservedConcurrentExecutions")
        return FunctionState(
            arn=str(configuration.get("FunctionArn")),
            state=str(configuration.get("State") or "Active"),  # functions created before states existed
            state_reason_code=configuration.get("StateReasonCode"),
            state_reason=configuration.get("StateReason"),
            last_update_status=configuration.get("LastUpdateStatus"),
            reserved_concurrency=int(reserved) if isinstance(reserved, int) else None,
            sns_invoke_sources=self._sns_invoke_sources(name),
            timeout=int(configuration["Timeout"]) if isinstance(configuration.get("Timeout"), int) else None,
            last_update_status_reason_code=configuration.get("LastUpdateStatusReasonCode"),
            last_update_status_reason=configuration.get("LastUpdateStatusReason"),
        )

    def _sns_invoke_sources(self, name: str) -> tuple[str, ...] | None:
        try:
            response = self.lambda_.get_policy(FunctionName=name)
        except AWS_ERRORS as error:
            if aws_error_code(error) == "ResourceNotFoundException":
                return None  # no resource policy at all: nothing may invoke it
            raise AwsReadFailed("lambda:GetPolicy", error) from None
        try:
            policy = json.loads(str(response.get("Policy") or "{}"))
        except ValueError:
            return ()
        return tuple(_sns_sources(policy))


def _health_alarm(item: Mapping[str, Any]) -> HealthAlarm | None:
    dimensions = {d.get("Name"): d.get("Value") for d in item.get("Dimensions", [])}
    zone = dimensions.get("AvailabilityZone")
    if item.get("Namespace") not in ELB_NAMESPACES or item.get("MetricName") not in HEALTH_METRICS or not zone:
        return None
    return HealthAlarm(
        name=str(item.get("AlarmName")),
        arn=str(item.get("AlarmArn")),
        state=str(item.get("StateValue") or "INSUFFICIENT_DATA"),
        actions_enabled=bool(item.get("ActionsEnabled", True)),
        alarm_actions=tuple(str(action) for action in item.get("AlarmActions", [])),
        namespace=str(item["Namespace"]),
        metric_name=str(item["MetricName"]),
        load_balancer=str(dimensions.get("LoadBalancer") or ""),
        target_group=str(dimensions.get("TargetGroup") or ""),
        availability_zone=str(zone),
        datapoints_to_alarm=_whole(item.get("DatapointsToAlarm")) or _whole(item.get("EvaluationPeriods")),
        period=_whole(item.get("Period")),
    )


def _whole(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _sns_sources(policy: Mapping[str, Any]) -> list[str]:
    """SourceArns of the Allow statements that let SNS invoke the function ("*" when unconditioned)."""
    statements = policy.get("Statement", [])
    sources: list[str] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal", {})
        service = principal.get("Service") if isinstance(principal, dict) else None
        services = service if isinstance(service, list) else [service]
        actions = statement.get("Action")
        action_list = actions if isinstance(actions, list) else [actions]
        if "sns.amazonaws.com" not in services or not {"lambda:InvokeFunction", "lambda:*"} & set(action_list):
            continue
        conditions = statement.get("Condition", {})
        arns = [
            value
            for test in ("ArnLike", "ArnEquals", "StringEquals", "StringLike")
            for key, value in (conditions.get(test) or {}).items()
            if key.lower() == "aws:sourcearn"
        ]
        flat = [arn for value in arns for arn in (value if isinstance(value, list) else [value])]
        sources += [str(arn) for arn in flat] or ["*"]
    return sources
