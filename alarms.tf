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

  # What the module can know about the load balancer before it creates alarms on it.
  verify_load_balancer = var.create && var.verify_load_balancer
  elb_arn_prefix       = "arn:${local.partition}:elasticloadbalancing:${local.region}:${local.account_id}"
  load_balancer_subnets_in_main_az = {
    for az, subnets in data.aws_subnets.load_balancer_main_az : az => length(subnets.ids)
  }
  # Effective cross-zone load balancing per target group: a target group's own setting wins;
  # "use_load_balancer_configuration" follows the NLB's attribute, and an ALB always has it on.
  cross_zone = {
    for key, tg in data.aws_lb_target_group.this : key => (
      tg.load_balancing_cross_zone_enabled == "true" || (
        tg.load_balancing_cross_zone_enabled != "false" &&
        (local.elb_kind == "ALB" || try(data.aws_lb.this[0].enable_cross_zone_load_balancing, false))
      )
    )
  }
}

data "aws_lb" "this" {
  count = local.verify_load_balancer ? 1 : 0

  arn = "${local.elb_arn_prefix}:loadbalancer/${var.load_balancer_arn_suffix}"
}

data "aws_lb_target_group" "this" {
  for_each = local.verify_load_balancer ? var.target_groups : {}

  arn = "${local.elb_arn_prefix}:${each.value.arn_suffix}"
}

# The load balancer's subnets in each Main-Site AZ (none: the AZ is not served).
data "aws_subnets" "load_balancer_main_az" {
  for_each = local.verify_load_balancer ? toset(var.main_site.availability_zones) : toset([])

  filter {
    name   = "subnet-id"
    values = data.aws_lb.this[0].subnets
  }

  filter {
    name   = "availability-zone"
    values = [each.key]
  }
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  for_each = local.health_alarms

  alarm_name        = "${var.name}-${each.value.target_group}-${each.value.availability_zone}-unhealthy-collectors"
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

  lifecycle {
    precondition {
      condition     = var.alarm_datapoints_to_alarm <= var.alarm_evaluation_periods
      error_message = "alarm_datapoints_to_alarm must not exceed alarm_evaluation_periods."
    }

    precondition {
      condition     = !lookup(local.cross_zone, each.value.target_group, false)
      error_message = "Target group ${each.value.target_group} (${each.value.target_group_arn_suffix}) has cross-zone load balancing on: each AZ's (Un)HealthyHostCount then counts the targets of every AZ, and the per-AZ alarms cannot see the Main AZ fail. Turn it off (target group attribute load_balancing.cross_zone.enabled = false; on an NLB, or its enable_cross_zone_load_balancing)."
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "healthy_hosts_below_minimum" {
  for_each = local.health_alarms

  alarm_name        = "${var.name}-${each.value.target_group}-${each.value.availability_zone}-healthy-collectors-below-${var.min_healthy_collectors}"
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

  lifecycle {
    precondition {
      condition     = var.alarm_datapoints_to_alarm <= var.alarm_evaluation_periods
      error_message = "alarm_datapoints_to_alarm must not exceed alarm_evaluation_periods."
    }

    precondition {
      condition     = !lookup(local.cross_zone, each.value.target_group, false)
      error_message = "Target group ${each.value.target_group} (${each.value.target_group_arn_suffix}) has cross-zone load balancing on: each AZ's HealthyHostCount then counts the targets of every AZ, and the per-AZ alarms cannot see the Main AZ fail. Turn it off (target group attribute load_balancing.cross_zone.enabled = false; on an NLB, or its enable_cross_zone_load_balancing)."
    }

    # Missing data breaches: an AZ the load balancer does not serve never reports, so this
    # alarm would fire right after apply and fail DataSync over for real.
    precondition {
      condition     = lookup(local.load_balancer_subnets_in_main_az, each.value.availability_zone, 1) > 0
      error_message = "The load balancer ${var.load_balancer_arn_suffix} has no subnet in ${each.value.availability_zone}, which main_site.availability_zones lists: HealthyHostCount never reports there, so this alarm (missing data counts as breaching) would go to ALARM right after apply and fail DataSync over. List only AZs the load balancer serves and the Main Site's collectors run in."
    }
  }
}

################################################################################
# The function itself failed (crashed instead of reporting its outcome)
################################################################################

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  count = var.create && var.create_function_error_alarm ? 1 : 0

  alarm_name        = "${var.name}-function-errors"
  alarm_description = "The QRadar failover function ${local.function_name} ended with an error instead of reporting its outcome (raises that ask Lambda for another attempt at an alarm, RetriesRequested, are not counted: their notice was sent); a failover may not have happened. Read its log group ${local.log_group_name} and the failure destination."

  # Errors minus the function's own requests for another attempt (the engine emits RetriesRequested,
  # timestamped like the invocation, for each run that raised to be retried). Five-minute periods,
  # so an error and its retry request always land in the same one.
  metric_query {
    id          = "crashes"
    expression  = "errors - FILL(retries, 0)"
    label       = "Errors that were not a requested retry"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions = {
        FunctionName = aws_lambda_function.this[0].function_name
      }
      stat   = "Sum"
      period = 300
    }
  }

  metric_query {
    id = "retries"

    metric {
      namespace   = var.metrics_namespace
      metric_name = "RetriesRequested"
      dimensions = {
        FailoverFunction = aws_lambda_function.this[0].function_name
      }
      stat   = "Sum"
      period = 300
    }
  }

  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"

  alarm_actions = [local.notification_topic_arn]

  tags = local.tags
}

################################################################################
# An alarm event Lambda could not deliver to a successful run: it failed every attempt (now in
# the failure queue) or was dropped (too old, or its failure destination unreachable)
################################################################################

resource "aws_cloudwatch_metric_alarm" "failure_destination" {
  count = var.create && var.create_function_error_alarm && var.create_failure_queue ? 1 : 0

  alarm_name        = "${var.name}-failed-invocations"
  alarm_description = "An alarm event failed every attempt of the QRadar failover function ${local.function_name} and waits in ${aws_sqs_queue.failure[0].name}; a failover may not have happened. Read the message and the function's log group ${local.log_group_name}."

  namespace   = "AWS/SQS"
  metric_name = "ApproximateNumberOfMessagesVisible"
  dimensions = {
    QueueName = aws_sqs_queue.failure[0].name
  }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"

  alarm_actions = [local.notification_topic_arn]

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "async_events_dropped" {
  count = var.create && var.create_function_error_alarm ? 1 : 0

  alarm_name        = "${var.name}-dropped-events"
  alarm_description = "Lambda dropped an alarm event for the QRadar failover function ${local.function_name} without running it to the end (older than maximum_event_age_in_seconds, or its failure destination could not take it); a failover may not have happened. Check the Main Site's health alarms and fail over by hand if needed."

  namespace   = "AWS/Lambda"
  metric_name = "AsyncEventsDropped"
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
