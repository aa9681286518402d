"""The way back: the consoles as a failover leaves them, which way ariel data flows, and the faults a
failback can meet (a Destination that will not step down, a token that expired during the outage)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qradar_simulator import CertificateAuthority, QRadarSimulator
from qradar_simulator.errors import SEC_EXPIRED, STANDBY_REFUSED
from qradar_simulator.sites import failed_over_site_pair, start_site_pair

TOKEN = "sim-test-token-5f0c2a"  # the conftest's
STAGED = "/api/staged_config/disaster_recovery/disaster_recovery_config"
DR = "/api/config/disaster_recovery/disaster_recovery_config"
MAIN_IP, DESTINATION_IP = "10.0.1.10", "10.0.2.10"


@pytest.fixture
def failed_over(ca: CertificateAuthority) -> Iterator[tuple[QRadarSimulator, QRadarSimulator]]:
    main, destination = failed_over_site_pair(ca, TOKEN, TOKEN, deploy_seconds=0.2)
    yield main, destination
    main.stop()
    destination.stop()


def test_before_a_failover_main_copies_to_the_destination_and_the_destination_copies_nothing(
    ca: CertificateAuthority,
) -> None:
    main, destination = start_site_pair(ca, TOKEN, TOKEN)
    try:
        assert main.copies_to() == [DESTINATION_IP]
        assert destination.copies_to() == []
        assert [p["destination_host_ip"] for p in destination.copy_profiles()] == [MAIN_IP], "paired back to Main"
        assert destination.copy_profiles()[0]["enabled"] is False
    finally:
        main.stop()
        destination.stop()


def test_a_failed_over_pair_reads_as_the_failover_left_it(failed_over: tuple[QRadarSimulator, QRadarSimulator]) -> None:
    main, destination = failed_over

    assert (main.deployed_dr_config()["is_dr"], main.deployed_dr_config()["site_state"]) == ("PRIMARY", "STANDBY")
    assert main.deployed_dr_config()["ariel_copy_enabled"] is False
    assert all(profile["enabled"] is False for profile in main.copy_profiles())
    assert destination.deployed_dr_config()["site_state"] == "ACTIVE"
    assert destination.deployed_dr_config()["ariel_copy_enabled"] is True
    assert main.copies_to() == [] and destination.copies_to() == [], "nothing flows until the copy back is set up"


def test_data_flows_back_once_the_destinations_copy_profile_is_enabled(
    failed_over: tuple[QRadarSimulator, QRadarSimulator],
) -> None:
    main, destination = failed_over
    assert destination.run_ariel_copy() == []

    destination.set_copy_profiles_enabled(True)  # dr_create_ssh.sh on the Destination hosts, in the app
    copied = destination.run_ariel_copy()

    assert destination.copies_to() == [MAIN_IP]
    assert copied == [1]
    assert isinstance(destination.copy_profiles()[0]["last_successful_transfer_date"], int)
    assert main.run_ariel_copy() == [], "a standby Main copies nothing"


def test_a_destination_that_refuses_to_step_down(
    failed_over: tuple[QRadarSimulator, QRadarSimulator], make_client, expect_error
) -> None:
    _, destination = failed_over
    client = make_client(destination)
    destination.refuse_step_down("Data Synchronization: the site cannot be deactivated while a restore is running")
    standby = {**client.get(STAGED).json(), "is_dr": "DR", "site_state": "STANDBY", "ariel_copy_enabled": False}

    body = expect_error(client.post(STAGED, json=standby), 409, STANDBY_REFUSED)

    assert "cannot be deactivated" in body["message"]
    assert destination.staged_dr_config()["site_state"] == "ACTIVE", "nothing was staged"
    assert client.post(STAGED, json={**standby, "site_state": "ACTIVE"}).status_code == 200, "other changes pass"
    destination.refuse_step_down(None)
    assert client.post(STAGED, json=standby).status_code == 200


def test_a_token_that_expired_during_the_outage_is_refused_until_a_new_one_is_issued(
    failed_over: tuple[QRadarSimulator, QRadarSimulator], make_client, expect_error
) -> None:
    main, _ = failed_over
    client = make_client(main)

    main.expire_token()

    body = expect_error(client.get(DR), 401, SEC_EXPIRED)
    assert "expired" in body["message"]
    main.issue_token("a-new-token-after-the-outage")
    expect_error(client.get(DR), 401)
    assert client.get(DR, token="a-new-token-after-the-outage").status_code == 200
