"""qradar-failover failback against the drill's world: simulated consoles over HTTPS, moto in server mode.
The way back, each refusal, and the faults a failback can meet."""

from __future__ import annotations

import json

import boto3
import pytest

from qradar_devkit.world import LOCK_TABLE, MAIN_AZ, REGION, DrillWorld
from qradar_failover.lock import FailoverLock
from support.cli import Cli, Result, staged_writes

pytestmark = pytest.mark.integration

ARMED = "Main active, Destination standby, automation armed"
SETTLED = ("--healthy-for", "5")  # the world's Main AZ has reported healthy for the last 10 minutes


def fail_over(cli: Cli, world: DrillWorld) -> None:
    """A failover by hand while the Main collectors report healthy, so the Main AZ reads recovered at once."""
    world.publish_health(MAIN_AZ, healthy=2, unhealthy=0)
    assert cli.run("failover", "--yes").code == 0
    world.notifications()  # drain the failover's notice


def copy_back(world: DrillWorld) -> None:
    """The manual step on the Destination hosts: the copy back to Main is set up and has run."""
    world.destination.set_copy_profiles_enabled(True)
    assert world.destination.run_ariel_copy() == [1]


def said(result: Result) -> str:
    return " ".join(result.out.split())


def test_failback_with_yes_restores_main_enables_its_copy_profiles_and_rearms(cli: Cli, world: DrillWorld) -> None:
    fail_over(cli, world)
    copy_back(world)

    result = cli.run("failback", "--yes", *SETTLED)

    assert result.code == 0, result.out + result.err
    main, destination = world.main.deployed_dr_config(), world.destination.deployed_dr_config()
    assert (main["is_dr"], main["site_state"], main["ariel_copy_enabled"]) == ("PRIMARY", "ACTIVE", True)
    assert (destination["is_dr"], destination["site_state"], destination["ariel_copy_enabled"]) == (
        "DR",
        "STANDBY",
        False,
    )
    assert all(profile["enabled"] for profile in world.main.copy_profiles())
    assert world.main.copies_to() == ["10.0.2.10"] and world.destination.copies_to() == [], "data flows Main -> Dest"
    assert world.lock_item() is None
    text = said(result)
    assert "Outcome: failed_back - the Main Site is active and copying again; the automation is re-armed" in text
    assert "-> done: verified: copy profile(s) 1 transferred to Main since the failover" in text
    assert "main stage DR config" in text and "% complete (" in text, "each call and the deploys are shown"
    assert f"Next: qradar-failover readiness --function qradar-dr-readiness --region {REGION} checks" in text
    (notice,) = world.notifications()
    assert notice["Subject"] == "[QRadar DR] Failed back to the Main Site; automation re-armed"

    status = cli.run("status")
    assert status.code == 0, status.out
    assert status.out.rstrip().endswith(ARMED)
    readiness = cli.run("readiness")
    assert readiness.code == 0, readiness.out


def test_dry_run_prints_the_checks_and_every_step_and_changes_nothing(cli: Cli, world: DrillWorld) -> None:
    fail_over(cli, world)
    writes_before = len(world.main.writes()) + len(world.destination.writes())
    lock_before = world.lock_item()

    result = cli.run("failback", "--dry-run", *SETTLED)

    text = said(result)
    assert result.code == 0, result.out
    assert "Preflight (read-only)" in text
    assert "[ok] the lock must record a completed failover: found FAILED_OVER by cli-" in text
    assert "Plan: 7 steps, starting at step 1" in text
    assert "2. [you] Copy the data the Destination collected during the outage back to the Main Site" in text
    assert "3. [API] Set the Main Site PRIMARY/ACTIVE with ariel copy on, and deploy" in text
    assert "follows: IBM DataSync app, 'Synchronizing Ariel data', step 2" in text
    assert "Outcome: planned - dry run" in text
    assert len(world.main.writes()) + len(world.destination.writes()) == writes_before
    assert world.lock_item() == lock_before
    assert world.notifications() == []


