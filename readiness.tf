################################################################################
# Readiness: a read-only function that checks, on a schedule, that a failover would work, a
# "not ready" alarm on its Ready metric, and the schedule that runs it.
################################################################################

locals {
  create_readiness_check   = var.create && var.create_readiness_check
  create_readiness_alarm   = local.create_readiness_check && var.readiness_check_schedule_expression != null
  readiness_function_name  = "${var.name}-readiness"
  readiness_log_group_name = "/aws/lambda/${local.readiness_function_name}"
  readiness_log_group_arn  = local.create_readiness_check ? "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.readiness_log_group_name}" : null

  # The schedule's rate as seconds. EventBridge Scheduler runs within a minute of it, so two runs
  # may be a minute further apart than the rate: the not-ready alarm's period is one minute
  # longer, and each period holds a run.
  readiness_rate                 = regex("^rate\\(([0-9]+) (minutes?|hours?)\\)$", coalesce(var.readiness_check_schedule_expression, "rate(15 minutes)"))
  readiness_interval_seconds     = tonumber(local.readiness_rate[0]) * (startswith(local.readiness_rate[1], "hour") ? 3600 : 60)
  readiness_alarm_period_seconds = local.readiness_interval_seconds + 60

  # A hung console costs the check at most one connect + read timeout; the AWS reads and the
  # metrics need a few seconds more.
  readiness_timeout = min(900, max(60, ceil(var.http_connect_timeout_seconds + var.http_read_timeout_seconds) + 30))

  # The failover function's environment contract plus what only readiness needs: the load balancer
  # and target groups name every health alarm the module defines (alarms.tf), which readiness finds
  # by the metric it watches.
  failover_function_name = try(aws_lambda_function.this[0].function_name, null)
  trigger_topic_arn      = try(aws_sns_topic.trigger[0].arn, null)
  readiness_environment = merge(local.function_environment, {
    FAILOVER_FUNCTION_NAME       = local.failover_function_name
    TRIGGER_TOPIC_ARN            = local.trigger_topic_arn
    DEST_SITE_AVAILABILITY_ZONES = join(",", var.destination_site.availability_zones)
    LOAD_BALANCER_ARN_SUFFIX     = var.load_balancer_arn_suffix
    TARGET_GROUPS                = join(",", [for key in sort(keys(var.target_groups)) : var.target_groups[key].arn_suffix])
    TOKEN_EXPIRY_WARNING_DAYS    = tostring(var.token_expiry_warning_days)
    }, {
    # Objectives that are not set are left out: nothing is held to them.
    for name, value in {
      RPO_TARGET_SECONDS = var.rpo_target_seconds == null ? null : tostring(var.rpo_target_seconds)
      RTO_TARGET_SECONDS = var.rto_target_seconds == null ? null : tostring(var.rto_target_seconds)
    } : name => value if value != null
  })
}

resource "aws_cloudwatch_log_group" "readiness" {
  count = local.create_readiness_check ? 1 : 0

  name              = local.readiness_log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = local.kms_key_arn

  tags = local.tags
}

resource "aws_lambda_function" "readiness" {
  count = local.create_readiness_check ? 1 : 0

  #checkov:skip=CKV_AWS_272:Code signing needs an AWS Signer profile and a signed artifact; the function shares the failover function's reproducibly built package.
  #checkov:skip=CKV_AWS_116:A failed scheduled run needs no dead-letter queue: it publishes no Ready datapoint, and with no run reporting the not-ready alarm goes to INSUFFICIENT_DATA and notifies.
  #checkov:skip=CKV_AWS_115:No reserved concurrency on purpose: a scheduled read must never take concurrency a failover may need, an account with a low concurrency limit cannot reserve any, and the schedule starts one run per interval.

  function_name = local.readiness_function_name
  description   = "QRadar DataSync failover readiness: checks read-only that ${local.function_name} would fail over successfully, and reports Ready / CheckFailed metrics."
  role          = aws_iam_role.readiness[0].arn
  handler       = "qradar_failover.readiness_handler.lambda_handler"
  runtime       = var.runtime
  architectures = [var.architecture]
  timeout       = local.readiness_timeout
  memory_size   = var.memory_size
  kms_key_arn   = local.kms_key_arn

  filename          = aws_lambda_function.this[0].filename
  source_code_hash  = aws_lambda_function.this[0].source_code_hash
  s3_bucket         = aws_lambda_function.this[0].s3_bucket
  s3_key            = aws_lambda_function.this[0].s3_key
  s3_object_version = aws_lambda_function.this[0].s3_object_version

  environment {
    variables = local.readiness_environment
  }

  # The same subnets and security groups as the failover function: it must reach what that reaches.
  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = values(local.function_security_groups)
  }

  tracing_config {
    mode = var.enable_xray_tracing ? "Active" : "PassThrough"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.readiness[0].name
  }

  tags = local.tags

  depends_on = [aws_iam_role_policy.readiness, aws_cloudwatch_log_group.readiness]
}

