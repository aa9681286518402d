"""Every named outage, played minute by minute against the real handler, moto and the simulated consoles
(dev/qradar_devkit/outage.py): the decision each must produce, the look-alikes that must be refused, and
the promises the notices make. Each timeline is played once per session and read by several tests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from qradar_devkit.outage import OutageResult, play
from qradar_devkit.outages import OUTAGES

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FAILS_OVER = [name for name, outage in OUTAGES.items() if outage.fails_over]
LOOK_ALIKES = [name for name, outage in OUTAGES.items() if not outage.fails_over]


@pytest.fixture(scope="session")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], OutageResult]]:
    results: dict[str, OutageResult] = {}
    saved = dict(os.environ)
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    os.environ["AWS_DEFAULT_REGION"] = "ca-central-1"
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)

    def result(name: str) -> OutageResult:
        if name not in results:
            with mock_aws():
                results[name] = play(OUTAGES[name], Path(tmp_path_factory.mktemp(name)))
        return results[name]

    yield result
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.parametrize("name", FAILS_OVER)
def test_an_outage_fails_over_exactly_once_and_says_so_once(name: str, played: Callable[[str], OutageResult]) -> None:
    result = played(name)

    assert result.decision == "failed_over", [(i.outcome, i.reason) for i in result.invocations]
    destination = result.destination
    assert (destination["is_dr"], destination["site_state"], destination["ariel_copy_enabled"]) == (
        "PRIMARY",
        "ACTIVE",
        True,
    )
    assert result.lock_state == "FAILED_OVER"
    assert [i.outcome for i in result.invocations].count("failed_over") == 1
    assert len(result.notices("Failed over")) == 1


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_a_look_alike_changes_nothing(name: str, played: Callable[[str], OutageResult]) -> None:
    result = played(name)

    assert result.decision in ("refused", "not invoked"), [(i.outcome, i.reason) for i in result.invocations]
    assert (result.destination["is_dr"], result.destination["site_state"]) == ("DR", "STANDBY")
    assert (result.main["is_dr"], result.main["site_state"]) == ("PRIMARY", "ACTIVE")
    assert result.lock_state != "FAILED_OVER"
    assert result.notices("Failed over") == []


@pytest.mark.parametrize("name", list(OUTAGES))
def test_every_promised_attempt_comes_and_nothing_is_left_to_the_failure_queue(
    name: str, played: Callable[[str], OutageResult]
) -> None:
    result = played(name)

    assert result.promises_kept() == []
    assert result.failed_invocations == [], "every run concluded or handed over to a retry that did"


def test_a_lost_main_az_is_active_within_a_minute_of_its_alarm_plus_the_deploy(
    played: Callable[[str], OutageResult],
) -> None:
    result = played("az-power-loss")

    assert result.active_after_alarm is not None
    assert result.active_after_alarm <= 60 + OUTAGES["az-power-loss"].setup.deploy_seconds
    (invocation,) = result.invocations
    assert invocation.report is not None
    assert invocation.report["evidence"]["cloudwatch"]["view"] == "silent", "the stale healthy datapoint did not decide"
    assert invocation.report["recovery"]["seconds_from_breach"] > invocation.report["recovery"]["seconds_from_alarm"]


def test_instance_targets_are_placed_through_ec2(played: Callable[[str], OutageResult]) -> None:
    (invocation,) = played("az-power-loss-instance-targets").invocations

    assert invocation.report is not None
    assert invocation.report["evidence"]["elb"] == {"healthy": 0, "unhealthy": 2, "note": None}


def test_health_checks_slower_than_the_alarm_are_waited_for_within_the_invocation(
    played: Callable[[str], OutageResult],
) -> None:
    result = played("az-power-loss-slow-health-checks")

    assert [i.outcome for i in result.invocations] == ["failed_over"], "no Lambda retry needed"
    steps = [s for s in (result.invocations[0].report or {})["steps"] if s["step"] == "confirm with live target health"]
    assert len(steps) > 1, "it looked again until ELB agreed"


def test_a_deploy_that_fails_once_is_retried_by_lambda_and_the_first_notice_says_when(
    played: Callable[[str], OutageResult],
) -> None:
    result = played("destination-deploy-fails-once")

    assert [i.outcome for i in result.invocations] == ["raised: RetryRequested", "failed_over"]
    (first, *_) = [n for n in result.notifications if "attempt failed" in n["Subject"]]
    assert "retry at" in first["Subject"]
    assert "Lambda runs this alarm again at about" in first["Message"]
    assert "the next alarm will try again" not in first["Message"]


def test_a_deploy_that_outlasts_the_attempt_is_completed_by_the_next(played: Callable[[str], OutageResult]) -> None:
    result = played("destination-slow")

    assert [i.outcome for i in result.invocations] == ["raised: RetryRequested", "failed_over"]
    assert "an earlier attempt staged" in result.invocations[-1].reason


def test_refusals_say_why(played: Callable[[str], OutageResult]) -> None:
    assert "1 healthy collector(s) remain" in played("one-collector-of-two").invocations[0].reason
    assert "no collectors to lose" in played("main-az-never-had-collectors").invocations[0].reason
    delayed = played("cloudwatch-delay").invocations[0].report
    assert delayed is not None
    assert delayed["evidence"]["cloudwatch"]["view"] == "stale"
    assert "remain" in delayed["reason"]


@pytest.mark.parametrize("name", ["two-target-groups", "alarm-flaps-after-failover", "collectors-crashed"])
def test_further_alarms_after_the_failover_are_no_ops_with_one_notice(
    name: str, played: Callable[[str], OutageResult]
) -> None:
    result = played(name)

    assert [i.outcome for i in result.invocations] == ["failed_over", "already_failed_over"]
    assert len(result.notices("Already failed over")) == 1


def test_nothing_that_leaves_collection_running_invokes_the_function(played: Callable[[str], OutageResult]) -> None:
    for name in ("main-console-cut-off", "zonal-shift"):
        result = played(name)
        assert result.invocations == [] and result.transitions == [], name
