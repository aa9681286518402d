"""Fixtures for the reliability suite; the rig itself is in support/reliability_rig.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

import qradar_failover.handler as handler_module
from qradar_devkit.world import AwsWorld, build_aws_world
from qradar_failover.runtime import Runtime, build_runtime
from qradar_simulator import CertificateAuthority, start_site_pair
from support.deployment import Deployment
from support.events import DEST_TOKEN, MAIN_AZ, MAIN_TOKEN, REGION
from support.reliability_matrix import ENGINE_ENV, SIM_DEPLOY_SECONDS
from support.reliability_rig import Blackhole, BotoFaults, Rig, StepSession


@pytest.fixture(scope="session")
def rogue_ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority.create(tmp_path_factory.mktemp("rogue-ca"))


@pytest.fixture(scope="module")
def aws_world() -> Iterator[AwsWorld]:
    """moto started once for the module (its start-up costs more than most rows)."""
    patch = pytest.MonkeyPatch()
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        patch.delenv(name, raising=False)
    patch.setenv("AWS_ACCESS_KEY_ID", "testing")
    patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    patch.setenv("AWS_DEFAULT_REGION", REGION)
    try:
        with mock_aws():
            yield build_aws_world("127.0.0.1:1", "127.0.0.1:1", main_token=MAIN_TOKEN, destination_token=DEST_TOKEN)
    finally:
        patch.undo()


@pytest.fixture(scope="module")
def boto_faults(aws_world: AwsWorld) -> tuple[BotoFaults, Any]:
    """One hooked boto3 session per module: its service models load once, not once per row."""
    faults = BotoFaults()
    session = boto3.session.Session()
    session.events.register("before-call", faults.handle)
    return faults, session


@pytest.fixture(scope="module")
def blackhole() -> Iterator[Blackhole]:
    hole = Blackhole()
    yield hole
    hole.close()


@pytest.fixture
def rig(
    ca: CertificateAuthority,
    rogue_ca: CertificateAuthority,
    aws_world: AwsWorld,
    blackhole: Blackhole,
    boto_faults: tuple[BotoFaults, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Rig]:
    """Fresh consoles (as the integration fixture builds them), a re-armed lock, an empty inbox."""
    main, destination = start_site_pair(ca, MAIN_TOKEN, DEST_TOKEN, deploy_seconds=SIM_DEPLOY_SECONDS)
    try:
        addresses = {"MAIN_SITE_ADDRESS": main.address, "DEST_SITE_ADDRESS": destination.address}
        env = {**aws_world.env, **ENGINE_ENV, **addresses}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("QRADAR_CA_BUNDLE", ca.bundle_path)
        for name in ("DRY_RUN", "FAILOVER_WHEN_UNCONFIRMED"):
            monkeypatch.delenv(name, raising=False)
        aws_world.rearm()
        aws_world.notifications()  # drain
        aws_world.publish_health(MAIN_AZ, healthy=0, unhealthy=2)

        faults, aws_session = boto_faults
        faults.rules.clear()
        sessions = {"main": StepSession(), "destination": StepSession()}

        def build_hooked_runtime(config: Any, session: Any = None) -> Runtime:
            runtime = build_runtime(config, session=aws_session)
            runtime.consoles.sessions.update(sessions)
            return runtime

        monkeypatch.setattr(handler_module, "build_runtime", build_hooked_runtime)
        handler_module.reset_runtime()
        yield Rig(Deployment(main, destination, aws_world, monkeypatch), faults, sessions, rogue_ca, blackhole, ca)
    finally:
        main.stop()
        destination.stop()
        handler_module.reset_runtime()