def test_each_step_is_asked_for_and_a_no_pauses_the_failback_where_it_resumes(cli: Cli, world: DrillWorld) -> None:
    fail_over(cli, world)
    copy_back(world)
    failovers_stage = len(staged_writes(world.main))

    paused = cli.run("failback", *SETTLED, stdin="y\ny\ny\nn\n")

    assert paused.code == 1
    assert "Step 1 of 7 [you]: Make sure the DataSync app shows the Destination as the active site" in paused.out
    assert "Done? [y/N]" in paused.out and "Go ahead? [y/N]" in paused.out
    assert "resume at step 4" in said(paused)
    assert world.main.deployed_dr_config()["site_state"] == "ACTIVE"
    assert world.destination.deployed_dr_config()["site_state"] == "ACTIVE", "paused before step 4"
    assert len(staged_writes(world.main)) == failovers_stage + 1

    status = cli.run("status")
    assert status.code == 1
    assert "failback in progress: 3 of 7 steps done by" in said(status), status.out
    assert "steps done: destination-active-in-app, copy-back, activate-main" in said(status), status.out

    resumed = cli.run("failback", *SETTLED, stdin="y\ny\ny\ny\n")

    assert resumed.code == 0, resumed.out
    assert "Plan: 7 steps, resuming at step 4 (steps 1-3 done before)" in said(resumed)
    assert "Step 3 of 7" not in resumed.out
    assert len(staged_writes(world.main)) == failovers_stage + 1, "step 3 changed Main once; never again"
    assert world.lock_item() is None


def test_refused_while_the_main_az_is_still_unhealthy(cli: Cli, world: DrillWorld) -> None:
    fail_over(cli, world)
    world.publish_health(MAIN_AZ, healthy=0, unhealthy=2)

    result = cli.run("failback", "--yes", "--force", *SETTLED)

    assert result.code == 1
    assert "[NO] the Main AZ's collectors must pass their health checks now" in result.out
    assert "-> wait until the Main AZ is healthy again" in said(result)
    assert "Outcome: refused" in result.out
    assert world.destination.deployed_dr_config()["site_state"] == "ACTIVE"
    assert len(staged_writes(world.main)) == 1, "only the failover's"


def test_a_main_az_healthy_for_too_short_a_time_needs_force_which_states_its_risk(cli: Cli, world: DrillWorld) -> None:
    fail_over(cli, world)
    copy_back(world)

    refused = cli.run("failback", "--yes")  # 15 minutes by default; the world reports 10

    assert refused.code == 1
    assert "[NO] the Main AZ's collectors must have been healthy for 15 min" in refused.out
    assert "risk of --force: while the failback runs the automation ignores alarms" in said(refused)

    forced = cli.run("failback", "--yes", "--force")
    assert forced.code == 0, forced.out
    assert "Risk accepted with --force: while the failback runs" in said(forced)


def test_refused_while_a_failover_is_in_progress(cli: Cli, world: DrillWorld) -> None:
    lock = FailoverLock(boto3.client("dynamodb", region_name=REGION), LOCK_TABLE, "qradar-failover", 900)
    lock.claim("run-elsewhere", "alarm")  # the function is failing over right now

    result = cli.run("failback", "--yes", *SETTLED, "--json")

    document = json.loads(result.out)
    assert result.code == 1
    assert document["outcome"] == "refused"
    assert "a failover is in progress: run run-elsewhere claimed the lock" in document["reason"]
    assert world.main.writes() == [] and world.destination.writes() == []


