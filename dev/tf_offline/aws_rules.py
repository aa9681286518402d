"""Value rules of hashicorp/aws for every resource and data source type the module and its
examples use: the data :mod:`tf_offline.rules` checks (and ``python -m tf_offline rules``
reports).

Where each rule was read:

* **provider**: a file of hashicorp/terraform-provider-aws. The repository is too large to
  fetch here (932 MB), so each file was read from the public code index, in the newest version
  the index holds; ``version`` names it (index id or commit, and the era: ``6.x`` when the file
  carries 6.x-only markers). ``versions.tf`` allows ``>= 6.0, < 7.0``; the served schema is
  6.69.1.
* **api-model** (:class:`~tf_offline.rules.Api`): a member of an AWS API operation in botocore's
  service models, the definitions every AWS SDK (the Go SDK the provider is built on too) is
  generated from: enumerations, lengths, patterns (matched against the whole value) and
  ranges that the API enforces at apply time.
* **api-doc**: a constraint the API reference documents but the model does not carry (EC2's
  description character set).

``unchecked`` names attributes the module or an example sets that have no value rule, with the
reason; the rules report lists them (booleans need none and are listed by the report itself).
"""

from __future__ import annotations

from tf_offline.rules import (
    AnyOf,
    Api,
    Arn,
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
    TypeRules,
    api_doc,
    provider_source,
    rules,
)
from tf_offline.rules import Between as Range

# -- the provider files read -------------------------------------------------------------------

VERIFY = provider_source("internal/verify/validate.go", "commit 02f97af8: ValidARN, ValidIAMPolicyJSON")
JSON_DOCUMENT = provider_source(
    "internal/sdkv2/schema.go", "code index id 4909771373: JSONDocumentSchema* -> StringIsJSON"
)
METRIC_ALARM = provider_source("internal/service/cloudwatch/metric_alarm.go", "commit 055611a6, 6.x")
DASHBOARD = provider_source("internal/service/cloudwatch/dashboard.go", "code index id 54971805203, 6.x")
CLOUDWATCH_VALIDATE = provider_source("internal/service/cloudwatch/validate.go", "code index id 3815509258")
LOG_GROUP = provider_source("internal/service/logs/group.go", "code index id 29244708446, 6.x")
LOGS_VALIDATE = provider_source("internal/service/logs/validate.go", "code index id 1930317694")
KMS_KEY = provider_source("internal/service/kms/key.go", "code index id 2386543775, aws-sdk-go-v2")
IAM_ROLE = provider_source("internal/service/iam/role.go", "code index id 4782037191, 6.x")
IAM_VALIDATE = provider_source("internal/service/iam/validate.go", "code index id 11121969147")
LAMBDA_FUNCTION = provider_source("internal/service/lambda/function.go", "code index ids 2143746772, 2774572508")
LAMBDA_VALIDATE = provider_source("internal/service/lambda/validate.go", "code index id 10993881895, 2026")
SCHEDULE = provider_source("internal/service/scheduler/schedule.go", "code index id 10905849363")
SQS_QUEUE = provider_source("internal/service/sqs/queue.go", "code index ids 1262430079, 4587880293")
SNS_SUBSCRIPTION = provider_source("internal/service/sns/topic_subscription.go", "code index id 1990456613")
SG_RULE = provider_source("internal/service/ec2/vpc_security_group_ingress_rule.go", "code index id 1359123306, 6.x")

# -- the API documentation read ------------------------------------------------------------------

EC2_SECURITY_GROUP_DOC = api_doc("https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html")
EC2_RULE_DESCRIPTION_DOC = api_doc("https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html")
PUT_METRIC_ALARM_DOC = api_doc(
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
)
DASHBOARD_BODY_DOC = api_doc(
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html"
)
DYNAMODB_NAMES_DOC = api_doc(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html"
)
SNS_TOPIC_DOC = api_doc("https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html")
KMS_ALIAS_DOC = api_doc("https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html")
IAM_POLICY_GRAMMAR_DOC = api_doc("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html")
ELB_NAMES_DOC = api_doc(
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"
)

# -- values several types share ------------------------------------------------------------------

