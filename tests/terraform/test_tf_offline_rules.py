"""The stand-in provider's value rules (dev/tf_offline/rules.py, the table in aws_rules.py): each
rule kind rejects what the provider or the AWS API rejects and passes the rest, unknown and
unset values pass, configurations are walked through nested blocks, lists and maps, and every
entry of the hashicorp/aws table loads."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tf.gen import tfplugin_pb2 as pb

from support.terraform import REPO
from tf_offline import aws_rules
from tf_offline.provider import _attribute_path, load_schema_response, set_paths
from tf_offline.rules import (
    UNKNOWN,
    AnyOf,
    Api,
    ApiModelError,
    Arn,
    AtLeastOneOf,
    Between,
    Characters,
    Cidr,
    ConflictsWith,
    DivisibleBy,
    ExactlyOneOf,
    Items,
    Json,
    JsonItems,
    Length,
    NotPattern,
    NumberIn,
    OneOf,
    Pattern,
    ProductAtMost,
    RequiredWith,
    RuleSet,
    TypeRules,
    ValueRule,
    provider_source,
    resolve_api,
    rules,
    values_at,
)
from tf_offline.schemas import PROVIDERS, ensure_schemas

CACHE = REPO / ".cache" / "provider-schemas"

pytestmark = pytest.mark.terraform

ORIGIN = provider_source("internal/service/example.go")

# (rule, a value it accepts, a value it rejects)
CASES: list[tuple[ValueRule, Any, Any]] = [
    (Length(1, 64), "qradar-failover-function", "r" * 65),
    (Pattern(r"^[0-9A-Za-z_-]+$", "alphanumerics"), "qradar-failover", "qradar failover"),
    (Pattern(r"[a-z]+", full=True), "abc", "abc1"),
    (NotPattern(r"^sg-", "cannot start with sg-"), "function", "sg-function"),
    (Characters(r"[a-zA-Z0-9 ._-]", "letters"), "HTTPS to the consoles", "the module's endpoints"),
    (OneOf(("Minimum", "Maximum")), "Maximum", "Max"),
    (OneOf(("breaching", "missing"), ignore_case=True), "Breaching", "ignored"),
    (Between(128, 10240), 256, 64),
    (Between(-1, None), -1, -2),
    (NumberIn((1, 3, 5, 7)), 7, 8),
    (DivisibleBy(60), 900, 90),
    (Arn(), "arn:aws:sns:us-east-1:123456789012:topic", "sns:topic"),
    (Arn(), "arn:aws:iam::123456789012:role/x", "arn:aws:iam::12345:role/x"),
    (Arn(service="kms"), "arn:aws:kms:us-east-1:123456789012:key/1", "arn:aws:sqs:us-east-1:123456789012:q"),
    (Json(), '{"a": 1}', "{not json"),
    (Json(object_only=True), '{"Version": "2012-10-17"}', '["Version"]'),
    (Json(object_only=True), '{"Sid": "a"}', '{"Sid": "a", "Sid": "b"}'),
    (Cidr(), "10.40.1.10/32", "10.40.1.10/16"),
    (Items(0, 5), ["a"] * 5, ["a"] * 6),
    (AnyOf((NumberIn((10, 20, 30)), DivisibleBy(60))), 30, 45),
    (
        JsonItems("widgets[type=alarm].properties.alarms", 1, 100),
        json.dumps({"widgets": [{"type": "alarm", "properties": {"alarms": ["a"] * 100}}]}),
        json.dumps({"widgets": [{"type": "metric"}, {"type": "alarm", "properties": {"alarms": ["a"] * 101}}]}),
    ),
]


@pytest.mark.parametrize(
    ("rule", "good", "bad"), CASES, ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(CASES)]
)
def test_a_rule_rejects_a_bad_value_and_passes_a_good_one(rule: ValueRule, good: Any, bad: Any) -> None:
    assert rule.problem(good, "attr") is None
    message = rule.problem(bad, "attr")
    assert message is not None
    assert "attr" in message


def _table(**attributes: Any) -> RuleSet:
    return RuleSet({"aws_thing": TypeRules(attributes=attributes)}, {})


def test_unknown_and_unset_values_pass() -> None:
    rule_set = _table(name=[rules(ORIGIN, Length(1, 3))], items=[rules(ORIGIN, Items(0, 1))])
    assert rule_set.validate("resource", "aws_thing", {"name": UNKNOWN, "items": UNKNOWN}) == []
    assert rule_set.validate("resource", "aws_thing", {"name": None, "items": None}) == []
    assert rule_set.validate("resource", "aws_thing", {"name": "toolong"})


def test_rules_reach_nested_blocks_list_elements_and_map_keys() -> None:
    rule_set = _table(
        **{
            "target.retry_policy.maximum_retry_attempts": [rules(ORIGIN, Between(0, 185))],
            "alarm_actions[*]": [rules(ORIGIN, Arn())],
            "environment.variables[keys]": [rules(ORIGIN, Pattern(r"[A-Z_]+", full=True))],
            "dimensions[*]": [rules(ORIGIN, Length(1, 5))],
        }
    )
    config = {
        "target": [{"retry_policy": [{"maximum_retry_attempts": 186}]}],
        "alarm_actions": ["arn:aws:sns:us-east-1:123456789012:t", "not-an-arn", UNKNOWN],
        "environment": [{"variables": {"GOOD": "1", "bad-key": "2"}}],
        "dimensions": {"AvailabilityZone": "us-east-1a"},
    }
    found = {v.address: v for v in rule_set.validate("resource", "aws_thing", config)}
    assert set(found) == {
        "target[0].retry_policy[0].maximum_retry_attempts",
        "alarm_actions[1]",
        "environment[0].variables",
        "dimensions.AvailabilityZone",
    }
    assert found["alarm_actions[1]"].rule_class == "arn"
    assert found["alarm_actions[1]"].origin == ORIGIN


def test_values_at_skips_unknown_blocks() -> None:
    assert list(values_at({"target": UNKNOWN}, "target.arn")) == []
    assert [v for _, v, _ in values_at({"target": [{"arn": "a"}, {"arn": "b"}]}, "target.arn")] == ["a", "b"]


def test_cross_attribute_rules() -> None:
    exactly = ExactlyOneOf(ORIGIN, "", ("cidr_ipv4", "prefix_list_id"))
    assert exactly.problem({"cidr_ipv4": "10.0.0.0/8", "prefix_list_id": None}) is None
    assert "must be specified" in str(exactly.problem({"cidr_ipv4": None, "prefix_list_id": None}))
    assert "only one of" in str(exactly.problem({"cidr_ipv4": "10.0.0.0/8", "prefix_list_id": "pl-1"}))
    assert exactly.problem({"cidr_ipv4": None, "prefix_list_id": UNKNOWN}) is None, "an unknown may become the one"
    when = ExactlyOneOf(ORIGIN, "", ("statistic", "extended_statistic"), when="metric_name")
    assert when.problem({"metric_name": None, "statistic": None, "extended_statistic": None}) is None
    assert when.problem({"metric_name": "Errors", "statistic": None, "extended_statistic": None})
    conflicts = ConflictsWith(ORIGIN, "", "statistic", ("metric_query",))
    assert conflicts.problem({"statistic": "Sum", "metric_query": []}) is None, "an empty block is unset"
    assert conflicts.problem({"statistic": "Sum", "metric_query": [{"id": "m1"}]})
    required = RequiredWith(ORIGIN, "", "s3_bucket", ("s3_key",))
    assert required.problem({"s3_bucket": "b", "s3_key": None})
    assert required.problem({"s3_bucket": "b", "s3_key": "k"}) is None
    day = ProductAtMost(ORIGIN, "", ("period", "evaluation_periods"), 86_400, below=("period", 3600))
    assert day.problem({"period": 960, "evaluation_periods": 2}) is None
    assert day.problem({"period": 3540, "evaluation_periods": 30})  # 29.5 hours of minute-level periods
    assert day.problem({"period": 43260, "evaluation_periods": 2}) is None, "an hour or longer: up to seven days"
    assert day.problem({"period": UNKNOWN, "evaluation_periods": 2}) is None
    at_least = AtLeastOneOf(ORIGIN, "", ("a", "b"))
    assert at_least.problem({"a": None, "b": None})
    assert at_least.problem({"a": None, "b": 1}) is None


def test_a_cross_attribute_violation_points_at_an_attribute_it_names() -> None:
    rule_set = RuleSet({"aws_rule": TypeRules(objects=[ExactlyOneOf(ORIGIN, "", ("cidr_ipv4", "prefix_list_id"))])}, {})
    (violation,) = rule_set.validate("resource", "aws_rule", {"cidr_ipv4": "10.0.0.0/8", "prefix_list_id": "pl-1"})
    assert violation.steps == ("cidr_ipv4",)
    assert violation.rule_class == "exactly-one-of"


def test_api_model_constraints_are_read_from_botocore() -> None:
    origin, checks = resolve_api(Api("cloudwatch", "PutMetricAlarm", "Statistic"))
    assert origin.kind == "api-model"
    (enum,) = checks
    assert isinstance(enum, OneOf)
    assert "Maximum" in enum.values and "Max" not in enum.values
    _, name_checks = resolve_api(Api("iam", "CreateRole", "RoleName"))
    assert any(c.problem("r" * 65, "name") for c in name_checks)
    assert not any(c.problem("qradar-failover-function", "name") for c in name_checks)
    origin, _ = resolve_api(Api("lambda", "CreateFunction", "Runtime", via=ORIGIN))
    assert origin.kind == "provider" and "lambda CreateFunction Runtime" in origin.version
    with pytest.raises(ApiModelError):
        resolve_api(Api("lambda", "CreateFunction", "NoSuchMember"))


def test_every_entry_of_the_aws_table_loads() -> None:
    rule_set = RuleSet(aws_rules.RESOURCES, aws_rules.DATA_SOURCES)
    total = 0
    for kind, table in rule_set.tables.items():
        for type_name in table:
            for check in rule_set.checks(kind, type_name):  # resolves every Api reference
                if isinstance(check.rule, Pattern):
                    assert check.rule.compiled  # every regular expression compiles
                total += 1
    assert total >= 150, f"only {total} checks in the hashicorp/aws table"


# -- the stand-in's side: attribute paths and what a configuration sets --------------------------


@pytest.fixture(scope="module")
def aws_schema() -> pb.GetProviderSchema.Response:
    return load_schema_response(ensure_schemas(CACHE)["aws"])


def test_diagnostic_paths_follow_lists_and_stop_at_sets(aws_schema: pb.GetProviderSchema.Response) -> None:
    fn = aws_schema.resource_schemas["aws_lambda_function"].block
    path = _attribute_path(fn, ("logging_config", 0, "log_group"))
    assert [s.WhichOneof("selector") for s in path.steps] == ["attribute_name", "element_key_int", "attribute_name"]
    # vpc_config.subnet_ids is a set: Terraform cannot point at one of its elements.
    path = _attribute_path(fn, ("vpc_config", 0, "subnet_ids", 1))
    assert [s.attribute_name or s.element_key_int for s in path.steps] == ["vpc_config", 0, "subnet_ids"]
    alarm = aws_schema.resource_schemas["aws_cloudwatch_metric_alarm"].block
    path = _attribute_path(alarm, ("dimensions", "AvailabilityZone"))
    assert [s.attribute_name or s.element_key_string for s in path.steps] == ["dimensions", "AvailabilityZone"]


def test_set_paths_names_what_a_configuration_sets(aws_schema: pb.GetProviderSchema.Response) -> None:
    fn = aws_schema.resource_schemas["aws_lambda_function"].block
    config = {
        "function_name": "f",
        "memory_size": UNKNOWN,
        "timeout": None,
        "vpc_config": [{"subnet_ids": ["a"], "security_group_ids": None}],
        "environment": [],
    }
    assert set_paths(fn, config) == {"function_name", "memory_size", "vpc_config.subnet_ids"}


def test_the_aws_stand_in_has_a_rule_table() -> None:
    assert "hashicorp/aws" in {p.source for p in PROVIDERS.values()}
    from tf_offline.provider import RULE_TABLES, load_rule_set

    assert set(RULE_TABLES) <= {p.source for p in PROVIDERS.values()}
    rule_set = load_rule_set("hashicorp/aws")
    assert rule_set is not None
    assert rule_set.validate("resource", "aws_cloudwatch_metric_alarm", {"statistic": "Max"})