def test_refused_against_a_split_with_the_way_out(cli: Cli, world: DrillWorld) -> None:
    fail_over(cli, world)
    world.main.set_dr_state(site_state="ACTIVE", ariel_copy_enabled=True)  # Main came back ACTIVE by itself

    result = cli.run("failback", "--yes", "--force", *SETTLED)

    text = said(result)
    assert result.code == 1
    assert "[NO] the Main console must answer, in a DR state a failback can start from (STANDBY): found SPLIT" in text
    assert "set the Main Site STANDBY with ariel copy off in the DataSync app, deploy, and run failback again" in text
    assert len(staged_writes(world.destination)) == 1, "only the failover's"


def test_a_main_that_answers_but_cannot_deploy_stops_the_failback_before_the_destination_is_touched(
    cli: Cli, world: DrillWorld
) -> None:
    fail_over(cli, world)
    copy_back(world)
    world.main.deploy_errors = "Deployment of host qradar-main-ep01 failed"

    stopped = cli.run("failback", "--yes", *SETTLED)

    text = said(stopped)
    assert stopped.code == 1
    assert "Outcome: stopped - stopped at step 3 (Set the Main Site PRIMARY/ACTIVE" in text
    assert "deploy completed with errors: Deployment of host qradar-main-ep01 failed" in text
    assert world.destination.deployed_dr_config()["site_state"] == "ACTIVE", "the Destination still collects"
    (notice,) = world.notifications()
    assert notice["Subject"] == "[QRadar DR] FAILBACK STOPPED at step 3 (activate-main) - action needed"

    world.main.deploy_errors = None
    resumed = cli.run("failback", "--yes", *SETTLED)
    assert resumed.code == 0, resumed.out
    assert "resuming at step 3 (steps 1-2 done before)" in said(resumed)


def test_a_destination_that_refuses_to_step_down_leaves_both_active_says_so_and_resumes(
    cli: Cli, world: DrillWorld
) -> None:
    fail_over(cli, world)
    copy_back(world)
    world.destination.refuse_step_down("Data Synchronization: the site cannot be deactivated while a restore runs")

    stopped = cli.run("failback", "--yes", *SETTLED)

    text = said(stopped)
    assert stopped.code == 1
    assert "stopped at step 4 (Set the Destination DR/STANDBY" in text
    assert "HTTP 409" in text and "cannot be deactivated while a restore runs" in text
    assert "Both sites are ACTIVE now" in text
    assert world.main.deployed_dr_config()["site_state"] == "ACTIVE"
    assert world.destination.deployed_dr_config()["site_state"] == "ACTIVE"
    assert world.lock_item() is not None, "not re-armed"

    world.destination.refuse_step_down(None)
    resumed = cli.run("failback", "--yes", *SETTLED)
    assert resumed.code == 0, resumed.out
    assert "resuming at step 4 (steps 1-3 done before)" in said(resumed)
    assert len(staged_writes(world.main)) == 2, "the failover's and step 3's, not repeated on resume"


def test_a_token_that_expired_during_the_outage_is_named_and_a_new_one_is_taken(cli: Cli, world: DrillWorld) -> None:
    fail_over(cli, world)
    copy_back(world)
    world.main.expire_token()

    refused = cli.run("failback", "--yes", *SETTLED)

    text = said(refused)
    assert refused.code == 1
    assert "HTTP 401 (QRadar code 9007): The authorized service token has expired." in text
    assert "a new authorized service token in the Main site's secret" in text
    assert "drill-main-SEC-token" not in refused.out + refused.err

    world.main.issue_token("renewed-main-SEC-token-after-the-outage")
    world.replace_token("main", "renewed-main-SEC-token-after-the-outage")
    accepted = cli.run("failback", "--yes", *SETTLED)
    assert accepted.code == 0, accepted.out
    assert "renewed-main-SEC-token" not in accepted.out + accepted.err


def test_a_failback_without_a_recorded_failover_is_refused(cli: Cli, world: DrillWorld) -> None:
    result = cli.run("failback", "--yes", *SETTLED)

    assert result.code == 1
    assert "found no failover recorded (the automation is armed)" in said(result)
    assert world.main.writes() == [] and world.destination.writes() == []
