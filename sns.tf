################################################################################
# Trigger topic: CloudWatch alarms -> function
################################################################################

resource "aws_sns_topic" "trigger" {
  count = var.create ? 1 : 0

  name              = "${var.name}-trigger"
  display_name      = "QRadar failover trigger"
  kms_master_key_id = local.kms_key_arn

  tags = local.tags

  lifecycle {
    precondition {
      condition     = var.create_kms_key || var.kms_key_arn != null
      error_message = "With create_kms_key = false, set kms_key_arn: the trigger topic must be encrypted with a customer-managed key that CloudWatch alarms may use."
    }
  }
}

data "aws_iam_policy_document" "trigger_topic" {
  count = var.create ? 1 : 0

  # Replaces the default topic policy: the only cross-service publisher is CloudWatch, for
  # alarms of this account and region. (Principals of this account that an IAM policy allows
  # sns:Publish can still publish; the function confirms every alarm against live target
  # health before acting.)
  statement {
    sid       = "CloudWatchAlarmsOfThisAccountPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.trigger[0].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:*"]
    }
  }
}

resource "aws_sns_topic_policy" "trigger" {
  count = var.create ? 1 : 0

  arn    = aws_sns_topic.trigger[0].arn
  policy = data.aws_iam_policy_document.trigger_topic[0].json
}

resource "aws_sns_topic_subscription" "function" {
  count = var.create ? 1 : 0

  topic_arn = aws_sns_topic.trigger[0].arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.this[0].arn
}

# Only the trigger topic may invoke the function. No source_account: AWS's Lambda guide asks for
# it where the source ARN carries no account (S3 buckets); a topic's ARN already names this
# account, and SNS is not documented to send a source account with its invocations.
resource "aws_lambda_permission" "trigger_topic" {
  count = var.create ? 1 : 0

  statement_id  = "InvokeFromTriggerTopic"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[0].function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.trigger[0].arn
}

################################################################################
# Notification topic: function -> people (unless var.notification_topic_arn is given)
################################################################################

resource "aws_sns_topic" "notification" {
  count = local.create_notification_topic ? 1 : 0

  name              = "${var.name}-notifications"
  display_name      = "QRadar failover"
  kms_master_key_id = local.kms_key_arn

  tags = local.tags
}

resource "aws_sns_topic_subscription" "notification" {
  for_each = local.create_notification_topic ? var.notification_subscriptions : {}

  topic_arn             = aws_sns_topic.notification[0].arn
  protocol              = each.value.protocol
  endpoint              = each.value.endpoint
  raw_message_delivery  = each.value.raw_message_delivery
  subscription_role_arn = each.value.subscription_role_arn
}
