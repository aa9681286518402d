################################################################################
# Health alarms: one pair per (target group, Main-Site AZ), keyed "<target group>/<az>"
################################################################################

locals {
  elb_namespace = startswith(var.load_balancer_arn_suffix, "net/") ? "AWS/NetworkELB" : "AWS/ApplicationELB"
  elb_kind      = startswith(var.load_balancer_arn_suffix, "net/") ? "NLB" : "ALB"

  health_alarms = var.create ? {
    for pair in setproduct(keys(var.target_groups), var.main_site.availability_zones) :
    "${pair[0]}/${pair[1]}" => {
      target_group            = pair[0]
      target_group_arn_suffix = var.target_groups[pair[0]].arn_suffix
      availability_zone       = pair[1]
    }
  } : {}

  alarm_actions = var.create ? [aws_sns_topic.trigger[0].arn] : []
  ok_actions    = var.create && var.alarm_ok_notifications ? [local.notification_topic_arn] : []
  alarm_window  = "${var.alarm_datapoints_to_alarm} of the last ${var.alarm_evaluation_periods} minutes"
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  for_each = local.health_alarms

  alarm_name        = "${var.name_prefix}-${each.value.target_group}-${each.value.availability_zone}-unhealthy-collectors"
  alarm_description = "QRadar Main Site collectors in target group ${each.value.target_group} (${local.elb_kind} ${var.load_balancer_arn_suffix}) are failing health checks in ${each.value.availability_zone}: at least ${var.unhealthy_host_threshold} unhealthy for ${local.alarm_window}. ALARM invokes ${local.function_name}, which confirms it against live target health and fails DataSync over to the Destination Site (${var.destination_site.address})."

  namespace   = local.elb_namespace
  metric_name = "UnHealthyHostCount"
  dimensions = {
    LoadBalancer     = var.load_balancer_arn_suffix
    TargetGroup      = each.value.target_group_arn_suffix
    AvailabilityZone = each.value.availability_zone
  }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_datapoints_to_alarm
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.unhealthy_host_threshold
  # No datapoints are covered by the healthy-hosts alarm below; here they change nothing.
  treat_missing_data = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.ok_actions

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "healthy_hosts_below_minimum" {
  for_each = local.health_alarms

  alarm_name        = "${var.name_prefix}-${each.value.target_group}-${each.value.availability_zone}-healthy-collectors-below-${var.min_healthy_collectors}"
  alarm_description = "QRadar Main Site has fewer than ${var.min_healthy_collectors} healthy collector(s) in target group ${each.value.target_group} (${local.elb_kind} ${var.load_balancer_arn_suffix}) in ${each.value.availability_zone} for ${local.alarm_window}, or the AZ reports no data at all (missing data counts as breaching: the AZ may be gone). ALARM invokes ${local.function_name}, which confirms it and fails DataSync over to the Destination Site (${var.destination_site.address})."

  namespace   = local.elb_namespace
  metric_name = "HealthyHostCount"
  dimensions = {
    LoadBalancer     = var.load_balancer_arn_suffix
    TargetGroup      = each.value.target_group_arn_suffix
    AvailabilityZone = each.value.availability_zone
  }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_datapoints_to_alarm
  comparison_operator = "LessThanThreshold"
  threshold           = var.min_healthy_collectors
  treat_missing_data  = "breaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.ok_actions

  tags = local.tags
}

################################################################################
# The function itself failed (crashed instead of reporting its outcome)
################################################################################

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  count = var.create && var.create_function_error_alarm ? 1 : 0

  alarm_name        = "${var.name_prefix}-function-errors"
  alarm_description = "The QRadar failover function ${local.function_name} ended with an error instead of reporting its outcome; a failover may not have happened. Read its log group ${local.log_group_name} and the failure destination."

  namespace   = "AWS/Lambda"
  metric_name = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.this[0].function_name
  }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"

  alarm_actions = [local.notification_topic_arn]

  tags = local.tags
}
