################################################################################
# Dashboard: what the on-call looks at first. Every metric and alarm on it is one the module
# creates or the engine emits (tests/terraform holds the two together).
################################################################################

locals {
  create_dashboard = var.create && var.create_dashboard

  # The engine's names: qradar_failover.readiness_checks.Check and qradar_failover.report.Outcome.
  readiness_check_names = [
    "configuration", "token_secrets", "consoles", "dr_state", "ariel_copy_profiles", "lock",
    "health_alarms", "failover_function", "notification_subscribers", "destination_collectors",
    "token_expiry", "replication_lag", "recovery_time",
  ]
  failover_outcomes = [
    "failed_over", "already_failed_over", "in_progress_elsewhere", "refused", "ignored", "rejected",
    "dry_run", "failed", "deferred",
  ]

  dashboard_zones = concat(
    [for zone in var.main_site.availability_zones : { zone = zone, site = "Main" }],
    [for zone in var.destination_site.availability_zones : { zone = zone, site = "Destination" }],
  )
  dashboard_alarm_arns = concat(
    [for alarm in aws_cloudwatch_metric_alarm.unhealthy_hosts : alarm.arn],
    [for alarm in aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum : alarm.arn],
    aws_cloudwatch_metric_alarm.not_ready[*].arn,
    aws_cloudwatch_metric_alarm.function_errors[*].arn,
    aws_cloudwatch_metric_alarm.failure_destination[*].arn,
    aws_cloudwatch_metric_alarm.async_events_dropped[*].arn,
    [for alarm in aws_cloudwatch_metric_alarm.readiness_warning : alarm.arn],
  )
  dashboard_functions = compact([local.failover_function_name, try(aws_lambda_function.readiness[0].function_name, null)])

  # An alarm widget holds at most 100 alarms (CloudWatch's dashboard body): one widget per 100,
  # each 4 rows high; the widgets below start after them.
  dashboard_alarm_chunks = chunklist(local.dashboard_alarm_arns, 100)
  dashboard_alarms_y     = 4 * length(local.dashboard_alarm_chunks)

  dashboard_top_widgets = concat(
    [
      for index, alarms in local.dashboard_alarm_chunks : {
        type   = "alarm"
        x      = 0
        y      = 4 * index
        width  = 24
        height = 4
        properties = {
          title  = "Alarms${length(local.dashboard_alarm_chunks) > 1 ? " (${index + 1} of ${length(local.dashboard_alarm_chunks)})" : ""}: Main-AZ collector health (start the failover), readiness, function failures"
          alarms = alarms
        }
      }
    ],
    [
      for widget in [
        {
          type   = "metric"
          x      = 0
          y      = local.dashboard_alarms_y
          width  = 12
          height = 6
          properties = merge({
            title   = "Ready (1: a failover would work, 0: not ready)"
            region  = local.region
            view    = "timeSeries"
            stacked = false
            period  = local.readiness_interval_seconds
            metrics = [[var.metrics_namespace, "Ready", "FailoverFunction", local.failover_function_name, { stat = "Minimum", label = "Ready" }]]
            yAxis   = { left = { min = 0, max = 1 } }
            }, local.create_readiness_alarm ? {
            annotations = { alarms = [aws_cloudwatch_metric_alarm.not_ready[0].arn] }
          } : {})
        },
        {
          type   = "metric"
          x      = 12
          y      = local.dashboard_alarms_y
          width  = 12
          height = 6
          properties = {
            title   = "Failing readiness checks"
            region  = local.region
            view    = "timeSeries"
            stacked = true
            period  = local.readiness_interval_seconds
            metrics = [
              for check in local.readiness_check_names :
              [var.metrics_namespace, "CheckFailed", "Check", check, "FailoverFunction", local.failover_function_name, { stat = "Sum", label = check }]
            ]
          }
        },
      ] : widget if local.create_readiness_check
    ],
    [
      {
        type   = "metric"
        x      = 0
        y      = local.dashboard_alarms_y + 6
        width  = 12
        height = 6
        properties = {
          title   = "Failover function runs by outcome"
          region  = local.region
          view    = "timeSeries"
          stacked = true
          period  = 300
          metrics = [
            for outcome in local.failover_outcomes :
            [var.metrics_namespace, "Runs", "FailoverFunction", local.failover_function_name, "Outcome", outcome, { stat = "Sum", label = outcome }]
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = local.dashboard_alarms_y + 6
        width  = 12
        height = 6
        properties = {
          title   = "Function errors (ended without reporting an outcome)"
          region  = local.region
          view    = "timeSeries"
          stacked = false
          period  = 60
          metrics = [
            for name in local.dashboard_functions :
            ["AWS/Lambda", "Errors", "FunctionName", name, { stat = "Sum", label = name }]
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = local.dashboard_alarms_y + 12
        width  = 12
        height = 6
        properties = {
          title   = "Recovery: seconds to the Destination verified ACTIVE"
          region  = local.region
          view    = "timeSeries"
          stacked = false
          period  = 300
          metrics = [
            [var.metrics_namespace, "RecoverySeconds", "FailoverFunction", local.failover_function_name, "Outcome", "failed_over", { stat = "Maximum", label = "from the alarm's state change" }],
            [var.metrics_namespace, "RecoveryFromBreachSeconds", "FailoverFunction", local.failover_function_name, "Outcome", "failed_over", { stat = "Maximum", label = "from the first breaching minute" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = local.dashboard_alarms_y + 12
        width  = 12
        height = 6
        properties = {
          title   = "Runs that could not conclude and asked Lambda for another attempt"
          region  = local.region
          view    = "timeSeries"
          stacked = false
          period  = 300
          metrics = [[var.metrics_namespace, "RetriesRequested", "FailoverFunction", local.failover_function_name, { stat = "Sum", label = "retries requested" }]]
        }
      },
    ],
  )

  # One widget per target group, two per row: each AZ's healthy and unhealthy collectors.
  dashboard_collector_widgets = [
    for index, key in sort(keys(var.target_groups)) : {
      type   = "metric"
      x      = (index % 2) * 12
      y      = local.dashboard_alarms_y + 18 + floor(index / 2) * 6
      width  = 12
      height = 6
      properties = {
        title   = "Collectors in target group ${key}: healthy / unhealthy per AZ"
        region  = local.region
        view    = "timeSeries"
        stacked = false
        period  = 60
        metrics = concat([
          for place in local.dashboard_zones : [
            [local.elb_namespace, "HealthyHostCount", "TargetGroup", var.target_groups[key].arn_suffix, "LoadBalancer", var.load_balancer_arn_suffix, "AvailabilityZone", place.zone, { stat = "Minimum", label = "${place.site} ${place.zone} healthy" }],
            [local.elb_namespace, "UnHealthyHostCount", "TargetGroup", var.target_groups[key].arn_suffix, "LoadBalancer", var.load_balancer_arn_suffix, "AvailabilityZone", place.zone, { stat = "Maximum", label = "${place.site} ${place.zone} unhealthy" }],
          ]
        ]...)
      }
    }
  ]
}

locals {
  # Below the collector widgets: the readiness warnings and the replication lag (RPO) it measures.
  dashboard_readiness_row = local.dashboard_alarms_y + 18 + ceil(length(var.target_groups) / 2) * 6
  dashboard_readiness_widgets = [
    for widget in [
      {
        type   = "metric"
        x      = 0
        y      = local.dashboard_readiness_row
        width  = 12
        height = 6
        properties = {
          title   = "Readiness warnings (ready, but needs a person: notified once when each starts and ends)"
          region  = local.region
          view    = "timeSeries"
          stacked = true
          period  = local.readiness_interval_seconds
          metrics = [
            for check in local.readiness_check_names :
            [var.metrics_namespace, "CheckWarned", "Check", check, "FailoverFunction", local.failover_function_name, { stat = "Sum", label = check }]
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = local.dashboard_readiness_row
        width  = 12
        height = 6
        properties = merge({
          title   = "Replication lag (RPO now): age of the Main Site's oldest last successful ariel copy"
          region  = local.region
          view    = "timeSeries"
          stacked = false
          period  = local.readiness_interval_seconds
          metrics = [[var.metrics_namespace, "ReplicationLagSeconds", "FailoverFunction", local.failover_function_name, { stat = "Maximum", label = "seconds" }]]
          yAxis   = { left = { min = 0 } }
          }, var.rpo_target_seconds == null ? {} : {
          annotations = { horizontal = [{ label = "RPO target", value = var.rpo_target_seconds }] }
        })
      },
    ] : widget if local.create_readiness_check
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  count = local.create_dashboard ? 1 : 0

  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = concat(local.dashboard_top_widgets, local.dashboard_collector_widgets, local.dashboard_readiness_widgets)
  })
}
