"""drill --failback: a failover, the Main AZ's recovery and the failback on one local world, judged by
the consoles, the lock, the notifications and a readiness run afterwards."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from qradar_devkit.drill import failover_on
from qradar_devkit.failback_drill import print_failback_drill, run_failback_drill
from qradar_devkit.world import MotoEndpoint
from qradar_failover_cli.main import main
from qradar_failover_cli.streams import Io

pytestmark = pytest.mark.integration


def test_drill_failback_goes_there_and_back_and_ends_ready(tmp_path: Path, moto_endpoint: MotoEndpoint) -> None:
    shown = Io(io.StringIO(), io.StringIO(), io.StringIO(), json=False, width=100)

    result = run_failback_drill(shown, failover_on(0.3, shown.say), 0.3, tmp_path, moto_endpoint)

    assert result.passed, result.checks
    assert result.failover.report["outcome"] == "failed_over"
    assert result.failback.outcome.value == "failed_back"
    assert [check["name"] for check in result.readiness["checks"] if not check["ok"]] == []
    assert result.lock is None
    assert result.copies == {"main": ["10.0.2.10"], "destination": []}
    lines: list[str] = []
    print_failback_drill(result, lines.append)
    text = shown.out.getvalue() + "\n".join(lines)
    assert "== 2. The Main AZ recovers: 20 minutes of healthy collectors (simulated time)" in text
    assert "Plan: 7 steps, starting at step 1" in text
    assert "drill: the copy back to Main is set up and has run (Destination profile 1)" in " ".join(text.split())
    assert "Readiness: READY" in text
    assert lines[-1].startswith("PASS: failed over, recovered, failed back step by step")


def test_drill_failback_command_exits_zero_and_prints_json() -> None:
    out, err = io.StringIO(), io.StringIO()

    code = main(["drill", "--failback", "--json", "--deploy-seconds", "0.2"], stdout=out, stderr=err)

    document = json.loads(out.getvalue())
    assert code == 0, err.getvalue()[-2000:]
    assert document["passed"] is True
    assert document["failback"]["outcome"] == "failed_back"
    assert document["readiness"]["ready"] is True
    assert "Step 7 of 7 [API]: Re-arm the automation" in err.getvalue()
