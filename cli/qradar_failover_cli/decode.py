"""``qradar-failover decode``: how the function reads an event file and what it would do with it."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from qradar_failover.config import ConfigError, DecisionSettings, load_decision_settings
from qradar_failover.events import AlarmRecord, AlarmState, EventRejected, EventSource, NotAnEvent, decode_event
from qradar_failover.health import HealthUnavailable, LiveTargetHealth, UnknownTargetGroup
from qradar_failover.runtime import aws_call_bound_seconds

from .alarms import read_event_file
from .deployment import settings_of_function
from .exit_codes import CliError, ExitCode
from .problems import aws_advice
from .render import emit_json
from .settings import AwsAccess, aws_access, environment, explain_config_error
from .streams import Io
from .views import LIVE_HEALTH_CALLS

_DELIVERIES = {
    EventSource.SNS: "an SNS delivery of a CloudWatch alarm",
    EventSource.EVENTBRIDGE: "an EventBridge delivery of a CloudWatch alarm state change",
    EventSource.DIRECT: "a plain CloudWatch alarm message (what a console test event carries)",
}


def run(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    decoded = _decoded(args.file)
    alarm = decoded if isinstance(decoded, AlarmRecord) else None
    base: Mapping[str, str] = environ
    aws: AwsAccess | None = None
    hint = " (or pass --offline)"
    if args.function:
        aws = aws_access(args, environ, offline_hint=hint)
        base = settings_of_function(
            aws, args.function, args, environ, with_ca_bundle=False, wait_for=io.wait_for
        ).variables
    env = environment(args, base)
    try:
        settings = load_decision_settings(env)
    except ConfigError as error:
        raise CliError(explain_config_error(error), ExitCode.USAGE) from None
    plan: list[str] = []
    live: str | None = None
    if alarm is None:
        decision, code = f"rejected: {decoded}", ExitCode.FAILED
    else:
        decision, code, plan = _decision(alarm, settings)
        if code is ExitCode.OK and args.offline:
            decision += " (target group not checked: --offline)"
        elif code is ExitCode.OK:
            aws = aws or aws_access(args, env, offline_hint=hint)
            with io.wait_for("live target health (CloudWatch, ELB)", LIVE_HEALTH_CALLS * aws_call_bound_seconds()):
                decision, code, live = _check_target_group(alarm, aws, decision)
    if io.json:
        emit_json(
            {
                "file": str(args.file),
                "delivery": _DELIVERIES[alarm.source] if alarm else None,
                "alarm": _alarm_fields(alarm) if alarm else None,
                "decision": decision,
                "live_target_health": live,
                "plan": plan if code is ExitCode.OK else [],
                "exit_code": int(code),
            },
            io.out,
        )
        return code
    if alarm is not None:
        io.say(f"Interpreted as {_DELIVERIES[alarm.source]}")
        for name, value in _alarm_fields(alarm).items():
            io.say(f"  {name.replace('_', ' ') + ':':18} {value if value is not None else '-'}")
    io.say(f"Decision: {decision}")
    if live:
        io.say(f"Live target health now: {live}")
    if code is ExitCode.OK:
        for number, step in enumerate(plan, start=1):
            io.say(f"  {number}. {step}")
    return code


def _decoded(path: str) -> AlarmRecord | EventRejected:
    """The alarm the file holds, or why the function rejects it. A file that holds no event at all is bad
    input, said before anything is read."""
    try:
        return decode_event(read_event_file(path))
    except NotAnEvent as error:
        raise CliError(f"{path} is not an alarm event: {error}", ExitCode.USAGE) from None
    except EventRejected as error:
        return error


def _decision(alarm: AlarmRecord, settings: DecisionSettings) -> tuple[str, ExitCode, list[str]]:
    zones = settings.main_site_availability_zones
    if alarm.state is not AlarmState.ALARM:
        return f"ignored: alarm state is {alarm.state.value}: nothing to fail over", ExitCode.FAILED, []
    if not zones:
        return (
            f"cannot tell: is {alarm.availability_zone} a Main-Site AZ? The Main-Site AZs are not set (pass "
            "--main-site-availability-zones, or --function NAME)",
            ExitCode.USAGE,
            [],
        )
    if alarm.availability_zone not in zones:
        return (
            f"ignored: {alarm.availability_zone} is not a Main-Site availability zone ({', '.join(sorted(zones))})",
            ExitCode.FAILED,
            [],
        )
    decision = f"acted on: ALARM for the Main-Site AZ {alarm.availability_zone}"
    minimum = settings.min_healthy_collectors
    plan = [
        "unless the lock table already records a failover or a running one (then: a duplicate, no changes)",
        f"check that CloudWatch knows {alarm.target_group} on {alarm.load_balancer} in this account and region; "
        "refuse (and notify) otherwise: the event does not describe this deployment",
        f"confirm with live target health: CloudWatch HealthyHostCount and ELB DescribeTargetHealth for "
        f"{alarm.target_group} in {alarm.availability_zone}; refuse (and notify) if {minimum} or more collectors "
        "are still healthy",
    ]
    if settings.dry_run:
        plan.append("DRY_RUN is set: read both consoles, notify the plan, write nothing")
    else:
        plan += [
            "claim the lock (exactly one run proceeds)",
            "Destination: stage PRIMARY/ACTIVE with ariel copy on, deploy, wait, verify it is deployed ACTIVE",
            "Main (bounded by MAIN_SITE_BUDGET_SECONDS): stage STANDBY with ariel copy off, disable every ariel "
            "copy profile, deploy; if unreachable, leave these as manual steps",
            "record FAILED_OVER in the lock table (later alarms are ignored until 'qradar-failover rearm')",
        ]
    plan.append("notify the notification topic with the outcome")
    return decision, ExitCode.OK, plan


def _check_target_group(alarm: AlarmRecord, aws: AwsAccess, decision: str) -> tuple[str, ExitCode, str | None]:
    """The function's first live check, asked of CloudWatch here (cloudwatch:ListMetrics)."""
    health = LiveTargetHealth(aws.client("cloudwatch"), aws.client("elbv2"))
    try:
        evidence = health.confirm(alarm)
    except UnknownTargetGroup as error:
        return f"refused: {error} ({aws.region}): {error.explanation}", ExitCode.FAILED, None
    except HealthUnavailable as error:
        codes = error.aws_error_codes.values()
        code = max((aws_advice(code, aws.region)[1] for code in codes), default=ExitCode.UNREACHABLE)
        return (
            f"not decided: live target health could not be read in {aws.region} ({error}): the function does not "
            "fail over on an alarm it cannot confirm (unless FAILOVER_WHEN_UNCONFIRMED=true); run decode again when "
            "AWS answers, or --offline",
            code,
            None,
        )
    return decision, ExitCode.OK, f"{evidence.summary()} (the function confirms again when the alarm arrives)"


def _alarm_fields(alarm: AlarmRecord) -> dict[str, Any]:
    return {
        "alarm": alarm.alarm_name,
        "state": alarm.state.value,
        "changed_at": alarm.state_changed_at,
        "metric": f"{alarm.namespace} {alarm.metric_name}",
        "load_balancer": alarm.load_balancer,
        "target_group": alarm.target_group,
        "availability_zone": alarm.availability_zone,
        "region": alarm.region,
        "account": alarm.account_id,
        "delivery_id": alarm.delivery_id,
    }
