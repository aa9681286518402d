"""Proof that the stand-in provider's value rules reject what the real provider or the AWS API
rejects: one bad value per rule class (and the issue's twelve), planted into a copy of the module.

* ``terraform validate`` (make tf-validate) sees literals: each literal plant, alone in its copy
  (validation skips what depends on a failed resource), makes validation fail with the
  stand-in's diagnostic at the planted line.
* ``terraform test`` sees every value known at plan time: each plan-time plant computes its bad
  value from a variable (unknown to validate, which passes), and the plan fails with the
  stand-in's diagnostic. The plants are switched by a variable added to the copy, so one test
  file plans each batch, and a control run with no plant plans cleanly. A batch holds plants on
  resources none of which depends on another (Terraform skips what depends on a failed resource).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.terraform import REPO, plant, plant_append, run_terraform_test
from tf_offline.runner import OfflineTerraform, stage

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

STAND_IN = "checked by the offline stand-in provider"
ROLE_NAME_65 = "qradar-failover-function-with-a-name-longer-than-iam-allows-xxxxx"


@dataclass(frozen=True)
class Plant:
    name: str
    rule_class: str
    file: str
    pattern: str
    replacement: str
    message: str  # regular expression the stand-in's diagnostic must match


# Literal values: terraform validate must reject each.
LITERALS = [
    Plant(
        "log_retention_the_api_does_not_offer",
        "enum",
        "main.tf",
        r"^  retention_in_days = var\.log_retention_in_days$",
        "  retention_in_days = 8",
        r"retention_in_days to be one of .*got 8",
    ),
    Plant(
        "kms_deletion_window_of_3_days",
        "range",
        "kms.tf",
        r"^  deletion_window_in_days = var\.kms_key_deletion_window_in_days$",
        "  deletion_window_in_days = 3",
        r"deletion_window_in_days to be in the range \(7 - 30\), got 3",
    ),
    Plant(
        "memory_below_128_mb",
        "range",
        "main.tf",
        r"^  memory_size   = var\.memory_size$",
        "  memory_size   = 64",
        r"memory_size to be in the range \(128 - 10240\), got 64",
    ),
    Plant(
        "alarm_statistic_outside_the_enum",
        "enum",
        "alarms.tf",
        r'^  statistic           = "Maximum"$',
        '  statistic           = "Max"',
        r'statistic to be one of .*got "Max"',
    ),
    Plant(
        "comparison_operator_outside_the_enum",
        "enum",
        "alarms.tf",
        r'^  comparison_operator = "GreaterThanOrEqualToThreshold"$',
        '  comparison_operator = "GreaterThanOrEqual"',
        r'comparison_operator to be one of .*got "GreaterThanOrEqual"',
    ),
    Plant(
        "billing_mode_that_does_not_exist",
        "enum",
        "lock.tf",
        r'^  billing_mode                = "PAY_PER_REQUEST"$',
        '  billing_mode                = "ON_DEMAND"',
        r'billing_mode to be one of .*got "ON_DEMAND"',
    ),
    Plant(
        "subscription_protocol_outside_the_enum",
        "enum",
        "sns.tf",
        r'^  protocol  = "lambda"$',
        '  protocol  = "lambda-function"',
        r'protocol to be one of .*got "lambda-function"',
    ),
    Plant(
        "function_name_with_a_space",
        "pattern",
        "main.tf",
        r"^  function_name = local\.function_name$",
        '  function_name = "qradar failover"',
        r'function_name \(must be valid function name or function ARN\), got "qradar failover"',
    ),
    Plant(
        "role_name_over_64_characters",
        "length",
        "iam.tf",
        r'^  name                 = "\$\{var\.name\}-function"$',
        f'  name                 = "{ROLE_NAME_65}"',
        r"length of name to be in the range \(1 - 64\)",
    ),
    Plant(
        "alarm_action_that_is_not_an_arn",
        "arn",
        "alarms.tf",
        r"^  alarm_actions = local\.alarm_actions$",
        '  alarm_actions = ["sns:qradar-failover-trigger"]',
        r"is an invalid ARN",
    ),
    Plant(
        "rule_description_outside_ec2s_characters",
        "pattern",
        "network.tf",
        r'^  description       = "QRadar console REST API"$',
        '  description       = "QRadar console\'s REST API"',
        r"description may contain only .*it contains \"'\"",
    ),
    Plant(
        "statistic_and_extended_statistic",
        "conflicts",
        "alarms.tf",
        r'^  statistic           = "Minimum"$',
        '  statistic           = "Minimum"\n  extended_statistic  = "p99"',
        r'"statistic": conflicts with extended_statistic',
    ),
    Plant(
        "rule_with_a_cidr_and_a_prefix_list",
        "exactly-one-of",
        "network.tf",
        r"^  prefix_list_id    = local\.dynamodb_prefix_list_id$",
        '  prefix_list_id    = "pl-02cd2c6b"\n  cidr_ipv4         = "10.0.0.0/8"',
        r"only one of `cidr_ipv4,cidr_ipv6,prefix_list_id,referenced_security_group_id` can be specified",
    ),
    Plant(
        "key_policy_that_is_not_json",
        "json",
        "kms.tf",
        r"^  policy                  = data\.aws_iam_policy_document\.kms\[0\]\.json$",
        '  policy                  = "{not json"',
        r"policy contains an invalid JSON",
    ),
    Plant(
        "alarm_period_of_90_seconds",
        "range",
        "alarms.tf",
        r"^  period              = 60$",
        "  period              = 90",
        r"to be divisible by 60, got 90",
    ),
]

# Values known only at plan time (from a variable): terraform validate passes, terraform test's
# plan must reject each. Batches: no plant's resource depends on another's in the same batch.
PLAN_TIME = {
    "leaves": [
        Plant(
            "statistic",
            "enum",
            "alarms.tf",
            r'^  statistic           = "Maximum"$',
            '  statistic           = var.planted == "leaves" ? "Max" : "Maximum"',
            r'statistic to be one of .*got "Max"',
        ),
        Plant(
            "protocol",
            "enum",
            "sns.tf",
            r'^  protocol  = "lambda"$',
            '  protocol  = var.planted == "leaves" ? "lambda-function" : "lambda"',
            r'got "lambda-function"',
        ),
        Plant(
            "conflicts",
            "conflicts",
            "alarms.tf",
            r'^  statistic           = "Minimum"$',
            '  statistic           = "Minimum"\n  extended_statistic  = var.planted == "leaves" ? "p99" : null',
            r'"statistic": conflicts with extended_statistic',
        ),
        Plant(
            "exactly_one_of",
            "exactly-one-of",
            "network.tf",
            r"^  prefix_list_id    = local\.dynamodb_prefix_list_id$",
            "  prefix_list_id    = local.dynamodb_prefix_list_id\n"
            '  cidr_ipv4         = var.planted == "leaves" ? "10.0.0.0/8" : null',
            r"only one of `cidr_ipv4,cidr_ipv6,prefix_list_id,referenced_security_group_id`",
        ),
        Plant(
            "ec2_characters",
            "pattern",
            "network.tf",
            r'^  description       = "QRadar console REST API"$',
            '  description       = var.planted == "leaves"'
            ' ? "QRadar console\'s REST API (${var.name})" : "QRadar console REST API"',
            r"description may contain only",
        ),
        Plant(
            "arn",
            "arn",
            "alarms.tf",
            r"^  alarm_actions = local\.alarm_actions$",
            '  alarm_actions = var.planted == "leaves" ? ["sns:${var.name}"] : local.alarm_actions',
            r"is an invalid ARN",
        ),
        Plant(
            "period",
            "range",
            "readiness.tf",
            r"^  period              = local\.readiness_alarm_period_seconds$",
            '  period              = local.readiness_alarm_period_seconds + (var.planted == "leaves" ? 30 : 0)',
            r"to be divisible by 60, got 990",
        ),
        Plant(
            "statement_id",
            "pattern",
            "sns.tf",
            r'^  statement_id  = "InvokeFromTriggerTopic"$',
            '  statement_id  = var.planted == "leaves" ? "Invoke from ${var.name}" : "InvokeFromTriggerTopic"',
            r"statement_id \(must contain alphanumeric, underscores or dashes only\)",
        ),
        Plant(
            "schedule_name_length",
            "length",
            "readiness.tf",
            r'^  name        = "\$\{var\.name\}-readiness"$',
            '  name        = var.planted == "leaves"'
            ' ? "${var.name}-readiness-${join("", [for i in range(50) : "x"])}" : "${var.name}-readiness"',
            r"length of name to be in the range \(1 - 64\)",
        ),
    ],
    "function": [
        Plant(
            "memory",
            "range",
            "main.tf",
            r"^  memory_size   = var\.memory_size$",
            '  memory_size   = var.memory_size - (var.planted == "function" ? 192 : 0)',
            r"memory_size to be in the range \(128 - 10240\), got 64",
        ),
        Plant(
            "function_name",
            "pattern",
            "main.tf",
            r"^  function_name = local\.function_name$",
            '  function_name = var.planted == "function" ? "${local.function_name} x" : local.function_name',
            r"must be valid function name or function ARN",
        ),
    ],
    "upstream": [
        Plant(
            "log_retention",
            "enum",
            "main.tf",
            r"^  retention_in_days = var\.log_retention_in_days$",
            '  retention_in_days = var.log_retention_in_days + (var.planted == "upstream" ? 1 : 0)',
            r"retention_in_days to be one of .*got 366",
        ),
        Plant(
            "billing_mode",
            "enum",
            "lock.tf",
            r'^  billing_mode                = "PAY_PER_REQUEST"$',
            '  billing_mode                = var.planted == "upstream" ? "ON_DEMAND" : "PAY_PER_REQUEST"',
            r'got "ON_DEMAND"',
        ),
        Plant(
            "role_name",
            "length",
            "iam.tf",
            r'^  name                 = "\$\{var\.name\}-function"$',
            '  name                 = var.planted == "upstream"'
            ' ? "${var.name}-function-${join("", [for i in range(45) : "x"])}" : "${var.name}-function"',
            r"length of name to be in the range \(1 - 64\)",
        ),
    ],
    "key": [
        Plant(
            "kms_window",
            "range",
            "kms.tf",
            r"^  deletion_window_in_days = var\.kms_key_deletion_window_in_days$",
            '  deletion_window_in_days = var.kms_key_deletion_window_in_days - (var.planted == "key" ? 27 : 0)',
            r"deletion_window_in_days to be in the range \(7 - 30\), got 3",
        ),
        Plant(
            "kms_policy_json",
            "json",
            "kms.tf",
            r"^  policy                  = data\.aws_iam_policy_document\.kms\[0\]\.json$",
            '  policy                  = var.planted == "key"'
            ' ? "${data.aws_iam_policy_document.kms[0].json}}" : data.aws_iam_policy_document.kms[0].json',
            r"policy contains an invalid JSON",
        ),
    ],
}

VARIABLES = """
  main_site = {
    address            = "10.0.1.10"
    token_secret_arn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/main-AbCdEf"
    availability_zones = ["us-east-1a"]
  }
  destination_site = {
    address            = "10.0.2.10"
    token_secret_arn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/dest-AbCdEf"
    availability_zones = ["us-east-1b"]
  }
  load_balancer_arn_suffix   = "net/qradar/0123456789abcdef"
  target_groups              = { dlc = { arn_suffix = "targetgroup/qradar-dlc/0123456789abcdef" } }
  subnet_ids                 = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
  console_cidr_blocks        = ["10.0.1.10/32", "10.0.2.10/32"]
  aws_api_egress_cidr_blocks = ["0.0.0.0/0"]
