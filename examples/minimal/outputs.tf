output "function_name" {
  description = "Name of the failover function."
  value       = module.qradar_failover.function_name
}

output "notification_topic_arn" {
  description = "Subscribe people to this topic to receive the failover notifications."
  value       = module.qradar_failover.notification_topic_arn
}
