"""AWS that accepts connections and never answers (a VPC endpoint's interface in the lost AZ, a proxy that
hangs): every AWS call the CLI makes gives up within the engine's bounds (``runtime.AWS_CLIENT_CONFIG``),
and the command says what did not answer, on a terminal while it waits too."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.config import Config as BotocoreConfig

from qradar_devkit.world import FAILOVER_FUNCTION, DrillWorld
from qradar_failover import runtime
from qradar_failover.config import load_config
from qradar_failover.runtime import aws_call_bound_seconds
from qradar_failover_cli.views import LIVE_HEALTH_CALLS
from support.cli import Cli, Result
from support.events import EVENTS_DIR
from support.fakes import HungEndpoint

pytestmark = pytest.mark.integration

SAMPLE = str(EVENTS_DIR / "sns-cloudwatch-alarm-event.json")
QRADAR_FAILOVER = str(Path(sys.executable).with_name("qradar-failover"))
SLACK_SECONDS = 5.0  # starting the command, building clients, the consoles that do answer


@pytest.fixture
def hung_aws(world: DrillWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[HungEndpoint]:
    """Every AWS API hangs from now on (the world was built while it answered)."""
    endpoint = HungEndpoint()
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint.url)
    yield endpoint
    endpoint.stop()


@pytest.fixture
def short_bounds(monkeypatch: pytest.MonkeyPatch) -> float:
    """The engine's AWS bounds made short, so these tests wait seconds, not minutes; one call's bound."""
    short = BotocoreConfig(connect_timeout=1, read_timeout=1, retries={"mode": "standard", "total_max_attempts": 2})
    monkeypatch.setattr(runtime, "AWS_CLIENT_CONFIG", short)
    return aws_call_bound_seconds()


def timed(cli: Cli, *argv: str, terminal: bool = False) -> tuple[Result, float]:
    started = time.monotonic()
    result = cli.run(*argv, terminal=terminal)
    return result, time.monotonic() - started


def test_the_function_settings_give_up_within_the_engine_bounds_naming_lambda(
    cli: Cli, world: DrillWorld, hung_aws: HungEndpoint
) -> None:
    """The engine's own bounds (2 s connect, 5 s read, 3 attempts), not botocore's 60 s per try:
    `status --function` once took 181 s."""
    result, took = timed(cli, "status", "--function", FAILOVER_FUNCTION, terminal=True)

    assert took < aws_call_bound_seconds() + SLACK_SECONDS, took
    assert result.code == 3, result.err
    message = " ".join(result.err.rsplit("\x1b[K", 1)[-1].split())  # after the last progress line
    assert message.startswith(
        f"qradar-failover status: function {FAILOVER_FUNCTION}: cannot be read: AWS did not answer in region "
        "ca-central-1 (ReadTimeoutError; every attempt timed out)"
    ), message
    assert hung_aws.connections >= 3, "each of the engine's 3 attempts"
    assert f"waiting for AWS Lambda (the settings of function {FAILOVER_FUNCTION}): 1s of at most 24s" in result.err


def test_status_from_flags_reads_everything_at_once_and_names_each_thing_that_did_not_answer(
    cli: Cli, world: DrillWorld, hung_aws: HungEndpoint, short_bounds: float
) -> None:
    """Token secrets, lock table, alarms and the readiness result each hang one AWS call's bound, at the
    same time (once 211 s, one after the other)."""
    result, took = timed(cli, "status", "--json")

    assert took < 2 * short_bounds + SLACK_SECONDS, took
    assert result.code == 3
    document = json.loads(result.out)
    assert document["main"]["problem"] == document["destination"]["problem"] == "Secrets Manager not answering"
    assert "lock table qradar-dr-lock (item qradar-failover): AWS did not answer" in document["lock_error"]
    assert document["alarms_error"].startswith("CloudWatch alarms: AWS did not answer in region ca-central-1")
    assert "cloudwatch:GetMetricData: ReadTimeoutError" in document["readiness"]["summary"]


def test_status_shows_what_it_waits_for_on_aws_with_the_bound(
    cli: Cli, world: DrillWorld, hung_aws: HungEndpoint, short_bounds: float
) -> None:
    result, _ = timed(cli, "status", terminal=True)

    bound = short_bounds + load_config(cli.env()).main_site_budget_seconds  # a token, then the console
    assert result.code == 3
    assert (
        f"waiting for the consoles, the lock table, the alarms and the readiness result: 1s of at most {bound:.0f}s"
        in result.err
    )


def test_a_manual_failover_gives_up_on_hung_cloudwatch_before_asking_naming_it(
    cli: Cli, world: DrillWorld, hung_aws: HungEndpoint, short_bounds: float
) -> None:
    result, took = timed(cli, "failover", "--dry-run", terminal=True)

    assert took < short_bounds + SLACK_SECONDS, took
    assert result.code == 3
    last = " ".join(result.err.rsplit("\x1b[K", 1)[-1].split())  # the message, after the last progress line
    assert "CloudWatch alarms: AWS did not answer in region ca-central-1" in last
    assert "waiting for the Main-AZ alarms (CloudWatch)" in result.err
    assert world.main.writes() == [] and world.destination.writes() == []


@pytest.fixture
def alarm_file(world: DrillWorld, tmp_path: Path) -> Path:
    """The Main-AZ alarm's event, read while AWS still answers (ask for it before ``hung_aws``)."""
    alarm = tmp_path / "alarm.json"
    alarm.write_text(json.dumps(world.alarm_message()))
    return alarm