# Scheduled runs repeat anyway: a retry would only publish a late, duplicate result.
resource "aws_lambda_function_event_invoke_config" "readiness" {
  count = local.create_readiness_check ? 1 : 0

  function_name                = aws_lambda_function.readiness[0].function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 300
}

################################################################################
# The readiness function's role: read-only. It cannot write the lock table, publish to any
# topic, or change a function, alarm or subscription.
################################################################################

resource "aws_iam_role" "readiness" {
  count = local.create_readiness_check ? 1 : 0

  name                 = "${var.name}-readiness"
  description          = "Read-only readiness checks of the QRadar DataSync failover ${local.function_name}"
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.assume_role[0].json

  tags = local.tags
}

data "aws_iam_policy_document" "readiness" {
  count = local.create_readiness_check ? 1 : 0

  source_policy_documents = [data.aws_iam_policy_document.vpc_attachment[0].json]

  statement {
    sid       = "WriteOwnLogGroupOnly"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.readiness[0].arn}:*"]
  }

  statement {
    sid       = "ReadTheTwoConsoleTokens"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = distinct([var.main_site.token_secret_arn, var.destination_site.token_secret_arn])
  }

  dynamic "statement" {
    for_each = length(var.token_secrets_kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptConsoleTokensThroughSecretsManager"
      actions   = ["kms:Decrypt"]
      resources = var.token_secrets_kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
    }
  }

  # GetItem only, on this deployment's lock item: whether the automation is armed.
  statement {
    sid       = "ReadFailoverLockOnly"
    actions   = ["dynamodb:GetItem"]
    resources = [local.lock_table_arn]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = [local.lock_id]
    }
  }

  statement {
    sid       = "ReadLockItemUnderModuleKeyThroughDynamoDB"
    actions   = ["kms:Decrypt"]
    resources = compact([local.kms_key_arn, var.lock_table_kms_key_arn])

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "ReadFailoverFunctionStateAndInvokePolicy"
    actions   = ["lambda:GetFunctionConfiguration", "lambda:GetFunctionConcurrency", "lambda:GetPolicy"]
    resources = [aws_lambda_function.this[0].arn]
  }

  statement {
    sid       = "ListSubscribersOfTriggerAndNotificationTopics"
    actions   = ["sns:ListSubscriptionsByTopic"]
    resources = distinct([aws_sns_topic.trigger[0].arn, local.notification_topic_arn])
  }

  # Every health alarm the module defines is found by the metric it watches (an alarm stripped of
  # its action is found and named too). DescribeAlarmsForMetric has no resource-level permissions:
  # "*" is the only resource IAM accepts; it reads alarm configurations only.
  statement {
    sid       = "FindAlarmsWatchingCollectorHealth"
    actions   = ["cloudwatch:DescribeAlarmsForMetric"]
    resources = ["*"]
  }

  # The Destination collectors' health, read as the failover reads the Main AZ's (instance
  # targets placed through EC2). None of these actions supports resource-level permissions, so "*"
  # is the only resource IAM accepts; all are read-only.
  statement {
    sid = "ReadDestinationCollectorHealth"
    actions = [
      "cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "elasticloadbalancing:DescribeTargetHealth",
      "ec2:DescribeInstances",
    ]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.enable_xray_tracing ? [1] : []

    # X-Ray trace segments belong to no resource: these write actions accept only "*".
    content {
      sid       = "WriteXrayTraces"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "readiness" {
  count = local.create_readiness_check ? 1 : 0

  name   = "${var.name}-readiness-read-only"
  role   = aws_iam_role.readiness[0].id
  policy = data.aws_iam_policy_document.readiness[0].json
}

################################################################################
# Schedule: EventBridge Scheduler invokes the readiness function (off with a null expression)
################################################################################

resource "aws_scheduler_schedule" "readiness" {
  count = local.create_readiness_alarm ? 1 : 0

  #checkov:skip=CKV_AWS_297:The schedule's only payload is the constant {"source":"schedule"}; an AWS owned key protects it, and a customer managed key would add a key policy for the scheduler role without protecting anything.

  name        = "${var.name}-readiness"
  description = "Runs the QRadar failover readiness checks (${local.readiness_function_name})."

  schedule_expression = var.readiness_check_schedule_expression
  state               = "ENABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.readiness[0].arn
    role_arn = aws_iam_role.readiness_schedule[0].arn
    input    = jsonencode({ source = "schedule" })

    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 300
    }
  }
}

