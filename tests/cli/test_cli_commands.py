"""qradar-failover status / failover / rearm / decode against the simulators and moto in server mode."""

from __future__ import annotations

import json
import re

import pytest

from qradar_devkit.world import MAIN_AZ, DrillWorld
from qradar_failover_cli.main import main
from support.cli import Cli, staged_writes
from support.events import EVENTS_DIR

pytestmark = pytest.mark.integration

ARMED = "Main active, Destination standby, automation armed"


def fail_back(world: DrillWorld) -> None:
    """What the operator does with the DataSync app once the Main AZ is back, copy profiles included."""
    world.main.set_dr_state(is_dr="PRIMARY", site_state="ACTIVE", ariel_copy_enabled=True)
    world.destination.set_dr_state(is_dr="DR", site_state="STANDBY", ariel_copy_enabled=False)
    world.main.set_copy_profiles_enabled(True)


def test_status_of_a_healthy_armed_deployment(cli: Cli) -> None:
    result = cli.run("status")

    assert result.code == 0, result.err
    assert result.out.rstrip().endswith(ARMED)
    assert "PRIMARY/ACTIVE, ariel copy on" in result.out
    assert "DR/STANDBY, ariel copy off" in result.out
    assert "qradar-dr-qradar-dlc-ca-central-1a-unhealthy-collectors" in result.out


def test_status_json_parses(cli: Cli) -> None:
    result = cli.run("status", "--json")

    document = json.loads(result.out)
    assert result.code == 0
    assert document["verdict"] == ARMED
    assert document["main"]["state"] == "PRIMARY/ACTIVE, ariel copy on"
    assert document["lock"] is None
    assert {alarm["state"] for alarm in document["alarms"]} == {"OK"}
    assert len(document["alarms"]) == 2


def test_manual_failover_with_yes_runs_the_engine_with_progress(cli: Cli, world: DrillWorld) -> None:
    world.publish_health(MAIN_AZ, healthy=2, unhealthy=0)  # the Main collectors are healthy now
    result = cli.run("failover", "--yes")

    assert result.code == 0, result.out + result.err
    assert world.destination.deployed_dr_config()["site_state"] == "ACTIVE"
    assert world.main.deployed_dr_config()["site_state"] == "STANDBY"
    assert len(staged_writes(world.destination)) == 1
    assert "destination  stage DR config" in result.out
    assert "% complete (" in result.out, "deploy polling is shown"
    assert "against the evidence: 2 healthy collector(s)" in result.out, "healthy collectors: the operator decided"
    assert "Outcome: failed_over" in result.out
    (notice,) = world.notifications()
    assert notice["Subject"].startswith("[QRadar DR] Failed over")

    after = cli.run("status")
    assert after.code == 1
    assert "Main standby, Destination active, automation disarmed" in after.out


def test_failover_answered_no_writes_nothing(cli: Cli, world: DrillWorld) -> None:
    result = cli.run("failover", stdin="n\n")

    assert result.code == 1
    assert "Fail over to the Destination Site now? [y/N]" in result.out
    assert "Cancelled: nothing was changed." in result.out
    assert world.main.writes() == [] and world.destination.writes() == []
    assert world.lock_item() is None
    assert world.notifications() == []


def test_failover_dry_run_asks_nothing_and_writes_nothing(cli: Cli, world: DrillWorld) -> None:
    result = cli.run("failover", "--dry-run", "--json")

    report = json.loads(result.out)
    assert result.code == 0
    assert report["outcome"] == "dry_run"
    assert world.main.writes() == [] and world.destination.writes() == []


def test_failover_requiring_confirmation_is_refused_while_collectors_are_healthy(cli: Cli, world: DrillWorld) -> None:
    world.publish_health(MAIN_AZ, healthy=2, unhealthy=0)  # the Main collectors are healthy now
    result = cli.run("failover", "--yes", "--require-confirmation")

    assert result.code == 1
    assert "Outcome: refused" in result.out
    assert world.destination.writes() == []


def test_rearm_refused_while_main_is_standby_then_accepted_after_failback(cli: Cli, world: DrillWorld) -> None:
    assert cli.run("failover", "--yes").code == 0

    refused = cli.run("rearm")
    assert refused.code == 1
    assert "[NO] the Main Site must be PRIMARY/ACTIVE: found PRIMARY/STANDBY, ariel copy off" in refused.out
    assert "Not re-armed" in refused.out
    assert world.lock_item() is not None

    fail_back(world)
    accepted = cli.run("rearm", "--json")
    document = json.loads(accepted.out)
    assert accepted.code == 0, accepted.err
    assert document["rearmed"] is True
    assert document["lock_before"]["state"] == "FAILED_OVER"
    assert world.lock_item() is None
    assert cli.run("status").code == 0


def test_rearm_refused_while_a_main_az_alarm_fires_unless_forced(cli: Cli, world: DrillWorld) -> None:
    assert cli.run("failover", "--yes").code == 0
    fail_back(world)
    world.set_alarm("UnHealthyHostCount", "ALARM", "collectors still failing")

    refused = cli.run("rearm")
    assert refused.code == 1
    assert "every Main-AZ alarm must be OK, found qradar-dr-qradar-dlc-ca-central-1a-unhealthy-collectors ALARM" in (
        refused.out.replace("\n  ", " ")
    )

    forced = cli.run("rearm", "--force")
    assert forced.code == 0
    assert "Re-armed (forced)" in forced.out
    assert world.lock_item() is None


def test_rearm_when_already_armed_changes_nothing(cli: Cli) -> None:
    result = cli.run("rearm")

    assert result.code == 0
    assert "already armed" in result.out


