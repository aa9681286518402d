"""module_checks.tftest.hcl proves every variable validation and every precondition of the module
(terraform test runs it): this holds that file to the module, so a new check cannot go untested."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from support.terraform import REPO, as_list, blocks, load, strip_interpolation

pytestmark = pytest.mark.terraform

CHECKS_FILE = REPO / "tests" / "terraform" / "module_checks.tftest.hcl"


def _expected_failures() -> Counter[str]:
    """How many runs expect each checkable object to fail."""
    counted: Counter[str] = Counter()
    for run in load(CHECKS_FILE).get("run", []):
        for body in run.values():
            for item in as_list(body.get("expect_failures", [])):
                counted[strip_interpolation(str(item))] += 1
    return counted


def _preconditions(body: dict[str, object]) -> int:
    return sum(len(as_list(lc.get("precondition", []))) for lc in as_list(body.get("lifecycle", [])))


def test_every_variable_validation_is_proven() -> None:
    expected = _expected_failures()
    total = 0
    for variable in (b for b in blocks(REPO) if b.kind == "variable"):
        validations = len(as_list(variable.body.get("validation", [])))
        total += validations
        name = f"var.{variable.labels[0]}"
        assert expected[name] >= validations, (
            f"{name} has {validations} validation(s); module_checks.tftest.hcl proves {expected[name]}"
        )
    assert total >= 50, f"only {total} validations read from variables.tf"


def test_every_precondition_is_proven() -> None:
    expected = _expected_failures()
    total = 0
    for resource in (b for b in blocks(REPO) if b.kind == "resource"):
        preconditions = _preconditions(resource.body)
        total += preconditions
        address = ".".join(resource.labels)
        assert expected[address] >= preconditions, (
            f"{address} has {preconditions} precondition(s); module_checks.tftest.hcl proves {expected[address]}"
        )
    for output in (b for b in blocks(REPO) if b.kind == "output"):
        preconditions = len(as_list(output.body.get("precondition", [])))
        total += preconditions
        address = f"output.{output.labels[0]}"
        assert expected[address] >= preconditions, (
            f"{address} has {preconditions} precondition(s); module_checks.tftest.hcl proves {expected[address]}"
        )
    assert total >= 20, f"only {total} preconditions read from the module"


def test_the_checks_file_names_only_real_objects() -> None:
    declared = {f"var.{b.labels[0]}" for b in blocks(REPO) if b.kind == "variable"}
    declared |= {".".join(b.labels) for b in blocks(REPO) if b.kind == "resource"}
    declared |= {f"output.{b.labels[0]}" for b in blocks(REPO) if b.kind == "output"}
    unknown = [name for name in _expected_failures() if name not in declared]
    assert unknown == [], unknown
    assert re.search(r"^mock_provider \"aws\"", CHECKS_FILE.read_text(encoding="utf-8"), re.MULTILINE)
