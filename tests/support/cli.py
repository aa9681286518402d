"""Helpers for the CLI tests: run `qradar-failover` in-process against the drill's world."""

from __future__ import annotations

import errno
import io
import os
from dataclasses import dataclass
from typing import Any

from qradar_devkit.world import DrillWorld
from qradar_failover_cli.main import main


@dataclass
class Cli:
    world: DrillWorld

    def env(self, **changes: str | None) -> dict[str, str]:
        # A wide terminal unless a test asks for a standard one (COLUMNS=80).
        env = dict(os.environ) | self.world.env | {"DEPLOY_POLL_INTERVAL_SECONDS": "0.1", "COLUMNS": "200"}
        for name, value in changes.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def run(
        self,
        *argv: str,
        stdin: str | io.StringIO = "",
        env: dict[str, str] | None = None,
        terminal: bool = False,
        stdout: io.StringIO | None = None,
        stderr: io.StringIO | None = None,
    ) -> Result:
        """``terminal``: stderr is a terminal (progress lines are shown there). ``stdout``/``stderr``: streams
        of the test's own (e.g. :class:`ClosedAfter`, a reader that goes away)."""
        out = stdout if stdout is not None else io.StringIO()
        err = stderr if stderr is not None else (TerminalOutput() if terminal else io.StringIO())
        code = main(
            list(argv),
            environ=env or self.env(),
            stdin=io.StringIO(stdin) if isinstance(stdin, str) else stdin,
            stdout=out,
            stderr=err,
        )
        return Result(code, out.getvalue(), err.getvalue())


class TerminalOutput(io.StringIO):
    """Captured output that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class ClosedAfter(io.StringIO):
    """Output whose reader goes away after ``lines`` lines, as a pipe into ``head -N`` or a pager that is
    quit: every later write or flush fails as a closed pipe does (EPIPE)."""

    def __init__(self, lines: int = 0) -> None:
        super().__init__()
        self.lines = lines
        self.refused = 0  # writes refused after the reader went away

    def write(self, text: str) -> int:
        if self.getvalue().count("\n") >= self.lines:
            self.refused += 1
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")
        return super().write(text)

    def flush(self) -> None:
        if self.getvalue().count("\n") >= self.lines:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")


@dataclass
class Result:
    code: int
    out: str
    err: str


def one_message(err: str) -> str:
    """The one error message a command ended with on stderr (after any progress lines, with --json), as one
    line: it is fitted to the terminal's width (every line after its first indented)."""
    lines = err.rstrip("\n").splitlines()
    first = max((index for index, line in enumerate(lines) if line.startswith("qradar-failover ")), default=None)
    assert first is not None and all(line.startswith("  ") for line in lines[first + 1 :]), err
    return " ".join(" ".join(lines[first:]).split())


def staged_writes(simulator: Any) -> list[Any]:
    return [r for r in simulator.writes() if r.path == "/api/staged_config/disaster_recovery/disaster_recovery_config"]
