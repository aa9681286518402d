"""Proof that `terraform validate` offline (the real core with the stand-in providers' schemas)
catches what it must: each defect planted into a copy of the module or an example makes the
validation of that directory fail, with Terraform's own diagnostic, in the planted file.
(The unmodified module and examples validate cleanly: test_terraform_offline.py.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.terraform import REPO, plant, plant_append
from tf_offline.runner import OfflineTerraform, stage

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


@dataclass(frozen=True)
class Plant:
    name: str
    directory: str  # validated directory, relative to the repository
    file: str  # the planted file, relative to that directory
    plant: Callable[[Path], None]  # receives the planted file
    summary: str  # Terraform's diagnostic summary (regular expression)


PLANTS = [
    Plant(
        "misspelled_argument",
        ".",
        "alarms.tf",
        lambda f: plant(f, r"^  alarm_actions = local\.alarm_actions$", "  alarm_action = local.alarm_actions"),
        r"^Unsupported argument$",
    ),
    Plant(
        "missing_required_argument",
        ".",
        "main.tf",
        lambda f: plant(f, r"^  role\s+= aws_iam_role\.this\[0\]\.arn\n", ""),
        r"^Missing required argument$",
    ),
    Plant(
        "misnamed_nested_block",
        ".",
        "main.tf",
        lambda f: plant(f, r"^  vpc_config \{", "  vpc_configuration {"),
        r"^Unsupported block type$",
    ),
    Plant(
        "block_written_as_argument",
        ".",
        "main.tf",
        lambda f: plant(f, r"^  tracing_config \{\n(.*\n)  \}", '  tracing_config = { mode = "Active" }'),
        r"^Unsupported argument$",
    ),
    Plant(
        "attribute_the_resource_does_not_export",
        ".",
        "outputs.tf",
        lambda f: plant_append(f, 'output "planted" {\n  value = aws_lambda_function.this[0].no_such_attribute\n}\n'),
        r"^Unsupported attribute$",
    ),
    Plant(
        "unknown_resource_type",
        ".",
        "main.tf",
        lambda f: plant_append(f, 'resource "aws_lambda_functionn" "planted" {\n  function_name = "x"\n}\n'),
        r"^Invalid resource type$",
    ),
    Plant(
        "undeclared_variable",
        ".",
        "outputs.tf",
        lambda f: plant_append(f, 'output "planted" {\n  value = var.no_such_variable\n}\n'),
        r"^Reference to undeclared input variable$",
    ),
    Plant(
        "unknown_module_input_in_an_example",
        "examples/complete",
        "main.tf",
        lambda f: plant(f, r'^  source = "\.\./\.\."\n', '  source = "../.."\n\n  no_such_input = 1\n'),
        r"^Unsupported argument$",
    ),
    Plant(
        "counted_resource_without_its_index",
        ".",
        "sns.tf",
        lambda f: plant(
            f, r"^  source_arn    = aws_sns_topic\.trigger\[0\]\.arn", "  source_arn    = aws_sns_topic.trigger.arn"
        ),
        r"^Missing resource instance key$",
    ),
    Plant(
        "undeclared_resource",
        ".",
        "outputs.tf",
        lambda f: plant_append(f, 'output "planted" {\n  value = aws_sns_topic.no_such_topic.arn\n}\n'),
        r"^Reference to undeclared resource$",
    ),
    Plant(
        "undeclared_local",
        ".",
        "outputs.tf",
        lambda f: plant_append(f, 'output "planted" {\n  value = local.no_such_local\n}\n'),
        r"^Reference to undeclared local value$",
    ),
    Plant(
        "unknown_function",
        ".",
        "outputs.tf",
        lambda f: plant_append(f, 'output "planted" {\n  value = no_such_function(1)\n}\n'),
        r"^Call to unknown function$",
    ),
    Plant(
        "string_where_a_number_is_required",
        ".",
        "main.tf",
        lambda f: plant(f, r"^  memory_size   = var\.memory_size", '  memory_size   = "lots"'),
        r"^Incorrect attribute value type$",
    ),
    Plant(
        "two_blocks_where_one_is_allowed",
        ".",
        "main.tf",
        lambda f: plant(f, r"^  environment \{", "  environment {\n    variables = {}\n  }\n\n  environment {"),
        r"^Too many environment blocks$",
    ),
    Plant(
        "each_outside_for_each",
        ".",
        "main.tf",
        lambda f: plant(f, r'^  name                      = "\$\{var\.name\}-failed-invocations"', "  name = each.key"),
        r'^Reference to "each" in context without for_each$',
    ),
    Plant(
        "count_index_outside_count",
        ".",
        "network.tf",
        lambda f: plant(
            f,
            r'^  service_name        = "com\.amazonaws\.\$\{local\.region\}\.\$\{each\.key\}"',
            "  service_name = count.index",
        ),
        r'^Reference to "count" in non-counted context$',
    ),
    Plant(
        "example_reads_an_output_the_module_does_not_have",
        "examples/minimal",
        "outputs.tf",
        lambda f: plant_append(f, 'output "planted" {\n  value = module.qradar_failover.no_such_output\n}\n'),
        r"^Unsupported attribute$",
    ),
]


@pytest.mark.parametrize("plant", PLANTS, ids=[p.name for p in PLANTS])
def test_validate_fails_on_planted_defect(offline_terraform: OfflineTerraform, tmp_path: Path, plant: Plant) -> None:
    tree = stage(REPO, tmp_path / "repo")
    directory = tree / plant.directory
    plant.plant(directory / plant.file)
    result = offline_terraform.validate(directory)
    assert not result.ok, f"validate passed with {plant.name} planted in {plant.directory}/{plant.file}"
    matching = [d for d in result.errors if re.search(plant.summary, d.summary)]
    assert matching, "\n".join(str(d) for d in result.diagnostics) or result.stderr
    assert any(Path(d.filename).name == plant.file for d in matching), [str(d) for d in matching]
