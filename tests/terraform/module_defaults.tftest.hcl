# The module with the minimal inputs (defaults everywhere else): plan, apply, and create = false.
# The AWS provider is mocked (the stand-in serves its real schema); the external data source
# runs scripts/package.py for real, so the function's package is built as a user's plan builds it.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

variables {
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
}

run "minimal_inputs_plan" {
  command = plan

  assert {
    condition     = aws_lambda_function.this[0].function_name == "qradar-failover"
    error_message = "The function is named exactly var.name."
  }

  assert {
    condition     = length(aws_kms_key.this) == 1 && length(aws_sns_topic.notification) == 1 && length(aws_sqs_queue.failure) == 1 && length(aws_dynamodb_table.lock) == 1
    error_message = "By default the module creates its key, notification topic, failure queue and lock table."
  }

  assert {
    condition     = aws_sns_topic.trigger[0].name == "qradar-failover-trigger" && aws_dynamodb_table.lock[0].name == "qradar-failover-lock" && aws_iam_role.this[0].name == "qradar-failover-function"
    error_message = "Every other name starts with var.name."
  }

  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.unhealthy_hosts) == ["dlc/us-east-1a"] && keys(aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum) == ["dlc/us-east-1a"]
    error_message = "One pair of health alarms per (target group, Main-Site AZ), keyed \"<target group>/<az>\"."
  }

  assert {
    condition = aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum["dlc/us-east-1a"].dimensions == tomap({
      LoadBalancer     = "net/qradar/0123456789abcdef"
      TargetGroup      = "targetgroup/qradar-dlc/0123456789abcdef"
      AvailabilityZone = "us-east-1a"
    })
    error_message = "The health alarms watch the Main AZ of the target group on the load balancer."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum["dlc/us-east-1a"].namespace == "AWS/NetworkELB" && aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum["dlc/us-east-1a"].treat_missing_data == "breaching" && aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum["dlc/us-east-1a"].threshold == 1
    error_message = "An NLB's HealthyHostCount below min_healthy_collectors, missing data breaching."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.unhealthy_hosts["dlc/us-east-1a"].metric_name == "UnHealthyHostCount" && aws_cloudwatch_metric_alarm.unhealthy_hosts["dlc/us-east-1a"].statistic == "Maximum"
    error_message = "The UnHealthyHostCount alarm uses the maximum per minute."
  }

  assert {
    # NOTIFICATION_TOPIC_ARN is the created topic's ARN, known after apply (checked there).
    condition = tomap({ for name, value in aws_lambda_function.this[0].environment[0].variables : name => value if name != "NOTIFICATION_TOPIC_ARN" }) == tomap({
      MAIN_SITE_ADDRESS            = "10.0.1.10"
      DEST_SITE_ADDRESS            = "10.0.2.10"
      MAIN_SITE_TOKEN_SECRET_ARN   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/main-AbCdEf"
      DEST_SITE_TOKEN_SECRET_ARN   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/dest-AbCdEf"
      MAIN_SITE_AVAILABILITY_ZONES = "us-east-1a"
      LOCK_TABLE_NAME              = "qradar-failover-lock"
      LOCK_ID                      = "qradar-failover"
      QRADAR_TLS_VERIFY            = "true"
      DRY_RUN                      = "false"
      MIN_HEALTHY_COLLECTORS       = "1"
      FAILOVER_WHEN_UNCONFIRMED    = "false"
      HTTP_CONNECT_TIMEOUT_SECONDS = "5"
      HTTP_READ_TIMEOUT_SECONDS    = "15"
      HTTP_MAX_RETRIES             = "2"
      MAIN_SITE_BUDGET_SECONDS     = "20"
      DEPLOY_TIMEOUT_SECONDS       = "180"
      DEPLOY_POLL_INTERVAL_SECONDS = "5"
      LOCK_CLAIM_TTL_SECONDS       = "900"
      MAXIMUM_RETRY_ATTEMPTS       = "2"
      MAXIMUM_EVENT_AGE_IN_SECONDS = "3600"
      METRICS_NAMESPACE            = "QRadarFailover"
      LOG_LEVEL                    = "INFO"
    })
    error_message = "The function's environment is the engine's contract, with no CA bundle entry when none is given."
  }

  assert {
    condition     = contains(flatten(data.aws_iam_policy_document.vpc_attachment[0].statement[*].actions), "ec2:DescribeSubnets")
    error_message = "Lambda needs ec2:DescribeSubnets to attach the function to its subnets (the shared VPC attachment statements)."
  }

  assert {
    condition = toset(flatten(concat(data.aws_iam_policy_document.function[0].statement[*].actions, data.aws_iam_policy_document.vpc_attachment[0].statement[*].actions))) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "sns:Publish", "secretsmanager:GetSecretValue",
      "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
      "kms:Decrypt", "kms:GenerateDataKey", "sqs:SendMessage",
      "cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "elasticloadbalancing:DescribeTargetHealth",
      "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:CreateNetworkInterface",
      "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
    ])
    error_message = "The role allows exactly what the engine and Lambda's VPC attachment call (no X-Ray without tracing)."
  }

  assert {
    condition     = data.external.package[0].query.ca_bundle_pem == "" && can(regex("^[A-Za-z0-9+/]{43}=$", data.external.package[0].result.sha256_base64))
    error_message = "The package is built at plan time, without a CA bundle by default."
  }

  assert {
    condition     = aws_lambda_permission.trigger_topic[0].principal == "sns.amazonaws.com" && aws_lambda_permission.trigger_topic[0].source_account == null
    error_message = "Only the trigger topic (source_arn) invokes the function; SNS sends no source account."
  }

  assert {
    condition     = length(aws_vpc_security_group_egress_rule.dynamodb) == 1 && aws_vpc_security_group_egress_rule.dynamodb[0].prefix_list_id == "pl-02cd2c6b"
    error_message = "The function's security group reaches the lock table through the region's DynamoDB prefix list."
  }

  assert {
    condition     = [for rule in aws_vpc_security_group_egress_rule.consoles : rule.cidr_ipv4] == ["10.0.1.10/32", "10.0.2.10/32"]
    error_message = "HTTPS egress to each console."
  }
}

