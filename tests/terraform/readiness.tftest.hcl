# The readiness function, its read-only role, its schedule, the not-ready alarm and the dashboard:
# plan and apply with the defaults, the schedule changed and turned off, readiness and the
# dashboard turned off, the Lambda endpoint. (The schedule expression's validation is proven in
# module_checks.tftest.hcl with every other check.)

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

run "readiness_by_default" {
  # The mocks give every role one ARN; the readiness role's own tells the two apart.
  override_resource {
    target = aws_iam_role.readiness[0]
    values = { arn = "arn:aws:iam::123456789012:role/qradar-failover-readiness" }
  }

  assert {
    condition     = output.operator_cli.readiness_command == "qradar-failover readiness --function qradar-failover-readiness --region us-east-1"
    error_message = "operator_cli says how to run the readiness checks from an operator's machine."
  }

  assert {
    condition     = aws_lambda_function.readiness[0].function_name == "qradar-failover-readiness" && aws_lambda_function.readiness[0].handler == "qradar_failover.readiness_handler.lambda_handler"
    error_message = "The readiness function is created by default, with the readiness handler."
  }

  assert {
    condition     = aws_lambda_function.readiness[0].filename == aws_lambda_function.this[0].filename && aws_lambda_function.readiness[0].source_code_hash == aws_lambda_function.this[0].source_code_hash && aws_lambda_function.readiness[0].runtime == aws_lambda_function.this[0].runtime
    error_message = "The readiness function runs the failover function's package."
  }

  assert {
    condition = aws_lambda_function.readiness[0].environment[0].variables == tomap(merge(aws_lambda_function.this[0].environment[0].variables, {
      FAILOVER_FUNCTION_NAME       = aws_lambda_function.this[0].function_name
      TRIGGER_TOPIC_ARN            = aws_sns_topic.trigger[0].arn
      DEST_SITE_AVAILABILITY_ZONES = "us-east-1b"
      LOAD_BALANCER_ARN_SUFFIX     = "net/qradar/0123456789abcdef"
      TARGET_GROUPS                = "targetgroup/qradar-dlc/0123456789abcdef"
      TOKEN_EXPIRY_WARNING_DAYS    = "30"
    }))
    error_message = "The readiness environment is the failover function's contract plus FAILOVER_FUNCTION_NAME, TRIGGER_TOPIC_ARN, DEST_SITE_AVAILABILITY_ZONES, LOAD_BALANCER_ARN_SUFFIX, TARGET_GROUPS and TOKEN_EXPIRY_WARNING_DAYS."
  }

  assert {
    condition     = aws_lambda_function.readiness[0].vpc_config[0].subnet_ids == aws_lambda_function.this[0].vpc_config[0].subnet_ids && aws_lambda_function.readiness[0].vpc_config[0].security_group_ids == aws_lambda_function.this[0].vpc_config[0].security_group_ids
    error_message = "The readiness function reaches the consoles as the failover function does."
  }

  assert {
    condition     = aws_lambda_function.readiness[0].timeout == 60 && aws_lambda_function_event_invoke_config.readiness[0].maximum_retry_attempts == 0
    error_message = "A run is bounded (connect + read timeout + 30 s, at least 60 s) and never retried."
  }

  assert {
    condition     = aws_lambda_function.readiness[0].role == aws_iam_role.readiness[0].arn && aws_iam_role.readiness[0].arn != aws_iam_role.this[0].arn
    error_message = "The readiness function has its own role."
  }

  assert {
    condition = toset(flatten(concat(data.aws_iam_policy_document.readiness[0].statement[*].actions, data.aws_iam_policy_document.vpc_attachment[0].statement[*].actions))) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "secretsmanager:GetSecretValue", "dynamodb:GetItem", "kms:Decrypt",
      "lambda:GetFunctionConfiguration", "lambda:GetFunctionConcurrency", "lambda:GetPolicy",
      "sns:ListSubscriptionsByTopic", "cloudwatch:DescribeAlarmsForMetric",
      "cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "elasticloadbalancing:DescribeTargetHealth",
      "ec2:DescribeInstances",
      "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
    ])
    error_message = "The readiness role reads only: no lock write, no publish, no change to a function, alarm or subscription."
  }

  assert {
    condition     = data.aws_iam_policy_document.readiness[0].source_policy_documents == tolist([data.aws_iam_policy_document.vpc_attachment[0].json])
    error_message = "The readiness role attaches to the VPC with the failover role's statements."
  }

  assert {
    condition     = aws_scheduler_schedule.readiness[0].schedule_expression == "rate(15 minutes)" && aws_scheduler_schedule.readiness[0].target[0].arn == aws_lambda_function.readiness[0].arn && aws_scheduler_schedule.readiness[0].flexible_time_window[0].mode == "OFF"
    error_message = "EventBridge Scheduler runs the readiness function every 15 minutes by default."
  }

  assert {
    condition     = aws_scheduler_schedule.readiness[0].target[0].role_arn == aws_iam_role.readiness_schedule[0].arn && data.aws_iam_policy_document.readiness_schedule[0].statement[0].actions == toset(["lambda:InvokeFunction"]) && data.aws_iam_policy_document.readiness_schedule[0].statement[0].resources == toset([aws_lambda_function.readiness[0].arn])
    error_message = "The schedule's role may invoke the readiness function and nothing else."
  }

  assert {
    condition = alltrue([
      aws_cloudwatch_metric_alarm.not_ready[0].namespace == "QRadarFailover",
      aws_cloudwatch_metric_alarm.not_ready[0].metric_name == "Ready",
      aws_cloudwatch_metric_alarm.not_ready[0].dimensions == tomap({ FailoverFunction = "qradar-failover" }),
      aws_cloudwatch_metric_alarm.not_ready[0].statistic == "Minimum",
      aws_cloudwatch_metric_alarm.not_ready[0].comparison_operator == "LessThanThreshold",
      aws_cloudwatch_metric_alarm.not_ready[0].threshold == 1,
      aws_cloudwatch_metric_alarm.not_ready[0].evaluation_periods == 2,
      aws_cloudwatch_metric_alarm.not_ready[0].datapoints_to_alarm == 2,
    ])
    error_message = "The not-ready alarm: Ready below 1 in two periods in a row."
  }

  assert {
    # A new alarm starts in INSUFFICIENT_DATA and notifies only on a change: with missing data
    # treated as missing (not breaching) it stays there until the first run after apply reports,
    # and returns there (notifying) when all datapoints stop, i.e. the readiness function stopped.
    condition     = aws_cloudwatch_metric_alarm.not_ready[0].treat_missing_data == "missing" && aws_cloudwatch_metric_alarm.not_ready[0].insufficient_data_actions == toset([aws_sns_topic.notification[0].arn])
    error_message = "The not-ready alarm does not alarm before the first readiness run after apply, and still tells people when the runs stop."
  }

  assert {
    # EventBridge Scheduler runs within a minute of the rate: a period one minute longer than
    # the interval holds a run even when two runs are a minute further apart than the rate.
    condition     = aws_cloudwatch_metric_alarm.not_ready[0].period >= 900 + 60 && aws_cloudwatch_metric_alarm.not_ready[0].period % 60 == 0
    error_message = "The not-ready alarm's period covers one schedule interval plus the scheduler's one-minute precision."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.not_ready[0].alarm_actions == toset([aws_sns_topic.notification[0].arn]) && aws_cloudwatch_metric_alarm.not_ready[0].ok_actions == toset([aws_sns_topic.notification[0].arn])
    error_message = "People are told when readiness is lost and when it returns, on the notification topic."
  }

  assert {
    condition = alltrue([
      for check in ["lock", "failover_function", "token_expiry", "replication_lag"] : alltrue([
        aws_cloudwatch_metric_alarm.readiness_warning[check].alarm_name == "qradar-failover-readiness-warning-${replace(check, "_", "-")}",
        aws_cloudwatch_metric_alarm.readiness_warning[check].namespace == "QRadarFailover",
        aws_cloudwatch_metric_alarm.readiness_warning[check].metric_name == "CheckWarned",
        aws_cloudwatch_metric_alarm.readiness_warning[check].dimensions == tomap({ Check = check, FailoverFunction = "qradar-failover" }),
        aws_cloudwatch_metric_alarm.readiness_warning[check].period == 900,
        aws_cloudwatch_metric_alarm.readiness_warning[check].evaluation_periods == 2,
        aws_cloudwatch_metric_alarm.readiness_warning[check].datapoints_to_alarm == 1,
        aws_cloudwatch_metric_alarm.readiness_warning[check].threshold == 1,
        aws_cloudwatch_metric_alarm.readiness_warning[check].treat_missing_data == "ignore",
      ])
    ]) && length(aws_cloudwatch_metric_alarm.readiness_warning) == 4
    error_message = "One alarm per check that can warn, on its CheckWarned metric: ALARM as soon as a run warns, OK when two runs in a row do not; a missing run changes nothing."
  }

  assert {
    condition     = alltrue([for alarm in aws_cloudwatch_metric_alarm.readiness_warning : alarm.alarm_actions == toset([aws_sns_topic.notification[0].arn]) && alarm.ok_actions == toset([aws_sns_topic.notification[0].arn])])
    error_message = "A warning is notified once when it starts and once when it ends, on the notification topic."
  }

  assert {
    condition     = output.readiness_warning_alarm_arns == { for check, alarm in aws_cloudwatch_metric_alarm.readiness_warning : check => alarm.arn }
    error_message = "The output names the warning alarms by check."
  }

  assert {
    condition     = output.readiness_function_name == "qradar-failover-readiness" && output.not_ready_alarm_arn == aws_cloudwatch_metric_alarm.not_ready[0].arn && output.readiness_schedule_arn == aws_scheduler_schedule.readiness[0].arn && output.readiness_function_role_arn == aws_iam_role.readiness[0].arn && output.dashboard_name == "qradar-failover"
    error_message = "The outputs name the readiness function, its role, schedule, alarm and the dashboard."
  }
}

