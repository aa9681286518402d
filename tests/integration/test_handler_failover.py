"""Each engine behaviour through the real handler: simulated consoles over HTTPS, AWS on moto."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from qradar_devkit import target_health
from qradar_devkit.lambda_context import FUNCTION_NAME, FakeLambdaContext
from qradar_devkit.world import publish_target_health
from qradar_failover.config import ConfigError
from qradar_failover.handler import RetryRequested
from qradar_simulator import CertificateAuthority, Fault, FaultKind
from support.events import (
    DEST_AZ,
    DEST_TOKEN,
    LOAD_BALANCER,
    MAIN_AZ,
    MAIN_TOKEN,
    TARGET_GROUP,
    load_event,
    sns_event,
)

pytestmark = pytest.mark.integration

STAGED = "/api/staged_config/disaster_recovery/disaster_recovery_config"


def test_sns_alarm_for_the_main_az_fails_over_and_is_verified(deployment: Any) -> None:
    result = deployment.deliver()

    assert result["outcome"] == "failed_over"
    destination = deployment.destination.deployed_dr_config()
    assert (destination["is_dr"], destination["site_state"], destination["ariel_copy_enabled"]) == (
        "PRIMARY",
        "ACTIVE",
        True,
    )
    main = deployment.main.deployed_dr_config()
    assert (main["site_state"], main["ariel_copy_enabled"]) == ("STANDBY", False)
    assert all(profile["enabled"] is False for profile in deployment.main.copy_profiles())
    for request in deployment.main.requests + deployment.destination.requests:
        assert request.authorized, request.path
        assert request.header("Allow-Hidden") == "true"
    (notification,) = deployment.aws.notifications()
    assert notification["Subject"].startswith("[QRadar DR] Failed over to the Destination Site")
    assert len(notification["Subject"]) <= 100
    machine_readable = json.loads(notification["Message"].split("Machine-readable\n", 1)[1])
    assert machine_readable["outcome"] == "failed_over"
    assert machine_readable["sites"]["destination"]["state"].startswith("PRIMARY/ACTIVE")
    assert machine_readable["sites"]["main"]["confirmed"] is True
    assert deployment.aws.lock_item()["state"]["S"] == "FAILED_OVER"


def test_eventbridge_and_direct_alarm_events_are_accepted(deployment: Any) -> None:
    # The fixtures name their own load balancer and target group: let CloudWatch know those, with
    # collectors that were healthy until 3 minutes ago.
    publish_target_health(LOAD_BALANCER, TARGET_GROUP, MAIN_AZ, healthy=2, unhealthy=0, minutes_ago=range(10, 3, -1))
    publish_target_health(LOAD_BALANCER, TARGET_GROUP, MAIN_AZ, healthy=0, unhealthy=2)
    assert deployment.deliver(load_event("eventbridge-alarm-state-change-event.json"))["outcome"] == "failed_over"
    assert deployment.deliver(load_event("cloudwatch-alarm-message.json"))["outcome"] == "already_failed_over"


def test_alarm_for_the_destination_az_changes_nothing(deployment: Any) -> None:
    result = deployment.deliver(deployment.alarm_event(AvailabilityZone=DEST_AZ))

    assert result["outcome"] == "ignored"
    assert deployment.main.requests == []
    assert deployment.destination.requests == []
    assert deployment.aws.notifications() == []


def test_flapping_collector_is_refused_with_the_evidence(deployment: Any) -> None:
    deployment.aws.publish_health(MAIN_AZ, healthy=2, unhealthy=1)

    result = deployment.deliver()

    assert result["outcome"] == "refused"
    assert deployment.destination.writes() == []
    assert deployment.main.writes() == []
    (notification,) = deployment.aws.notifications()
    assert "2 healthy collector(s) in ca-central-1a" in notification["Message"]


def test_az_that_reports_no_healthy_datapoints_counts_as_lost(deployment: Any) -> None:
    deployment.aws.publish_health("ca-central-1d", healthy=None, unhealthy=0)  # only another AZ reports

    assert deployment.deliver()["outcome"] == "failed_over"


def test_hung_main_console_does_not_block_failover(deployment: Any) -> None:
    deployment.main.inject(Fault(FaultKind.HANG))
    started = time.monotonic()

    result = deployment.deliver(remaining_seconds=300)

    elapsed = time.monotonic() - started
    assert result["outcome"] == "failed_over"
    assert deployment.destination.deployed_dr_config()["site_state"] == "ACTIVE"
    assert elapsed < 40, f"took {elapsed:.1f}s with default timeouts; the Lambda timeout is 300s"
    assert result["sites"]["main"]["reached"] is False
    (notification,) = deployment.aws.notifications()
    assert "(manual steps left)" in notification["Subject"]
    assert "When the Main Site console is back" in notification["Message"]


def test_main_deploy_longer_than_the_main_site_budget_is_waited_for_and_confirmed(deployment: Any) -> None:
    """Real deploys take minutes: once the Main deploy has started, the Main-Site budget (which bounds
    reaching Main) no longer ends the wait, and nobody is told Main could not be reached."""
    deployment.configure(MAIN_SITE_BUDGET_SECONDS="1")
    deployment.main.deploy_seconds = 2.5

    result = deployment.deliver()

    assert result["outcome"] == "failed_over"
    assert result["manual_actions"] == []
    main = deployment.main.deployed_dr_config()
    assert (main["site_state"], main["ariel_copy_enabled"]) == ("STANDBY", False)
    (notification,) = deployment.aws.notifications()
    assert "(manual steps left)" not in notification["Subject"]
    assert "could not reach" not in notification["Message"]


def test_main_deploy_unconfirmed_in_time_is_reported_as_started_with_how_to_check(deployment: Any) -> None:
    deployment.configure(MAIN_SITE_BUDGET_SECONDS="1", DEPLOY_TIMEOUT_SECONDS="2")
    deployment.main.deploy_seconds = 30

    result = deployment.deliver()

    assert result["outcome"] == "failed_over"
    assert deployment.main.deployed_dr_config()["site_state"] == "ACTIVE", "still deploying"
    (notification,) = deployment.aws.notifications()
    message = notification["Message"]
    assert "could not reach" not in message
    assert "Main:        reached, staged, deploy started, not confirmed" in message
    assert "confirm it later with 'qradar-failover status'" in message


def test_main_refusing_connections_costs_little_time(deployment: Any) -> None:
    deployment.main.go_down()
    started = time.monotonic()

    result = deployment.deliver()

    assert result["outcome"] == "failed_over"
    assert time.monotonic() - started < 15


def test_five_concurrent_deliveries_and_a_late_redelivery_stage_the_destination_once(deployment: Any) -> None:
    results: list[dict[str, Any]] = []
    barrier = threading.Barrier(5)

    def deliver(index: int) -> None:
        barrier.wait()
        results.append(deployment.deliver(request_id=f"req-{index}"))

    threads = [threading.Thread(target=deliver, args=(index,)) for index in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    late = deployment.deliver(request_id="req-late")

    outcomes = sorted(result["outcome"] for result in results)
    assert outcomes.count("failed_over") == 1, outcomes
    assert set(outcomes) <= {"failed_over", "in_progress_elsewhere", "already_failed_over"}
    assert late["outcome"] == "already_failed_over"
    assert deployment.destination_staged_writes() == 1
    subjects = [notification["Subject"] for notification in deployment.aws.notifications()]
    assert sum("Failed over" in subject for subject in subjects) == 1
    assert sum("Already failed over" in subject for subject in subjects) <= 1


def test_no_token_in_logs_notifications_or_results(deployment: Any, capfd: pytest.CaptureFixture[str]) -> None:
    deployment.main.inject(Fault(FaultKind.STATUS, status=401))
    deployment.deliver()
    deployment.destination.inject(Fault(FaultKind.STATUS, status=500))
    deployment.deliver(deployment.alarm_event(message_id="second"))

    captured = capfd.readouterr()
    notifications = json.dumps(deployment.aws.notifications())
    for token in (MAIN_TOKEN, DEST_TOKEN):
        assert token not in captured.out + captured.err
        assert token not in notifications


def test_destination_refusing_the_token_fails_with_the_qradar_message(deployment: Any) -> None:
    deployment.destination.inject(Fault(FaultKind.STATUS, status=401, message="Invalid SEC token"))

    result = deployment.deliver()

    assert result["outcome"] == "failed"
    assert result["failure"]["http_status"] == 401
    assert "Invalid SEC token" in result["failure"]["detail"]
    assert deployment.main.requests == [], "Main is never touched when the Destination did not take over"
    (notification,) = deployment.aws.notifications()
    assert "FAILOVER FAILED" in notification["Subject"]
    assert "HTTP 401" in notification["Message"]
    assert deployment.aws.lock_item()["state"]["S"] == "FAILED"


def test_untrusted_console_certificate_fails_without_writing(deployment: Any, tmp_path: Any) -> None:
    deployment.destination.use_certificate_from(CertificateAuthority.create(tmp_path))

    result = deployment.deliver()

    assert result["outcome"] == "failed"
    assert "QRADAR_CA_BUNDLE" in result["failure"]["detail"]
    assert deployment.destination.writes() == []


def test_console_without_the_documented_deploy_endpoint_uses_deploy_action(deployment: Any) -> None:
    deployment.destination.documented_deploy_available = False

    result = deployment.deliver()

    assert result["outcome"] == "failed_over"
    assert any(request.path == "/api/config/deploy_action" for request in deployment.destination.writes())
    assert deployment.destination.deployed_dr_config()["site_state"] == "ACTIVE"


def test_deploy_already_running_is_waited_out_then_ours_runs(deployment: Any) -> None:
    deployment.destination.inject(
        Fault(FaultKind.STATUS, method="POST", path="/api/staged_config/deploy_status", status=409, code=1002, times=1)
    )

    result = deployment.deliver()

    assert result["outcome"] == "failed_over"
    assert deployment.destination.deployed_dr_config()["site_state"] == "ACTIVE"


def test_deploy_with_errors_is_a_failure(deployment: Any) -> None:
    deployment.destination.deploy_errors = "Host 10.0.2.20 failed to deploy"

    result = deployment.deliver()

    assert result["outcome"] == "failed"
    assert "Host 10.0.2.20 failed to deploy" in result["failure"]["detail"]
    assert deployment.main.writes() == []


def test_transient_503s_are_retried(deployment: Any) -> None:
    deployment.destination.inject(Fault(FaultKind.STATUS, method="GET", status=503, times=2))

    assert deployment.deliver()["outcome"] == "failed_over"


def test_dry_run_notifies_the_plan_and_writes_nothing(deployment: Any) -> None:
    deployment.configure(DRY_RUN="true")

    result = deployment.deliver()

    assert result["outcome"] == "dry_run"
    assert deployment.main.writes() == []
    assert deployment.destination.writes() == []
    assert deployment.aws.lock_item() is None
    (notification,) = deployment.aws.notifications()
    assert notification["Subject"].startswith("[QRadar DR] DRY RUN")


def test_tokens_from_plain_environment_work_with_a_warning(deployment: Any, capfd: pytest.CaptureFixture[str]) -> None:
    deployment.monkeypatch.delenv("MAIN_SITE_TOKEN_SECRET_ARN")
    deployment.monkeypatch.delenv("DEST_SITE_TOKEN_SECRET_ARN")
    deployment.configure(MAIN_SITE_TOKEN=MAIN_TOKEN, DEST_SITE_TOKEN=DEST_TOKEN)

    result = deployment.deliver()

    assert result["outcome"] == "failed_over"
    output = capfd.readouterr().out
    assert "move it to Secrets Manager" in output
    assert MAIN_TOKEN not in output


def test_tls_verification_off_is_warned_on_every_run(deployment: Any, capfd: pytest.CaptureFixture[str]) -> None:
    deployment.monkeypatch.delenv("QRADAR_CA_BUNDLE")
    deployment.configure(QRADAR_TLS_VERIFY="false")

    deployment.deliver(deployment.alarm_event(AvailabilityZone=DEST_AZ))
    deployment.deliver(deployment.alarm_event(AvailabilityZone=DEST_AZ))

    warnings = [line for line in capfd.readouterr().out.splitlines() if "TLS verification" in line]
    assert len(warnings) == 2


def test_missing_required_setting_fails_fast_naming_it(deployment: Any) -> None:
    deployment.monkeypatch.delenv("LOCK_TABLE_NAME")

    with pytest.raises(ConfigError, match="LOCK_TABLE_NAME"):
        deployment.deliver()
    assert deployment.destination.requests == []


def test_every_step_is_logged_as_json_with_site_step_status_and_duration(
    deployment: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    deployment.deliver()

    lines = [json.loads(line) for line in capfd.readouterr().out.splitlines() if line.startswith("{")]
    calls = [line for line in lines if line.get("site") == "destination" and "http_status" in line]
    assert calls, "one line per QRadar call"
    for line in calls:
        assert {"alarm", "availability_zone", "step", "duration_ms", "run_id"} <= set(line)
    metrics = [line for line in lines if "_aws" in line]
    assert metrics[0]["Outcome"] == "failed_over"
    assert metrics[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "QRadarFailover"
    # One deployment's runs are told apart from another's in the same account and region.
    assert metrics[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["FailoverFunction", "Outcome"]]
    assert metrics[0]["FailoverFunction"] == FakeLambdaContext().function_name


def test_test_event_for_a_target_group_this_account_does_not_have_is_refused(deployment: Any) -> None:
    event = deployment.alarm_event(TargetGroup="targetgroup/typo-dlc/0123456789abcdef")

    result = deployment.deliver(event)

    assert result["outcome"] == "refused"
    assert "does not describe this deployment" in result["reason"]
    assert deployment.destination.requests == []
    assert deployment.main.requests == []


def test_alarm_for_a_main_az_the_load_balancer_never_served_is_refused(deployment: Any) -> None:
    # Right after apply: the module's HealthyHostCount alarm (missing data breaching) for an AZ the load
    # balancer does not serve goes to ALARM although nothing was lost.
    deployment.configure(MAIN_SITE_AVAILABILITY_ZONES="ca-central-1a,ca-central-1c")

    result = deployment.deliver(deployment.alarm_event(AvailabilityZone="ca-central-1c"))

    assert result["outcome"] == "refused"
    assert (
        "never reported HealthyHostCount in ca-central-1c (it reports in ca-central-1a, ca-central-1b)"
        in (result["reason"])
    )
    assert deployment.destination.requests == [] and deployment.main.requests == []
    assert deployment.aws.lock_item() is None
    (notification,) = deployment.aws.notifications()
    assert "check that the load balancer serves that AZ" in notification["Message"]


def test_a_defect_is_notified_as_one_and_its_traceback_is_in_the_logs(
    deployment: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    from qradar_failover.health import LiveTargetHealth

    def misread(self: Any, alarm: Any) -> Any:
        return {"TargetHealthDescriptions": []}["Targets"]  # a coding bug inside the health adapter

    deployment.monkeypatch.setattr(LiveTargetHealth, "_read_elb", misread)

    result = deployment.deliver()

    assert result["outcome"] == "failed"
    assert result["failure"]["kind"] == "defect"
    assert deployment.destination.writes() == []
    (notification,) = deployment.aws.notifications()
    assert "see the function's logs for the traceback" in notification["Message"]
    lines = [json.loads(line) for line in capfd.readouterr().out.splitlines() if line.startswith("{")]
    (logged,) = [line for line in lines if "traceback" in line]
    assert logged["exception"] == "KeyError: 'Targets'"
    assert "in misread" in logged["traceback"]
    assert logged["run_id"] == "req-1"


def test_a_run_that_cannot_conclude_notifies_then_asks_lambda_to_run_the_alarm_again(
    deployment: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    world = deployment.aws
    for collector in world.collectors:  # the Main AZ is silent in CloudWatch, but ELB still sees healthy targets
        if collector.availability_zone == MAIN_AZ:
            target_health.set_state(world.target_group_arn, collector.target_id, "healthy")
    world.set_alarm("HealthyHostCount", "ALARM", "Threshold Crossed: 3 datapoints were less than 1.0")
    event = sns_event(world.alarm_message("HealthyHostCount"))

    with pytest.raises(RetryRequested, match="attempt 1 of 3; Lambda runs this alarm again at about"):
        deployment.deliver(event, remaining_seconds=215)  # no time to look again: the Destination's reserve

    assert deployment.destination.writes() == [] and deployment.main.writes() == []
    (notice,) = world.notifications()
    assert "Failover not confirmed yet; checking again at" in notice["Subject"]
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert any(doc.get("RetriesRequested") == 1 and doc.get("FailoverFunction") == FUNCTION_NAME for doc in metrics)

    world.publish_health(MAIN_AZ, healthy=0, unhealthy=2)  # a minute later, ELB agrees
    assert deployment.deliver(event)["outcome"] == "failed_over"
