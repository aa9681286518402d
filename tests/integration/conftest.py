"""The real handler against two simulated consoles over HTTPS and moto-backed AWS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from moto import mock_aws

from qradar_failover.handler import lambda_handler
from qradar_simulator import CertificateAuthority, QRadarSimulator, start_site_pair
from support import DEST_TOKEN, MAIN_TOKEN, AwsWorld, FakeContext, alarm_message, create_aws_world, sns_event


@dataclass
class Deployment:
    """Both consoles, the AWS side, and a way to deliver alarms to the real handler."""

    main: QRadarSimulator
    destination: QRadarSimulator
    aws: AwsWorld
    monkeypatch: pytest.MonkeyPatch

    def configure(self, **env: str) -> None:
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)

    def deliver(
        self, event: dict[str, Any] | None = None, remaining_seconds: float = 300.0, request_id: str = "req-1"
    ) -> dict[str, Any]:
        return lambda_handler(
            event if event is not None else sns_event(alarm_message()),
            FakeContext(remaining_seconds, request_id),
        )

    def destination_staged_writes(self) -> int:
        return sum(
            1
            for request in self.destination.writes()
            if request.path == "/api/staged_config/disaster_recovery/disaster_recovery_config"
        )


@pytest.fixture(scope="session")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority.create(tmp_path_factory.mktemp("qradar-ca"))


@pytest.fixture
def deployment(
    ca: CertificateAuthority, aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Deployment]:
    main, destination = start_site_pair(ca, MAIN_TOKEN, DEST_TOKEN, deploy_seconds=0.3)
    try:
        with mock_aws():
            world = create_aws_world(main.address, destination.address)
            for name, value in world.env.items():
                monkeypatch.setenv(name, value)
            monkeypatch.setenv("QRADAR_CA_BUNDLE", ca.bundle_path)
            world.put_health(healthy=0, unhealthy=2)
            yield Deployment(main, destination, world, monkeypatch)
    finally:
        main.stop()
        destination.stop()
