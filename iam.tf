################################################################################
# The function's role: least privilege, every action named in full
################################################################################

data "aws_iam_policy_document" "assume_role" {
  count = var.create ? 1 : 0

  statement {
    sid     = "LambdaAssumesRoleForThisAccountOnly"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  count = var.create ? 1 : 0

  name                 = "${var.name}-function"
  description          = "QRadar DataSync failover function ${local.function_name}"
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.assume_role[0].json

  tags = local.tags
}

data "aws_iam_policy_document" "function" {
  count = var.create ? 1 : 0

  source_policy_documents = [data.aws_iam_policy_document.vpc_attachment[0].json]

  statement {
    sid       = "WriteOwnLogGroupOnly"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[0].arn}:*"]
  }

  statement {
    sid       = "NotifyPeopleOnNotificationTopic"
    actions   = ["sns:Publish"]
    resources = [local.notification_topic_arn]
  }

  statement {
    sid       = "ReadTheTwoConsoleTokens"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = distinct([var.main_site.token_secret_arn, var.destination_site.token_secret_arn])
  }

  dynamic "statement" {
    for_each = length(var.token_secrets_kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptConsoleTokensThroughSecretsManager"
      actions   = ["kms:Decrypt"]
      resources = var.token_secrets_kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
    }
  }

  # The lock item of this deployment only (the engine's key is {lock_id: LOCK_ID}), and its
  # counters of attempts at an alarm that could not conclude ({lock_id: LOCK_ID#attempts#<hash>},
  # lock.FailoverLock.count_attempt). No DeleteItem: re-arming after failback deletes the item, and
  # that is the operator's (qradar-failover rearm). lock_id cannot hold * or ? (its validation).
  statement {
    sid       = "ClaimAndRecordFailoverLock"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [local.lock_table_arn]

    condition {
      test     = "ForAllValues:StringLike"
      variable = "dynamodb:LeadingKeys"
      values   = [local.lock_id, "${local.lock_id}#attempts#*"]
    }
  }

  # Encrypt what the function writes to the notification topic, the lock table and the failure
  # destination: under the module key, or the keys of a topic, queue or table the caller brings;
  # only through those services.
  statement {
    sid       = "UseEncryptionKeyOfTopicsTableQueue"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = local.function_kms_key_arns

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [for service in ["sns", "dynamodb", "sqs"] : "${service}.${local.region}.amazonaws.com"]
    }
  }

  dynamic "statement" {
    for_each = var.create && local.failure_destination_sqs ? [1] : []

    content {
      sid       = "SendFailedInvocationsToQueue"
      actions   = ["sqs:SendMessage"]
      resources = [local.failure_destination_arn]
    }
  }

  dynamic "statement" {
    for_each = var.create && !local.failure_destination_sqs ? [1] : []

    content {
      sid       = "SendFailedInvocationsToTopic"
      actions   = ["sns:Publish"]
      resources = [local.failure_destination_arn]
    }
  }

  # Confirming the alarm against live data before failing over (ListMetrics: does the alarmed
  # target group exist at all; DescribeInstances: the AZ of instance targets, which
  # DescribeTargetHealth does not return). None of these actions supports resource-level
  # permissions (the Service Authorization Reference lists no resource type for them), so "*" is
  # the only resource IAM accepts; all are read-only.
  statement {
    sid = "ConfirmAlarmWithLiveTargetHealth"
    actions = [
      "cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "elasticloadbalancing:DescribeTargetHealth",
      "ec2:DescribeInstances",
    ]
    resources = ["*"]
  }

  # A run that cannot conclude asks Lambda for another attempt only while its alarm is still in
  # ALARM (retry.LambdaRetries): the module's own alarms, all named "<name>-...".
  statement {
    sid       = "ReadStateOfOwnHealthAlarms"
    actions   = ["cloudwatch:DescribeAlarms"]
    resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-*"]
  }

  dynamic "statement" {
    for_each = var.enable_xray_tracing ? [1] : []

    # X-Ray trace segments belong to no resource: these write actions accept only "*".
    content {
      sid       = "WriteXrayTraces"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }
}

# What Lambda needs to attach a function to its subnets: shared by the failover and the readiness
# function's roles (same subnets, same security groups).
data "aws_iam_policy_document" "vpc_attachment" {
  count = var.create ? 1 : 0

  # Lambda reads network interfaces and subnets to attach a function to its subnets (the
  # actions of AWS's AWSLambdaVPCAccessExecutionRole). EC2 Describe* actions support no
  # resource-level permissions: "*" is required; both are read-only.
  statement {
    sid       = "DescribeNetworkInterfacesAndSubnetsForVpcAccess"
    actions   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
    resources = ["*"]
  }

  # Creating an interface is authorised against the interface, the subnet and the security
  # group: limited to this account's interfaces in this region, the function's subnets and
  # security groups.
  statement {
    sid     = "CreateNetworkInterfacesInFunctionSubnets"
    actions = ["ec2:CreateNetworkInterface"]
    resources = concat(
      ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"],
      local.subnet_arns,
      [for id in values(local.function_security_groups) : "arn:${local.partition}:ec2:${local.region}:*:security-group/${id}"],
    )
  }

  # Interface IDs are chosen by Lambda at run time, so these are limited to this account's
  # network interfaces in this region rather than to named ones.
  statement {
    sid = "ManageFunctionNetworkInterfaces"
    actions = [
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"]
  }
}

resource "aws_iam_role_policy" "this" {
  count = var.create ? 1 : 0

  name   = "${var.name}-least-privilege"
  role   = aws_iam_role.this[0].id
  policy = data.aws_iam_policy_document.function[0].json
}
