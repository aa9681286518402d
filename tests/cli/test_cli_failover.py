"""Manual failover under pressure: refusals in one line, a lock table that cannot be used, dry runs that
page nobody and decide from the evidence, progress while a console hangs, and 80 columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qradar_devkit.world import MAIN_AZ, DrillWorld
from qradar_failover.failover import ACTIVATION_MARGIN_SECONDS
from qradar_failover.runtime import aws_call_bound_seconds
from qradar_simulator import Fault, FaultKind
from support.cli import Cli, one_message, staged_writes
from support.events import EVENTS_DIR

pytestmark = pytest.mark.integration

README_SAMPLE = str(EVENTS_DIR / "sns-cloudwatch-alarm-event.json")


@pytest.mark.parametrize("as_json", [False, True])
def test_the_readme_sample_event_is_refused_in_one_line(cli: Cli, world: DrillWorld, as_json: bool) -> None:
    result = cli.run("failover", "--dry-run", "--alarm-file", README_SAMPLE, *(["--json"] if as_json else []))

    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    line = one_message(result.err)
    assert line.startswith(
        "qradar-failover failover: refused: CloudWatch has no AWS/NetworkELB metrics for "
        "targetgroup/qradar-dlc/6d0ecf831eec9f09"
    )
    assert "(ca-central-1): the event does not describe this deployment" in line
    if as_json:
        assert json.loads(result.out) == {"error": line.removeprefix("qradar-failover failover: "), "exit_code": 1}
    assert world.main.writes() == [] and world.destination.writes() == []
    assert world.notifications() == []


def test_an_alarm_for_a_destination_az_is_refused_before_anything_is_read(
    cli: Cli, world: DrillWorld, tmp_path: Path
) -> None:
    alarm = tmp_path / "alarm.json"
    alarm.write_text(json.dumps(world.alarm_message()))

    result = cli.run(
        "failover", "--yes", "--alarm-file", str(alarm), env=cli.env(MAIN_SITE_AVAILABILITY_ZONES="ca-central-1b")
    )

    assert result.code == 1
    assert "refused: ca-central-1a is not a Main-Site availability zone (ca-central-1b)" in result.err
    assert world.main.requests == [] and world.destination.requests == []


def test_failover_with_an_unusable_lock_table_and_yes_is_refused_naming_the_flag(cli: Cli, world: DrillWorld) -> None:
    result = cli.run("failover", "--yes", env=cli.env(LOCK_TABLE_NAME="no-such-table"))

    assert result.code == 1
    assert "WITHOUT THE LOCK there is no exactly-once guarantee" in result.out
    line = one_message(result.err)
    assert "refused: the lock table cannot be used (lock table no-such-table" in line
    assert "pass --without-lock with --yes to fail over anyway" in line
    assert world.main.writes() == [] and world.destination.writes() == []


def test_failover_without_the_lock_works_and_says_the_risk(cli: Cli, world: DrillWorld) -> None:
    result = cli.run("failover", "--yes", "--without-lock", env=cli.env(LOCK_TABLE_NAME="no-such-table"))

    text = " ".join(result.out.split())
    assert result.code == 0, result.out + result.err
    assert world.destination.deployed_dr_config()["site_state"] == "ACTIVE"
    assert world.main.deployed_dr_config()["site_state"] == "STANDBY"
    assert len(staged_writes(world.destination)) == 1
    assert "Outcome: failed_over" in text
    assert "Lock: NOT USED for this failover" in text
    assert "no exactly-once guarantee" in text and "the automation stays armed" in text
    assert "The lock table does not show this failover" in text
    (notice,) = world.notifications()
    assert notice["Subject"].startswith("[QRadar DR] Failed over")


def test_failover_without_the_lock_asks_for_the_typed_confirmation(cli: Cli, world: DrillWorld) -> None:
    env = cli.env(LOCK_TABLE_NAME="no-such-table")

    declined = cli.run("failover", stdin="y\n", env=env)
    accepted = cli.run("failover", stdin="without lock\ny\n", env=env)

    assert declined.code == 1
    assert "Type 'without lock' to fail over without the exactly-once guarantee" in declined.out
    assert "cancelled: nothing was changed" in declined.err
    assert accepted.code == 0, accepted.out + accepted.err
    assert len(staged_writes(world.destination)) == 1


def test_dry_run_notifies_nobody_unless_asked(cli: Cli, world: DrillWorld) -> None:
    quiet = cli.run("failover", "--dry-run")
    assert quiet.code == 0, quiet.err
    assert world.notifications() == []
    assert "Notification: not sent (a dry run from the CLI; --notify sends the plan to the topic)" in quiet.out

    told = cli.run("failover", "--dry-run", "--notify")
    (notice,) = world.notifications()
    assert told.code == 0
    assert notice["Subject"].startswith("[QRadar DR] DRY RUN")
    assert "Notification: published" in told.out
    assert world.main.writes() == [] and world.destination.writes() == []


def test_dry_run_decision_matches_the_evidence(cli: Cli, world: DrillWorld) -> None:
    """What the operator reads; the engine decides the words (tests/cli/test_cli_dry_run_decision.py: JSON)."""
    world.publish_health(MAIN_AZ, healthy=2, unhealthy=0)  # the Main collectors are healthy now
    result = cli.run("failover", "--dry-run")

    text = " ".join(result.out.split())
    assert result.code == 0, result.err
    assert "Outcome: dry_run - dry run: would fail over (manual failover by " in text
    assert "against the evidence: 2 healthy collector(s) remain in ca-central-1a" in text
    assert "the alarm is confirmed" not in text


def test_a_hung_main_console_shows_what_is_awaited_on_a_terminal(cli: Cli, world: DrillWorld) -> None:
    world.main.inject(Fault(FaultKind.HANG))
    env = cli.env(HTTP_READ_TIMEOUT_SECONDS="2.5", MAIN_SITE_BUDGET_SECONDS="3")

    status = cli.run("status", "--json", env=env, terminal=True)
    rehearsal = cli.run("failover", "--dry-run", env=env, terminal=True)
    piped = cli.run("status", env=env)

    assert json.loads(status.out)["main"]["problem"] == "not answering (timed out)", "stdout stays one JSON document"
    bound = aws_call_bound_seconds() + 3  # a token from Secrets Manager, then the console within its budget
    assert (
        f"waiting for the consoles, the lock table, the alarms and the readiness result: 1s of at most {bound:.0f}s"
        in (status.err)
    )
    assert "waiting for live target health, the consoles and the lock table: " in rehearsal.err
    assert "waiting for the main console (read DR config): " in rehearsal.err, "the engine's calls too"
    assert "waiting for" not in piped.out + piped.err, "no progress lines when not on a terminal"


@pytest.mark.parametrize("command", [("status",), ("failover", "--yes"), ("rearm",)])
def test_output_fits_80_columns(cli: Cli, world: DrillWorld, command: tuple[str, ...]) -> None:
    if command == ("rearm",):
        assert cli.run("failover", "--yes").code == 0  # so that re-arming is refused, with the reasons

    result = cli.run(*command, env=cli.env(COLUMNS="80"))

    assert result.code in (0, 1), result.err
    assert [line for line in result.out.splitlines() if len(line) > 80] == []
    wide = cli.run(*command, env=cli.env(COLUMNS="200"))
    if command == ("status",):
        assert "qradar-dr-qradar-dlc-ca-central-1a-unhealthy-collectors" in wide.out, "full names when wider"


def test_deploy_progress_shows_the_bound_the_engine_waits_within(cli: Cli, world: DrillWorld) -> None:
    """The Destination's activation has DEPLOY_TIMEOUT_SECONDS + ACTIVATION_MARGIN_SECONDS; a deploy the Main
    Site started has DEPLOY_TIMEOUT_SECONDS (the progress line once said 180 s for both)."""
    result = cli.run("failover", "--yes", env=cli.env(DEPLOY_TIMEOUT_SECONDS="100"))

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    destination = [line for line in lines if line.startswith("  destination  deploy ")]
    main = [line for line in lines if line.startswith("  main         deploy ")]
    assert destination and main, result.out
    assert destination[0].endswith(f"(0s so far, at most {100 + ACTIVATION_MARGIN_SECONDS}s)"), destination
    assert main[0].endswith("(0s so far, at most 100s)"), main
    assert destination[-1].startswith("  destination  deploy COMPLETE: 100% complete")


def test_a_slow_destination_deploy_is_reported_as_still_running_not_as_a_console_that_did_not_answer(
    cli: Cli, world: DrillWorld
) -> None:
    """`drill --deploy-seconds 600` once said `no HTTP answer / no time left for this call` and told people to
    activate the Destination by hand and deploy, while its deploy was still running."""
    world.destination.deploy_seconds = 120
    env = cli.env(DEPLOY_TIMEOUT_SECONDS="1", DEPLOY_POLL_INTERVAL_SECONDS="0.5")

    result = cli.run("failover", "--yes", "--time-budget", "30", env=env)

    text = " ".join(result.out.split())
    assert result.code == 1, "the console answered: not exit 3 (unreachable)"
    assert "Failure: destination console, step 'deploy': still running when the time ran out" in text
    assert "deploy still IN_PROGRESS at" in text
    assert "no HTTP answer" not in text and "no time left for this call" not in text
    by_hand = text.split("Left to do by hand:")[1]
    assert "do not start another deploy" in by_hand and "PRIMARY/ACTIVE by itself when it completes" in by_hand
    assert "Main Site, which this run did not demote, may still be PRIMARY/ACTIVE" in by_hand
    assert world.main.writes() == []
    (notice,) = world.notifications()
    body = " ".join(notice["Message"].split())
    assert "destination console, step 'deploy': still running when the time ran out" in body
    assert "no HTTP answer" not in body


@pytest.mark.parametrize("as_json", [False, True])
def test_a_recorded_failover_with_both_consoles_active_is_said_before_any_question_with_what_to_do(
    cli: Cli, world: DrillWorld, as_json: bool
) -> None:
    """It once asked "Fail over now? [y/N]", then did nothing and paged everyone again."""
    assert cli.run("failover", "--yes").code == 0
    world.main.set_dr_state(is_dr="PRIMARY", site_state="ACTIVE", ariel_copy_enabled=True)  # Main came back active
    assert len(world.notifications()) == 1  # the failover's notice, received

    result = cli.run("failover", *(["--json"] if as_json else []), stdin="y\n")

    assert result.code == 1
    text = " ".join((result.err if as_json else result.out).split())
    assert "Fail over to the Destination Site now?" not in text, "nothing to decide: no question"
    assert "Nothing to do: the lock records a failover (FAILED_OVER by cli-" in text
    assert "until the automation is re-armed" in text
    assert "WARNING: both consoles are PRIMARY/ACTIVE (a split)" in text
    assert "set the site to STANDBY with ariel copy disabled, disable every ariel copy profile" in text
    if as_json:
        document = json.loads(result.out)
        assert (document["outcome"], document["exit_code"]) == ("already_failed_over", 1)
        assert any("both consoles are PRIMARY/ACTIVE" in line for line in document["advice"])
    assert world.notifications() == [], "nobody is paged again"
    assert len(staged_writes(world.destination)) == 1


def test_a_recorded_failover_whose_sites_are_failed_over_is_nothing_to_do_exit_0(cli: Cli, world: DrillWorld) -> None:
    assert cli.run("failover", "--yes").code == 0

    result = cli.run("failover")

    assert result.code == 0
    assert "Nothing to do: the lock records a failover" in " ".join(result.out.split())
    assert "Fail over to the Destination Site now?" not in result.out


def test_a_recorded_failover_after_a_failback_says_to_rearm_first(cli: Cli, world: DrillWorld) -> None:
    assert cli.run("failover", "--yes").code == 0
    world.destination.set_dr_state(is_dr="DR", site_state="STANDBY", ariel_copy_enabled=False)
    world.main.set_dr_state(is_dr="PRIMARY", site_state="ACTIVE", ariel_copy_enabled=True)

    result = cli.run("failover", "--yes")

    text = " ".join(result.out.split())
    assert result.code == 1
    assert "if you failed back with the DataSync app, re-arm first (qradar-failover rearm)" in text
    assert len(staged_writes(world.destination)) == 1
