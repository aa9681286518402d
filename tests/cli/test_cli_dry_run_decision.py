"""A manual dry run says how the failover was decided (issue 11): on the operator's decision against
the evidence, or confirmed by live health; never "the alarm is confirmed" beside healthy collectors."""

from __future__ import annotations

import json

import pytest

from qradar_devkit.world import MAIN_AZ, DrillWorld
from support.cli import Cli

pytestmark = pytest.mark.integration


def test_dry_run_against_healthy_collectors_says_the_operator_decided_against_the_evidence(
    cli: Cli, world: DrillWorld
) -> None:
    world.publish_health(MAIN_AZ, healthy=2, unhealthy=0)  # the Main collectors are healthy now
    result = cli.run("failover", "--dry-run", "--json")

    report = json.loads(result.out)
    assert report["outcome"] == "dry_run", result.err
    assert "the alarm is confirmed" not in report["reason"]
    assert f"against the evidence: 2 healthy collector(s) remain in {MAIN_AZ}" in report["reason"]
    assert report["confirmation"]["by"] == "operator"
    assert world.main.writes() == [] and world.destination.writes() == []


def test_dry_run_of_a_lost_az_says_live_health_confirms_it(cli: Cli, world: DrillWorld) -> None:
    world.publish_health(MAIN_AZ, healthy=0, unhealthy=2)

    result = cli.run("failover", "--dry-run", "--require-confirmation", "--json")

    report = json.loads(result.out)
    assert report["outcome"] == "dry_run", result.err
    assert report["reason"].startswith("dry run: would fail over (live target health confirms the outage: 0 healthy")
    assert report["confirmation"]["by"] == "live_health"