run "minimal_inputs_apply" {
  assert {
    condition     = data.aws_iam_policy_document.function[0].source_policy_documents == tolist([data.aws_iam_policy_document.vpc_attachment[0].json])
    error_message = "The function's role includes the shared VPC attachment statements."
  }

  assert {
    condition     = output.function_name == "qradar-failover" && output.function_arn != null && output.trigger_topic_arn != null
    error_message = "The function and its trigger topic exist after apply."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables.NOTIFICATION_TOPIC_ARN == aws_sns_topic.notification[0].arn && output.notification_topic_arn == aws_sns_topic.notification[0].arn && output.kms_key_arn == aws_kms_key.this[0].arn && output.failure_destination_arn == aws_sqs_queue.failure[0].arn
    error_message = "The outputs name what the module created."
  }

  assert {
    condition     = keys(output.healthy_hosts_alarm_arns) == ["dlc/us-east-1a"] && keys(output.unhealthy_hosts_alarm_arns) == ["dlc/us-east-1a"]
    error_message = "Alarm ARNs are keyed \"<target group>/<az>\"."
  }

  assert {
    condition     = output.lock_table_name == "qradar-failover-lock" && output.lock_id == "qradar-failover" && output.vpc_endpoint_ids == {}
    error_message = "Lock table and id outputs; no VPC endpoints by default."
  }
}

run "create_false_creates_nothing" {
  variables {
    create = false
  }

  assert {
    condition     = length(aws_lambda_function.this) == 0 && length(aws_sns_topic.trigger) == 0 && length(aws_kms_key.this) == 0 && length(aws_cloudwatch_metric_alarm.unhealthy_hosts) == 0 && length(aws_security_group.function) == 0 && length(data.external.package) == 0
    error_message = "create = false creates (and reads) nothing."
  }

  assert {
    condition = alltrue([
      output.function_name == null, output.function_arn == null, output.function_role_arn == null,
      output.trigger_topic_arn == null, output.notification_topic_arn == null, output.kms_key_arn == null,
      output.lock_table_name == null, output.lock_table_arn == null, output.lock_id == null,
      output.failure_destination_arn == null, output.security_group_id == null, output.package_filename == null,
      output.function_errors_alarm_arn == null, output.host_agent_ssm_document_name == null,
    ])
    error_message = "With create = false every single-valued output is null."
  }

  assert {
    condition     = output.unhealthy_hosts_alarm_arns == {} && output.healthy_hosts_alarm_arns == {} && output.vpc_endpoint_ids == {} && output.function_security_group_ids == []
    error_message = "With create = false every collection output is empty."
  }
}
