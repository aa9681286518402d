"""`qradar-failover drill --outage NAME`: a named outage minute by minute, on simulated time."""

from __future__ import annotations

import io
import json

import pytest

from qradar_failover_cli.main import main

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def drill(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["drill", *argv], environ={"COLUMNS": "100"}, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_a_lost_main_az_is_shown_minute_by_minute_and_ends_with_the_measured_times() -> None:
    code, out, err = drill("--outage", "az-power-loss")

    assert code == 0, out + err
    assert "Minute by minute" in out
    assert "GONE" in out, "the Main AZ's load balancer node stops"
    assert "2 unhealthy" in out, "the health checks fail"
    assert "healthy-collectors-below-1: OK -> ALARM" in out
    assert "attempt 1: failed_over" in out
    assert "Measured: detected after" in out and "Destination verified ACTIVE after" in out
    assert "Verdict: PASSED" in out
    assert all(len(line) <= 100 for line in out.splitlines())


def test_a_look_alike_ends_refused_and_passes() -> None:
    code, out, _ = drill("--outage", "one-collector-of-two", "--json")

    document = json.loads(out)
    assert code == 0
    assert (document["decision"], document["expected_failover"], document["passed"]) == ("refused", False, True)
    assert [run["outcome"] for run in document["runs"]] == ["refused"]


def test_an_unknown_outage_is_a_usage_error_that_names_them_all() -> None:
    code, _, err = drill("--outage", "meteor")

    assert code == 2
    assert "az-power-loss" in err and "cloudwatch-delay" in err and "'meteor'" in err
