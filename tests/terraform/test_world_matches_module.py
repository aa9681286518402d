"""The drill's and the suites' AWS world creates the health alarms and the failover function (its
reserved concurrency, the trigger topic's permission and subscription) the module creates.

``qradar_devkit.world.HEALTH_ALARMS`` is the world's one table of them; this test turns it into
assertions on what the real Terraform core plans for the module with its defaults (a generated
.tftest.hcl file in a staged copy), so the world cannot drift from alarms.tf unnoticed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qradar_devkit import world
from support.terraform import REPO, run_terraform_test
from tf_offline.runner import OfflineTerraform, stage

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

RESOURCES = {"UnHealthyHostCount": "unhealthy_hosts", "HealthyHostCount": "healthy_hosts_below_minimum"}
LOAD_BALANCER = "net/qradar-collect/0123456789abcdef"
TARGET_GROUP = "targetgroup/qradar-dlc/0123456789abcdef"
TEST_FILE = "world_alarms.tftest.hcl"


def _hcl(value: object) -> str:
    return json.dumps(value)  # strings and numbers are spelled the same in HCL


def _test_file() -> str:
    key = f"{TARGET_GROUP.split('/')[1]}/{world.MAIN_AZ}"
    asserts = []
    for metric, alarm in world.HEALTH_ALARMS.items():
        resource = f'aws_cloudwatch_metric_alarm.{RESOURCES[metric]}["{key}"]'
        expected = {
            "alarm_name": world.alarm_name(TARGET_GROUP, world.MAIN_AZ, metric),
            "metric_name": metric,
            "statistic": alarm["Statistic"],
            "comparison_operator": alarm["ComparisonOperator"],
            "threshold": alarm["Threshold"],
            "treat_missing_data": alarm["TreatMissingData"],
            "period": world.ALARM_PERIOD_SECONDS,
            "evaluation_periods": world.ALARM_EVALUATION_PERIODS,
            "datapoints_to_alarm": world.ALARM_EVALUATION_PERIODS,
            "namespace": "AWS/NetworkELB",
        }
        for attribute, value in expected.items():
            asserts.append(
                f"  assert {{\n    condition     = {resource}.{attribute} == {_hcl(value)}\n"
                f'    error_message = "{metric}: the world\'s {attribute} is {value}, the module plans another"\n  }}\n'
            )
    expected_function = {
        "aws_lambda_function.this[0].function_name": world.FAILOVER_FUNCTION,
        "aws_lambda_function.this[0].reserved_concurrent_executions": world.FAILOVER_FUNCTION_CONCURRENCY,
        "aws_lambda_permission.trigger_topic[0].statement_id": world.TRIGGER_PERMISSION,
        "aws_lambda_permission.trigger_topic[0].principal": "sns.amazonaws.com",
        "aws_sns_topic_subscription.function[0].protocol": "lambda",
    }
    for address, value in expected_function.items():
        asserts.append(
            f"  assert {{\n    condition     = {address} == {_hcl(value)}\n"
            f'    error_message = "the world\'s {address} is {value}, the module plans another"\n  }}\n'
        )
    subnets = "".join(
        f'override_data {{\n  target = data.aws_subnet.function["{index}"]\n'
        f'  values = {{ availability_zone = "{zone}", vpc_id = "vpc-0a1b2c3d4e5f60718" }}\n}}\n\n'
        for index, zone in enumerate((world.MAIN_AZ, world.DEST_AZ))
    )
    return f"""mock_provider "aws" {{
  source = "./tests/terraform/mocks"
}}

{subnets}variables {{
  name = "{world.NAME_PREFIX}"
  main_site = {{
    address            = "10.0.1.10"
    token_secret_arn   = "arn:aws:secretsmanager:{world.REGION}:123456789012:secret:qradar/main-AbCdEf"
    availability_zones = ["{world.MAIN_AZ}"]
  }}
  destination_site = {{
    address            = "10.0.2.10"
    token_secret_arn   = "arn:aws:secretsmanager:{world.REGION}:123456789012:secret:qradar/dest-AbCdEf"
    availability_zones = ["{world.DEST_AZ}"]
  }}
  load_balancer_arn_suffix = "{LOAD_BALANCER}"
  target_groups            = {{ "{TARGET_GROUP.split("/")[1]}" = {{ arn_suffix = "{TARGET_GROUP}" }} }}
  subnet_ids               = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
  console_cidr_blocks        = ["10.0.1.10/32", "10.0.2.10/32"]
  aws_api_egress_cidr_blocks = ["0.0.0.0/0"]
  verify_load_balancer       = false
}}

run "world_alarms_are_the_module_alarms" {{
  command = plan

{"".join(asserts)}}}
"""


def test_world_health_alarms_are_what_the_module_plans(offline_terraform: OfflineTerraform, tmp_path: Path) -> None:
    tree = stage(REPO, tmp_path / "repo")
    (tree / "tests" / "terraform" / TEST_FILE).write_text(_test_file(), encoding="utf-8")

    runs = run_terraform_test(offline_terraform, tree, TEST_FILE)

    assert runs.runs.get((f"tests/terraform/{TEST_FILE}", "world_alarms_are_the_module_alarms")) == "pass", (
        runs.report()
    )
