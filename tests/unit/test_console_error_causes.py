"""A console that cannot be reached is reported by its root cause in a few words, not by urllib3's
nested repr cut at 300 characters (what the notice, the logs and the CLI show)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from qradar_failover.config import SiteConfig
from qradar_failover.deadline import Deadline
from qradar_failover.qradar import QRadarConsole
from qradar_failover.qradar_http import ConsoleTransport, HttpPolicy, QRadarError
from qradar_failover.report import FailureKind
from qradar_failover.sec_token import Token
from qradar_simulator import CertificateAuthority, QRadarSimulator

POLICY = HttpPolicy(connect_timeout_seconds=2, read_timeout_seconds=2, max_retries=0)


def console(address: str, verify: str) -> QRadarConsole:
    site = SiteConfig("main", address, "qradar/main", None)
    return QRadarConsole(ConsoleTransport(site, Token("t0ken-value"), POLICY, verify))


def failure(address: str, verify: str) -> QRadarError:
    with pytest.raises(QRadarError) as raised:
        console(address, verify).read_dr_config(Deadline.after(5))
    return raised.value


@pytest.fixture
def simulator(ca: CertificateAuthority) -> Iterator[QRadarSimulator]:
    with QRadarSimulator("main", token="t0ken-value", ca=ca) as running:
        yield running


def test_a_closed_port_is_connection_refused(ca: CertificateAuthority) -> None:
    with socket.socket() as reserved:
        reserved.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        address = f"127.0.0.1:{reserved.getsockname()[1]}"

        error = failure(address, ca.bundle_path)

    assert error.kind is FailureKind.CONNECTION
    assert error.detail == f"cannot connect to {address}: connection refused"


def test_a_certificate_from_another_ca_is_not_trusted(simulator: QRadarSimulator, tmp_path: Path) -> None:
    other = CertificateAuthority.create(tmp_path / "other-ca")

    error = failure(simulator.address, other.bundle_path)

    assert error.kind is FailureKind.TLS
    assert error.detail == (
        "TLS verification failed (certificate not trusted (unable to get local issuer certificate)); "
        "trust the console's CA with QRADAR_CA_BUNDLE"
    )
