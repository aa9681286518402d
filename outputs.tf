output "function_name" {
  description = "Name of the failover function."
  value       = try(aws_lambda_function.this[0].function_name, null)
}

output "function_arn" {
  description = "ARN of the failover function."
  value       = try(aws_lambda_function.this[0].arn, null)
}

output "function_role_arn" {
  description = "ARN of the function's IAM role."
  value       = try(aws_iam_role.this[0].arn, null)
}

output "function_log_group_name" {
  description = "Name of the function's log group (decision records and EMF metrics)."
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "trigger_topic_arn" {
  description = "ARN of the trigger topic (CloudWatch alarms -> function). Point additional alarms here to have them start the failover."
  value       = try(aws_sns_topic.trigger[0].arn, null)
}

output "notification_topic_arn" {
  description = "ARN of the notification topic the function reports to (created or brought)."
  value       = var.create ? local.notification_topic_arn : null
}

output "unhealthy_hosts_alarm_arns" {
  description = "ARNs of the UnHealthyHostCount alarms, keyed \"<target group>/<availability zone>\"."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.unhealthy_hosts : key => alarm.arn }
}

output "healthy_hosts_alarm_arns" {
  description = "ARNs of the HealthyHostCount below-minimum alarms (missing data breaches), keyed \"<target group>/<availability zone>\"."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum : key => alarm.arn }
}

output "failure_destination_alarm_arn" {
  description = "ARN of the alarm on messages in the created failure queue: invocations that failed every attempt (null when not created)."
  value       = try(aws_cloudwatch_metric_alarm.failure_destination[0].arn, null)
}

output "async_events_dropped_alarm_arn" {
  description = "ARN of the alarm on the function's AsyncEventsDropped: alarm events Lambda dropped without a successful run (null when not created)."
  value       = try(aws_cloudwatch_metric_alarm.async_events_dropped[0].arn, null)
}

output "function_errors_alarm_arn" {
  description = "ARN of the alarm on the function's Errors metric (null when not created)."
  value       = try(aws_cloudwatch_metric_alarm.function_errors[0].arn, null)
}

output "lock_table_name" {
  description = "Name of the DynamoDB lock table (created or brought)."
  value       = var.create ? local.lock_table_name : null
}

output "lock_table_arn" {
  description = "ARN of the DynamoDB lock table."
  value       = var.create ? local.lock_table_arn : null
}

output "lock_id" {
  description = "Partition key value of this deployment's lock item (LOCK_ID)."
  value       = var.create ? local.lock_id : null
}

output "security_group_id" {
  description = "ID of the security group the module created for the function (null when brought)."
  value       = try(aws_security_group.function[0].id, null)
}

output "function_security_group_ids" {
  description = "All security groups attached to the function."
  value       = var.create ? values(local.function_security_groups) : []
}

output "failure_destination_arn" {
  description = "ARN of the queue or topic receiving asynchronous invocations that failed every attempt."
  value       = var.create ? local.failure_destination_arn : null
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the topics, logs, lock table, failure queue and environment (created or brought)."
  value       = var.create ? local.kms_key_arn : null
}

output "vpc_endpoint_ids" {
  description = "IDs of the VPC endpoints the module created, keyed by service short name."
  value       = merge({ for service, endpoint in aws_vpc_endpoint.interface : service => endpoint.id }, { for endpoint in aws_vpc_endpoint.dynamodb : "dynamodb" => endpoint.id })
}

output "package_filename" {
  description = "Path of the zip the module built (null with a prebuilt package)."
  value       = try(data.external.package[0].result.filename, null)
}

output "host_agent_ssm_document_name" {
  description = "Name of the SSM document that installs the host agent (null when distribution is off)."
  value       = try(aws_ssm_document.host_agent[0].name, null)
}

output "operator_cli" {
  description = "What the operator CLI (qradar-failover) needs: command runs it with --function, which reads every other setting and the CA bundle from the deployed function (lambda:GetFunction); readiness_command runs the readiness checks the same way (null without the readiness function); environment holds the same settings as variables for a shell without that permission (then save ca_bundle_pem and pass --qradar-ca-bundle)."
  value = var.create ? {
    function_name     = local.function_name
    region            = local.region
    command           = "qradar-failover status --function ${local.function_name} --region ${local.region}"
    readiness_command = local.create_readiness_check ? "qradar-failover readiness --function ${local.readiness_function_name} --region ${local.region}" : null
    environment       = { for name, value in local.function_environment : name => value if name != "QRADAR_CA_BUNDLE" }
  } : null
}

output "readiness_function_name" {
  description = "Name of the readiness function (null when create_readiness_check is false). Invoke it by hand for a check now; its last result is also in 'qradar-failover status'."
  value       = try(aws_lambda_function.readiness[0].function_name, null)
}

output "readiness_function_arn" {
  description = "ARN of the readiness function."
  value       = try(aws_lambda_function.readiness[0].arn, null)
}

output "readiness_function_role_arn" {
  description = "ARN of the readiness function's read-only IAM role."
  value       = try(aws_iam_role.readiness[0].arn, null)
}

output "readiness_schedule_arn" {
  description = "ARN of the EventBridge Scheduler schedule that runs the readiness checks (null when off)."
  value       = try(aws_scheduler_schedule.readiness[0].arn, null)
}

output "not_ready_alarm_arn" {
  description = "ARN of the alarm on the readiness function's Ready metric, which notifies the notification topic when readiness is lost and when it returns (null without a schedule)."
  value       = try(aws_cloudwatch_metric_alarm.not_ready[0].arn, null)
}

output "readiness_warning_alarm_arns" {
  description = "ARNs of the alarms on the readiness warnings, keyed by check (lock, failover_function, token_expiry, replication_lag); each notifies the notification topic once when its warning starts and once when it ends (empty without a schedule)."
  value       = { for check, alarm in aws_cloudwatch_metric_alarm.readiness_warning : check => alarm.arn }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard (null when create_dashboard is false)."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}

output "recovery_time_objective" {
  description = "The worst case, in seconds, from the Main AZ going dark to the Destination verified ACTIVE that these settings allow, term by term (objectives.tf; docs/engine.md explains each): the alarm window, delivery, attempts of at most attempt_seconds each, Lambda's retry delays. The plan is refused when seconds exceeds rto_target_seconds. Readiness computes the same from what is deployed."
  value = var.create ? {
    seconds              = local.rto_seconds
    alarm_seconds        = local.rto_alarm_seconds
    delivery_seconds     = local.rto_constants.DELIVERY_SECONDS
    attempt_seconds      = local.rto_attempt_seconds
    attempts             = 1 + local.rto_retries
    retry_delays_seconds = local.rto_retry_delays_seconds
    target_seconds       = var.rto_target_seconds
    arithmetic           = local.rto_arithmetic
  } : null

  precondition {
    condition     = var.create && var.rto_target_seconds != null ? local.rto_seconds <= var.rto_target_seconds : true
    error_message = "These settings allow a worst case of ${local.rto_seconds} s from the Main AZ going dark to the Destination verified ACTIVE, more than rto_target_seconds (${coalesce(var.rto_target_seconds, 0)} s): ${local.rto_arithmetic}. Lower alarm_datapoints_to_alarm, deploy_timeout_seconds, timeout or maximum_retry_attempts, or raise rto_target_seconds."
  }
}
