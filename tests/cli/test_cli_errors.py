"""Errors people can read: AWS access (credentials, region), console failures named by their root
cause, a lock table that cannot be read, the lock record, and re-arm refusals."""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import pytest

from qradar_devkit.world import LOCK_TABLE, DrillWorld
from qradar_simulator import CertificateAuthority, Fault, FaultKind
from support.cli import Cli, one_message

pytestmark = pytest.mark.integration


def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))


@pytest.mark.parametrize("command", ["status", "failover", "rearm"])
def test_no_aws_credentials_exits_2_saying_what_to_do(
    cli: Cli, world: DrillWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str
) -> None:
    no_aws_credentials(monkeypatch, tmp_path)

    result = cli.run(command, "--json")

    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    (line,) = result.err.splitlines()
    assert "no credentials found for region ca-central-1" in line
    assert "--profile" in line and "aws sso login" in line and "AWS_ACCESS_KEY_ID" in line
    assert json.loads(result.out)["exit_code"] == 2
    assert world.main.requests == [] and world.destination.requests == []


def test_a_region_that_does_not_exist_is_named(cli: Cli, world: DrillWorld) -> None:
    result = cli.run("status", "--region", "ca-centrl-1")

    assert result.code == 2
    assert result.err.strip() == (
        "qradar-failover status: AWS: 'ca-centrl-1' is not an AWS region (a typo? pass --region, e.g. ca-central-1; "
        "if the region is new, update boto3)"
    )


def test_the_wrong_region_names_the_region_in_what_it_could_not_find(cli: Cli, world: DrillWorld) -> None:
    result = cli.run("status", "--region", "us-east-1")

    assert result.code == 1, result.err
    assert "Main token secret missing, Destination token secret missing" in result.out
    assert "not found in region us-east-1" in result.out
    assert f"lock table {LOCK_TABLE} (item qradar-failover): not found in region us-east-1" in result.out


def _verdict(result_out: str) -> str:
    return result_out.rstrip().splitlines()[-1]


def test_console_errors_are_named_by_their_root_cause(cli: Cli, world: DrillWorld, tmp_path: Path) -> None:
    world.main.go_down()
    world.destination.inject(Fault(FaultKind.STATUS, status=401, message="Invalid SEC token"))

    result = cli.run("status")

    assert result.code == 3
    assert _verdict(result.out) == "Main unreachable (connection refused), Destination token refused (401), " + (
        "automation armed"
    )
    assert "cannot connect to 127.0.0.1" in result.out and ": connection refused" in result.out
    assert "Invalid SEC token" in result.out
    assert "Caused by" not in result.out and "HTTPSConnection" not in result.out, "no urllib3 repr"


def test_a_certificate_the_ca_bundle_does_not_trust_is_named(cli: Cli, world: DrillWorld, tmp_path: Path) -> None:
    other_ca = CertificateAuthority.create(tmp_path / "other-ca")

    result = cli.run("status", env=cli.env(QRADAR_CA_BUNDLE=other_ca.bundle_path))

    assert result.code == 2
    assert _verdict(result.out).startswith(
        "Main certificate not trusted by the CA bundle, Destination certificate not trusted by the CA bundle"
    )
    assert "certificate not trusted (unable to get local issuer certificate)" in result.out
    assert "[SSL: CERTIFIC" not in result.out


def test_a_missing_token_secret_is_named(cli: Cli, world: DrillWorld) -> None:
    result = cli.run("status", "--json", env=cli.env(MAIN_SITE_TOKEN_SECRET_ARN="qradar/main/no-such-secret"))

    document = json.loads(result.out)
    assert result.code == 1
    assert document["verdict"].startswith("Main token secret missing, Destination standby")
    assert document["main"]["problem"] == "token secret missing"
    assert "'qradar/main/no-such-secret'" in document["main"]["error"]
    assert world.main.requests == []


@pytest.mark.parametrize("as_json", [False, True])
def test_status_shows_everything_readable_when_the_lock_table_cannot_be_read(
    cli: Cli, world: DrillWorld, as_json: bool
) -> None:
    result = cli.run("status", *(["--json"] if as_json else []), env=cli.env(LOCK_TABLE_NAME="no-such-table"))

    assert result.code == 1
    verdict = "Main active, Destination standby, automation state unknown (lock table not read)"
    if as_json:
        document = json.loads(result.out)
        assert document["verdict"] == verdict
        assert document["main"]["state"] == "PRIMARY/ACTIVE, ariel copy on"
        assert document["lock"] is None
        assert (
            "no-such-table" in document["lock_error"] and "not found in region ca-central-1" in document["lock_error"]
        )
        assert len(document["alarms"]) == 2
    else:
        assert _verdict(result.out) == verdict
        assert "PRIMARY/ACTIVE, ariel copy on" in result.out and "DR/STANDBY, ariel copy off" in result.out
        assert "Lock (no-such-table/qradar-failover): NOT READ: lock table no-such-table" in result.out
        assert "unhealthy-collectors" in result.out


