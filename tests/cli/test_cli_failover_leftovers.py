"""What a failover leaves behind on the Main Site (ariel copy off, every copy profile disabled) is not
"armed": rearm refuses and status says so until Main copies to the Destination again (issue 20, item 7)."""

from __future__ import annotations

import json

import pytest

from qradar_devkit.world import DrillWorld
from support.cli import Cli

pytestmark = pytest.mark.integration


def fail_back_dr_states_only(world: DrillWorld) -> None:
    """The prose runbook's failback: the DataSync app's site states, and nothing about the copy profiles."""
    world.main.set_dr_state(is_dr="PRIMARY", site_state="ACTIVE", ariel_copy_enabled=True)
    world.destination.set_dr_state(is_dr="DR", site_state="STANDBY", ariel_copy_enabled=False)


def test_rearm_refuses_while_mains_copy_profiles_stay_disabled(cli: Cli, world: DrillWorld) -> None:
    assert cli.run("failover", "--yes").code == 0
    assert all(not profile["enabled"] for profile in world.main.copy_profiles())
    fail_back_dr_states_only(world)

    refused = cli.run("rearm")

    said = " ".join(refused.out.split())
    assert refused.code == 1, refused.out + refused.err
    assert (
        "[NO] the Main Site must copy to the Destination again (ariel copy on, a copy profile enabled): found "
        "no ariel copy profile enabled (1, 2 disabled)" in said
    )
    assert "finish the failback: qradar-failover failback" in said
    assert world.lock_item() is not None


def test_status_does_not_say_armed_while_mains_copy_profiles_stay_disabled(cli: Cli, world: DrillWorld) -> None:
    assert cli.run("failover", "--yes").code == 0
    fail_back_dr_states_only(world)
    assert cli.run("rearm", "--force").code == 0  # the lock is armed; Main still copies nothing

    status = cli.run("status", "--json")

    document = json.loads(status.out)
    assert status.code == 1
    assert document["healthy"] is False
    assert "automation armed" not in document["verdict"]
    leftover = "automation not ready (Main still as the failover left it: no ariel copy profile enabled (1, 2 disabled)"
    assert leftover in document["verdict"]


def test_status_and_rearm_accept_a_main_whose_copy_profiles_are_enabled(cli: Cli, world: DrillWorld) -> None:
    assert cli.run("failover", "--yes").code == 0
    fail_back_dr_states_only(world)
    world.main.set_copy_profiles_enabled(True)

    assert cli.run("rearm").code == 0
    status = cli.run("status")
    assert status.code == 0, status.out
    assert status.out.rstrip().endswith("Main active, Destination standby, automation armed")