def test_a_manual_failover_from_an_alarm_file_reads_health_consoles_and_lock_side_by_side(
    cli: Cli, world: DrillWorld, alarm_file: Path, hung_aws: HungEndpoint, short_bounds: float
) -> None:
    """Live health, both consoles (their tokens) and the lock wait together, so a hung AWS costs the longest
    of their bounds, not their sum: each read starts before the first could have given up."""
    result, took = timed(cli, "failover", "--dry-run", "--alarm-file", str(alarm_file))

    started = [hung_aws.first_call(service) for service in ("monitoring", "secretsmanager", "dynamodb")]
    assert max(started) - min(started) < short_bounds / 2, [round(at - min(started), 2) for at in started]
    assert took < LIVE_HEALTH_CALLS * short_bounds + SLACK_SECONDS, took
    assert "Live health unavailable" in result.out and "Lock        NOT READ" in result.out, result.out
    assert world.main.writes() == [] and world.destination.writes() == []


@pytest.mark.parametrize("command", ["status", "rearm"])
def test_every_read_of_status_and_rearm_starts_at_once(
    cli: Cli, world: DrillWorld, hung_aws: HungEndpoint, short_bounds: float, command: str
) -> None:
    result, _ = timed(cli, command)

    started = [hung_aws.first_call(service) for service in ("monitoring", "secretsmanager", "dynamodb")]
    assert max(started) - min(started) < short_bounds / 2, [round(at - min(started), 2) for at in started]
    assert result.code == 3, result.out + result.err


def test_decode_with_hung_aws_cannot_decide_and_exits_3(
    cli: Cli, world: DrillWorld, hung_aws: HungEndpoint, short_bounds: float
) -> None:
    """Once 541 s and `Decision: acted on`, exit 0, while saying the function would refuse it."""
    result, took = timed(cli, "decode", SAMPLE, "--main-site-availability-zones", "ca-central-1a", "--json")

    assert took < 3 * short_bounds + SLACK_SECONDS, took  # ListMetrics, GetMetricData, DescribeTargetHealth
    document = json.loads(result.out)
    assert result.code == 3 == document["exit_code"]
    assert document["decision"].startswith("not decided: live target health could not be read"), document
    assert "acted on" not in document["decision"]
    assert document["plan"] == []


@pytest.mark.parametrize("command", ["status", "rearm", "readiness"])
def test_ctrl_c_while_waiting_on_hung_aws_ends_the_command_at_once(
    cli: Cli, world: DrillWorld, hung_aws: HungEndpoint, command: str
) -> None:
    """Reads running side by side must not hold Ctrl-C until each of them has given up (the engine's bounds:
    up to 24 s each). The installed command, as a terminal interrupts it (this test process cannot take a
    SIGINT itself once the Terraform core it loads for other tests has claimed the signal)."""
    process = subprocess.Popen(
        [QRADAR_FAILOVER, command], env=cli.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        waiting_since = time.monotonic()
        while hung_aws.connections == 0 and time.monotonic() - waiting_since < 60:
            time.sleep(0.05)  # until the command waits on AWS
        assert hung_aws.connections > 0
        process.send_signal(signal.SIGINT)
        pressed = time.monotonic()
        _, err = process.communicate(timeout=120)
        took = time.monotonic() - pressed
    finally:
        process.kill()

    assert process.returncode == 130, err
    assert err.rstrip().endswith(f"qradar-failover {command}: interrupted"), err
    assert took < 3, took
