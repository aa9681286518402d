"""The readiness function, for real, against both simulated consoles over HTTPS and the moto world
the module's resources stand in: what it reports, and what it never does."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from qradar_failover.readiness_checks import Check
from qradar_simulator import Fault, FaultKind
from support.deployment import Deployment
from support.events import DEST_TOKEN, MAIN_TOKEN

pytestmark = pytest.mark.integration


def checks(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["name"]: check for check in result["checks"]}


def failing(result: dict[str, Any]) -> list[str]:
    return [check["name"] for check in result["checks"] if not check["ok"]]


def emf(output: str) -> list[dict[str, Any]]:
    documents = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [document for document in documents if "_aws" in document]


def test_the_module_shaped_deployment_is_ready(deployment: Deployment, capsys: pytest.CaptureFixture[str]) -> None:
    result = deployment.check_readiness()

    assert result["ready"], failing(result)
    assert [check["name"] for check in result["checks"]] == [check.value for check in Check]
    documents = emf(capsys.readouterr().out)
    assert [(d["FailoverFunction"], d["Ready"]) for d in documents if "Ready" in d] == [("qradar-dr", 1)]
    assert not [d for d in documents if "CheckFailed" in d]
    assert {d["Check"]: d["CheckWarned"] for d in documents if "CheckWarned" in d} == dict.fromkeys(
        ["lock", "failover_function", "token_expiry", "replication_lag"], 0
    )


def test_readiness_only_reads_the_consoles_never_writes_the_lock_and_tells_nobody(
    deployment: Deployment,
) -> None:
    deployment.destination.set_dr_state(is_dr="PRIMARY", site_state="ACTIVE", ariel_copy_enabled=True)
    deployment.aws.replace_token("main", "revoked-token-value")

    result = deployment.check_readiness()

    assert failing(result) == ["consoles", "dr_state", "ariel_copy_profiles", "token_expiry", "replication_lag"]
    requests = deployment.main.requests + deployment.destination.requests
    assert requests, "the consoles were asked"
    assert {request.method for request in requests} == {"GET"}, "GET only: the simulators' request logs"
    assert deployment.aws.lock_item() is None
    assert deployment.aws.notifications() == []


def test_a_hung_console_costs_at_most_its_read_timeout(deployment: Deployment) -> None:
    deployment.configure(HTTP_READ_TIMEOUT_SECONDS="2", HTTP_CONNECT_TIMEOUT_SECONDS="1")
    deployment.main.inject(Fault(FaultKind.HANG))

    started = time.monotonic()
    result = deployment.check_readiness()
    took = time.monotonic() - started

    assert took < 2 + 1 + 2, f"the run took {took:.1f}s with a 2 s read timeout"
    consoles = checks(result)["consoles"]
    assert not consoles["ok"]
    assert "Main: no answer in time" in consoles["detail"]
    assert "Destination: answered over verified TLS, token accepted" in consoles["detail"]
    assert checks(result)["lock"]["ok"] and checks(result)["destination_collectors"]["ok"]


def test_tokens_never_appear_in_the_result_logs_or_metrics(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.configure(LOG_LEVEL="DEBUG")
    deployment.aws.replace_token("destination", "a-rotated-but-not-deployed-token")

    result = deployment.check_readiness()

    output = capsys.readouterr()
    text = json.dumps(result) + output.out + output.err
    assert "token refused (HTTP 401)" in checks(result)["consoles"]["detail"]
    for token in (MAIN_TOKEN, DEST_TOKEN, "a-rotated-but-not-deployed-token"):
        assert token not in text


def test_one_json_log_line_carries_the_result(deployment: Deployment, capsys: pytest.CaptureFixture[str]) -> None:
    deployment.aws.unsubscribe_people()

    result = deployment.check_readiness()

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"readiness"' in line]
    (log,) = [line for line in lines if "_aws" not in line]
    assert log["message"] == "readiness: NOT READY"
    assert log["readiness"] == result
    assert failing(result) == ["notification_subscribers"]


def test_check_failed_metrics_name_each_failing_check(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.aws.unsubscribe_people()
    deployment.destination.set_dr_state(is_dr="PRIMARY", site_state="ACTIVE", ariel_copy_enabled=True)

    deployment.check_readiness()

    documents = emf(capsys.readouterr().out)
    assert documents[0]["Ready"] == 0
    assert sorted(d["Check"] for d in documents if "CheckFailed" in d) == ["dr_state", "notification_subscribers"]
    # Ready, ReplicationLagSeconds, 2 CheckFailed, 4 CheckWarned
    assert deployment.aws.ingest_emf("\n".join(json.dumps(d) for d in documents)) == 8


def test_the_main_azs_healthy_host_count_alarm_without_its_action_is_not_ready(deployment: Deployment) -> None:
    """Measured in a deployment: with the HealthyHostCount alarm stripped of its alarm action (the
    UnHealthyHostCount alarm still acting) readiness said ready, although only that alarm fires when the
    Main AZ goes dark."""
    stripped = deployment.aws.remove_alarm_actions("HealthyHostCount")

    result = deployment.check_readiness()

    assert result["ready"] is False
    assert failing(result) == ["health_alarms"]
    assert f"{stripped} does not act on the trigger topic" in checks(result)["health_alarms"]["detail"]


def test_a_token_expiring_within_the_warning_days_warns_and_readiness_stays_ready(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.main.expire_token_in(12 * 86400 + 3600)

    result = deployment.check_readiness()

    output = capsys.readouterr().out
    assert result["ready"] is True and result["warnings"] == 1
    token = checks(result)["token_expiry"]
    assert token["status"] == "warn"
    assert token["detail"].startswith("Main: the token expires ")
    assert "(in 12 days; authorized service 'DataSync failover (main)')" in token["detail"]
    assert "Destination: never expires" in token["detail"]
    documents = emf(output)
    assert [d["Check"] for d in documents if d.get("CheckWarned") == 1] == ["token_expiry"]
    assert documents[0]["Ready"] == 1
    assert MAIN_TOKEN not in output + json.dumps(result)
    authorized = [r for r in deployment.main.requests if r.path == "/api/config/access/authorized_services"]
    assert [(r.method, r.query) for r in authorized] == [("GET", {"current_authorized_service": "true"})]


def test_an_expired_token_is_refused_by_its_console_and_named(deployment: Deployment) -> None:
    deployment.destination.expire_token_in(-60)

    result = deployment.check_readiness()

    assert result["ready"] is False
    assert (
        "Destination: token refused (HTTP 401): The authorized service token has expired."
        in (checks(result)["consoles"]["detail"])
    )
    assert checks(result)["token_expiry"]["detail"].startswith("not checked: the Destination console was not read")


def test_replication_lag_is_measured_from_the_main_sites_copy_profiles_and_emitted(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    result = deployment.check_readiness()

    replication = checks(result)["replication_lag"]
    assert replication["status"] == "ok"
    assert replication["detail"].startswith("RPO now ")
    (lag,) = [d["ReplicationLagSeconds"] for d in emf(capsys.readouterr().out) if "ReplicationLagSeconds" in d]
    assert 0 <= lag < 3600, "the hourly profile copied within the hour"
    assert result["replication_lag_seconds"] == lag


def test_replication_stalled_beyond_the_rpo_target_is_not_ready(deployment: Deployment) -> None:
    deployment.configure(RPO_TARGET_SECONDS="3600")
    deployment.main.stall_replication(seconds_ago=3 * 3600)

    result = deployment.check_readiness()

    assert result["ready"] is False
    assert failing(result) == ["replication_lag"]
    detail = checks(result)["replication_lag"]["detail"]
    assert "exceeds the RPO target of 1 h: a failover now would lose 3 h" in detail
    assert "QRadar stopped retrying" in detail
    assert result["replication_lag_seconds"] >= 3 * 3600


def test_replication_stalled_without_a_target_is_a_warning(deployment: Deployment) -> None:
    deployment.main.stall_replication(seconds_ago=3 * 3600)

    result = deployment.check_readiness()

    assert result["ready"] is True
    assert checks(result)["replication_lag"]["status"] == "warn"
    assert "missed its schedule" in checks(result)["replication_lag"]["detail"]


def test_the_recovery_time_is_computed_from_the_deployed_alarms_and_function(deployment: Deployment) -> None:
    deployment.configure(RTO_TARGET_SECONDS="1200")

    result = deployment.check_readiness()

    recovery = checks(result)["recovery_time"]
    assert failing(result) == ["recovery_time"]
    # the world's alarms: 3 of 3 one-minute datapoints; its failover function: 300 s timeout; 2 retries
    assert recovery["detail"].startswith("worst case 24 min (1440 s) from the Main AZ going dark")
    assert "exceeds the RTO target of 20 min (1200 s)" in recovery["detail"]
