"""`qradar-failover readiness` output and `status`'s last-result line, without consoles (moto in-process)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from qradar_failover.config import load_config
from qradar_failover.readiness import ReadinessReport
from qradar_failover.readiness_checks import Check, CheckResult, Status
from qradar_failover_cli.readiness import last_result, report_lines, status_line
from support.events import FAKE_SITES_ENV, REGION

NOW = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)


def report(*failing: Check, detail: str = "fine", warning: tuple[Check, ...] = ()) -> ReadinessReport:
    checks = tuple(
        CheckResult(name, Status.FAIL if name in failing else Status.WARN if name in warning else Status.OK, detail)
        for name in Check
    )
    return ReadinessReport("run-1", NOW.timestamp(), 1.25, checks)


def test_the_table_fits_80_columns_and_wraps_long_details() -> None:
    long_detail = "nobody would hear: the notification topic has no confirmed subscription " * 4

    lines = report_lines(report(Check.NOTIFICATION_SUBSCRIBERS, detail=long_detail).as_dict())

    assert max(len(line) for line in lines) <= 80
    assert lines[0] == f"Readiness: NOT READY (1 of {len(Check)} checks failed)"
    assert lines[1] == "checked 2026-11-28T01:30:00.000Z in 1.2 s"
    rows = [line for line in lines if line[:2].strip().isdigit()]
    assert [row.split()[1] for row in rows] == [name.value for name in Check]
    assert " ".join(line.strip() for line in lines[5:]).count("nobody would hear") == 4 * len(Check)


def test_the_table_widens_with_the_terminal() -> None:
    lines = report_lines(report(Check.LOCK, detail="x " * 100).as_dict(), width=160)

    assert max(len(line) for line in lines) > 80
    assert max(len(line) for line in lines) <= 160


def test_a_ready_report_says_ready_and_ok_on_every_row() -> None:
    lines = report_lines(report().as_dict())

    assert lines[0] == "Readiness: READY"
    assert sum(" ok " in line for line in lines) == len(Check)


def test_a_warning_is_its_own_result_and_the_deployment_stays_ready() -> None:
    lines = report_lines(report(warning=(Check.LOCK,)).as_dict())

    assert lines[0] == "Readiness: READY with 1 warning (lock)"
    (row,) = [line for line in lines if " lock " in line]
    assert row.split()[2] == "WARN"


def test_failures_and_warnings_are_both_counted() -> None:
    lines = report_lines(report(Check.DR_STATE, warning=(Check.LOCK, Check.FAILOVER_FUNCTION)).as_dict())

    assert lines[0] == f"Readiness: NOT READY (1 of {len(Check)} checks failed; 2 warnings (lock, failover_function))"


def test_a_result_from_before_warnings_existed_is_still_shown() -> None:
    document = report(Check.LOCK).as_dict()
    for check in document["checks"]:
        del check["status"]

    lines = report_lines(document)

    (row,) = [line for line in lines if " lock " in line]
    assert row.split()[2] == "FAILED"


@pytest.fixture
def cloudwatch(aws_credentials: None) -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("cloudwatch", region_name=REGION)


def put(cloudwatch: Any, metric: str, value: float, at: datetime, check: str | None = None) -> None:
    dimensions = [{"Name": "FailoverFunction", "Value": "qradar-failover"}]
    if check:  # in the order EMF gives them (sorted), which moto, unlike CloudWatch, matches exactly
        dimensions.insert(0, {"Name": "Check", "Value": check})
    cloudwatch.put_metric_data(
        Namespace="QRadarFailover",
        MetricData=[{"MetricName": metric, "Dimensions": dimensions, "Value": value, "Timestamp": at}],
    )


def test_last_result_is_the_latest_ready_datapoint_with_the_checks_that_failed_then(cloudwatch: Any) -> None:
    earlier = NOW - timedelta(minutes=15)
    put(cloudwatch, "Ready", 1, earlier - timedelta(minutes=15))
    put(cloudwatch, "Ready", 0, earlier)
    put(cloudwatch, "CheckFailed", 1, earlier, "consoles")
    put(cloudwatch, "Ready", 0, NOW)
    put(cloudwatch, "CheckFailed", 1, NOW, "lock")
    put(cloudwatch, "CheckFailed", 1, NOW, "notification_subscribers")

    last = last_result(cloudwatch, "QRadarFailover", "qradar-failover", now=NOW + timedelta(minutes=1))

    assert last is not None
    assert last.at == NOW
    assert not last.ready
    assert last.failing == ("lock", "notification_subscribers")


def test_status_line_says_ready_and_when(cloudwatch: Any) -> None:
    at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    put(cloudwatch, "Ready", 1, at)
    env = FAKE_SITES_ENV | {"FAILOVER_FUNCTION_NAME": "qradar-failover"}

    text, data = status_line(cloudwatch, load_config(env), env)

    assert text == f"Readiness: ready (last check {at.strftime('%Y-%m-%d %H:%M')} UTC)"
    assert data == {
        "at": at.isoformat(),
        "ready": True,
        "failing_checks": [],
        "warning_checks": [],
        "replication_lag_seconds": None,
    }


def test_status_line_names_the_checks_that_warned(cloudwatch: Any) -> None:
    at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    put(cloudwatch, "Ready", 1, at)
    put(cloudwatch, "CheckWarned", 1, at, "lock")
    env = FAKE_SITES_ENV | {"FAILOVER_FUNCTION_NAME": "qradar-failover"}

    text, data = status_line(cloudwatch, load_config(env), env)

    assert text == (
        f"Readiness: ready with warnings (last check {at.strftime('%Y-%m-%d %H:%M')} UTC; warnings: lock); details: "
        "qradar-failover readiness --function qradar-failover-readiness"
    ), "the command to run, with the readiness function it reads (the failover function's name + -readiness)"
    assert data is not None and data["warning_checks"] == ["lock"] and data["ready"] is True


def test_status_line_shows_the_replication_lag_measured_then(cloudwatch: Any) -> None:
    at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    put(cloudwatch, "Ready", 1, at)
    put(cloudwatch, "ReplicationLagSeconds", 2100, at)
    env = FAKE_SITES_ENV | {"FAILOVER_FUNCTION_NAME": "qradar-failover"}

    text, data = status_line(cloudwatch, load_config(env), env)

    assert text == f"Readiness: ready (last check {at.strftime('%Y-%m-%d %H:%M')} UTC; replication lag 35 min)"
    assert data is not None and data["replication_lag_seconds"] == 2100


def test_status_line_says_the_readiness_function_is_not_running_without_a_result(cloudwatch: Any) -> None:
    env = FAKE_SITES_ENV | {"FAILOVER_FUNCTION_NAME": "qradar-failover"}

    text, data = status_line(cloudwatch, load_config(env), env)

    assert text.startswith("Readiness: no result in the last 24 h: the readiness function is not running")
    assert data is None


def test_status_line_without_the_function_name_says_how_to_see_it(cloudwatch: Any) -> None:
    text, data = status_line(cloudwatch, load_config(FAKE_SITES_ENV), FAKE_SITES_ENV)

    assert text == (
        "Readiness: unknown (pass --function, or set FAILOVER_FUNCTION_NAME, to see the readiness function's last "
        "result)"
    )
    assert data is None


def test_status_line_says_when_the_metrics_cannot_be_read() -> None:
    from botocore.exceptions import ClientError

    class DeniedCloudWatch:
        def get_metric_data(self, **_kwargs: Any) -> Any:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetMetricData")

    env = FAKE_SITES_ENV | {"FAILOVER_FUNCTION_NAME": "qradar-failover"}

    text, data = status_line(DeniedCloudWatch(), load_config(env), env)

    assert text == "Readiness: last result cannot be read (cloudwatch:GetMetricData: AccessDenied)"
    assert data is None


def test_status_with_function_reads_the_readiness_result_of_that_function(cloudwatch: Any) -> None:
    import argparse
    from types import SimpleNamespace

    from qradar_failover_cli.readiness import readiness_status

    at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=2)
    put(cloudwatch, "Ready", 1, at)
    aws = SimpleNamespace(client=lambda _service: cloudwatch)
    deployment = SimpleNamespace(
        env=dict(FAKE_SITES_ENV), config=load_config(FAKE_SITES_ENV), aws=aws, region="ca-central-1"
    )
    args = argparse.Namespace(function="arn:aws:lambda:ca-central-1:123456789012:function:qradar-failover")

    text, data = readiness_status(deployment, args)

    assert text.startswith("Readiness: ready (last check ")
    assert data is not None and data["ready"] is True