data "aws_iam_policy_document" "readiness_schedule_assume_role" {
  count = local.create_readiness_alarm ? 1 : 0

  statement {
    sid     = "SchedulerAssumesRoleForThisAccountOnly"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "readiness_schedule" {
  count = local.create_readiness_alarm ? 1 : 0

  name                 = "${var.name}-readiness-schedule"
  description          = "EventBridge Scheduler invokes the QRadar failover readiness function ${local.readiness_function_name}"
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.readiness_schedule_assume_role[0].json

  tags = local.tags
}

data "aws_iam_policy_document" "readiness_schedule" {
  count = local.create_readiness_alarm ? 1 : 0

  statement {
    sid       = "InvokeReadinessFunctionOnly"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.readiness[0].arn]
  }
}

resource "aws_iam_role_policy" "readiness_schedule" {
  count = local.create_readiness_alarm ? 1 : 0

  name   = "${var.name}-invoke-readiness"
  role   = aws_iam_role.readiness_schedule[0].id
  policy = data.aws_iam_policy_document.readiness_schedule[0].json
}

################################################################################
# The not-ready alarm: notifies people when readiness is lost and when it returns
################################################################################

resource "aws_cloudwatch_metric_alarm" "not_ready" {
  count = local.create_readiness_alarm ? 1 : 0

  alarm_name        = "${var.name}-not-ready"
  alarm_description = "The QRadar DataSync failover would not work if the Main Site's AZ failed now: a readiness check of ${local.readiness_function_name} failed twice in a row (ALARM), or it stopped running (INSUFFICIENT_DATA). Run 'qradar-failover readiness' for the failing checks and how to fix each; the OK notice says readiness is back."

  namespace   = var.metrics_namespace
  metric_name = "Ready"
  dimensions = {
    FailoverFunction = local.failover_function_name
  }
  statistic = "Minimum"
  # A run per period; two in a row must fail, so one passing glitch notifies nobody.
  period              = local.readiness_alarm_period_seconds
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  # A new alarm starts in INSUFFICIENT_DATA. With missing data treated as missing, it stays there
  # until the first run after apply reports (breaching would alarm before it), and it returns
  # there when every datapoint of its range is missing: the readiness function stopped running.
  treat_missing_data = "missing"

  # CloudWatch notifies on a change of state only: when readiness is lost, when it returns, and
  # when the runs stop.
  alarm_actions             = [local.notification_topic_arn]
  ok_actions                = [local.notification_topic_arn]
  insufficient_data_actions = [local.notification_topic_arn]

  tags = local.tags
}

################################################################################
# Warnings: each check that can warn has an alarm on its CheckWarned metric (1 or 0 every run), which
# notifies once when the warning starts and once when it ends. CloudWatch's alarm state is the memory
# of what was notified: the read-only readiness function needs no write and no publish permission.
################################################################################

locals {
  # The checks that can warn (qradar_failover.readiness_checks.WARNING_CHECKS; tests/terraform holds the two
  # together), and what each warning means to the person who receives it.
  readiness_warning_checks = {
    lock              = "a failover run never finished: its claim expired, so the next alarm takes it over; read that run's log and check both consoles"
    failover_function = "the failover function is Inactive: its first invocation would wait while Lambda re-creates its network interfaces, in the middle of an outage; wake it as the readiness detail says"
    token_expiry      = "a console's authorized service token expires within token_expiry_warning_days (${var.token_expiry_warning_days}); put a new token into its secret before then"
    replication_lag   = "ariel copies from the Main Site to the Destination are falling behind (missed schedule, errors, or a schedule slower than rpo_target_seconds); a failover now would lose the data not yet copied"
  }
}

resource "aws_cloudwatch_metric_alarm" "readiness_warning" {
  for_each = local.create_readiness_alarm ? local.readiness_warning_checks : {}

  alarm_name        = "${var.name}-readiness-warning-${replace(each.key, "_", "-")}"
  alarm_description = "QRadar DataSync failover readiness warns (${each.key}): ${each.value}. A failover would still work now. Run 'qradar-failover readiness' for the detail and what to do; the OK notice says the warning is gone."

  namespace   = var.metrics_namespace
  metric_name = "CheckWarned"
  dimensions = {
    Check            = each.key
    FailoverFunction = local.failover_function_name
  }
  statistic           = "Maximum"
  period              = local.readiness_interval_seconds
  evaluation_periods  = 2
  datapoints_to_alarm = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  # Every run says 1 or 0: a missing run (the not-ready alarm's business) changes nothing here.
  treat_missing_data = "ignore"

  alarm_actions = [local.notification_topic_arn]
  ok_actions    = [local.notification_topic_arn]

  tags = local.tags
}