def _put_lock(world: DrillWorld, summary: dict[str, object]) -> None:
    boto3.client("dynamodb").put_item(
        TableName=LOCK_TABLE,
        Item={
            "lock_id": {"S": "qradar-failover"},
            "state": {"S": "FAILED_OVER"},
            "holder": {"S": "drill-1"},
            "claimed_at": {"N": "1795826321.800"},
            "alarm_name": {"S": "qradar-dr-qradar-dlc-ca-central-1a-unhealthy-collectors"},
            "summary": {"S": json.dumps(summary)},
        },
    )


def test_the_lock_record_shows_iso_times_and_a_structured_failure(cli: Cli, world: DrillWorld) -> None:
    _put_lock(
        world,
        {
            "run_id": "drill-1",
            "at": 1795826321.8,
            "main_state": "unreachable",
            "failure": {"site": "main", "step": "read DR config", "kind": "timeout", "http_status": None},
        },
    )

    text = cli.run("status").out
    document = json.loads(cli.run("status", "--json").out)

    assert re.search(r"\n  claimed at: +2026-11-28T00:38:41.800Z\n", text)
    assert re.search(r"\n  recorded at: +2026-11-28T00:38:41.800Z\n", text)
    assert "  failure:\n    site: main\n    step: read DR config\n    kind: timeout\n" in text
    assert "1795826321" not in text
    assert document["lock"]["claimed_at"] == "2026-11-28T00:38:41.800Z"
    assert document["lock"]["summary"]["at"] == "2026-11-28T00:38:41.800Z"
    assert document["lock"]["summary"]["failure"]["step"] == "read DR config"


def test_rearm_refusal_states_what_is_required_and_what_was_found(cli: Cli, world: DrillWorld) -> None:
    assert cli.run("failover", "--yes").code == 0

    result = cli.run("rearm", "--json")

    document = json.loads(result.out)
    assert result.code == 1
    assert document["rearmed"] is False
    main_check = document["checks"][0]
    assert main_check == {
        "ok": False,
        "required": "the Main Site must be PRIMARY/ACTIVE",
        "found": "PRIMARY/STANDBY, ariel copy off",
    }
    assert "Not re-armed: the Main Site must be PRIMARY/ACTIVE, found PRIMARY/STANDBY, ariel copy off;" in (
        " ".join(result.err.split())
    )
    assert "Main Site is PRIMARY/ACTIVE again (PRIMARY/STANDBY" not in result.err


def test_a_profile_whose_credentials_fail_is_one_line_exit_2(
    cli: Cli, world: DrillWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    no_aws_credentials(monkeypatch, tmp_path)
    config = tmp_path / "aws-config"
    config.write_text("[profile broken]\ncredential_process = /bin/false\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))

    result = cli.run("status", "--profile", "broken")

    assert result.code == 2
    assert one_message(result.err).startswith(
        "qradar-failover status: AWS: no usable AWS credentials (CredentialRetrievalError)"
    )


def test_rearm_with_a_hung_main_console_exits_3(cli: Cli, world: DrillWorld) -> None:
    """docs/operations.md, runbook step 5: a Main console that cannot be reached is exit 3, not 1."""
    assert cli.run("failover", "--yes").code == 0
    world.main.inject(Fault(FaultKind.HANG))

    result = cli.run("rearm", env=cli.env(HTTP_READ_TIMEOUT_SECONDS="1", MAIN_SITE_BUDGET_SECONDS="2"))

    assert result.code == 3
    assert "[NO] the Main Site must be PRIMARY/ACTIVE: found not answering (timed out)" in result.out
    assert world.lock_item() is not None


def test_the_lock_record_of_a_failover_shows_each_site_as_the_engine_words_it(cli: Cli, world: DrillWorld) -> None:
    assert cli.run("failover", "--yes").code == 0

    text = cli.run("status").out

    assert re.search(
        r"\n  destination: +reached, staged, deploy started, confirmed: PRIMARY/ACTIVE, ariel copy on\n", text
    )
    assert re.search(r"\n  main: +reached, staged, deploy started, confirmed: PRIMARY/STANDBY, ariel copy off\n", text)
    assert "{'reached'" not in text
