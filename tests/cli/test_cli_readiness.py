"""`qradar-failover readiness`, `status`'s readiness line and `drill --readiness` against the drill's
world: simulated consoles over HTTPS and moto in server mode."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from qradar_devkit.lambda_context import FakeLambdaContext
from qradar_devkit.readiness_drill import SCENARIOS, print_readiness_drill, run_readiness_drill
from qradar_devkit.world import DrillWorld, MotoEndpoint
from qradar_failover import readiness_handler
from qradar_failover.readiness_checks import Check
from qradar_failover_cli.main import main
from support.cli import Cli

pytestmark = pytest.mark.integration


def test_readiness_of_the_module_shaped_world_is_ready_in_80_columns(cli: Cli, world: DrillWorld) -> None:
    result = cli.run("readiness", env=cli.env(COLUMNS="80"))

    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    assert lines[0] == "Readiness: READY"
    assert max(len(line) for line in lines) <= 80
    assert sum(" ok " in line for line in lines) == len(Check)
    assert {request.method for request in world.main.requests + world.destination.requests} == {"GET"}


def test_readiness_widens_with_the_terminal(cli: Cli, world: DrillWorld) -> None:
    world.unsubscribe_people()

    result = cli.run("readiness", env=cli.env(COLUMNS="160"))

    assert 80 < max(len(line) for line in result.out.splitlines()) <= 160


def test_readiness_json_and_exit_1_when_not_ready(cli: Cli, world: DrillWorld) -> None:
    world.unsubscribe_people()

    result = cli.run("readiness", "--json")

    document = json.loads(result.out)
    assert result.code == 1
    assert document["ready"] is False and document["exit_code"] == 1
    assert [c["name"] for c in document["checks"] if not c["ok"]] == ["notification_subscribers"]
    assert document["checks"][8]["detail"].startswith("nobody would hear")


def test_a_missing_readiness_setting_exits_2_naming_the_variable_and_flag(cli: Cli, world: DrillWorld) -> None:
    result = cli.run("readiness", env=cli.env(FAILOVER_FUNCTION_NAME=None))

    assert result.code == 2
    assert (
        "configuration: FAILOVER_FUNCTION_NAME is required but not set "
        "(set FAILOVER_FUNCTION_NAME, pass --failover-function-name, or --function NAME)" in result.err
    )
    assert world.main.requests == []


def test_a_flag_supplies_a_readiness_setting(cli: Cli) -> None:
    result = cli.run("readiness", "--failover-function-name", "qradar-dr", env=cli.env(FAILOVER_FUNCTION_NAME=None))

    assert result.code == 0, result.out + result.err


def test_a_missing_engine_setting_exits_2_like_every_command(cli: Cli) -> None:
    result = cli.run("readiness", "--json", env=cli.env(LOCK_TABLE_NAME=None))

    assert result.code == 2
    assert json.loads(result.out)["exit_code"] == 2


def test_status_shows_the_readiness_functions_last_result_and_its_time(
    cli: Cli, world: DrillWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in cli.env().items():
        monkeypatch.setenv(name, value)
    world.destination.set_dr_state(is_dr="PRIMARY", site_state="ACTIVE", ariel_copy_enabled=True)
    readiness_handler.lambda_handler({"source": "schedule"}, FakeLambdaContext("ready-1", 60))
    world.ingest_emf(capsys.readouterr().out)
    world.destination.set_dr_state(is_dr="DR", site_state="STANDBY", ariel_copy_enabled=False)

    result = cli.run("status", "--json")

    document = json.loads(result.out)
    assert document["readiness"]["last"]["ready"] is False
    assert document["readiness"]["last"]["failing_checks"] == ["dr_state"]
    assert document["readiness"]["summary"].startswith("Readiness: NOT READY (last check ")
    assert "failed: dr_state; replication lag " in document["readiness"]["summary"]
    assert document["readiness"]["summary"].endswith(
        "); details: qradar-failover readiness --function qradar-dr-readiness --region ca-central-1"
    ), "the command with what it needs: the readiness function, which the module names <name>-readiness"
    text = cli.run("status").out
    assert document["readiness"]["summary"] in text


def test_status_says_when_the_readiness_function_has_not_run(cli: Cli) -> None:
    result = cli.run("status")

    assert "Readiness: no result in the last 24 h: the readiness function is not running" in result.out
    assert "run: qradar-failover readiness --function qradar-dr-readiness --region ca-central-1" in " ".join(
        result.out.split()
    )
    assert result.code == 0, "an unknown readiness result does not change status's verdict"


# --- drill --readiness -------------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_readiness_drill_names_what_each_scenario_breaks(
    scenario: str, tmp_path: Path, moto_endpoint: MotoEndpoint
) -> None:
    drill = run_readiness_drill(scenario, lambda _line: None, tmp_path, moto_endpoint)

    assert drill.passed, drill.checks
    assert drill.failing == list(SCENARIOS[scenario].failing)
    assert drill.warnings == list(SCENARIOS[scenario].warnings)
    assert drill.result["ready"] is not SCENARIOS[scenario].failing


def test_the_scenarios_of_the_issues_name_their_check() -> None:
    assert SCENARIOS["token-refused"].failing[0] == "consoles"
    assert SCENARIOS["destination-active"].failing == ("dr_state",)
    assert SCENARIOS["no-subscribers"].failing == ("notification_subscribers",)
    assert (SCENARIOS["token-expiring"].failing, SCENARIOS["token-expiring"].warnings) == ((), ("token_expiry",))
    assert SCENARIOS["replication-lagging"].failing == ("replication_lag",)
    assert SCENARIOS["alarm-not-acting"].failing == ("health_alarms",)


def test_a_warning_scenario_prints_ready_with_its_warning(tmp_path: Path, moto_endpoint: MotoEndpoint) -> None:
    drill = run_readiness_drill("token-expiring", lambda _line: None, tmp_path, moto_endpoint)
    lines: list[str] = []

    print_readiness_drill(drill, lines.append)

    text = "\n".join(lines)
    assert "Readiness: READY with 1 warning (token_expiry)" in text
    assert "token_expiry              WARN    Main: the token expires" in text
    assert "qradar-failover status: Readiness: ready with warnings (last check " in text
    assert "PASS: readiness warned about token_expiry and stayed ready" in " ".join(lines[-2:])


def test_the_readiness_drill_prints_the_table_the_status_line_and_the_verdict(
    tmp_path: Path, moto_endpoint: MotoEndpoint
) -> None:
    drill = run_readiness_drill("destination-active", lambda _line: None, tmp_path, moto_endpoint)
    lines: list[str] = []

    print_readiness_drill(drill, lines.append)

    text = "\n".join(lines)
    assert f"Readiness: NOT READY (1 of {len(Check)} checks failed)" in text
    assert " 4  dr_state                  FAILED  SPLIT: both consoles are ACTIVE" in text
    assert "qradar-failover status: Readiness: NOT READY (last check " in text
    assert "PASS: readiness named dr_state, read-only, before any AZ failed" in " ".join(lines[-2:])
    assert max(len(line) for line in lines) <= 80


def test_drill_readiness_command_exits_zero_and_prints_json() -> None:
    out, err = io.StringIO(), io.StringIO()

    code = main(["drill", "--readiness", "no-subscribers", "--json"], environ={}, stdout=out, stderr=err)

    document = json.loads(out.getvalue())
    assert code == 0, err.getvalue()
    assert document["passed"] is True
    assert document["expected_failing_checks"] == ["notification_subscribers"]


def test_drill_readiness_with_an_unknown_scenario_is_a_usage_error() -> None:
    out, err = io.StringIO(), io.StringIO()

    code = main(["drill", "--readiness", "everything-broken"], environ={}, stdout=out, stderr=err)

    assert code == 2
    assert (
        "--readiness must be one of ready, token-refused, destination-active, no-subscribers, token-expiring, "
        "replication-lagging, alarm-not-acting" in " ".join(err.getvalue().split())
    )
