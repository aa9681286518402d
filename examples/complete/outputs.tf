output "function_name" {
  description = "Name of the failover function."
  value       = module.qradar_failover.function_name
}

output "notification_topic_arn" {
  description = "Topic the function reports every decision to."
  value       = module.qradar_failover.notification_topic_arn
}

output "unhealthy_hosts_alarm_arns" {
  description = "UnHealthyHostCount alarms keyed \"<target group>/<availability zone>\"."
  value       = module.qradar_failover.unhealthy_hosts_alarm_arns
}

output "healthy_hosts_alarm_arns" {
  description = "HealthyHostCount below-minimum alarms keyed \"<target group>/<availability zone>\"."
  value       = module.qradar_failover.healthy_hosts_alarm_arns
}

output "readiness_function_name" {
  description = "Readiness function: invoke it for a check now (it also runs every 15 minutes)."
  value       = module.qradar_failover.readiness_function_name
}

output "dashboard_name" {
  description = "CloudWatch dashboard of collector health, alarms, readiness and failover outcomes."
  value       = module.qradar_failover.dashboard_name
}

output "token_secret_arns" {
  description = "Secrets to put the two console SEC tokens into (aws secretsmanager put-secret-value)."
  value       = { for site, secret in aws_secretsmanager_secret.token : site => secret.arn }
}

output "load_balancer_dns_name" {
  description = "DNS name the event sources (DLC) send to, TCP 32500."
  value       = aws_lb.collectors.dns_name
}