# EC2's documented character set for group names and descriptions; rule descriptions (prefix
# lists, referenced groups) leave out "&", so rules use the narrower set.
EC2_GROUP_CHARACTERS = Characters(
    r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]", "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*"
)
EC2_RULE_CHARACTERS = Characters(
    r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=;{}!$*]", "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=;{}!$*"
)
LOG_GROUP_NAME = (
    Length(0, 512),
    Pattern(r"^[0-9A-Za-z_./#-]+$", "alphanumerics, underscores, hyphens, slashes, hash signs and dots"),
)
IAM_NAME_PATTERN = Pattern(r"^[\w+=,.@-]*$", r"must match [\w+=,.@-]")
LAMBDA_FUNCTION_NAME = (
    Pattern(
        r"^(arn:[\w-]+:lambda:)?([a-z]{2}-(?:[a-z]+-){1,2}\d{1}:)?(\d{12}:)?(function:)?([0-9A-Za-z_-]+)(:(\$LATEST|[0-9A-Za-z_-]+))?$",
        "must be valid function name or function ARN",
    ),
    Length(1, 140),
    # validFunctionName's third check: the name part (the whole value unless it is an ARN) is at most 64.
    Pattern(
        r"^(arn:[\w-]+:lambda:[a-z]{2}-(?:[a-z]+-){1,2}\d{1}:\d{12}:function:|\d{12}:function:)?[0-9A-Za-z_-]{1,64}(:.*)?$",
        "expected length of the Lambda function name to be less than or equal to 64",
    ),
)
ALARM_ACTION = AnyOf((Arn(), Pattern(r"^arn:[\w-]+:automate:[\w-]+:ec2:(reboot|recover|stop|terminate)$")))

TAGS = "tags: a map of strings; the provider validates no key or value (tftags.TagsSchema), and AWS's tag limits (128-character keys, 256-character values) differ per service and are not transcribed"
EC2_ID = "an EC2 resource ID: neither the provider nor the EC2 API model constrains its format; EC2 rejects an unknown ID at apply"
FREE_TEXT = "free text: neither the provider nor the API model constrains it"
NOT_READ = "the provider file was not read (its 6.x version is not in the code index); the API model's rules apply"


# aws_vpc_security_group_egress_rule and _ingress_rule share one schema and one set of validators.
SECURITY_GROUP_RULE = TypeRules(
    attributes={
        "cidr_ipv4": [rules(SG_RULE, Cidr())],
        "from_port": [rules(SG_RULE, Range(-1, 65535))],
        "to_port": [rules(SG_RULE, Range(-1, 65535))],
        "description": [rules(EC2_RULE_DESCRIPTION_DOC, Length(0, 255), EC2_RULE_CHARACTERS)],
    },
    objects=[ExactlyOneOf(SG_RULE, "", ("cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id"))],
    unchecked={
        "ip_protocol": "a custom type that normalises protocol names and numbers; no validator",
        "security_group_id": EC2_ID,
        "prefix_list_id": EC2_ID,
        "referenced_security_group_id": EC2_ID,
        "tags": TAGS,
    },
)