@pytest.mark.parametrize(
    "name",
    ["sns-cloudwatch-alarm-event.json", "eventbridge-alarm-state-change-event.json", "cloudwatch-alarm-message.json"],
)
def test_decode_explains_each_event_shape(name: str) -> None:
    out, err = _capture(
        "decode", str(EVENTS_DIR / name), "--main-site-availability-zones", "ca-central-1a", "--offline"
    )

    assert out.code == 0, out.text + err
    assert "availability zone: ca-central-1a" in out.text
    assert (
        "Decision: acted on: ALARM for the Main-Site AZ ca-central-1a (target group not checked: --offline)" in out.text
    )
    assert "claim the lock" in out.text


def test_decode_of_a_destination_az_alarm_says_it_is_ignored(tmp_path: object) -> None:
    out, _ = _capture(
        "decode", str(EVENTS_DIR / "cloudwatch-alarm-message.json"), "--main-azs", "ca-central-1b"
    )  # old flag

    assert out.code == 1
    assert "ignored: ca-central-1a is not a Main-Site availability zone" in out.text


def test_decode_json_of_a_file_that_holds_no_event(tmp_path: object) -> None:
    from pathlib import Path

    bogus = Path(str(tmp_path)) / "bogus.json"
    bogus.write_text('{"hello": "world"}')
    out, _ = _capture("decode", str(bogus), "--json")

    document = json.loads(out.text)
    assert out.code == 2 == document["exit_code"], "bad input: the file is not an event"
    assert document["error"].endswith("is not an alarm event: it is neither an SNS notification, an EventBridge alarm "
                                      "event nor an alarm message")  # fmt: skip


def test_decode_of_a_missing_file_is_a_usage_error() -> None:
    out, err = _capture("decode", "/nonexistent/event.json")

    assert out.code == 2
    assert "cannot read /nonexistent/event.json" in err


def test_missing_setting_exits_2_naming_the_variable_and_flag(cli: Cli, world: DrillWorld) -> None:
    result = cli.run("status", env=cli.env(LOCK_TABLE_NAME=None))

    assert result.code == 2
    assert "LOCK_TABLE_NAME is required but not set (set LOCK_TABLE_NAME, pass --lock-table-name," in result.err
    assert world.main.requests == []


@pytest.mark.parametrize("flag", ["--lock-table-name", "--lock-table"])
def test_flag_supplies_a_missing_setting(cli: Cli, flag: str) -> None:
    """The flag is the variable's name; the earlier flag still works (hidden)."""
    result = cli.run("status", flag, "qradar-dr-lock", env=cli.env(LOCK_TABLE_NAME=None))

    assert result.code == 0, result.err


def test_unreachable_main_console_exits_3(cli: Cli, world: DrillWorld) -> None:
    world.main.go_down()

    result = cli.run("status")

    assert result.code == 3
    assert "Main unreachable (connection refused)" in result.out
    assert "cannot connect" in result.out


def test_unreachable_destination_fails_the_failover_with_exit_3(cli: Cli, world: DrillWorld) -> None:
    world.destination.go_down()

    result = cli.run("failover", "--yes")

    assert result.code == 3
    assert "Outcome: failed" in result.out
    assert world.main.writes() == []


def test_unreachable_lock_table_exits_3(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")  # the discard port: refused

    result = cli.run("status")

    assert result.code == 3, result.err
    assert "cannot reach AWS in region ca-central-1 (EndpointConnectionError)" in " ".join(result.out.split())
    assert result.out.rstrip().endswith("automation state unknown (lock table not read)"), "the rest is still shown"


def test_status_reads_a_lock_record_written_by_the_previous_version(cli: Cli, world: DrillWorld) -> None:
    import boto3

    old_summary = {"at": 1795826321.8, "failure": "Failure(site='destination', step='deploy', detail='x', kind='http')"}
    boto3.client("dynamodb").put_item(
        TableName=world.env["LOCK_TABLE_NAME"],
        Item={
            "lock_id": {"S": "qradar-failover"},
            "state": {"S": "FAILED"},
            "holder": {"S": "req-9"},
            "summary": {"S": json.dumps(old_summary)},
        },
    )

    text = cli.run("status")
    document = json.loads(cli.run("status", "--json").out)

    assert text.code == 0, text.err
    assert re.search(r"\n  recorded at: +2026-11-28T00:38:41.800Z\n", text.out)
    assert "\n  failure:\n    site: destination\n    step: deploy\n    detail: x\n    kind: http\n" in text.out
    assert document["lock"]["summary"]["failure"] == {
        "site": "destination",
        "step": "deploy",
        "detail": "x",
        "kind": "http",
    }


def test_console_refusing_the_token_is_named(cli: Cli, world: DrillWorld) -> None:
    from qradar_simulator import Fault, FaultKind

    world.destination.inject(Fault(FaultKind.STATUS, status=401, message="Invalid SEC token"))

    result = cli.run("status", "--json")

    document = json.loads(result.out)
    assert result.code == 1
    assert "destination console, read DR config: HTTP 401" in document["destination"]["error"]
    assert "Invalid SEC token" in document["destination"]["error"]


def test_help_explains_commands_and_exit_codes() -> None:
    out, _ = _capture("--help")

    assert out.code == 0
    for text in ("status", "failover", "rearm", "decode", "drill", "exit codes:", "3  a QRadar console or an AWS API"):
        assert text in out.text


class _Out:
    def __init__(self, code: int, text: str) -> None:
        self.code, self.text = code, text


def _capture(*argv: str) -> tuple[_Out, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out):  # argparse prints --help to sys.stdout
        code = main(list(argv), environ={"COLUMNS": "200"}, stdout=out, stderr=err)
    return _Out(code, out.getvalue()), err.getvalue()
