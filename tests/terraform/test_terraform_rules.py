"""The module's conventions, checked with python-hcl2 over the root and every example."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from qradar_failover.config import Config, ReadinessSettings, SiteConfig
from qradar_failover.observability import FUNCTION_DIMENSION
from qradar_failover.readiness_checks import WARNING_CHECKS, Check
from qradar_failover.readiness_handler import (
    CHECK_FAILED_METRIC,
    CHECK_WARNED_METRIC,
    READY_METRIC,
    REPLICATION_LAG_METRIC,
)
from qradar_failover.report import Outcome
from support.terraform import (
    REPO,
    TF_DIRS,
    Block,
    as_list,
    blocks,
    dir_id,
    source_text,
    strip_interpolation,
    walk_statements,
)

pytestmark = pytest.mark.terraform

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

# Resource types of the module that accept tags (per the AWS provider's schema).
TAGGABLE = {
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_metric_alarm",
    "aws_dynamodb_table",
    "aws_iam_role",
    "aws_kms_key",
    "aws_lambda_function",
    "aws_security_group",
    "aws_sns_topic",
    "aws_sqs_queue",
    "aws_ssm_association",
    "aws_ssm_document",
    "aws_vpc_endpoint",
    "aws_vpc_security_group_egress_rule",
    "aws_vpc_security_group_ingress_rule",
}
# Resource types that take no tags argument.
NOT_TAGGABLE = {
    "aws_cloudwatch_dashboard",
    "aws_iam_role_policy",
    "aws_kms_alias",
    "aws_lambda_function_event_invoke_config",
    "aws_lambda_permission",
    "aws_scheduler_schedule",
    "aws_sns_topic_policy",
    "aws_sns_topic_subscription",
}

# The engine's environment contract (lambda_src/qradar_failover/config.py; README).
REQUIRED_ENVIRONMENT = {
    "MAIN_SITE_ADDRESS",
    "DEST_SITE_ADDRESS",
    "MAIN_SITE_TOKEN_SECRET_ARN",
    "DEST_SITE_TOKEN_SECRET_ARN",
    "MAIN_SITE_AVAILABILITY_ZONES",
    "NOTIFICATION_TOPIC_ARN",
    "LOCK_TABLE_NAME",
}
OPTIONAL_ENVIRONMENT = {
    "LOCK_ID",
    "QRADAR_CA_BUNDLE",
    "QRADAR_TLS_VERIFY",
    "QRADAR_API_VERSION",
    "DRY_RUN",
    "MIN_HEALTHY_COLLECTORS",
    "FAILOVER_WHEN_UNCONFIRMED",
    "HTTP_CONNECT_TIMEOUT_SECONDS",
    "HTTP_READ_TIMEOUT_SECONDS",
    "HTTP_MAX_RETRIES",
    "MAIN_SITE_BUDGET_SECONDS",
    "DEPLOY_TIMEOUT_SECONDS",
    "DEPLOY_POLL_INTERVAL_SECONDS",
    "LOCK_CLAIM_TTL_SECONDS",
    "METRICS_NAMESPACE",
    "LOG_LEVEL",
    "MAXIMUM_RETRY_ATTEMPTS",
    "MAXIMUM_EVENT_AGE_IN_SECONDS",
}
# Actions the engine calls (its AWS I/O adapters), each of which the role must allow.
ENGINE_ACTIONS = {
    "secretsmanager:GetSecretValue",
    "sns:Publish",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "cloudwatch:GetMetricData",
    "cloudwatch:ListMetrics",
    "cloudwatch:DescribeAlarms",  # retry.LambdaRetries: is the alarm still in ALARM
    "elasticloadbalancing:DescribeTargetHealth",
    "ec2:DescribeInstances",  # health.LiveTargetHealth: instance targets' AZ
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
}
# The one statement allowed a wildcard action: AWS's default key-policy statement for the
# account root, which hands the key's administration to IAM (kms.tf explains it).
WILDCARD_ACTION_EXEMPTIONS = {
    ("kms", "EnableIamPoliciesOfThisAccount"),
    ("secrets_key", "EnableIamPoliciesOfThisAccount"),
}


def _of(directory: Path, kind: str) -> list[Block]:
    return [block for block in blocks(directory) if block.kind == kind]


def _root_resource(type_name: str, name: str) -> Block:
    (found,) = [b for b in _of(REPO, "resource") if b.labels == (type_name, name)]
    return found


def _function_environment() -> dict[str, str]:
    (environment,) = [b for b in _of(REPO, "locals") if b.labels == ("function_environment",)]
    text = source_text(REPO)
    start = text.index("function_environment = merge(")
    end = text.index("\n  )\n", start)
    entries = re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s+=\s*(.+)$", text[start:end], re.MULTILINE)
    assert environment.body["value"], "local.function_environment is empty"
    return dict(entries)


def _readiness_environment_additions() -> dict[str, str]:
    """What local.readiness_environment adds to the failover function's environment."""
    text = source_text(REPO)
    start = text.index("readiness_environment = merge(local.function_environment, {")
    end = text.index("})", start)
    return dict(re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s+=\s*(.+)$", text[start:end], re.MULTILINE))


@pytest.mark.parametrize("directory", TF_DIRS, ids=dir_id)
def test_every_variable_has_description_and_type(directory: Path) -> None:
    for variable in _of(directory, "variable"):
        name = variable.labels[0]
        assert str(variable.body.get("description", "")).strip(), f"variable {name} has no description"
        assert "type" in variable.body, f"variable {name} has no type"


@pytest.mark.parametrize("directory", TF_DIRS, ids=dir_id)
def test_every_output_has_description(directory: Path) -> None:
    # Outputs have no type argument in Terraform; their value's type is inferred.
    for output in _of(directory, "output"):
        assert str(output.body.get("description", "")).strip(), f"output {output.labels[0]} has no description"


@pytest.mark.parametrize("directory", TF_DIRS, ids=dir_id)
def test_required_version_and_provider_versions_are_constrained(directory: Path) -> None:
    terraform_blocks = [b for b in _of(directory, "terraform") if "required_version" in b.body]
    assert terraform_blocks, f"{dir_id(directory)} has no required_version"
    (settings,) = terraform_blocks
    assert settings.body["required_version"] == ">= 1.5"
    providers: dict[str, dict[str, str]] = {}
    for entry in settings.body.get("required_providers", []):
        providers.update(entry)
    assert set(providers) >= {"aws", "external"}
    for name, spec in providers.items():
        assert spec.get("source", "").startswith("hashicorp/"), f"provider {name} has no source"
        assert re.search(r"[<>=~]", spec.get("version", "")), f"provider {name} has no version constraint"
    assert providers["aws"]["version"] == ">= 6.0, < 7.0"


@pytest.mark.parametrize("directory", TF_DIRS, ids=dir_id)
def test_no_unused_variables_locals_or_data_sources(directory: Path) -> None:
    text = source_text(directory)
    for variable in _of(directory, "variable"):
        assert re.search(rf"\bvar\.{variable.labels[0]}\b", text), f"variable {variable.labels[0]} is unused"
    for local in _of(directory, "locals"):
        assert re.search(rf"\blocal\.{local.labels[0]}\b", text), f"local {local.labels[0]} is unused"
    for data in _of(directory, "data"):
        type_name, name = data.labels
        assert re.search(rf"\bdata\.{type_name}\.{name}\b", text), f"data.{type_name}.{name} is unused"


@pytest.mark.parametrize("directory", TF_DIRS, ids=dir_id)
def test_names_are_snake_case(directory: Path) -> None:
    for block in blocks(directory):
        for label in block.labels:
            assert SNAKE_CASE.match(label), f"{block.kind} {'.'.join(block.labels)} is not snake_case"


@pytest.mark.parametrize("directory", TF_DIRS, ids=dir_id)
def test_iam_policies_name_every_action_in_full_and_have_sids(directory: Path) -> None:
    documents = [b for b in _of(directory, "data") if b.labels[0] == "aws_iam_policy_document"]
    for document in documents:
        for statement in walk_statements(document.body):
            sid = statement.get("sid", "")
            assert re.fullmatch(r"[A-Za-z0-9]+", sid), f"a statement of {document.labels[1]} has no valid sid"
            actions = as_list(statement.get("actions", []))
            assert actions, f"{document.labels[1]}/{sid} has no actions"
            for action in actions:
                if (document.labels[1], sid) in WILDCARD_ACTION_EXEMPTIONS:
                    continue
                assert "*" not in action, f"{document.labels[1]}/{sid} uses the wildcard action {action}"
                assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", action), f"{action} is not a full action name"


def test_every_star_resource_is_explained_by_a_comment() -> None:
    for path in sorted(REPO.glob("*.tf")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if re.search(r'resources\s*=\s*\["\*"\]', line):
                context = lines[max(0, number - 12) : number + 1]
                assert any("#" in candidate for candidate in context), (
                    f'{path.name}:{number + 1}: resources = ["*"] without a comment saying why'
                )


# What the function never does, though the operator CLI does with the same engine modules: re-arming
# (lock.rearm) deletes the lock item.
NOT_THE_FUNCTIONS = {"dynamodb:DeleteItem"}


def test_function_role_allows_what_the_engine_calls() -> None:
    allowed = _policy_actions("function") | _policy_actions("vpc_attachment")
    assert allowed >= ENGINE_ACTIONS, f"missing: {sorted(ENGINE_ACTIONS - allowed)}"
    assert "cloudwatch:PutMetricData" not in allowed, "metrics go through EMF in the logs"
    assert not allowed & NOT_THE_FUNCTIONS, f"the function never calls {sorted(allowed & NOT_THE_FUNCTIONS)}"


def test_rearm_is_not_called_by_the_function() -> None:
    """lock.rearm (dynamodb:DeleteItem) is the operator CLI's; no module of the function calls it."""
    package = REPO / "lambda_src" / "qradar_failover"
    callers = [
        path.name for path in package.glob("*.py") if path.name != "lock.py" and ".rearm(" in path.read_text("utf-8")
    ]
    assert callers == []


def test_taggable_resources_are_tagged() -> None:
    for resource in _of(REPO, "resource"):
        type_name = resource.labels[0]
        assert type_name in TAGGABLE | NOT_TAGGABLE, f"{type_name}: add it to TAGGABLE or NOT_TAGGABLE"
        if type_name in TAGGABLE:
            tags = str(resource.body.get("tags", ""))
            assert "local.tags" in tags, f"{'.'.join(resource.labels)} is not tagged with local.tags"


def test_health_alarms_are_keyed_by_target_group_and_main_az() -> None:
    text = source_text(REPO)
    assert re.search(
        r"for pair in setproduct\(keys\(var\.target_groups\), var\.main_site\.availability_zones\)\s*:\s*"
        r'"\$\{pair\[0\]\}/\$\{pair\[1\]\}"',
        text,
    ), 'local.health_alarms must be keyed "<target group>/<az>" over the Main-Site AZs only'
    for name in ("unhealthy_hosts", "healthy_hosts_below_minimum"):
        alarm = _root_resource("aws_cloudwatch_metric_alarm", name)
        assert strip_interpolation(alarm.body["for_each"]) == "local.health_alarms"
        dimensions = alarm.body["dimensions"]
        assert set(dimensions) == {"LoadBalancer", "TargetGroup", "AvailabilityZone"}
        assert alarm.body["period"] == 60
        assert "aws_sns_topic.trigger" in text and "local.alarm_actions" in str(alarm.body["alarm_actions"])
    unhealthy = _root_resource("aws_cloudwatch_metric_alarm", "unhealthy_hosts")
    assert unhealthy.body["metric_name"] == "UnHealthyHostCount"
    assert unhealthy.body["statistic"] == "Maximum"
    assert unhealthy.body["comparison_operator"] == "GreaterThanOrEqualToThreshold"
    healthy = _root_resource("aws_cloudwatch_metric_alarm", "healthy_hosts_below_minimum")
    assert healthy.body["metric_name"] == "HealthyHostCount"
    assert healthy.body["treat_missing_data"] == "breaching"
    assert healthy.body["comparison_operator"] == "LessThanThreshold"


def test_function_environment_covers_the_engine_contract() -> None:
    names = set(_function_environment())
    assert names >= REQUIRED_ENVIRONMENT, f"missing: {sorted(REQUIRED_ENVIRONMENT - names)}"
    assert names <= REQUIRED_ENVIRONMENT | OPTIONAL_ENVIRONMENT, (
        f"not in the contract: {sorted(names - REQUIRED_ENVIRONMENT - OPTIONAL_ENVIRONMENT)}"
    )


def test_function_environment_matches_what_the_engine_reads() -> None:
    config = REPO / "lambda_src" / "qradar_failover" / "config.py"
    if not config.is_file():
        pytest.skip("the engine's config.py is not there yet")
    source = config.read_text(encoding="utf-8")
    read = set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', source))
    # Per-site names are composed from a prefix: f"{prefix}_ADDRESS" with "MAIN_SITE" / "DEST_SITE".
    suffixes = set(re.findall(r'f"\{prefix\}(_[A-Z0-9_]+)"', source))
    read |= {prefix + suffix for prefix in read for suffix in suffixes}
    names = set(_function_environment())
    assert names <= read, f"the engine never reads {sorted(names - read)}"
    assert read >= REQUIRED_ENVIRONMENT


def test_every_engine_setting_with_a_module_variable_is_set_by_the_module() -> None:
    """A variable foo_bar whose FOO_BAR the engine reads must reach the engine: otherwise the function runs
    with its default whatever the caller set (the retries Lambda makes, the event age it allows)."""
    source = (REPO / "lambda_src" / "qradar_failover" / "config.py").read_text(encoding="utf-8")
    read = set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', source)) - {"MAIN_SITE", "DEST_SITE"}  # per-site prefixes
    variables = {block.labels[0] for block in _of(REPO, "variable")}
    given = set(_function_environment()) | set(_readiness_environment_additions())
    assert sorted(name for name in read if name.lower() in variables and name not in given) == []


# Where a setting's Terraform name differs on purpose: the module takes the CA's PEM text and gives
# the function the path of the file it adds to the package.
TERRAFORM_NAME_EXCEPTIONS = {"QRADAR_CA_BUNDLE": "ca_bundle_pem"}


def test_each_setting_has_one_name_from_terraform_to_python() -> None:
    """FOO_BAR is var.foo_bar (or local.foo_bar) in Terraform and config.foo_bar in Python; a site's
    MAIN_SITE_X / DEST_SITE_X may instead be var.main_site.x / var.destination_site.x and site.x.
    The readiness function's additions are fields of ReadinessSettings."""
    config_fields = {field.name for field in dataclasses.fields(Config)}
    config_fields |= {field.name for field in dataclasses.fields(ReadinessSettings)}
    site_fields = {field.name for field in dataclasses.fields(SiteConfig)}
    for name, expression in (_function_environment() | _readiness_environment_additions()).items():
        terraform_name = TERRAFORM_NAME_EXCEPTIONS.get(name, name.lower())
        python_names = {name.lower()}
        terraform_names = {f"var.{terraform_name}", f"local.{terraform_name}"}
        site, _, attribute = name.partition("_SITE_")
        if site in {"MAIN", "DEST"}:
            python_names.add(attribute.lower())
            terraform_names.add(f"var.{'main' if site == 'MAIN' else 'destination'}_site.{attribute.lower()}")
        assert python_names & (config_fields | site_fields), f"{name}: no config field named {sorted(python_names)}"
        assert any(ref in expression for ref in terraform_names), f"{name} = {expression}: not {terraform_names}"


def test_function_handler_and_runtime() -> None:
    function = _root_resource("aws_lambda_function", "this")
    assert function.body["handler"] == "qradar_failover.handler.lambda_handler"
    handler = REPO / "lambda_src" / "qradar_failover" / "handler.py"
    if handler.is_file():
        assert "def lambda_handler(" in handler.read_text(encoding="utf-8")
    text = source_text(REPO)
    assert 'contains(["python3.12", "python3.13"], var.runtime)' in text


def test_tflint_configuration_enables_recommended_preset_and_aws_ruleset() -> None:
    config = (REPO / ".tflint.hcl").read_text(encoding="utf-8")
    assert re.search(r'preset\s*=\s*"recommended"', config)
    assert re.search(r'plugin\s+"aws"', config)
    assert re.search(r'source\s*=\s*"github.com/terraform-linters/tflint-ruleset-aws"', config)


# What the readiness engine calls, each of which its role must allow; and what it must never be allowed.
READINESS_ACTIONS = {
    "secretsmanager:GetSecretValue",
    "dynamodb:GetItem",
    "lambda:GetFunctionConfiguration",
    "lambda:GetFunctionConcurrency",
    "lambda:GetPolicy",
    "sns:ListSubscriptionsByTopic",
    "cloudwatch:DescribeAlarmsForMetric",
    "cloudwatch:GetMetricData",
    "cloudwatch:ListMetrics",
    "elasticloadbalancing:DescribeTargetHealth",
    "ec2:DescribeInstances",  # the Destination's instance targets' AZ (health.LiveTargetHealth)
    "logs:CreateLogStream",
    "logs:PutLogEvents",
}


def _policy_actions(name: str) -> set[str]:
    (document,) = [b for b in _of(REPO, "data") if b.labels == ("aws_iam_policy_document", name)]
    return {action for statement in walk_statements(document.body) for action in as_list(statement["actions"])}


def test_readiness_role_allows_what_readiness_reads_and_writes_nothing() -> None:
    allowed = _policy_actions("readiness") | _policy_actions("vpc_attachment")
    assert allowed >= READINESS_ACTIONS, f"missing: {sorted(READINESS_ACTIONS - allowed)}"
    writes = {"sns:Publish", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "sqs:SendMessage"}
    assert not allowed & writes, f"the readiness role may write: {sorted(allowed & writes)}"
    assert not any(action.startswith(("lambda:Update", "lambda:Put", "lambda:Invoke")) for action in allowed)
    assert not any(action.startswith(("cloudwatch:Put", "cloudwatch:Set", "cloudwatch:Enable")) for action in allowed)


def test_readiness_function_runs_the_readiness_handler() -> None:
    function = _root_resource("aws_lambda_function", "readiness")
    assert function.body["handler"] == "qradar_failover.readiness_handler.lambda_handler"
    source = (REPO / "lambda_src" / "qradar_failover" / "readiness_handler.py").read_text(encoding="utf-8")
    assert "def lambda_handler(" in source


def test_readiness_environment_adds_exactly_what_readiness_reads() -> None:
    assert set(_readiness_environment_additions()) == {
        "FAILOVER_FUNCTION_NAME",
        "TRIGGER_TOPIC_ARN",
        "DEST_SITE_AVAILABILITY_ZONES",
        "LOAD_BALANCER_ARN_SUFFIX",
        "TARGET_GROUPS",
        "TOKEN_EXPIRY_WARNING_DAYS",
        "RPO_TARGET_SECONDS",
        "RTO_TARGET_SECONDS",
    }
    source = (REPO / "lambda_src" / "qradar_failover" / "config.py").read_text(encoding="utf-8")
    for name in _readiness_environment_additions():
        assert f'"{name}"' in source, f"the readiness engine never reads {name}"


def _local_list(name: str) -> list[str]:
    (found,) = [b for b in _of(REPO, "locals") if b.labels == (name,)]
    return [str(value) for value in found.body["value"]]


def test_dashboard_check_and_outcome_names_are_the_engines() -> None:
    assert _local_list("readiness_check_names") == [check.value for check in Check]
    assert sorted(_local_list("failover_outcomes")) == sorted(outcome.value for outcome in Outcome)


def test_every_check_that_can_warn_has_an_alarm_and_no_other() -> None:
    (checks,) = [b for b in _of(REPO, "locals") if b.labels == ("readiness_warning_checks",)]
    assert set(checks.body["value"]) == {check.value for check in WARNING_CHECKS}
    alarm = _root_resource("aws_cloudwatch_metric_alarm", "readiness_warning")
    assert alarm.body["metric_name"] == CHECK_WARNED_METRIC
    assert alarm.body["treat_missing_data"] == "ignore", "CheckWarned is 1 or 0 every run: silence is no news"


def test_the_dashboard_shows_the_metrics_the_readiness_engine_emits() -> None:
    dashboard = (REPO / "dashboard.tf").read_text(encoding="utf-8")
    for metric in (READY_METRIC, CHECK_FAILED_METRIC, CHECK_WARNED_METRIC, REPLICATION_LAG_METRIC):
        assert f'var.metrics_namespace, "{metric}", ' in dashboard, f"the dashboard does not show {metric}"


def test_not_ready_alarm_watches_the_metric_the_readiness_engine_emits() -> None:
    alarm = _root_resource("aws_cloudwatch_metric_alarm", "not_ready")
    assert alarm.body["metric_name"] == READY_METRIC
    assert strip_interpolation(alarm.body["namespace"]) == "var.metrics_namespace"
    assert _function_environment()["METRICS_NAMESPACE"].strip() == "var.metrics_namespace"
    (dimension,) = alarm.body["dimensions"].items()
    assert dimension[0] == FUNCTION_DIMENSION
    assert strip_interpolation(dimension[1]) == strip_interpolation(
        _readiness_environment_additions()["FAILOVER_FUNCTION_NAME"]
    )
    assert alarm.body["treat_missing_data"] == "missing"  # no alarm before the first run (readiness.tftest.hcl)


def test_runs_and_readiness_carry_one_deployment_dimension() -> None:
    """The failover function's Runs and readiness's Ready are told apart per deployment by the same
    dimension, and the dashboard selects the runs by it."""
    text = (REPO / "dashboard.tf").read_text(encoding="utf-8")
    assert f'"Runs", "{FUNCTION_DIMENSION}", local.failover_function_name' in text


def test_the_engine_knows_the_retries_lambda_makes() -> None:
    """A run promises another attempt only if Lambda makes one: the function is told the asynchronous
    invocation settings from the same variables that configure them."""
    environment = _function_environment()
    invoke_config = _root_resource("aws_lambda_function_event_invoke_config", "this").body
    for name in ("maximum_retry_attempts", "maximum_event_age_in_seconds"):
        assert strip_interpolation(invoke_config[name]) == f"var.{name}"
        assert f"var.{name}" in environment.get(name.upper(), ""), f"{name.upper()} is not var.{name}"


def test_the_lock_table_purges_the_attempt_counters_and_the_role_reaches_them() -> None:
    table = _root_resource("aws_dynamodb_table", "lock").body
    (ttl,) = as_list(table["ttl"])
    assert ttl["attribute_name"] == "purge_at" and ttl["enabled"] is True  # lock.FailoverLock.count_attempt
    text = (REPO / "iam.tf").read_text(encoding="utf-8")
    assert '"${local.lock_id}#attempts#*"' in text, "dynamodb:LeadingKeys must allow the attempt counters' keys"
