"""Deploys: documented and hidden endpoints, lifecycle over time, conflicts, errors."""

from __future__ import annotations

import time

import pytest

DR = "/api/config/disaster_recovery/disaster_recovery_config"
STAGED = "/api/staged_config/disaster_recovery/disaster_recovery_config"
DEPLOY_ACTION = "/api/config/deploy_action"
DEPLOY_STATUS = "/api/staged_config/deploy_status"


def _stage_standby(client):
    config = client.get(DR).json()
    config.update(site_state="STANDBY", ariel_copy_enabled=False)
    assert client.post(STAGED, json=config).status_code == 200
    return config


def _wait_complete(client, limit: float = 3.0):
    deadline = time.monotonic() + limit
    seen = []
    while time.monotonic() < deadline:
        status = client.get(DEPLOY_STATUS, hidden=False).json()
        seen.append((status["status"], status["percent_complete"]))
        if status["status"] == "COMPLETE":
            return status, seen
        time.sleep(0.02)
    raise AssertionError(f"deploy did not complete: {seen}")


def test_status_before_any_deploy(client):
    status = client.get(DEPLOY_STATUS, hidden=False).json()
    assert status["status"] == "COMPLETE"
    assert status["percent_complete"] == 100
    assert status["has_errors"] is False
    assert status["error_message"] is None
    assert status["hosts"]
    assert all(set(h) == {"hostname", "status", "percent_complete"} for h in status["hosts"])


def test_documented_deploy_lifecycle(make_sim, make_client):
    sim = make_sim(deploy_seconds=0.5)
    client = make_client(sim)
    staged = _stage_standby(client)
    started = time.monotonic()
    response = client.post(DEPLOY_STATUS, json={"type": "INCREMENTAL"}, hidden=False)
    assert response.status_code == 200
    assert response.json()["status"] == "INITIALIZING"
    assert response.json()["percent_complete"] == 0
    assert sim.deploy_count == 1
    # Not deployed while running.
    assert client.get(DR).json()["site_state"] == "ACTIVE"
    final, seen = _wait_complete(client)
    elapsed = time.monotonic() - started
    assert elapsed >= 0.45
    assert final == {**final, "status": "COMPLETE", "percent_complete": 100, "has_errors": False}
    assert all(h["status"] == "COMPLETE" for h in final["hosts"])
    states = [s for s, _ in seen]
    assert "IN_PROGRESS" in states
    percents = [p for s, p in seen if s == "IN_PROGRESS"]
    assert percents == sorted(percents)
    assert all(0 < p < 100 for p in percents)
    assert client.get(DR).json() == staged == sim.deployed_dr_config()


def test_deployed_becomes_the_staged_snapshot_taken_at_deploy_start(make_sim, make_client):
    sim = make_sim(deploy_seconds=0.2)
    client = make_client(sim)
    first = _stage_standby(client)
    assert client.post(DEPLOY_STATUS, json={"type": "FULL"}).status_code == 200
    later = {**first, "ariel_copy_frequency": 30}
    assert client.post(STAGED, json=later).status_code == 200
    _wait_complete(client)
    assert sim.deployed_dr_config() == first
    assert sim.staged_dr_config() == later


def test_conflict_while_running_then_nothing_to_deploy(make_sim, make_client, expect_error):
    sim = make_sim(deploy_seconds=0.3)
    client = make_client(sim)
    _stage_standby(client)
    assert client.post(DEPLOY_STATUS, json={"type": "INCREMENTAL"}).status_code == 200
    expect_error(client.post(DEPLOY_STATUS, json={"type": "INCREMENTAL"}), 409, 1002)
    expect_error(client.post(DEPLOY_ACTION, params={"type": "INCREMENTAL"}), 409, 1002)
    _wait_complete(client)
    expect_error(client.post(DEPLOY_STATUS, json={"type": "INCREMENTAL"}), 409, 1004)
    expect_error(client.post(DEPLOY_ACTION, params={"type": "FULL"}), 409, 1004)
    assert sim.deploy_count == 1


def test_nothing_to_deploy_initially(client, expect_error):
    expect_error(client.post(DEPLOY_STATUS, json={"type": "INCREMENTAL"}), 409, 1004)


@pytest.mark.parametrize("body", [{}, {"type": "PARTIAL"}, {"type": 1}, None, ["INCREMENTAL"]])
def test_bad_deploy_type_is_422(client, expect_error, body):
    _stage_standby(client)
    expect_error(client.post(DEPLOY_STATUS, json=body), 422)


def test_hidden_deploy_action(make_sim, make_client, expect_error):
    sim = make_sim(deploy_seconds=0.1)
    client = make_client(sim)
    staged = _stage_standby(client)
    expect_error(client.post(DEPLOY_ACTION, params={"type": "DELTA"}), 422)
    expect_error(client.post(DEPLOY_ACTION), 422)
    expect_error(client.post(DEPLOY_ACTION, params={"type": "INCREMENTAL"}, hidden=False), 404)
    response = client.post(DEPLOY_ACTION, params={"type": "INCREMENTAL"})
    assert response.status_code == 200
    assert response.json()["status"] in {"INITIALIZING", "IN_PROGRESS"}
    assert sim.deploy_count == 1
    _wait_complete(client)
    assert sim.deployed_dr_config() == staged
    assert sim.writes()[-1].query == {"type": "INCREMENTAL"}


def test_zero_second_deploy_completes_at_once(make_sim, make_client):
    sim = make_sim(deploy_seconds=0)
    client = make_client(sim)
    staged = _stage_standby(client)
    assert client.post(DEPLOY_STATUS, json={"type": "INCREMENTAL"}).json()["status"] == "COMPLETE"
    assert sim.deployed_dr_config() == staged


def test_deploy_errors_leave_deployed_unchanged(make_sim, make_client):
    sim = make_sim(deploy_seconds=0.1, deploy_errors="Host 127.0.0.1 failed to deploy")
    client = make_client(sim)
    before = sim.deployed_dr_config()
    staged = _stage_standby(client)
    assert client.post(DEPLOY_STATUS, json={"type": "INCREMENTAL"}).status_code == 200
    final, _ = _wait_complete(client)
    assert final["has_errors"] is True
    assert final["error_message"] == "Host 127.0.0.1 failed to deploy"
    assert sim.deployed_dr_config() == before
    # The change is still staged; once the fault is cleared a new deploy succeeds.
    sim.deploy_errors = None
    assert client.post(DEPLOY_STATUS, json={"type": "INCREMENTAL"}).status_code == 200
    final, _ = _wait_complete(client)
    assert final["has_errors"] is False
    assert sim.deployed_dr_config() == staged
    assert sim.deploy_count == 2


def test_documented_deploy_unavailable_on_older_release(make_sim, make_client, expect_error):
    sim = make_sim(deploy_seconds=0.05, documented_deploy_available=False)
    client = make_client(sim)
    staged = _stage_standby(client)
    expect_error(client.get(DEPLOY_STATUS), 404)
    expect_error(client.post(DEPLOY_STATUS, json={"type": "INCREMENTAL"}), 404)
    assert sim.deploy_count == 0
    assert client.post(DEPLOY_ACTION, params={"type": "INCREMENTAL"}).status_code == 200
    time.sleep(0.1)
    assert client.get(DR).json() == staged
