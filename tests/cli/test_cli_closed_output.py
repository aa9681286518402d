"""A reader that goes away (``| head``, a pager that is quit) or Ctrl-C: a closed or broken output never
changes what a command does, what it records, or its exit status, and never prints a traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qradar_devkit.world import DrillWorld
from support.cli import Cli, ClosedAfter, staged_writes
from support.events import EVENTS_DIR

pytestmark = pytest.mark.integration

QRADAR_FAILOVER = str(Path(sys.executable).with_name("qradar-failover"))
SAMPLE = str(EVENTS_DIR / "sns-cloudwatch-alarm-event.json")


def assert_failed_over_as_if_read(world: DrillWorld) -> None:
    destination, main = world.destination.deployed_dr_config(), world.main.deployed_dr_config()
    assert (destination["is_dr"], destination["site_state"]) == ("PRIMARY", "ACTIVE")
    assert (main["site_state"], main["ariel_copy_enabled"]) == ("STANDBY", False)
    assert len(staged_writes(world.destination)) == 1
    item = world.lock_item()
    assert item is not None and item["state"]["S"] == "FAILED_OVER", item
    (notice,) = world.notifications()
    assert notice["Subject"].startswith("[QRadar DR] Failed over to the Destination Site"), notice["Subject"]


@pytest.mark.parametrize(
    ("flags", "lines_read"), [((), 14), (("--json",), 0), (("--verbose",), 14)], ids=["text", "json", "verbose"]
)
def test_a_failover_piped_into_head_completes_records_and_notifies_as_if_read(
    cli: Cli, world: DrillWorld, flags: tuple[str, ...], lines_read: int
) -> None:
    """`qradar-failover failover --yes ... | head -14` once aborted the failover as an engine defect."""
    result = cli.run("failover", "--yes", *flags, stdout=ClosedAfter(lines_read))

    assert result.code == 0, result.err
    assert "Traceback" not in result.err and "BrokenPipe" not in result.err
    assert_failed_over_as_if_read(world)


def test_a_failover_whose_pager_was_quit_completes_as_if_read(cli: Cli, world: DrillWorld) -> None:
    """`... 2>&1 | less`, then q: both outputs are gone, the engine's log lines too."""
    result = cli.run("failover", "--yes", "--verbose", stdout=ClosedAfter(3), stderr=ClosedAfter(0), terminal=True)

    assert result.code == 0
    assert_failed_over_as_if_read(world)


@pytest.mark.parametrize(
    "command",
    [
        ("status",),
        ("readiness",),
        ("decode", SAMPLE, "--offline", "--main-site-availability-zones", "ca-central-1a"),
        ("failover", "--dry-run"),
        ("status", "--help"),
    ],
    ids=["status", "readiness", "decode", "failover-dry-run", "help"],
)
def test_a_closed_stdout_prints_no_traceback_and_keeps_the_exit_status(
    cli: Cli, world: DrillWorld, command: tuple[str, ...]
) -> None:
    """The installed command, its stdout a pipe nobody reads any more (`| head -1` once the line is read)."""
    env = cli.env()
    read = subprocess.run(
        [QRADAR_FAILOVER, *command], check=False, env=env, capture_output=True, text=True, timeout=120
    )
    reader, writer = os.pipe()
    os.close(reader)
    try:
        closed = subprocess.run(
            [QRADAR_FAILOVER, *command],
            check=False,
            env=env,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(writer)

    assert read.stdout, read.stderr
    assert closed.stderr == "", "nothing on stderr: no traceback, no 'Exception ignored'"
    assert closed.returncode == read.returncode


def test_json_with_a_closed_stdout_keeps_the_exit_status_of_the_document(cli: Cli, world: DrillWorld) -> None:
    world.main.go_down()

    result = cli.run("status", "--json", stdout=ClosedAfter(0))
    read = cli.run("status", "--json")

    assert result.code == 3 == json.loads(read.out)["exit_code"]
    assert result.err == read.err == ""


class CtrlC(io.StringIO):
    """A terminal at which the operator presses Ctrl-C: at the question, or when a line containing
    ``at_line`` is shown (the interrupt arrives while the command works)."""

    def __init__(self, at_line: str | None = None) -> None:
        super().__init__()
        self.at_line = at_line

    def readline(self, size: int | None = -1) -> str:
        raise KeyboardInterrupt

    def write(self, text: str) -> int:
        if self.at_line is not None and self.at_line in text:
            raise KeyboardInterrupt
        return super().write(text)


@pytest.mark.parametrize("as_json", [False, True])
def test_ctrl_c_at_the_question_exits_130_and_changes_nothing(cli: Cli, world: DrillWorld, as_json: bool) -> None:
    result = cli.run("failover", *(["--json"] if as_json else []), stdin=CtrlC())

    assert result.code == 130
    assert result.err.splitlines()[-1] == "qradar-failover failover: interrupted: nothing was changed"
    if as_json:
        assert json.loads(result.out) == {"error": "interrupted: nothing was changed", "exit_code": 130}
    assert world.main.writes() == [] and world.destination.writes() == []
    assert world.lock_item() is None and world.notifications() == []


def test_ctrl_c_during_the_failover_exits_130_saying_where_to_look(cli: Cli, world: DrillWorld) -> None:
    result = cli.run("failover", "--yes", stdout=CtrlC(at_line="start deploy"))

    assert result.code == 130
    message = " ".join(result.err.split())
    assert message.startswith("qradar-failover failover: interrupted during the failover"), message
    assert "qradar-failover status" in message
    assert "Traceback" not in result.err


def test_ctrl_c_in_a_read_only_command_exits_130_and_json_says_so(
    cli: Cli, world: DrillWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qradar_failover_cli import status

    def pressed_while_reading(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(status, "read_lock", pressed_while_reading)

    result = cli.run("status", "--json")

    assert result.code == 130
    assert json.loads(result.out) == {"error": "interrupted", "exit_code": 130}
