"""The simulator's REST surface: auth, hidden endpoints, DR config, copy profiles, request log."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from qradar_simulator import QRadarSimulator, RecordedRequest

TOKEN = "sim-test-token-5f0c2a"
DR = "/api/config/disaster_recovery/disaster_recovery_config"
STAGED = "/api/staged_config/disaster_recovery/disaster_recovery_config"
PROFILES = "/api/disaster_recovery/ariel_copy_profiles"
DEPLOY_ACTION = "/api/config/deploy_action"
DEPLOY_STATUS = "/api/staged_config/deploy_status"
WRITABLE = (
    "bandwidth_limit",
    "destination_host_ip",
    "destination_port",
    "enabled",
    "end_date",
    "exclude_event_retention_bucket_ids",
    "exclude_flow_retention_bucket_ids",
    "frequency",
    "start_date",
)


# -- auth -----------------------------------------------------------------------------------


def test_missing_token_is_401(client, expect_error):
    body = expect_error(client.get(DR, token=None), 401)
    assert body["http_response"]["message"] == "You are unauthorized to access the requested resource."


def test_wrong_token_is_401_with_a_different_code(client, expect_error):
    missing = expect_error(client.get(DR, token=None), 401)
    wrong = expect_error(client.get(DR, token="not-the-token"), 401)
    assert wrong["code"] != missing["code"]


def test_right_token_is_200(client):
    response = client.get(DR)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"


def test_auth_is_checked_before_routing(client, expect_error):
    expect_error(client.get("/api/no/such/thing", token="nope"), 401)


def test_token_never_appears_in_any_answer_or_record(sim, client):
    answers = [
        client.get(DR),
        client.get(DR, token=TOKEN + "x"),
        client.get(DR, hidden=False),
        client.post(STAGED, json={"bogus": TOKEN}),
        client.post(DEPLOY_STATUS, json={"type": "INCREMENTAL"}),
        client.get("/api/unknown"),
        client.request("DELETE", DR),
    ]
    for response in answers:
        assert TOKEN not in response.text
        assert all(TOKEN not in value for value in response.headers.values())
    for record in sim.requests:
        assert "Sec" not in record.headers
        assert all(TOKEN not in value for value in record.headers.values())
    assert TOKEN not in repr(sim)


# -- routing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", DR),
        ("GET", STAGED),
        ("GET", PROFILES),
        ("GET", PROFILES + "/1"),
        ("POST", DEPLOY_ACTION + "?type=INCREMENTAL"),
    ],
)
def test_hidden_endpoints_need_allow_hidden(client, expect_error, method, path):
    body = expect_error(client.request(method, path, hidden=False), 404)
    assert "does not exist" in body["message"]
    assert client.request(method, path, hidden=True).status_code in {200, 409}


def test_allow_hidden_must_be_true(client, expect_error):
    expect_error(client.get(DR, hidden=False, headers={"Allow-Hidden": "false"}), 404)
    assert client.get(DR, hidden=False, headers={"Allow-Hidden": "True"}).status_code == 200


def test_documented_deploy_status_needs_no_allow_hidden(client):
    response = client.get(DEPLOY_STATUS, hidden=False)
    assert response.status_code == 200
    assert response.json()["status"] == "COMPLETE"


def test_unknown_path_is_404(client, expect_error):
    expect_error(client.get("/api/nothing/here"), 404)
    expect_error(client.get("/console/whatever"), 404)


def test_wrong_method_is_405_with_allow(client, expect_error):
    response = client.request("DELETE", STAGED)
    expect_error(response, 405)
    assert response.headers["Allow"] == "GET, POST"
    expect_error(client.post(DR, json={}), 405)
    expect_error(client.get(DEPLOY_ACTION), 405)


def test_trailing_slash_is_tolerated(client):
    assert client.get(DR + "/").status_code == 200


def test_version_header_is_accepted_and_recorded(sim, client, expect_error):
    assert client.get(DR, headers={"Version": "16.0"}).status_code == 200
    expect_error(client.get(DR, headers={"Version": "latest!"}), 422)
    assert [r.header("version") for r in sim.requests] == ["16.0", "latest!"]


# -- DR config ------------------------------------------------------------------------------


def test_initial_deployed_equals_staged(sim, client):
    deployed = client.get(DR).json()
    staged = client.get(STAGED).json()
    assert deployed == staged == sim.deployed_dr_config() == sim.staged_dr_config()
    assert deployed["is_dr"] == "PRIMARY"
    assert deployed["site_state"] == "ACTIVE"
    assert deployed["ariel_copy_enabled"] is True
    assert {"id", "primary_console_ip", "dr_console_ip", "ariel_copy_frequency", "last_sync_time"} <= set(deployed)


def test_constructor_sets_initial_state(make_sim):
    dest = make_sim(name="dest", is_dr="DR", site_state="STANDBY", ariel_copy_enabled=False)
    assert dest.deployed_dr_config()["is_dr"] == "DR"
    assert dest.staged_dr_config()["site_state"] == "STANDBY"


def test_staging_changes_staged_only(sim, client):
    config = client.get(DR).json()
    config.update(site_state="STANDBY", ariel_copy_enabled=False)
    response = client.post(STAGED, json=config)
    assert response.status_code == 200
    assert response.json() == config
    assert client.get(STAGED).json() == config
    assert client.get(DR).json()["site_state"] == "ACTIVE"
    assert sim.deployed_dr_config()["site_state"] == "ACTIVE"
    assert sim.staged_dr_config()["site_state"] == "STANDBY"


def _mutations(config: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    for field in config:
        missing = copy.deepcopy(config)
        del missing[field]
        cases.append((field, missing))
    cases.append(("surprise", {**config, "surprise": 1}))
    cases.append(("is_dr", {**config, "is_dr": "ACTIVE"}))
    cases.append(("site_state", {**config, "site_state": "PRIMARY"}))
    cases.append(("ariel_copy_enabled", {**config, "ariel_copy_enabled": "true"}))
    cases.append(("ariel_copy_frequency", {**config, "ariel_copy_frequency": "15"}))
    cases.append(("dr_console_ip", {**config, "dr_console_ip": "not-an-ip"}))
    cases.append(("id", {**config, "id": 99}))
    return cases


def test_staged_post_must_carry_the_whole_valid_object(sim, client, expect_error):
    config = client.get(STAGED).json()
    for field, body in _mutations(config):
        result = expect_error(client.post(STAGED, json=body), 422)
        assert field in result["message"], (field, result)
        assert result["details"]["field"] == field
    expect_error(client.post(STAGED, json=[config]), 422)
    expect_error(client.post(STAGED, data=b"{not json", headers={"Content-Type": "application/json"}), 422)
    assert sim.staged_dr_config() == config


def test_set_dr_state_sets_deployed_and_staged(sim):
    sim.set_dr_state(is_dr="DR", site_state="STANDBY", ariel_copy_enabled=False)
    for config in (sim.deployed_dr_config(), sim.staged_dr_config()):
        assert (config["is_dr"], config["site_state"], config["ariel_copy_enabled"]) == (
            "DR",
            "STANDBY",
            False,
        )
    with pytest.raises(ValueError, match="is_dr"):
        sim.set_dr_state(is_dr="ACTIVE")


def test_accessors_return_copies(sim):
    sim.deployed_dr_config()["is_dr"] = "DR"
    sim.copy_profiles()[0]["enabled"] = False
    assert sim.deployed_dr_config()["is_dr"] == "PRIMARY"
    assert sim.copy_profiles()[0]["enabled"] is True


# -- ariel copy profiles --------------------------------------------------------------------


def test_default_copy_profiles(sim, client):
    profiles = client.get(PROFILES).json()
    assert [p["id"] for p in profiles] == [1, 2]
    for profile in profiles:
        assert set(WRITABLE) | {"id"} <= set(profile)
    assert profiles == sim.copy_profiles()
    assert client.get(PROFILES + "/2").json() == profiles[1]


def test_disabling_a_profile_applies_immediately(sim, client):
    profile = client.get(PROFILES + "/1").json()
    body = {key: profile[key] for key in WRITABLE}
    body["enabled"] = False
    response = client.post(PROFILES + "/1", json=body)
    assert response.status_code == 200
    assert response.json()["enabled"] is False
    assert response.json()["id"] == 1
    assert sim.copy_profiles()[0]["enabled"] is False
    assert sim.copy_profiles()[1]["enabled"] is True
    assert sim.deploy_count == 0


def test_profile_validation(sim, client, expect_error):
    profile = client.get(PROFILES + "/1").json()
    body = {key: profile[key] for key in WRITABLE}
    expect_error(client.post(PROFILES + "/7", json=body), 404)
    expect_error(client.get(PROFILES + "/7"), 404)
    expect_error(client.post(PROFILES + "/1", json=profile), 422)  # id / last_modified are not writable
    for field in WRITABLE:
        partial = {k: v for k, v in body.items() if k != field}
        assert field in expect_error(client.post(PROFILES + "/1", json=partial), 422)["message"]
    for field, bad in [
        ("enabled", "no"),
        ("destination_port", 70000),
        ("exclude_flow_retention_bucket_ids", [1, "2"]),
    ]:
        assert field in expect_error(client.post(PROFILES + "/1", json={**body, field: bad}), 422)["message"]
    assert sim.copy_profiles()[0] == profile


def test_custom_copy_profiles(make_sim, make_client):
    sim = make_sim(copy_profiles=[{"id": 42, "enabled": True, "destination_host_ip": "10.9.9.9"}])
    assert [p["id"] for p in make_client(sim).get(PROFILES).json()] == [42]


# -- request log ----------------------------------------------------------------------------


def test_request_log_records_what_arrived(sim, client):
    config = client.get(DR).json()
    client.get(DR, token="wrong")
    client.post(STAGED, json=config, params={"fields": "id"})
    client.get(DR, token=None, hidden=False)
    records = sim.requests
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", DR, 200),
        ("GET", DR, 401),
        ("POST", STAGED, 200),
        ("GET", DR, 401),
    ]
    first, wrong, write, anonymous = records
    assert isinstance(first, RecordedRequest)
    assert (first.sec_present, first.authorized) == (True, True)
    assert (wrong.sec_present, wrong.authorized) == (True, False)
    assert (anonymous.sec_present, anonymous.authorized) == (False, False)
    assert first.headers["Allow-Hidden"] == "true"
    assert first.headers["Accept"] == "application/json"
    assert "Allow-Hidden" not in anonymous.headers
    assert write.json_body == config
    assert write.query == {"fields": "id"}
    assert write.headers["Content-Type"] == "application/json"
    assert first.json_body is None
    assert all(r.fault is None and r.duration_seconds >= 0 for r in records)
    assert sim.writes() == [write]
    with pytest.raises(AttributeError):
        first.status = 500  # type: ignore[misc]
    sim.clear_requests()
    assert sim.requests == []


def test_repr_and_addresses(sim: QRadarSimulator):
    host, port = sim.address.split(":")
    assert host == "127.0.0.1"
    assert int(port) > 0
    assert sim.base_url == f"https://{sim.address}"
    assert "main" in repr(sim)