run "dashboard_shows_what_the_module_creates" {
  assert {
    condition = toset(flatten([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : widget.properties.alarms if widget.type == "alarm"])) == toset(concat(
      values(output.unhealthy_hosts_alarm_arns), values(output.healthy_hosts_alarm_arns),
      [output.not_ready_alarm_arn, output.function_errors_alarm_arn, output.failure_destination_alarm_arn, output.async_events_dropped_alarm_arn],
      values(output.readiness_warning_alarm_arns)
    ))
    error_message = "The alarm widget shows every alarm the module creates, and only those."
  }

  assert {
    # Every load balancer series is a (metric, target group, AZ) of a health alarm, or the same
    # metric for a Destination AZ; every health alarm's series is on the dashboard.
    condition = toset([
      for series in concat([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : try(widget.properties.metrics, [])]...) :
      "${series[0]} ${series[1]} ${series[3]} ${series[5]} ${series[7]}" if startswith(series[0], "AWS/") && series[0] != "AWS/Lambda"
      ]) == toset(flatten([
        for alarm in concat(values(aws_cloudwatch_metric_alarm.unhealthy_hosts), values(aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum)) : [
          for zone in ["us-east-1a", "us-east-1b"] :
          "${alarm.namespace} ${alarm.metric_name} ${alarm.dimensions["TargetGroup"]} ${alarm.dimensions["LoadBalancer"]} ${zone}"
        ]
    ]))
    error_message = "The collector widgets show the health alarms' metrics in both sites' AZs."
  }

  assert {
    condition = [
      for series in concat([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : try(widget.properties.metrics, [])]...) :
      slice(series, 0, 4) if series[1] == "Ready"
    ] == [[aws_cloudwatch_metric_alarm.not_ready[0].namespace, aws_cloudwatch_metric_alarm.not_ready[0].metric_name, "FailoverFunction", aws_cloudwatch_metric_alarm.not_ready[0].dimensions["FailoverFunction"]]]
    error_message = "Ready is shown exactly as the not-ready alarm watches it."
  }

  assert {
    condition = [
      for series in concat([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : try(widget.properties.metrics, [])]...) :
      series[3] if series[1] == "CheckFailed" && series[0] == "QRadarFailover" && series[5] == "qradar-failover"
    ] == local.readiness_check_names
    error_message = "One CheckFailed series per readiness check (the names are held to the engine's by tests/terraform)."
  }

  assert {
    condition = toset([
      for series in concat([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : try(widget.properties.metrics, [])]...) :
      series[3] if series[0] == "AWS/Lambda" && series[1] == "Errors"
    ]) == toset([aws_lambda_function.this[0].function_name, aws_lambda_function.readiness[0].function_name])
    error_message = "Both functions' errors are shown."
  }

  assert {
    condition = toset([
      for series in concat([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : try(widget.properties.metrics, [])]...) :
      "${series[2]}=${series[3]}" if series[1] == "Runs"
    ]) == toset(["FailoverFunction=${aws_lambda_function.this[0].function_name}"])
    error_message = "The runs are this deployment's: another deployment in the account and region has its own FailoverFunction."
  }

  assert {
    condition = toset([
      for series in concat([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : try(widget.properties.metrics, [])]...) :
      "${series[1]} ${series[2]}=${series[3]}" if contains(["RecoverySeconds", "RecoveryFromBreachSeconds", "RetriesRequested"], series[1])
      ]) == toset([
      for metric in ["RecoverySeconds", "RecoveryFromBreachSeconds", "RetriesRequested"] : "${metric} FailoverFunction=${aws_lambda_function.this[0].function_name}"
    ])
    error_message = "The dashboard shows this deployment's recovery times and the runs that asked Lambda for another attempt (issue 17)."
  }

  assert {
    condition = [
      for series in concat([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : try(widget.properties.metrics, [])]...) :
      series[3] if series[1] == "CheckWarned" && series[0] == "QRadarFailover" && series[5] == "qradar-failover"
    ] == local.readiness_check_names
    error_message = "One CheckWarned series per readiness check: warnings show on the dashboard."
  }

  assert {
    condition = [
      for series in concat([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : try(widget.properties.metrics, [])]...) :
      slice(series, 0, 4) if series[1] == "ReplicationLagSeconds"
    ] == [["QRadarFailover", "ReplicationLagSeconds", "FailoverFunction", "qradar-failover"]]
    error_message = "The replication lag (RPO) readiness measures is on the dashboard."
  }

  assert {
    condition     = alltrue([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : widget.x + widget.width <= 24])
    error_message = "Every widget fits the dashboard's 24-column grid."
  }
}

