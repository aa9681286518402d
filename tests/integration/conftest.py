"""The real handler against two simulated consoles over HTTPS and moto-backed AWS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from qradar_devkit.world import build_aws_world
from qradar_simulator import CertificateAuthority, start_site_pair
from support.deployment import Deployment
from support.events import DEST_TOKEN, MAIN_AZ, MAIN_TOKEN


@pytest.fixture
def deployment(
    ca: CertificateAuthority, aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Deployment]:
    main, destination = start_site_pair(ca, MAIN_TOKEN, DEST_TOKEN, deploy_seconds=0.3)
    try:
        with mock_aws():
            world = build_aws_world(
                main.address, destination.address, main_token=MAIN_TOKEN, destination_token=DEST_TOKEN
            )
            for name, value in world.env.items():
                monkeypatch.setenv(name, value)
            monkeypatch.setenv("QRADAR_CA_BUNDLE", ca.bundle_path)
            monkeypatch.setenv("DEPLOY_POLL_INTERVAL_SECONDS", "0.05")
            world.publish_health(MAIN_AZ, healthy=0, unhealthy=2)
            yield Deployment(main, destination, world, monkeypatch)
    finally:
        main.stop()
        destination.stop()
