"""What readiness reads from a console beyond the DR configuration: the token's own authorized service
(and its expiry) and the ariel copy profiles' transfer dates (replication lag), with the faults that
make them go wrong."""

from __future__ import annotations

import time

import pytest

from qradar_simulator import QRadarSimulator
from qradar_simulator.errors import SEC_EXPIRED, SEC_INVALID
from qradar_simulator.state import MAX_TRANSFER_ERRORS, MINUTE_MS

TOKEN = "sim-test-token-5f0c2a"
SERVICES = "/api/config/access/authorized_services"
PROFILES = "/api/disaster_recovery/ariel_copy_profiles"
DR = "/api/config/disaster_recovery/disaster_recovery_config"
SERVICE_FIELDS = {
    "id",
    "label",
    "created_by",
    "creation_date",
    "expiration_date",
    "last_used_date",
    "user_role_id",
    "security_profile_id",
}


def now_ms() -> int:
    return int(time.time() * 1000)


# -- the token's authorized service --------------------------------------------------------------


def test_the_current_authorized_service_is_the_calling_tokens_own(sim, client):
    before = now_ms()

    response = client.get(SERVICES, params={"current_authorized_service": "true"}, hidden=False)

    assert response.status_code == 200
    (service,) = response.json()
    assert set(service) == SERVICE_FIELDS
    assert service["expiration_date"] is None, "a token that never expires"
    assert before <= service["last_used_date"] <= now_ms(), "this very request used it"
    assert service["creation_date"] < before


def test_without_the_filter_every_authorized_service_is_listed(sim, client):
    services = client.get(SERVICES).json()

    assert len(services) == 2
    assert services[0] == client.get(SERVICES, params={"current_authorized_service": "true"}).json()[0] | {
        "last_used_date": services[0]["last_used_date"]
    }
    assert all(set(service) == SERVICE_FIELDS for service in services)


def test_the_token_is_never_in_the_answer(sim, client):
    text = client.get(SERVICES, params={"current_authorized_service": "true"}).text + client.get(SERVICES).text

    assert TOKEN not in text
    assert "token" not in {key for service in client.get(SERVICES).json() for key in service}


def test_authorized_services_need_the_token_like_every_endpoint(sim, client, expect_error):
    expect_error(client.get(SERVICES, token="wrong", params={"current_authorized_service": "true"}), 401, SEC_INVALID)
    expect_error(client.post(SERVICES, json={}), 405)


def test_an_expiring_token_says_when(sim: QRadarSimulator, client):
    sim.expire_token_in(12 * 24 * 3600)

    (service,) = client.get(SERVICES, params={"current_authorized_service": "true"}).json()

    assert service["expiration_date"] == sim.token_expiration_date
    assert abs(service["expiration_date"] - (now_ms() + 12 * 24 * 3600 * 1000)) < 60_000
    assert client.get(DR).status_code == 200, "not expired yet: still accepted"


def test_an_expired_token_is_refused_everywhere(sim: QRadarSimulator, client, expect_error):
    sim.expire_token_in(-60)

    body = expect_error(client.get(DR), 401, SEC_EXPIRED)
    expect_error(client.get(SERVICES, params={"current_authorized_service": "true"}), 401, SEC_EXPIRED)

    assert "expired" in body["message"]
    sim.token_expiration_date = None
    assert client.get(DR).status_code == 200


def test_an_expiry_can_be_set_when_the_console_starts(make_sim, make_client):
    at = now_ms() + 3600 * 1000
    sim = make_sim(token_expiration_date=at)

    (service,) = make_client(sim).get(SERVICES, params={"current_authorized_service": "true"}).json()

    assert service["expiration_date"] == at


# -- ariel copy profiles: the replication lag ----------------------------------------------------


def test_copying_profiles_report_their_latest_scheduled_copy(sim, client):
    profiles = client.get(PROFILES).json()

    now = now_ms()
    assert [profile["frequency"] for profile in profiles] == [15 * MINUTE_MS, 60 * MINUTE_MS]
    for profile in profiles:
        last = profile["last_successful_transfer_date"]
        assert now - profile["frequency"] < last <= now
        assert (last - profile["start_date"]) % profile["frequency"] == 0, "copies run on the profile's schedule"
        assert profile["last_error_date"] is None
        assert profile["last_error_max_threshold_surpassed_date"] is None


def test_a_stalled_replication_keeps_the_last_good_copy_and_reports_the_errors_since(sim: QRadarSimulator, client):
    sim.stall_replication(seconds_ago=3 * 3600)

    first, hourly = client.get(PROFILES).json()

    now = now_ms()
    stalled_at = now - 3 * 3600 * 1000
    for profile in (first, hourly):
        assert stalled_at - profile["frequency"] < profile["last_successful_transfer_date"] <= stalled_at
        assert now - profile["frequency"] < profile["last_error_date"] <= now
    # 12 copies of the 15-minute profile and 3 of the hourly one failed since: both past the threshold
    assert first["last_error_max_threshold_surpassed_date"] == (
        first["last_successful_transfer_date"] + MAX_TRANSFER_ERRORS * first["frequency"]
    )
    assert hourly["last_error_max_threshold_surpassed_date"] is not None


def test_a_stall_younger_than_the_threshold_has_errors_but_has_not_surpassed_it(sim: QRadarSimulator, client):
    sim.stall_replication(seconds_ago=20 * 60)

    first, _hourly = client.get(PROFILES).json()

    assert first["last_error_date"] is not None
    assert first["last_error_max_threshold_surpassed_date"] is None


def test_replication_resumes(sim: QRadarSimulator, client):
    sim.stall_replication(seconds_ago=3 * 3600)
    sim.resume_replication()

    (first, _hourly) = client.get(PROFILES).json()

    assert now_ms() - first["last_successful_transfer_date"] < first["frequency"]


def test_a_disabled_profile_stops_copying_and_keeps_its_dates(sim: QRadarSimulator, client):
    profile = client.get(PROFILES + "/1").json()
    body = {key: profile[key] for key in (
        "bandwidth_limit", "destination_host_ip", "destination_port", "enabled", "end_date",
        "exclude_event_retention_bucket_ids", "exclude_flow_retention_bucket_ids", "frequency", "start_date",
    )} | {"enabled": False}  # fmt: skip

    disabled = client.post(PROFILES + "/1", json=body).json()
    sim.stall_replication()  # changes nothing for a profile that no longer copies

    assert disabled["last_successful_transfer_date"] == profile["last_successful_transfer_date"]
    assert client.get(PROFILES + "/1").json()["last_error_date"] is None


@pytest.mark.parametrize(
    "field", ["last_successful_transfer_date", "last_error_date", "last_error_max_threshold_surpassed_date"]
)
def test_transfer_dates_are_not_writable(sim, client, expect_error, field):
    profile = client.get(PROFILES + "/1").json()
    body = {key: profile[key] for key in (
        "bandwidth_limit", "destination_host_ip", "destination_port", "enabled", "end_date",
        "exclude_event_retention_bucket_ids", "exclude_flow_retention_bucket_ids", "frequency", "start_date",
    )}  # fmt: skip
    expect_error(client.post(PROFILES + "/1", json=body | {field: 1}), 422)