run "readiness_never_reserves_concurrency" {
  command = plan

  variables {
    reserved_concurrent_executions = 2
  }

  assert {
    # Unset means the provider default, -1 (the mock plans it as null).
    condition     = aws_lambda_function.this[0].reserved_concurrent_executions == 2 && coalesce(aws_lambda_function.readiness[0].reserved_concurrent_executions, -1) == -1
    error_message = "Concurrency reserved for the failover function is never reserved for the readiness checks too."
  }
}

# 60 target groups in one Main AZ: 120 health alarms and the module's own, more than one alarm
# widget may hold (CloudWatch's dashboard body allows 1-100 alarms per alarm widget).
run "dashboard_with_more_alarms_than_one_widget_holds" {
  # Its own state: the runs after it plan against the default deployment's.
  state_key = "many_alarms"

  variables {
    target_groups        = { for i in range(60) : "tg${i}" => { arn_suffix = "targetgroup/qradar-tg${i}/0123456789abcdef" } }
    verify_load_balancer = false
  }

  assert {
    condition     = alltrue([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : length(widget.properties.alarms) <= 100 if widget.type == "alarm"])
    error_message = "No alarm widget holds more than the 100 alarms CloudWatch allows."
  }

  assert {
    condition     = sum([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : length(widget.properties.alarms) if widget.type == "alarm"]) == length(aws_cloudwatch_metric_alarm.unhealthy_hosts) + length(aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum) + 4 + length(aws_cloudwatch_metric_alarm.readiness_warning)
    error_message = "Every alarm the module creates is on the dashboard, once."
  }
}

