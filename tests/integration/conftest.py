"""The real handler against two simulated consoles over HTTPS and moto-backed AWS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from qradar_simulator import CertificateAuthority, start_site_pair
from support.aws import create_aws_world
from support.deployment import Deployment
from support.events import DEST_TOKEN, MAIN_TOKEN


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