"""


def test_every_rule_class_is_planted() -> None:
    classes = {"length", "pattern", "enum", "range", "arn", "conflicts", "exactly-one-of", "json"}
    assert {p.rule_class for p in LITERALS} == classes
    assert {p.rule_class for batch in PLAN_TIME.values() for p in batch} == classes


@pytest.mark.parametrize("planted", LITERALS, ids=[p.name for p in LITERALS])
def test_validate_rejects_a_planted_literal(
    offline_terraform: OfflineTerraform, tmp_path: Path, planted: Plant
) -> None:
    tree = stage(REPO, tmp_path / "repo")
    plant(tree / planted.file, planted.pattern, planted.replacement)
    result = offline_terraform.validate(tree)
    assert not result.ok, f"validate passed with {planted.name} planted"
    caught = [
        d
        for d in result.errors
        if STAND_IN in d.detail and re.search(planted.message, d.summary) and Path(d.filename).name == planted.file
    ]
    assert caught, "\n".join(str(d) for d in result.diagnostics)


def test_terraform_test_rejects_each_value_known_at_plan_time(
    offline_terraform: OfflineTerraform, tmp_path: Path
) -> None:
    tree = stage(REPO, tmp_path / "repo")
    for batch in PLAN_TIME.values():
        for p in batch:
            plant(tree / p.file, p.pattern, p.replacement)
    plant_append(
        tree / "variables.tf",
        'variable "planted" {\n  description = "Planted batch."\n  type        = string\n  default     = ""\n}\n',
    )
    assert offline_terraform.validate(tree).ok, "the plan-time plants must pass terraform validate"
    # One file per batch: terraform test skips the runs after a failed one in the same file.
    header = f'mock_provider "aws" {{\n  source = "./tests/terraform/mocks"\n}}\n\nvariables {{{VARIABLES}}}\n\n'
    files = {name: f"planted_{name}.tftest.hcl" for name in ("control", *PLAN_TIME)}
    for name, file in files.items():
        planted = "" if name == "control" else name
        run = f'run "{name}" {{\n  command = plan\n\n  variables {{\n    planted = "{planted}"\n  }}\n}}\n'
        (tree / "tests" / "terraform" / file).write_text(header + run, encoding="utf-8")
    result = run_terraform_test(offline_terraform, tree, *files.values())
    assert result.runs.get((f"tests/terraform/{files['control']}", "control")) == "pass", result.report()
    for name, batch in PLAN_TIME.items():
        status = result.runs.get((f"tests/terraform/{files[name]}", name))
        assert status in ("fail", "error"), f"the {name} batch planned ({status}): {result.report()}"
        diagnostics = [d for d in result.diagnostics if d.startswith(f"[{name}]") and STAND_IN in d]
        missed = [p.name for p in batch if not any(re.search(p.message, d) for d in diagnostics)]
        assert missed == [], f"{name}: {missed}\n" + "\n".join(diagnostics)