run "recovery_point_objective" {
  command = plan

  variables {
    rpo_target_seconds        = 3600
    token_expiry_warning_days = 14
  }

  assert {
    condition     = aws_lambda_function.readiness[0].environment[0].variables["TOKEN_EXPIRY_WARNING_DAYS"] == "14"
    error_message = "The token expiry warning days reach readiness as TOKEN_EXPIRY_WARNING_DAYS."
  }

  assert {
    condition     = aws_lambda_function.readiness[0].environment[0].variables["RPO_TARGET_SECONDS"] == "3600"
    error_message = "The RPO target reaches readiness as RPO_TARGET_SECONDS (left out when null: no target)."
  }

  assert {
    condition = [
      for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : widget.properties.annotations.horizontal[0].value
      if strcontains(jsonencode(widget), "ReplicationLagSeconds")
    ] == [3600]
    error_message = "The dashboard draws the RPO target on the replication lag."
  }
}

run "schedule_every_two_hours" {
  command = plan

  variables {
    readiness_check_schedule_expression = "rate(2 hours)"
  }

  assert {
    condition     = aws_scheduler_schedule.readiness[0].schedule_expression == "rate(2 hours)" && aws_cloudwatch_metric_alarm.not_ready[0].period >= 7200 + 60 && aws_cloudwatch_metric_alarm.not_ready[0].period < 2 * 7200
    error_message = "The alarm's period follows the schedule (one interval and the scheduler's minute of precision)."
  }
}

