"""The fault matrix: every row of reliability_matrix.py through the real handler.

Each row asserts the written-down outcome, the notification (or, when SNS fails, the ERROR log
line and the NotificationFailed metric), the time bound, that no token appears in any output,
and a consistent lock; then it heals the fault and delivers the alarm again: a failed run must be
safely retryable, a finished one must answer "already failed over" without touching QRadar.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import render_matrix

from qradar_simulator import Fault, FaultKind
from support.events import DEST_AZ, DEST_TOKEN, MAIN_AZ, MAIN_TOKEN
from support.reliability_matrix import (
    AWS_ROWS,
    CRASH_ROWS,
    DESTINATION_BOUND,
    FAULTS,
    QRADAR_ROWS,
    SLOW_DELAY,
    STEPS,
    AwsRow,
    CrashRow,
    Expect,
    QRadarRow,
)
from support.reliability_rig import Rig, SimulatedCrash

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

MAIN_MANUAL = "Main Site"  # both Main-Site manual steps (unreached, or deploy unconfirmed) name it
LOCK_NOT_RECORDED = "The lock table does not show this failover"
SUBJECTS = {
    "failed_over": "[QRadar DR] Failed over to the Destination Site",
    "failed": "[QRadar DR] FAILOVER FAILED",
    "refused": "[QRadar DR] Failover refused",
    "already_failed_over": "[QRadar DR] Already failed over",
}


# --- shared checks ------------------------------------------------------------------------------
def deliver_timed(rig: Rig, message_id: str = "first") -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    result = rig.deployment.deliver(rig.deployment.alarm_event(message_id=message_id), request_id=message_id)
    return result, time.monotonic() - started


def staged(rig: Rig) -> int:
    """Stagings the Destination accepted (a refused or faulted attempt changes nothing)."""
    return sum(
        1
        for request in rig.deployment.destination.writes()
        if request.path == STEPS["stage"].path and request.status == 200 and request.fault is None
    )


def assert_no_token(*texts: str) -> None:
    for text in texts:
        for token in (MAIN_TOKEN, DEST_TOKEN):
            assert token not in text


def assert_site_states(rig: Rig, *, destination_active: bool, main_demoted: bool | None) -> None:
    destination = rig.deployment.destination.deployed_dr_config()
    active = (destination["is_dr"], destination["site_state"], destination["ariel_copy_enabled"]) == (
        "PRIMARY",
        "ACTIVE",
        True,
    )
    assert active is destination_active, destination
    if main_demoted is None:
        return
    main = rig.deployment.main.deployed_dr_config()
    demoted = (main["site_state"], main["ariel_copy_enabled"]) == ("STANDBY", False) and all(
        profile["enabled"] is False for profile in rig.deployment.main.copy_profiles()
    )
    assert demoted is main_demoted, (main, rig.deployment.main.copy_profiles())


def check_outcome(result: dict[str, Any], expect: Expect, manual_hint: str = MAIN_MANUAL) -> None:
    assert result["outcome"] in expect.outcomes, (result["outcome"], result["reason"], result["failure"])
    manual = [action for action in result["manual_actions"] if manual_hint in action]
    if expect is Expect.MANUAL:
        assert manual, result["manual_actions"]
    if expect is Expect.FAILED_OVER:
        assert result["manual_actions"] == [], "a clean failover leaves nothing by hand"
    if expect is Expect.NOT and result["outcome"] == "failed":
        assert result["failure"] is not None


def check_notice(
    rig: Rig, result: dict[str, Any], output: str, notice: str, notifications: list[dict[str, Any]]
) -> None:
    """``sent``: exactly one notification, titled by the outcome. ``lost``: SNS failed, so the ERROR
    line and the NotificationFailed metric say so. ``none``: nothing is sent by design."""
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    metrics = [line for line in lines if "_aws" in line]
    assert len(metrics) == 1, "one EMF document per run"
    if notice == "sent":
        assert result["notified"] is True
        (notification,) = notifications
        assert notification["Subject"].startswith(SUBJECTS[result["outcome"]]), notification["Subject"]
        assert len(notification["Subject"]) <= 100
        assert "NotificationFailed" not in metrics[0]
    elif notice == "lost":
        assert result["notified"] is False
        assert notifications == []
        errors = [line for line in lines if line.get("level") == "ERROR" and line.get("step") == "notify"]
        assert errors and "notification could not be published" in errors[0]["message"]
        assert metrics[0]["NotificationFailed"] == 1
    else:
        assert result["notified"] is None
        assert notifications == []


def check_lock(rig: Rig, result: dict[str, Any], expected_state: str | None) -> None:
    state = rig.lock_state()
    assert state == expected_state, (state, result["outcome"])
    if result["outcome"] != "failed_over":
        failed_run_recorded_success = state == "FAILED_OVER" and result["outcome"] != "already_failed_over"
        assert not failed_run_recorded_success, "a failed run never records success"


def check_retry(rig: Rig, result: dict[str, Any]) -> None:
    """After the fault is gone: a failed run is retried to a verified failover with the Destination
    staged at most once more; a finished one is a quiet duplicate that sends no QRadar request."""
    rig.heal()
    for site in ("main", "destination"):
        rig.sim(site).clear_requests()
    again, _ = deliver_timed(rig, message_id="redelivery")
    if result["outcome"] == "failed_over":
        assert again["outcome"] == "already_failed_over"
        assert rig.deployment.main.requests == [] and rig.deployment.destination.requests == []
        return
    assert again["outcome"] == "failed_over", (again["reason"], again["failure"])
    assert staged(rig) <= 1, "the retry stages the Destination at most once more (re-staging is idempotent)"
    assert_site_states(rig, destination_active=True, main_demoted=True)
    assert rig.lock_state() == "FAILED_OVER"


# --- QRadar rows --------------------------------------------------------------------------------
def inject(rig: Rig, row: QRadarRow) -> None:
    sim, session, step = rig.sim(row.site), rig.sessions[row.site], STEPS[row.step]
    if row.fault == "connect_timeout":
        session.on(step.method, step.path, lambda s: setattr(s, "redirect", rig.blackhole.address))
    elif row.fault == "refused":
        session.on(step.method, step.path, lambda _: sim.go_down())
    elif row.fault == "tls":
        session.on(step.method, step.path, lambda _: sim.use_certificate_from(rig.rogue_ca))
    elif row.fault == "hang":
        sim.inject(Fault(FaultKind.HANG, method=step.method, path=step.path))
    elif row.fault == "malformed":
        sim.inject(Fault(FaultKind.MALFORMED_JSON, method=step.method, path=step.path))
    elif row.fault == "slow":
        sim.inject(Fault(FaultKind.SLOW, method=step.method, path=step.path, delay=SLOW_DELAY))
    else:
        sim.inject(Fault(FaultKind.STATUS, method=step.method, path=step.path, status=int(row.fault)))


def fault_reached(rig: Rig, row: QRadarRow) -> bool:
    step = STEPS[row.step]
    return any(method == step.method and path.startswith(step.path) for method, path in rig.sessions[row.site].sent)


@pytest.mark.parametrize("row", QRADAR_ROWS, ids=lambda row: row.id)
def test_qradar_fault(row: QRadarRow, rig: Rig, capfd: pytest.CaptureFixture[str]) -> None:
    assert row.fault in FAULTS
    inject(rig, row)

    result, elapsed = deliver_timed(rig)

    captured = capfd.readouterr()
    notifications = rig.aws.notifications()
    assert fault_reached(rig, row), "the engine never made the faulted call"
    check_outcome(result, row.expect)
    assert elapsed <= row.bound, f"{elapsed:.1f}s > {row.bound:.1f}s"
    check_notice(rig, result, captured.out, "sent", notifications)
    assert_no_token(captured.out, captured.err, json.dumps(result), json.dumps(notifications))
    if row.expect is Expect.NOT:
        assert rig.deployment.main.requests == [], "Main is never touched unless the Destination took over"
        check_lock(rig, result, "FAILED")
    else:
        # with a manual step left, Main may still have been demoted (a deploy started before a fault)
        assert_site_states(
            rig, destination_active=True, main_demoted=True if row.expect is Expect.FAILED_OVER else None
        )
        check_lock(rig, result, "FAILED_OVER")
        if row.expect is Expect.MANUAL:
            assert result["sites"]["main"]["confirmed"] is False, "never claims a demotion it did not verify"
            if row.site == "main" and row.step == "deploy_status":
                assert result["sites"]["main"]["deploy_started"] is True
                (action,) = result["manual_actions"]
                assert "confirm it later with 'qradar-failover status'" in action
                assert "could not reach" not in action
    rig.wait_for_deploys()
    check_retry(rig, result)


# --- AWS rows -----------------------------------------------------------------------------------
def _put_lock(rig: Rig, state: str, holder: str = "other-run") -> None:
    now = time.time()
    rig.dynamodb().put_item(
        TableName=rig.aws.lock_table,
        Item={
            "lock_id": {"S": "qradar-failover"},
            "state": {"S": state},
            "holder": {"S": holder},
            "claimed_at": {"N": f"{now:.3f}"},
            "expires_at": {"N": f"{now + 900:.3f}"},
            "alarm_name": {"S": "other-alarm"},
        },
    )


def _targets(*states: tuple[str, str]) -> dict[str, Any]:
    return {
        "TargetHealthDescriptions": [
            {
                "Target": {"Id": f"10.0.{index}.20", "Port": 32500, "AvailabilityZone": zone},
                "TargetHealth": {"State": state},
            }
            for index, (zone, state) in enumerate(states)
        ]
    }


def _is_finish(body: dict[str, Any]) -> bool:
    return str(body.get("UpdateExpression", "")).startswith("SET #state")


AWS_SETUP: dict[str, Any] = {
    "secrets-dest-denied": lambda rig: rig.boto.fail(
        "secrets-manager.GetSecretValue", "AccessDeniedException", when=lambda b: "dest" in b.get("SecretId", "")
    ),
    "secrets-dest-throttled": lambda rig: rig.boto.fail(
        "secrets-manager.GetSecretValue", "ThrottlingException", when=lambda b: "dest" in b.get("SecretId", "")
    ),
    "secrets-main-denied": lambda rig: rig.boto.fail(
        "secrets-manager.GetSecretValue", "AccessDeniedException", when=lambda b: "main" in b.get("SecretId", "")
    ),
    "secrets-main-throttled": lambda rig: rig.boto.fail(
        "secrets-manager.GetSecretValue", "ThrottlingException", when=lambda b: "main" in b.get("SecretId", "")
    ),
    "sns-publish-denied": lambda rig: rig.boto.fail("sns.Publish", "AuthorizationError", 403),
    "sns-publish-kms": lambda rig: rig.boto.fail("sns.Publish", "KMSAccessDenied", 400),
    "sns-publish-failed-run": lambda rig: (
        rig.boto.fail("sns.Publish", "InternalError", 500),
        rig.deployment.destination.inject(Fault(FaultKind.STATUS, status=500)),
    ),
    "dynamodb-read-throttled": lambda rig: rig.boto.fail("dynamodb.GetItem", "ProvisionedThroughputExceededException"),
    "dynamodb-claim-throttled": lambda rig: rig.boto.fail("dynamodb.PutItem", "ThrottlingException"),
    "dynamodb-record-throttled": lambda rig: rig.boto.fail(
        "dynamodb.UpdateItem", "ProvisionedThroughputExceededException", when=_is_finish
    ),
    "dynamodb-claim-race": lambda rig: rig.boto.before("dynamodb.PutItem", lambda: _put_lock(rig, "CLAIMED")),
    "dynamodb-claim-race-done": lambda rig: rig.boto.before("dynamodb.PutItem", lambda: _put_lock(rig, "FAILED_OVER")),
    "dynamodb-record-race": lambda rig: rig.boto.before(
        "dynamodb.UpdateItem", lambda: _put_lock(rig, "CLAIMED", holder="taken-over"), when=_is_finish
    ),
    "cloudwatch-elb-unavailable": lambda rig: (
        rig.boto.fail("cloudwatch.GetMetricData", "ServiceUnavailable", 503),
        rig.boto.fail("elastic-load-balancing-v2.DescribeTargetHealth", "ServiceUnavailable", 503),
    ),
    "cloudwatch-elb-unavailable-allowed": lambda rig: (
        rig.boto.fail("cloudwatch.GetMetricData", "ServiceUnavailable", 503),
        rig.boto.fail("elastic-load-balancing-v2.DescribeTargetHealth", "ServiceUnavailable", 503),
    ),
    "cloudwatch-unavailable-elb-confirms": lambda rig: (
        rig.boto.fail("cloudwatch.GetMetricData", "Throttling"),
        rig.boto.respond(
            "elastic-load-balancing-v2.DescribeTargetHealth",
            _targets((MAIN_AZ, "unhealthy"), (MAIN_AZ, "unhealthy"), (DEST_AZ, "healthy")),
        ),
    ),
    "elb-unavailable-cloudwatch-confirms": lambda rig: rig.boto.fail(
        "elastic-load-balancing-v2.DescribeTargetHealth", "ServiceUnavailable", 503
    ),
    "cloudwatch-unavailable-elb-healthy": lambda rig: (
        rig.boto.fail("cloudwatch.GetMetricData", "Throttling"),
        rig.boto.respond(
            "elastic-load-balancing-v2.DescribeTargetHealth",
            _targets((MAIN_AZ, "healthy"), (MAIN_AZ, "healthy"), (MAIN_AZ, "unhealthy")),
        ),
    ),
}


@pytest.mark.parametrize("row", AWS_ROWS, ids=lambda row: row.id)
def test_aws_fault(row: AwsRow, rig: Rig, capfd: pytest.CaptureFixture[str]) -> None:
    for name, value in row.env:
        rig.deployment.configure(**{name: value})
    AWS_SETUP[row.id](rig)

    result, elapsed = deliver_timed(rig)

    captured = capfd.readouterr()
    notifications = rig.aws.notifications()
    assert any(rule.hits for rule in rig.boto.rules), "the injected AWS fault was never reached"
    check_outcome(result, row.expect, manual_hint=row.manual_hint)
    assert elapsed <= row.bound, f"{elapsed:.1f}s > {row.bound:.1f}s"
    check_notice(rig, result, captured.out, row.notice, notifications)
    assert_no_token(captured.out, captured.err, json.dumps(result), json.dumps(notifications))
    check_lock(rig, result, row.lock_after)
    if row.expect in (Expect.NOT, Expect.DUPLICATE) and row.id != "sns-publish-failed-run":
        assert rig.deployment.destination.writes() == [] and rig.deployment.main.writes() == []
    if row.expect in (Expect.FAILED_OVER, Expect.MANUAL):
        main_left = row.expect is Expect.MANUAL and row.manual_hint != LOCK_NOT_RECORDED
        assert_site_states(rig, destination_active=True, main_demoted=None if main_left else True)


# --- crashes midway -----------------------------------------------------------------------------
@pytest.mark.parametrize("row", CRASH_ROWS, ids=lambda row: row.id)
def test_crash_midway_is_resumed_safely(row: CrashRow, rig: Rig) -> None:
    step = STEPS[row.step]

    def crash(_: Any) -> None:
        raise SimulatedCrash(row.id)

    rig.sessions[row.site].on(step.method, step.path, crash)
    with pytest.raises(SimulatedCrash):
        deliver_timed(rig)
    assert rig.lock_state() == "CLAIMED", "a crashed run leaves its claim, never a success"
    rig.heal()
    rig.wait_for_deploys()

    for site in ("main", "destination"):
        rig.sim(site).clear_requests()
    duplicate, _ = deliver_timed(rig, message_id="while-claimed")
    assert duplicate["outcome"] == "in_progress_elsewhere"
    assert rig.deployment.main.writes() == [] and rig.deployment.destination.writes() == []

    rig.dynamodb().update_item(  # the claim's TTL passes
        TableName=rig.aws.lock_table,
        Key={"lock_id": {"S": "qradar-failover"}},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": f"{time.time() - 1:.3f}"}},
    )
    resumed, elapsed = deliver_timed(rig, message_id="after-expiry")

    assert resumed["outcome"] == "failed_over", (resumed["reason"], resumed["failure"])
    assert elapsed <= DESTINATION_BOUND
    assert_site_states(rig, destination_active=True, main_demoted=True)
    assert staged(rig) <= 1
    assert rig.lock_state() == "FAILED_OVER"
    subjects = [notification["Subject"] for notification in rig.aws.notifications()]
    assert [subject.startswith(SUBJECTS["failed_over"]) for subject in subjects] == [True]


# --- the page cannot drift ----------------------------------------------------------------------
def test_docs_reliability_md_is_rendered_from_this_matrix() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
    assert page.read_text() == render_matrix.render(), "run: python tests/reliability/render_matrix.py"