RESOURCES: dict[str, TypeRules] = {
    "aws_cloudwatch_dashboard": TypeRules(
        attributes={
            "dashboard_name": [
                rules(
                    CLOUDWATCH_VALIDATE,
                    Length(0, 255),
                    Pattern(r"^[0-9A-Za-z_-]+$", "alphanumerics, underscores and hyphens"),
                )
            ],
            "dashboard_body": [
                rules(JSON_DOCUMENT, Json()),
                rules(DASHBOARD_BODY_DOC, JsonItems("widgets[type=alarm].properties.alarms", 1, 100)),
            ],
        },
    ),
    "aws_cloudwatch_log_group": TypeRules(
        attributes={
            "name": [rules(LOGS_VALIDATE, *LOG_GROUP_NAME)],
            "retention_in_days": [
                rules(
                    LOG_GROUP,
                    NumberIn(
                        (
                            0,
                            1,
                            3,
                            5,
                            7,
                            14,
                            30,
                            60,
                            90,
                            120,
                            150,
                            180,
                            365,
                            400,
                            545,
                            731,
                            1096,
                            1827,
                            2192,
                            2557,
                            2922,
                            3288,
                            3653,
                        )
                    ),
                )
            ],
            "kms_key_id": [Api("logs", "CreateLogGroup", "kmsKeyId")],
        },
        objects=[ConflictsWith(LOG_GROUP, "", "name", ("name_prefix",))],
        unchecked={"tags": TAGS},
    ),
    "aws_cloudwatch_metric_alarm": TypeRules(
        attributes={
            "alarm_name": [rules(METRIC_ALARM, Length(1, 255))],
            "alarm_description": [rules(METRIC_ALARM, Length(0, 1024))],
            "comparison_operator": [Api("cloudwatch", "PutMetricAlarm", "ComparisonOperator", via=METRIC_ALARM)],
            "datapoints_to_alarm": [rules(METRIC_ALARM, Range(1, None))],
            "evaluation_periods": [rules(METRIC_ALARM, Range(1, None))],
            "metric_name": [rules(METRIC_ALARM, Length(1, 255))],
            "namespace": [rules(METRIC_ALARM, Length(1, 255), Pattern(r"[^:].*", "must not contain colon characters"))],
            "period": [rules(METRIC_ALARM, AnyOf((NumberIn((10, 20, 30)), DivisibleBy(60))))],
            "statistic": [Api("cloudwatch", "PutMetricAlarm", "Statistic", via=METRIC_ALARM)],
            "treat_missing_data": [
                rules(METRIC_ALARM, OneOf(("breaching", "notBreaching", "ignore", "missing"), ignore_case=True))
            ],
            "alarm_actions": [Api("cloudwatch", "PutMetricAlarm", "AlarmActions")],
            "alarm_actions[*]": [rules(METRIC_ALARM, ALARM_ACTION)],
            "ok_actions": [rules(METRIC_ALARM, Items(0, 5))],
            "ok_actions[*]": [rules(METRIC_ALARM, ALARM_ACTION)],
            "insufficient_data_actions": [rules(METRIC_ALARM, Items(0, 5))],
            "insufficient_data_actions[*]": [rules(METRIC_ALARM, ALARM_ACTION)],
            "dimensions": [Api("cloudwatch", "PutMetricAlarm", "Dimensions")],
            "dimensions[keys]": [Api("cloudwatch", "PutMetricAlarm", "Dimensions.Name")],
            "dimensions[*]": [Api("cloudwatch", "PutMetricAlarm", "Dimensions.Value")],
            # metric_query (a metric-math alarm): each query's own validators in metric_alarm.go
            "metric_query.id": [rules(METRIC_ALARM, Length(1, 255)), Api("cloudwatch", "PutMetricAlarm", "Metrics.Id")],
            "metric_query.expression": [
                rules(METRIC_ALARM, Length(1, 1024)),
                Api("cloudwatch", "PutMetricAlarm", "Metrics.Expression"),
            ],
            "metric_query.metric.metric_name": [rules(METRIC_ALARM, Length(1, 255))],
            "metric_query.metric.namespace": [
                rules(METRIC_ALARM, Length(1, 255), Pattern(r"[^:].*", "must not contain colon characters"))
            ],
            "metric_query.metric.period": [rules(METRIC_ALARM, AnyOf((NumberIn((1, 5, 10, 30)), DivisibleBy(60))))],
            "metric_query.metric.stat": [
                rules(
                    METRIC_ALARM,
                    AnyOf(
                        (
                            OneOf(("SampleCount", "Average", "Sum", "Minimum", "Maximum")),
                            Pattern(
                                r"^((p|(tm)|(wm)|(tc)|(ts))((\d{1,2}(\.\d{1,2})?)|(100))|(IQM)|(((TM)|(WM)|(PR)|(TC)|(TS)))"
                                r"\((\d+(\.\d+)?%?)?:(\d+(\.\d+)?%?)?\))$",
                                "invalid statistic (see the CloudWatch statistics definitions)",
                            ),
                        )
                    ),
                )
            ],
            "metric_query.metric.dimensions": [
                Api("cloudwatch", "PutMetricAlarm", "Metrics.MetricStat.Metric.Dimensions")
            ],
        },
        objects=[
            ConflictsWith(METRIC_ALARM, "", "dimensions", ("metric_query",)),
            ConflictsWith(METRIC_ALARM, "", "metric_name", ("metric_query",)),
            ConflictsWith(METRIC_ALARM, "", "namespace", ("metric_query",)),
            ConflictsWith(METRIC_ALARM, "", "period", ("metric_query",)),
            ConflictsWith(METRIC_ALARM, "", "statistic", ("extended_statistic", "metric_query")),
            ConflictsWith(METRIC_ALARM, "", "threshold", ("threshold_metric_id",)),
            # CustomizeDiff: "No metric_query may have both `expression` and a `metric` specified".
            ConflictsWith(METRIC_ALARM, "metric_query", "expression", ("metric",)),
            # CustomizeDiff: "One of `statistic` or `extended_statistic` must be set for a cloudwatch metric alarm".
            ExactlyOneOf(METRIC_ALARM, "", ("statistic", "extended_statistic"), when="metric_name"),
            # PutMetricAlarm: "An alarm's total current evaluation period can be no longer than seven
            # days ... For alarms with a period of less than one hour, ... one day."
            ProductAtMost(PUT_METRIC_ALARM_DOC, "", ("period", "evaluation_periods"), 604_800),
            ProductAtMost(PUT_METRIC_ALARM_DOC, "", ("period", "evaluation_periods"), 86_400, below=("period", 3600)),
        ],
        unchecked={
            "threshold": "any number (TypeFloat, no validator)",
            "metric_query.label": FREE_TEXT,
            "tags": TAGS,
        },
    ),
    "aws_dynamodb_table": TypeRules(
        attributes={
            "name": [
                rules(
                    DYNAMODB_NAMES_DOC,
                    Length(3, 255),
                    Pattern(
                        r"^[a-zA-Z0-9_.-]+$",
                        "table names: a-z, A-Z, 0-9, _ (underscore), - (dash) and . (dot)",
                        full=True,
                    ),
                )
            ],
            "billing_mode": [Api("dynamodb", "CreateTable", "BillingMode")],
            "hash_key": [Api("dynamodb", "CreateTable", "KeySchema.AttributeName")],
            "attribute.name": [Api("dynamodb", "CreateTable", "AttributeDefinitions.AttributeName")],
            "attribute.type": [Api("dynamodb", "CreateTable", "AttributeDefinitions.AttributeType")],
            "ttl.attribute_name": [Api("dynamodb", "UpdateTimeToLive", "TimeToLiveSpecification.AttributeName")],
        },
        unchecked={
            "server_side_encryption.kms_key_arn": "the API model gives SSESpecification.KMSMasterKeyId no format",
            "tags": TAGS,
            "*": NOT_READ,
        },
    ),
    "aws_iam_role": TypeRules(
        attributes={
            "name": [rules(IAM_VALIDATE, Length(1, 64), IAM_NAME_PATTERN), Api("iam", "CreateRole", "RoleName")],
            "description": [
                rules(
                    IAM_ROLE,
                    Length(0, 1000),
                    NotPattern("[“‘]", "cannot contain specially formatted single or double quotes: [“‘]"),
                ),
                Api("iam", "CreateRole", "Description"),
            ],
            "path": [rules(IAM_ROLE, Length(0, 512)), Api("iam", "CreateRole", "Path")],
            "permissions_boundary": [
                rules(IAM_ROLE, Arn()),
                Api("iam", "CreateRole", "PermissionsBoundary", only=("length",)),
            ],
            "assume_role_policy": [
                rules(VERIFY, Json(object_only=True)),
                Api("iam", "CreateRole", "AssumeRolePolicyDocument", only=("length",)),
            ],
        },
        objects=[ConflictsWith(IAM_ROLE, "", "name", ("name_prefix",))],
        unchecked={"tags": TAGS},
    ),
    "aws_iam_role_policy": TypeRules(
        attributes={
            "name": [rules(IAM_VALIDATE, Length(1, 128), IAM_NAME_PATTERN), Api("iam", "PutRolePolicy", "PolicyName")],
            "role": [Api("iam", "PutRolePolicy", "RoleName")],
            "policy": [
                rules(VERIFY, Json(object_only=True)),
                Api("iam", "PutRolePolicy", "PolicyDocument", only=("length",)),
            ],
        },
        unchecked={"*": NOT_READ},
    ),
    "aws_kms_alias": TypeRules(
        attributes={
            "name": [
                Api("kms", "CreateAlias", "AliasName"),
                rules(
                    KMS_ALIAS_DOC,
                    Pattern(r"^alias/", "must begin with alias/"),
                    NotPattern(r"^alias/aws/", "the prefix alias/aws/ is reserved for AWS managed keys"),
                ),
            ],
            "target_key_id": [Api("kms", "CreateAlias", "TargetKeyId")],
        },
        unchecked={"*": NOT_READ},
    ),
    "aws_kms_key": TypeRules(
        attributes={
            "deletion_window_in_days": [rules(KMS_KEY, Range(7, 30))],
            "description": [rules(KMS_KEY, Length(0, 8192))],
            "policy": [rules(KMS_KEY, Json()), Api("kms", "CreateKey", "Policy", only=("length",))],
        },
        objects=[RequiredWith(KMS_KEY, "", "rotation_period_in_days", ("enable_key_rotation",))],
        unchecked={"tags": TAGS},
    ),
    "aws_lambda_function": TypeRules(
        attributes={
            "function_name": [rules(LAMBDA_VALIDATE, *LAMBDA_FUNCTION_NAME)],
            "description": [Api("lambda", "CreateFunction", "Description")],
            "handler": [
                rules(LAMBDA_FUNCTION, Length(1, 128)),
                Api("lambda", "CreateFunction", "Handler", only=("pattern",)),
            ],
            "runtime": [Api("lambda", "CreateFunction", "Runtime", via=LAMBDA_FUNCTION)],
            "architectures": [rules(LAMBDA_FUNCTION, Items(0, 1))],
            "architectures[*]": [Api("lambda", "CreateFunction", "Architectures.member", via=LAMBDA_FUNCTION)],
            "memory_size": [rules(LAMBDA_FUNCTION, Range(128, 10240))],
            "timeout": [rules(LAMBDA_FUNCTION, Range(1, 900))],
            "reserved_concurrent_executions": [rules(LAMBDA_FUNCTION, Range(-1, None))],
            "role": [rules(LAMBDA_FUNCTION, Arn()), Api("lambda", "CreateFunction", "Role", only=("pattern",))],
            "kms_key_arn": [rules(LAMBDA_FUNCTION, Arn())],
            "s3_bucket": [Api("lambda", "CreateFunction", "Code.S3Bucket")],
            "s3_key": [Api("lambda", "CreateFunction", "Code.S3Key")],
            "s3_object_version": [Api("lambda", "CreateFunction", "Code.S3ObjectVersion")],
            "environment.variables[keys]": [Api("lambda", "CreateFunction", "Environment.Variables.key")],
            "vpc_config.subnet_ids": [Api("lambda", "CreateFunction", "VpcConfig.SubnetIds")],
            "vpc_config.security_group_ids": [Api("lambda", "CreateFunction", "VpcConfig.SecurityGroupIds")],
            "tracing_config.mode": [Api("lambda", "CreateFunction", "TracingConfig.Mode", via=LAMBDA_FUNCTION)],
            "logging_config.log_format": [
                Api("lambda", "CreateFunction", "LoggingConfig.LogFormat", via=LAMBDA_FUNCTION)
            ],
            "logging_config.log_group": [rules(LAMBDA_VALIDATE, *LOG_GROUP_NAME)],
        },
        objects=[
            ExactlyOneOf(LAMBDA_FUNCTION, "", ("filename", "image_uri", "s3_bucket")),
            RequiredWith(LAMBDA_FUNCTION, "", "s3_bucket", ("s3_key",)),
            RequiredWith(LAMBDA_FUNCTION, "", "s3_key", ("s3_bucket",)),
            ConflictsWith(LAMBDA_FUNCTION, "", "s3_object_version", ("filename", "image_uri")),
        ],
        unchecked={
            "filename": "a local path: the provider reads the file at apply",
            "source_code_hash": "any string (the package's hash): no validator",
            "environment.variables": "values are free text (the whole map's 4 KB limit is not transcribed)",
            "tags": TAGS,
        },
    ),
    "aws_lambda_function_event_invoke_config": TypeRules(
        attributes={
            "function_name": [Api("lambda", "PutFunctionEventInvokeConfig", "FunctionName")],
            "maximum_retry_attempts": [Api("lambda", "PutFunctionEventInvokeConfig", "MaximumRetryAttempts")],
            "maximum_event_age_in_seconds": [Api("lambda", "PutFunctionEventInvokeConfig", "MaximumEventAgeInSeconds")],
            "destination_config.on_failure.destination": [
                Api("lambda", "PutFunctionEventInvokeConfig", "DestinationConfig.OnFailure.Destination"),
            ],
        },
        unchecked={"*": NOT_READ},
    ),
    "aws_lambda_permission": TypeRules(
        attributes={
            "statement_id": [
                rules(
                    LAMBDA_VALIDATE,
                    Pattern(r"^[0-9A-Za-z_-]+$", "must contain alphanumeric, underscores or dashes only"),
                    Length(1, 100),
                )
            ],
            "action": [
                rules(
                    LAMBDA_VALIDATE,
                    Pattern(
                        r"^(lambda:[*]|lambda:[A-Za-z]+|[*])$", "must be a valid action (usually starts with lambda:)"
                    ),
                )
            ],
            "function_name": [rules(LAMBDA_VALIDATE, *LAMBDA_FUNCTION_NAME)],
            "principal": [Api("lambda", "AddPermission", "Principal")],
            "source_arn": [Api("lambda", "AddPermission", "SourceArn")],
        },
        unchecked={
            "*": "internal/service/lambda/permission.go was not read: its validators are those of validate.go (read) by name; the API model's rules apply"
        },
    ),
    "aws_scheduler_schedule": TypeRules(
        attributes={
            "name": [
                rules(
                    SCHEDULE,
                    Length(1, 64),
                    Pattern(r"^[0-9A-Za-z_.-]+$", "The name must consist of alphanumerics, hyphens, and underscores."),
                )
            ],
            "description": [rules(SCHEDULE, Length(0, 512))],
            "schedule_expression": [rules(SCHEDULE, Length(1, 256))],
            "state": [Api("scheduler", "CreateSchedule", "State", via=SCHEDULE)],
            "flexible_time_window.mode": [Api("scheduler", "CreateSchedule", "FlexibleTimeWindow.Mode", via=SCHEDULE)],
            "target.arn": [rules(SCHEDULE, Arn())],
            "target.role_arn": [
                rules(SCHEDULE, Arn()),
                Api("scheduler", "CreateSchedule", "Target.RoleArn", only=("pattern",)),
            ],
            "target.input": [rules(SCHEDULE, Length(1, None))],
            "target.retry_policy.maximum_event_age_in_seconds": [rules(SCHEDULE, Range(60, 86400))],
            "target.retry_policy.maximum_retry_attempts": [rules(SCHEDULE, Range(0, 185))],
        },
        objects=[ConflictsWith(SCHEDULE, "", "name", ("name_prefix",))],
    ),
    "aws_security_group": TypeRules(
        attributes={
            "name": [
                rules(
                    EC2_SECURITY_GROUP_DOC,
                    Length(0, 255),
                    EC2_GROUP_CHARACTERS,
                    NotPattern(r"^sg-", "cannot start with sg-"),
                )
            ],
            "description": [rules(EC2_SECURITY_GROUP_DOC, Length(0, 255), EC2_GROUP_CHARACTERS)],
        },
        unchecked={
            "vpc_id": EC2_ID,
            "timeouts.delete": "a Go duration string: the plugin SDK parses it when planning, which the mock provider does instead",
            "tags": TAGS,
            "*": NOT_READ,
        },
    ),
    "aws_default_security_group": TypeRules(unchecked={"vpc_id": EC2_ID}),
    "aws_vpc_security_group_egress_rule": SECURITY_GROUP_RULE,
    "aws_vpc_security_group_ingress_rule": SECURITY_GROUP_RULE,
    "aws_vpc_endpoint": TypeRules(
        attributes={
            "vpc_endpoint_type": [Api("ec2", "CreateVpcEndpoint", "VpcEndpointType")],
        },
        unchecked={
            "service_name": "com.amazonaws.<region>.<service>: EC2 rejects an unknown service at apply; no format in the API model",
            "vpc_id": EC2_ID,
            "subnet_ids": EC2_ID,
            "route_table_ids": EC2_ID,
            "security_group_ids": EC2_ID,
            "tags": TAGS,
            "*": NOT_READ,
        },
    ),
    "aws_sns_topic": TypeRules(
        attributes={
            "name": [
                rules(
                    SNS_TOPIC_DOC,
                    Pattern(
                        r"^[A-Za-z0-9_-]{1,256}(\.fifo)?$",
                        "1-256 ASCII letters, numbers, underscores and hyphens (and .fifo)",
                    ),
                )
            ],
        },
        unchecked={
            "display_name": FREE_TEXT,
            "kms_master_key_id": "a key ID, ARN or alias: no validator",
            "tags": TAGS,
            "*": NOT_READ,
        },
    ),
    "aws_sns_topic_policy": TypeRules(
        attributes={
            "arn": [rules(VERIFY, Arn(service="sns"))],
            "policy": [rules(VERIFY, Json(object_only=True))],
        },
        unchecked={"*": NOT_READ},
    ),
    "aws_sns_topic_subscription": TypeRules(
        attributes={
            "protocol": [
                rules(
                    SNS_SUBSCRIPTION,
                    OneOf(("application", "email", "email-json", "firehose", "http", "https", "lambda", "sms", "sqs")),
                )
            ],
            "topic_arn": [rules(SNS_SUBSCRIPTION, Arn())],
            "subscription_role_arn": [rules(SNS_SUBSCRIPTION, Arn())],
        },
        unchecked={"endpoint": "its form depends on the protocol (address, URL, ARN); SNS checks it at Subscribe"},
    ),
    "aws_sqs_queue": TypeRules(
        attributes={
            "name": [
                rules(SQS_QUEUE, Pattern(r"^([0-9A-Za-z_-]{1,80}|[0-9A-Za-z_-]{1,75}\.fifo)$", "invalid queue name"))
            ],
            "message_retention_seconds": [rules(SQS_QUEUE, Range(60, 1_209_600))],
        },
        objects=[ConflictsWith(SQS_QUEUE, "", "name", ("name_prefix",))],
        unchecked={"kms_master_key_id": "a key ID, ARN or alias: no validator", "tags": TAGS},
    ),
    "aws_ssm_document": TypeRules(
        attributes={
            "name": [Api("ssm", "CreateDocument", "Name")],
            "document_type": [Api("ssm", "CreateDocument", "DocumentType")],
            "document_format": [Api("ssm", "CreateDocument", "DocumentFormat")],
            "content": [Api("ssm", "CreateDocument", "Content")],
        },
        unchecked={"tags": TAGS, "*": NOT_READ},
    ),
    "aws_ssm_association": TypeRules(
        attributes={
            "name": [Api("ssm", "CreateAssociation", "Name")],
            "association_name": [Api("ssm", "CreateAssociation", "AssociationName")],
            "schedule_expression": [Api("ssm", "CreateAssociation", "ScheduleExpression")],
            "compliance_severity": [Api("ssm", "CreateAssociation", "ComplianceSeverity")],
            "max_concurrency": [Api("ssm", "CreateAssociation", "MaxConcurrency")],
            "max_errors": [Api("ssm", "CreateAssociation", "MaxErrors")],
            "document_version": [Api("ssm", "CreateAssociation", "DocumentVersion")],
            "targets": [Api("ssm", "CreateAssociation", "Targets")],
            "targets.key": [Api("ssm", "CreateAssociation", "Targets.Key")],
            "targets.values": [Api("ssm", "CreateAssociation", "Targets.Values")],
        },
        unchecked={"tags": TAGS, "*": NOT_READ},
    ),
    # -- used by the examples only -------------------------------------------------------------
    "aws_vpc": TypeRules(
        attributes={
            "cidr_block": [
                rules(api_doc("https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html"), Cidr())
            ]
        },
        unchecked={"tags": TAGS, "*": NOT_READ},
    ),
    "aws_subnet": TypeRules(
        attributes={
            "cidr_block": [
                rules(api_doc("https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html"), Cidr())
            ]
        },
        unchecked={
            "vpc_id": EC2_ID,
            "availability_zone": "an AZ name: EC2 rejects an unknown one at apply",
            "tags": TAGS,
            "*": NOT_READ,
        },
    ),
    "aws_route_table": TypeRules(unchecked={"vpc_id": EC2_ID, "tags": TAGS}),
    "aws_route_table_association": TypeRules(unchecked={"subnet_id": EC2_ID, "route_table_id": EC2_ID, "*": NOT_READ}),
    "aws_lb": TypeRules(
        attributes={
            "name": [
                rules(
                    ELB_NAMES_DOC,
                    Pattern(
                        r"^(?!internal-)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$",
                        "at most 32 alphanumerics or hyphens, not beginning or ending with a hyphen, not beginning with internal-",
                    ),
                )
            ],
            "load_balancer_type": [Api("elbv2", "CreateLoadBalancer", "Type")],
        },
        unchecked={"subnets": EC2_ID, "*": NOT_READ},
    ),
    "aws_lb_target_group": TypeRules(
        attributes={
            "name": [
                rules(
                    ELB_NAMES_DOC,
                    Pattern(
                        r"^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$",
                        "at most 32 alphanumerics or hyphens, not beginning or ending with a hyphen",
                    ),
                )
            ],
            "port": [Api("elbv2", "CreateTargetGroup", "Port")],
            "protocol": [Api("elbv2", "CreateTargetGroup", "Protocol")],
            "target_type": [Api("elbv2", "CreateTargetGroup", "TargetType")],
            "health_check.protocol": [Api("elbv2", "CreateTargetGroup", "HealthCheckProtocol")],
            "health_check.interval": [Api("elbv2", "CreateTargetGroup", "HealthCheckIntervalSeconds")],
            "health_check.healthy_threshold": [Api("elbv2", "CreateTargetGroup", "HealthyThresholdCount")],
            "health_check.unhealthy_threshold": [Api("elbv2", "CreateTargetGroup", "UnhealthyThresholdCount")],
        },
        unchecked={"vpc_id": EC2_ID, "*": NOT_READ},
    ),
    "aws_lb_listener": TypeRules(
        attributes={
            "port": [Api("elbv2", "CreateListener", "Port")],
            "protocol": [Api("elbv2", "CreateListener", "Protocol")],
            "default_action.type": [Api("elbv2", "CreateListener", "DefaultActions.Type")],
            "load_balancer_arn": [rules(VERIFY, Arn(service="elasticloadbalancing"))],
            "default_action.target_group_arn": [rules(VERIFY, Arn(service="elasticloadbalancing"))],
        },
        unchecked={"*": NOT_READ},
    ),
    "aws_lb_target_group_attachment": TypeRules(
        attributes={
            "port": [Api("elbv2", "RegisterTargets", "Targets.Port")],
            "target_group_arn": [rules(VERIFY, Arn(service="elasticloadbalancing"))],
        },
        unchecked={"target_id": "an instance ID, IP address or ARN depending on the target type", "*": NOT_READ},
    ),
    "aws_secretsmanager_secret": TypeRules(
        attributes={
            "name": [Api("secretsmanager", "CreateSecret", "Name")],
            "description": [Api("secretsmanager", "CreateSecret", "Description")],
            "kms_key_id": [Api("secretsmanager", "CreateSecret", "KmsKeyId")],
        },
        unchecked={"*": NOT_READ},
    ),
}

