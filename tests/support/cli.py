"""Helpers for the CLI tests: run `qradar-failover` in-process against the drill's world."""

from __future__ import annotations

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

    def run(self, *argv: str, stdin: str = "", env: dict[str, str] | None = None, terminal: bool = False) -> Result:
        """``terminal``: stderr is a terminal (progress lines are shown there)."""
        out, err = io.StringIO(), (TerminalOutput() if terminal else io.StringIO())
        code = main(list(argv), environ=env or self.env(), stdin=io.StringIO(stdin), stdout=out, stderr=err)
        return Result(code, out.getvalue(), err.getvalue())


class TerminalOutput(io.StringIO):
    """Captured output that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@dataclass
class Result:
    code: int
    out: str
    err: str


def staged_writes(simulator: Any) -> list[Any]:
    return [r for r in simulator.writes() if r.path == "/api/staged_config/disaster_recovery/disaster_recovery_config"]
