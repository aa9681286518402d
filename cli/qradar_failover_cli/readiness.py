"""``qradar-failover readiness``: the readiness function's checks from an operator's machine,
and the readiness function's last published result for ``status``.

Both go through the engine's own code (the checks in :mod:`qradar_failover.readiness`, the
metric names in :mod:`qradar_failover.readiness_handler`), so an operator and the scheduled
function judge the same deployment the same way.
"""

from __future__ import annotations

import argparse
import getpass
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from qradar_failover.aws_errors import AWS_ERRORS, aws_error_code
from qradar_failover.config import Config, ConfigError, load_readiness_settings
from qradar_failover.deadline import Deadline
from qradar_failover.observability import FUNCTION_DIMENSION, human_duration
from qradar_failover.readiness import run_checks
from qradar_failover.readiness_checks import Check, Status
from qradar_failover.readiness_handler import (
    CHECK_DIMENSION,
    CHECK_FAILED_METRIC,
    CHECK_WARNED_METRIC,
    DEFAULT_TIME_BUDGET_SECONDS,
    READY_METRIC,
    REPLICATION_LAG_METRIC,
)
from qradar_failover.runtime import build_readiness_collaborators

from .deployment import deployment_for
from .exit_codes import CliError, ExitCode
from .render import emit_json
from .settings import explain_config_error

_LAST_RESULT_WINDOW = timedelta(hours=24)


def run(args: argparse.Namespace, environ: Mapping[str, str], io: Any) -> int:
    deployment = deployment_for(args, environ, wait_for=io.wait_for)
    try:
        settings = load_readiness_settings(deployment.env, deployment.config)
    except ConfigError as error:
        message = explain_config_error(error)
        if getattr(args, "function", None):
            message += " (the failover function's environment lacks it: pass --function with the readiness function)"
        raise CliError(message, ExitCode.USAGE) from None
    collaborators = build_readiness_collaborators(deployment.config, settings, session=deployment.aws.session)
    report = run_checks(
        deployment.config,
        settings,
        collaborators,
        Deadline.after(DEFAULT_TIME_BUDGET_SECONDS),
        f"cli-{getpass.getuser()}",
    )
    code = ExitCode.OK if report.ready else ExitCode.FAILED
    if io.json:
        emit_json(report.as_dict() | {"exit_code": int(code)}, io.out)
    else:
        for line in report_lines(report.as_dict(), io.width):
            io.say(line)
    return int(code)


def report_lines(report: Mapping[str, Any], width: int = 80) -> list[str]:
    """A readiness result (the function's and the command's JSON document) as a table no wider than
    ``width``: number, check, result (ok, WARN, FAILED), and the detail wrapped."""
    checks = report["checks"]
    name_width = max(len(name.value) for name in Check)
    prefix = f"{'#':>2}  {'check':{name_width}}  {'result':6}  "
    detail_width = max(20, width - len(prefix))
    statuses = [check_status(check) for check in checks]
    failing = statuses.count(Status.FAIL)
    warned = [check["name"] for check, status in zip(checks, statuses, strict=True) if status is Status.WARN]
    warnings = f"{len(warned)} warning{'s' if len(warned) != 1 else ''} ({', '.join(warned)})" if warned else ""
    if report["ready"]:
        verdict = f"READY with {warnings}" if warned else "READY"
    else:
        verdict = f"NOT READY ({failing} of {len(checks)} checks failed" + (f"; {warnings})" if warned else ")")
    lines = [
        f"Readiness: {verdict}",
        f"checked {report['checked_at']} in {report['duration_seconds']:.1f} s",
        "",
        prefix + "detail",
        f"{'-' * 2}  {'-' * name_width}  {'-' * 6}  {'-' * min(detail_width, 40)}",
    ]
    for number, (check, status) in enumerate(zip(checks, statuses, strict=True), start=1):
        wrapped = textwrap.wrap(check["detail"], detail_width, break_on_hyphens=False) or [""]
        lines.append(f"{number:>2}  {check['name']:{name_width}}  {_RESULT[status]:6}  {wrapped[0]}")
        lines += [" " * len(prefix) + rest for rest in wrapped[1:]]
    return lines


_RESULT = {Status.OK: "ok", Status.WARN: "WARN", Status.FAIL: "FAILED"}


def check_status(check: Mapping[str, Any]) -> Status:
    """A check's result in a readiness document (a function deployed before warnings existed has only "ok")."""
    status = check.get("status")
    if status in {member.value for member in Status}:
        return Status(status)
    return Status.OK if check["ok"] else Status.FAIL


# --- the last published result, for `status` ---------------------------------------------------
@dataclass(frozen=True)
class LastResult:
    at: datetime
    ready: bool
    failing: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    replication_lag_seconds: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "ready": self.ready,
            "failing_checks": list(self.failing),
            "warning_checks": list(self.warnings),
            "replication_lag_seconds": self.replication_lag_seconds,
        }