DATA_SOURCES: dict[str, TypeRules] = {
    "aws_iam_policy_document": TypeRules(
        attributes={
            "statement.sid": [
                rules(IAM_POLICY_GRAMMAR_DOC, Pattern(r"^[A-Za-z0-9]*$", "a Sid holds ASCII letters and digits only"))
            ],
            "statement.effect": [rules(IAM_POLICY_GRAMMAR_DOC, OneOf(("Allow", "Deny")))],
            "statement.actions[*]": [
                rules(
                    IAM_POLICY_GRAMMAR_DOC,
                    Pattern(r"^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$", "an action is <service>:<Action> (or *)"),
                )
            ],
            "statement.principals.type": [
                rules(IAM_POLICY_GRAMMAR_DOC, OneOf(("AWS", "Service", "Federated", "CanonicalUser", "*")))
            ],
            "statement.condition.test": [
                rules(
                    IAM_POLICY_GRAMMAR_DOC,
                    Pattern(
                        r"^(ForAllValues:|ForAnyValue:)?(String(Not)?Equals(IgnoreCase)?|String(Not)?Like|Numeric(Not)?Equals|Numeric(LessThan|GreaterThan)(Equals)?|Date(Not)?Equals|Date(LessThan|GreaterThan)(Equals)?|Bool|BinaryEquals|(Not)?IpAddress|Arn(Not)?(Equals|Like)|Null)(IfExists)?$",
                        "a condition operator of the IAM policy grammar",
                    ),
                )
            ],
            "source_policy_documents[*]": [rules(VERIFY, Json(object_only=True))],
        },
        unchecked={
            "statement.resources": "ARNs or * (with wildcards): IAM reports a malformed resource at apply",
            "statement.principals.identifiers": "ARNs, account IDs or service principals depending on the type",
            "statement.condition.variable": "a condition key: global or per service, too many to list",
            "statement.condition.values": FREE_TEXT,
            "*": NOT_READ,
        },
    ),
    "aws_lb": TypeRules(
        attributes={"arn": [rules(VERIFY, Arn(service="elasticloadbalancing"))]},
        unchecked={"name": "the name of an existing load balancer (looked up)", "*": NOT_READ},
    ),
    "aws_lb_target_group": TypeRules(
        attributes={"arn": [rules(VERIFY, Arn(service="elasticloadbalancing"))]},
        unchecked={"name": "the name of an existing target group (looked up)", "*": NOT_READ},
    ),
    "aws_secretsmanager_secret": TypeRules(
        attributes={"name": [Api("secretsmanager", "DescribeSecret", "SecretId")]},
        unchecked={"*": NOT_READ},
    ),
    "aws_subnet": TypeRules(unchecked={"id": EC2_ID}),
    "aws_subnets": TypeRules(
        unchecked={"filter.name": "an EC2 filter name (DescribeSubnets)", "filter.values": FREE_TEXT}
    ),
    "aws_prefix_list": TypeRules(unchecked={"name": "the name of an AWS prefix list (looked up)"}),
    "aws_partition": TypeRules(),
    "aws_region": TypeRules(),
    "aws_caller_identity": TypeRules(),
}
