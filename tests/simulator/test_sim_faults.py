"""Fault injection, outages, TLS trust and the simulator's lifecycle."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from qradar_simulator import CertificateAuthority, Fault, FaultKind, QRadarSimulator

DR = "/api/config/disaster_recovery/disaster_recovery_config"
STAGED = "/api/staged_config/disaster_recovery/disaster_recovery_config"
PROFILES = "/api/disaster_recovery/ariel_copy_profiles"


def test_hang_is_bounded_by_the_client_timeout_and_stop_is_prompt(sim, client):
    sim.inject(Fault(FaultKind.HANG, path=DR))
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.get(DR, timeout=0.3)
    assert time.monotonic() - started < 2
    # Other endpoints keep answering while a handler hangs.
    assert client.get(STAGED).status_code == 200
    record = sim.requests[0]
    assert (record.path, record.status, record.fault) == (DR, None, FaultKind.HANG)
    started = time.monotonic()
    sim.stop()
    assert time.monotonic() - started < 1.5


def test_stop_releases_a_request_still_hanging(sim, client):
    sim.inject(Fault(FaultKind.HANG))
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            client.get(DR, timeout=10)
        except requests.RequestException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    deadline = time.monotonic() + 2
    while not sim.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    sim.stop()
    assert time.monotonic() - started < 1.5
    thread.join(timeout=3)
    assert not thread.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], requests.exceptions.ConnectionError)


def test_slow_answers_normally_after_the_delay(sim, client):
    sim.inject(Fault(FaultKind.SLOW, delay=0.3))
    started = time.monotonic()
    response = client.get(DR)
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200
    assert response.json()["is_dr"] == "PRIMARY"
    record = sim.requests[0]
    assert (record.status, record.fault) == (200, FaultKind.SLOW)
    assert record.duration_seconds >= 0.3


def test_slow_is_bounded_by_the_client_timeout(sim, client):
    sim.inject(Fault(FaultKind.SLOW, delay=5))
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.get(DR, timeout=0.2)


def test_status_fault(sim, client, expect_error):
    sim.inject(Fault(FaultKind.STATUS, status=500))
    body = expect_error(client.get(DR), 500, 1020)
    assert body["http_response"]["message"]
    sim.clear_faults()
    sim.inject(Fault(FaultKind.STATUS, status=503, code=77, message="Console is restarting"))
    body = expect_error(client.get(DR), 503, 77)
    assert body["message"] == "Console is restarting"
    assert sim.requests[-1].status == 503
    assert sim.requests[-1].fault is FaultKind.STATUS


def test_fault_selection_by_method_and_path_prefix(sim, client, expect_error):
    sim.inject(Fault(FaultKind.STATUS, method="post", path=PROFILES, status=500))
    profile = client.get(PROFILES + "/1").json()
    body = {k: v for k, v in profile.items() if k not in {"id", "last_modified"}}
    expect_error(client.post(PROFILES + "/1", json=body), 500)
    assert client.post(STAGED, json=client.get(STAGED).json()).status_code == 200
    assert client.get(PROFILES).status_code == 200
    assert sim.copy_profiles()[0] == profile  # the faulted write did not apply


def test_times_spends_the_fault(sim, client):
    sim.inject(Fault(FaultKind.STATUS, status=500, times=2))
    assert [client.get(DR).status_code for _ in range(3)] == [500, 500, 200]
    assert sim.active_faults() == []


def test_first_matching_fault_wins_and_clear_removes_all(sim, client):
    sim.inject(Fault(FaultKind.STATUS, status=502, times=1))
    sim.inject(Fault(FaultKind.STATUS, status=504))
    assert [client.get(DR).status_code for _ in range(3)] == [502, 504, 504]
    sim.clear_faults()
    assert client.get(DR).status_code == 200


def test_faults_apply_before_auth(sim, client):
    sim.inject(Fault(FaultKind.STATUS, status=500, times=1))
    assert client.get(DR, token=None).status_code == 500
    record = sim.requests[0]
    assert (record.sec_present, record.authorized) == (False, False)


def test_malformed_json(sim, client):
    sim.inject(Fault(FaultKind.MALFORMED_JSON, times=1))
    response = client.get(DR)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()
    assert sim.requests[0].fault is FaultKind.MALFORMED_JSON
    assert client.get(DR).json()["is_dr"] == "PRIMARY"


def test_reset(sim, client):
    sim.inject(Fault(FaultKind.RESET, times=1))
    with pytest.raises(requests.exceptions.ConnectionError):
        client.get(DR)
    record = sim.requests[0]
    assert (record.status, record.fault) == (None, FaultKind.RESET)
    assert client.get(DR).status_code == 200


def test_fault_validation():
    with pytest.raises(ValueError, match="status"):
        Fault(FaultKind.STATUS)
    with pytest.raises(ValueError, match="times"):
        Fault(FaultKind.HANG, times=0)
    with pytest.raises(ValueError, match="delay"):
        Fault(FaultKind.SLOW, delay=-1)


def test_go_down_refuses_connections_and_come_back_restores(sim, client, make_client):
    address = sim.address
    assert client.get(DR).status_code == 200
    sim.go_down()
    assert not sim.is_up
    for c in (client, make_client(sim)):
        with pytest.raises(requests.exceptions.ConnectionError) as info:
            c.get(DR, timeout=2)
        assert "refused" in str(info.value).lower()
    sim.come_back()
    assert sim.is_up
    assert sim.address == address
    assert client.get(DR).status_code == 200
    assert make_client(sim).get(DR).status_code == 200


def test_go_down_releases_hanging_requests(sim, client):
    sim.inject(Fault(FaultKind.HANG, times=1))
    errors: list[BaseException] = []
    thread = threading.Thread(target=lambda: _capture(errors, client))
    thread.start()
    deadline = time.monotonic() + 2
    while not sim.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    sim.go_down()
    assert time.monotonic() - started < 1.5
    thread.join(timeout=3)
    assert errors
    assert isinstance(errors[0], requests.exceptions.ConnectionError)
    sim.come_back()
    assert client.get(DR).status_code == 200


def _capture(errors: list[BaseException], client) -> None:
    try:
        client.get(DR, timeout=10)
    except requests.RequestException as exc:
        errors.append(exc)


def test_wrong_ca_fails_tls_verification(sim, client, other_ca: CertificateAuthority, ca, make_client):
    assert client.get(DR).status_code == 200
    sim.use_certificate_from(other_ca)
    with pytest.raises(requests.exceptions.SSLError):
        client.get(DR)
    with pytest.raises(requests.exceptions.SSLError):
        make_client(sim).get(DR)
    trusting_other = make_client(sim)
    trusting_other.verify = other_ca.bundle_path
    assert trusting_other.get(DR).status_code == 200
    sim.use_certificate_from(ca)
    assert make_client(sim).get(DR).status_code == 200


def test_plain_http_is_not_served(sim, ca):
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://{sim.address}/api/", timeout=2)
    # The failed handshake does not break the listener.
    assert requests.get(
        sim.base_url + DR,
        headers={"SEC": "sim-test-token-5f0c2a", "Allow-Hidden": "true"},
        verify=ca.bundle_path,
        timeout=2,
    ).ok


def test_context_manager_and_idempotent_stop(ca, tmp_path):
    with QRadarSimulator(name="ctx", token="t", ca=ca, deploy_seconds=0) as sim:
        response = requests.get(
            sim.base_url + DR, headers={"SEC": "t", "Allow-Hidden": "true"}, verify=ca.bundle_path, timeout=2
        )
        assert response.status_code == 200
    assert not sim.is_up
    sim.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(sim.base_url + DR, verify=ca.bundle_path, timeout=2)


def test_certificate_authority_files(tmp_path):
    authority = CertificateAuthority.create(tmp_path / "nested" / "ca")
    bundle = authority.bundle_path
    assert bundle.endswith("ca.pem")
    with open(bundle) as handle:
        assert handle.read().startswith("-----BEGIN CERTIFICATE-----")
    issued = authority.issue_server_certificate("x")
    assert issued.cert_path.exists()
    assert issued.key_path.stat().st_mode & 0o077 == 0
