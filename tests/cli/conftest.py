"""The CLI against the drill's world: simulated consoles over HTTPS and moto in server mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qradar_devkit.world import DrillWorld, MotoEndpoint, aws_environment, build_world
from support.cli import Cli


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[MotoEndpoint]:
    endpoint = MotoEndpoint()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def world(tmp_path: Path, moto_endpoint: MotoEndpoint) -> Iterator[DrillWorld]:
    moto_endpoint.reset()
    with aws_environment(moto_endpoint.url):
        built = build_world(tmp_path, moto_endpoint.url, deploy_seconds=0.3)
        try:
            yield built
        finally:
            built.stop()


@pytest.fixture
def cli(world: DrillWorld) -> Cli:
    return Cli(world)