def last_result(
    cloudwatch: Any, namespace: str, failover_function: str, now: datetime | None = None
) -> LastResult | None:
    """The readiness function's latest ``Ready`` datapoint (last 24 h) and the checks that failed or warned
    then."""
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)  # periods align to whole minutes
    function = {"Name": FUNCTION_DIMENSION, "Value": failover_function}
    per_check = {"failed": CHECK_FAILED_METRIC, "warned": CHECK_WARNED_METRIC}
    queries: list[dict[str, Any]] = [
        _query("ready", namespace, READY_METRIC, [function], "Minimum"),
        _query("lag", namespace, REPLICATION_LAG_METRIC, [function], "Maximum"),
    ]
    queries += [
        _query(f"{kind}{index}", namespace, metric, [{"Name": CHECK_DIMENSION, "Value": check.value}, function],
               "Maximum")
        for kind, metric in per_check.items()
        for index, check in enumerate(Check)
    ]  # fmt: skip
    response = cloudwatch.get_metric_data(
        MetricDataQueries=queries,
        StartTime=now - _LAST_RESULT_WINDOW,
        EndTime=now + timedelta(minutes=1),
        ScanBy="TimestampDescending",
    )
    series = {result["Id"]: list(zip(result["Timestamps"], result["Values"], strict=False))
              for result in response.get("MetricDataResults", [])}  # fmt: skip
    ready = series.get("ready") or []
    if not ready:
        return None
    at, value = max(ready, key=lambda point: point[0])

    def checks(kind: str) -> tuple[str, ...]:
        return tuple(
            check.value
            for index, check in enumerate(Check)
            if any(abs((stamp - at).total_seconds()) <= 60 and hit for stamp, hit in series.get(f"{kind}{index}", []))
        )

    lags = [lag for stamp, lag in series.get("lag", []) if abs((stamp - at).total_seconds()) <= 60]
    return LastResult(at, value >= 1, checks("failed"), checks("warned"), max(lags) if lags else None)


def readiness_status(deployment: Any, args: argparse.Namespace) -> tuple[str, dict[str, Any] | None]:
    """For `status`: the readiness function's last result as one line, and as data (None: unknown)."""
    env = dict(deployment.env)
    function = failover_function(env, args)
    if function:
        env["FAILOVER_FUNCTION_NAME"] = function
    return status_line(deployment.aws.client("cloudwatch"), deployment.config, env, region=deployment.region)


def status_line(
    cloudwatch: Any, config: Config, environ: Mapping[str, str], *, region: str | None = None
) -> tuple[str, dict[str, Any] | None]:
    """One line for `status`: the readiness function's last result and its time, and the same as data."""
    function = (environ.get("FAILOVER_FUNCTION_NAME") or "").strip()
    details = readiness_command(function, region)
    if not function:
        return (
            "Readiness: unknown (pass --function, or set FAILOVER_FUNCTION_NAME, to see the readiness "
            "function's last result)",
            None,
        )
    try:
        last = last_result(cloudwatch, config.metrics_namespace, function)
    except AWS_ERRORS as error:
        return f"Readiness: last result cannot be read (cloudwatch:GetMetricData: {aws_error_code(error)})", None
    if last is None:
        return (
            "Readiness: no result in the last 24 h: the readiness function is not running (schedule off, or "
            f"broken: see its log group); run: {details}",
            None,
        )
    at = last.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    warned = f"; warnings: {', '.join(last.warnings)}" if last.warnings else ""
    if last.replication_lag_seconds is not None:
        warned += f"; replication lag {human_duration(last.replication_lag_seconds)}"
    if last.ready:
        hint = f"; details: {details}" if last.warnings else ""
        verdict = "ready with warnings" if last.warnings else "ready"
        return f"Readiness: {verdict} (last check {at}{warned}){hint}", last.as_dict()
    failed = ", ".join(last.failing) or "unknown, see its log group"
    return f"Readiness: NOT READY (last check {at}; failed: {failed}{warned}); details: {details}", last.as_dict()


def failover_function(env: Mapping[str, str], args: argparse.Namespace) -> str:
    """The failover function's name: FAILOVER_FUNCTION_NAME, else the function --function names ("": neither)."""
    named = (env.get("FAILOVER_FUNCTION_NAME") or "").strip() or str(getattr(args, "function", None) or "")
    return _function_name(named) if named else ""


def readiness_command(failover_function: str, region: str | None) -> str:
    """The command that runs the checks with what it needs: the readiness function, which the module names
    ``<name>-readiness`` after the failover function, holds every setting."""
    where = f" --region {region}" if region else ""
    return f"qradar-failover readiness --function {_function_name(failover_function)}-readiness{where}"


def _function_name(name_or_arn: str) -> str:
    return name_or_arn.rsplit(":function:", maxsplit=1)[-1].split(":", maxsplit=1)[0]


def _query(query_id: str, namespace: str, metric: str, dimensions: list[dict[str, str]], stat: str) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": dimensions},
            "Period": 60,
            "Stat": stat,
        },
        "ReturnData": True,
    }


def _dest(name: str) -> str:
    return "readiness_" + name.lower()
