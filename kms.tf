################################################################################
# KMS key for everything the module encrypts (unless var.kms_key_arn is given)
#
# The AWS-managed key aws/sns cannot be used for the trigger topic: its key policy cannot
# be changed to let CloudWatch alarms use it, so alarm notifications to such a topic are
# dropped. This key's policy allows exactly the services that must use it.
################################################################################

data "aws_iam_policy_document" "kms" {
  count = local.create_kms_key ? 1 : 0

  #checkov:skip=CKV_AWS_356:This is a key policy: its resource "*" means this one key, the only resource a key policy can name.
  #checkov:skip=CKV_AWS_111:Key policy: the unconditioned statement is AWS's default root-account statement, which delegates the key's use to IAM policies; the service statements carry aws:SourceAccount / encryption-context conditions.
  #checkov:skip=CKV_AWS_109:Key policy: kms:* for the account root is AWS's default statement that lets this account's IAM policies administer the key (without it the key cannot be managed); no other principal gets management rights.

  # The default key policy statement: lets IAM policies in this account govern the key (the
  # function's role gets its kms permissions from iam.tf). In a key policy, "*" as the
  # resource means this key; kms:* here is the account's administration of the key.
  statement {
    sid       = "EnableIamPoliciesOfThisAccount"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch alarms of this account publish to the encrypted trigger (and notification) topic.
  statement {
    sid       = "CloudWatchAlarmsPublishToEncryptedTopics"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"] # this key

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  # CloudWatch Logs encrypts the functions' log groups (failover and readiness), and only those, with the key.
  statement {
    sid = "CloudWatchLogsEncryptFunctionLogGroup"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:DescribeKey",
    ]
    resources = ["*"] # this key

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = compact([local.log_group_arn, local.readiness_log_group_arn])
    }
  }
}

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description             = "QRadar failover ${var.name}: SNS topics, logs, lock table, failure queue, function environment"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms[0].json

  tags = local.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this[0].key_id
}
