output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "Invoke ARN of the function."
  value       = aws_lambda_function.this.invoke_arn
}

output "subscriptions" {
  description = "Subscription ARNs."
  value       = [for k, s in aws_sns_topic_subscription.fn : s.arn]
}