run "schedule_off" {
  command = plan

  variables {
    readiness_check_schedule_expression = null
  }

  assert {
    condition     = length(aws_lambda_function.readiness) == 1 && length(aws_scheduler_schedule.readiness) == 0 && length(aws_cloudwatch_metric_alarm.not_ready) == 0 && length(aws_cloudwatch_metric_alarm.readiness_warning) == 0 && length(aws_iam_role.readiness_schedule) == 0
    error_message = "Without a schedule the function stays (for runs by hand), with no schedule and no alarm that could only breach."
  }
}

run "readiness_and_dashboard_off" {
  command = plan

  variables {
    create_readiness_check = false
    create_dashboard       = false
  }

  assert {
    condition     = length(aws_lambda_function.readiness) == 0 && length(aws_iam_role.readiness) == 0 && length(aws_scheduler_schedule.readiness) == 0 && length(aws_cloudwatch_metric_alarm.not_ready) == 0 && length(aws_cloudwatch_log_group.readiness) == 0 && length(aws_cloudwatch_dashboard.this) == 0
    error_message = "create_readiness_check = false and create_dashboard = false create none of it."
  }

  assert {
    condition     = length(aws_lambda_function.this) == 1 && output.readiness_function_name == null && output.not_ready_alarm_arn == null && output.dashboard_name == null && output.operator_cli.readiness_command == null
    error_message = "The failover itself is unaffected; the readiness outputs are null."
  }
}

run "dashboard_without_readiness" {
  command = plan

  variables {
    create_readiness_check = false
  }

  assert {
    condition     = length([for widget in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : widget if strcontains(jsonencode(widget), "\"Ready\"") || strcontains(jsonencode(widget), "CheckFailed") || strcontains(jsonencode(widget), "CheckWarned") || strcontains(jsonencode(widget), "ReplicationLagSeconds")]) == 0
    error_message = "Without the readiness function the dashboard shows no readiness widgets."
  }
}

run "no_lambda_endpoint_unless_asked" {
  command = plan

  variables {
    create_vpc_endpoints         = true
    vpc_endpoint_route_table_ids = ["rtb-0a1b2c3d4e5f60718"]
  }

  assert {
    condition     = length(aws_lambda_function.readiness) == 1 && !contains(keys(aws_vpc_endpoint.interface), "lambda")
    error_message = "The readiness function does not add a Lambda endpoint by itself: a VPC with one, or with a shared private hosted zone for it, would reject a second private DNS name."
  }
}
