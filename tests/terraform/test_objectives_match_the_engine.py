"""The module's recovery_time_objective (objectives.tf) and the engine's (qradar_failover.objectives) are
one arithmetic: the same constants under the same names, and the same result for every set of variables
objectives.tftest.hcl plans (terraform test proves the module's side of each number, this the engine's)."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from qradar_failover import objectives
from qradar_failover.objectives import recovery_time_objective
from support.terraform import REPO, as_list, blocks, load

pytestmark = pytest.mark.terraform

OBJECTIVES_TEST = REPO / "tests" / "terraform" / "objectives.tftest.hcl"
SECONDS = re.compile(r"output\.recovery_time_objective\.seconds == (\d+)")


def _variable_defaults() -> dict[str, Any]:
    return {block.labels[0]: block.body.get("default") for block in blocks(REPO) if block.kind == "variable"}


def _runs() -> list[tuple[str, dict[str, Any], int]]:
    """(run name, its variables, the seconds its assertion expects) for each run that states the RTO."""
    found = []
    for run in load(OBJECTIVES_TEST).get("run", []):
        for name, body in run.items():
            variables: dict[str, Any] = {}
            for entry in as_list(body.get("variables", [])):
                variables.update(entry)
            for claim in as_list(body.get("assert", [])):
                match = SECONDS.search(str(claim["condition"]))
                if match:
                    found.append((name, variables, int(match.group(1))))
    return found


def test_the_constants_are_the_engines_under_the_same_names() -> None:
    (constants,) = [block for block in blocks(REPO) if block.kind == "locals" and block.labels == ("rto_constants",)]

    assert constants.body["value"] == {name: getattr(objectives, name) for name in constants.body["value"]}
    assert set(constants.body["value"]) == {
        "ALARM_PERIOD_SECONDS",
        "CLOUDWATCH_DELAY_SECONDS",
        "DELIVERY_SECONDS",
        "RECHECK_WINDOW_SECONDS",
        "ACTIVATION_MARGIN_SECONDS",
        "SAFETY_MARGIN_SECONDS",
        "RETRY_DELAY_SECONDS",
    }


def test_the_settings_are_the_modules_variables_under_the_same_names() -> None:
    parameters = set(inspect.signature(recovery_time_objective).parameters) - {"alarm_period_seconds"}
    assert parameters <= set(_variable_defaults())
    text = (REPO / "objectives.tf").read_text(encoding="utf-8")
    assert all(f"var.{name}" in text for name in parameters), "objectives.tf reads each setting the engine's does"


@pytest.mark.parametrize(("run", "variables", "seconds"), _runs(), ids=[run for run, _, _ in _runs()])
def test_the_engine_computes_what_the_module_outputs(run: str, variables: dict[str, Any], seconds: int) -> None:
    settings = _variable_defaults() | variables
    parameters = set(inspect.signature(recovery_time_objective).parameters) - {"alarm_period_seconds"}

    worst = recovery_time_objective(**{name: settings[name] for name in parameters})

    assert worst.seconds == seconds, worst.explain()


def test_every_run_of_the_objectives_test_states_its_seconds() -> None:
    assert len(_runs()) >= 4
