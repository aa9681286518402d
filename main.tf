data "aws_partition" "current" {
  count = var.create ? 1 : 0
}

data "aws_region" "current" {
  count = var.create ? 1 : 0
}

data "aws_caller_identity" "current" {
  count = var.create ? 1 : 0
}

# The AZ of every function subnet: the function must keep running when the Main AZ is gone.
# Keyed by position so subnets created in the same apply (IDs unknown at plan) work.
data "aws_subnet" "function" {
  for_each = var.create ? { for index, id in var.subnet_ids : tostring(index) => id } : {}

  id = each.value
}

locals {
  partition  = try(data.aws_partition.current[0].partition, "aws")
  region     = try(data.aws_region.current[0].region, "")
  account_id = try(data.aws_caller_identity.current[0].account_id, "")

  function_name  = var.name
  log_group_name = "/aws/lambda/${local.function_name}"
  log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"

  # "Create or bring" is decided by explicit switches, never by whether a caller's ARN is null:
  # an ARN the caller creates in the same apply is unknown at plan time, and a count derived
  # from it could not be planned.
  create_kms_key = var.create && var.create_kms_key
  kms_key_arn    = var.create_kms_key ? try(aws_kms_key.this[0].arn, null) : var.kms_key_arn

  create_notification_topic = var.create && var.create_notification_topic
  notification_topic_arn    = var.create_notification_topic ? try(aws_sns_topic.notification[0].arn, null) : var.notification_topic_arn

  create_failure_queue    = var.create && var.create_failure_queue
  failure_destination_arn = var.create_failure_queue ? try(aws_sqs_queue.failure[0].arn, null) : var.failure_destination_arn
  # SQS or SNS, read from the ARN's service field (unknown until apply for a destination the
  # caller creates in the same apply: the policy document is then read at apply time).
  failure_destination_sqs = var.create_failure_queue || try(split(":", var.failure_destination_arn)[2] == "sqs", false)

  lock_table_name = coalesce(var.lock_table_name, "${var.name}-lock")
  lock_table_arn  = var.create_lock_table ? try(aws_dynamodb_table.lock[0].arn, "") : "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${local.lock_table_name}"
  lock_id         = coalesce(var.lock_id, var.name)

  vpc_id      = try(one(distinct([for s in data.aws_subnet.function : s.vpc_id])), null)
  subnet_azs  = distinct([for s in data.aws_subnet.function : s.availability_zone])
  subnet_arns = [for s in data.aws_subnet.function : s.arn]

  # Security groups of the function keyed by a name known at plan time (for for_each).
  function_security_groups = merge(
    var.create && var.create_security_group ? { module = aws_security_group.function[0].id } : {},
    { for index, id in var.security_group_ids : "existing-${index}" => id },
  )

  # Package: built here unless a prebuilt one is given.
  use_local_existing_package = var.local_existing_package != null
  use_s3_existing_package    = var.s3_existing_package != null
  build_package              = var.create && !local.use_local_existing_package && !local.use_s3_existing_package
  ca_bundle_file             = "/var/task/qradar-ca-bundle.pem"

  # The engine's environment contract (lambda_src/qradar_failover/config.py). Optional
  # entries that are null are left out so the engine applies its own default; only entries
  # whose null-ness is known at plan time are filtered, so that an ARN known only after apply
  # leaves the rest of the environment readable in the plan.
  function_environment = merge(
    {
      MAIN_SITE_ADDRESS            = var.main_site.address
      DEST_SITE_ADDRESS            = var.destination_site.address
      MAIN_SITE_TOKEN_SECRET_ARN   = var.main_site.token_secret_arn
      DEST_SITE_TOKEN_SECRET_ARN   = var.destination_site.token_secret_arn
      MAIN_SITE_AVAILABILITY_ZONES = join(",", var.main_site.availability_zones)
      NOTIFICATION_TOPIC_ARN       = local.notification_topic_arn
      LOCK_TABLE_NAME              = local.lock_table_name
      LOCK_ID                      = local.lock_id
      QRADAR_TLS_VERIFY            = tostring(var.qradar_tls_verify)
      DRY_RUN                      = tostring(var.dry_run)
      MIN_HEALTHY_COLLECTORS       = tostring(var.min_healthy_collectors)
      FAILOVER_WHEN_UNCONFIRMED    = tostring(var.failover_when_unconfirmed)
      HTTP_CONNECT_TIMEOUT_SECONDS = tostring(var.http_connect_timeout_seconds)
      HTTP_READ_TIMEOUT_SECONDS    = tostring(var.http_read_timeout_seconds)
      HTTP_MAX_RETRIES             = tostring(var.http_max_retries)
      MAIN_SITE_BUDGET_SECONDS     = tostring(var.main_site_budget_seconds)
      DEPLOY_TIMEOUT_SECONDS       = tostring(var.deploy_timeout_seconds)
      DEPLOY_POLL_INTERVAL_SECONDS = tostring(var.deploy_poll_interval_seconds)
      LOCK_CLAIM_TTL_SECONDS       = tostring(var.lock_claim_ttl_seconds)
      MAXIMUM_RETRY_ATTEMPTS       = tostring(var.maximum_retry_attempts)
      MAXIMUM_EVENT_AGE_IN_SECONDS = tostring(var.maximum_event_age_in_seconds)
      METRICS_NAMESPACE            = var.metrics_namespace
      LOG_LEVEL                    = var.log_level
    },
    {
      for name, value in {
        QRADAR_CA_BUNDLE   = var.ca_bundle_pem == null ? null : local.ca_bundle_file
        QRADAR_API_VERSION = var.qradar_api_version
      } : name => value if value != null
    },
  )

  tags = merge(var.tags, { "qradar-failover:deployment" = var.name })
}

################################################################################
# Package
################################################################################

data "external" "package" {
  count = local.build_package ? 1 : 0

  program = ["python3", "${path.module}/scripts/package.py"]

  query = {
    source_dir        = "${path.module}/lambda_src"
    requirements_file = "${path.module}/lambda_src/requirements.txt"
    runtime           = var.runtime
    architecture      = var.architecture
    build_dir         = coalesce(var.build_dir, "${path.root}/builds")
    # The query is a map of strings: "" stands for "no CA bundle" (coalesce() would reject
    # it, as it skips empty strings).
    ca_bundle_pem = var.ca_bundle_pem == null ? "" : var.ca_bundle_pem
  }
}

################################################################################
# Function
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  count = var.create ? 1 : 0

  name              = local.log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = local.kms_key_arn

  tags = local.tags
}

resource "aws_lambda_function" "this" {
  count = var.create ? 1 : 0

  #checkov:skip=CKV_AWS_272:Code signing needs an AWS Signer profile and a signed artifact; the module builds its package reproducibly at plan time instead (same sources -> same hash).
  #checkov:skip=CKV_AWS_116:Failed asynchronous invocations go to the on-failure destination of aws_lambda_function_event_invoke_config.this, which records more than a dead-letter queue.

  function_name = local.function_name
  description   = "QRadar DataSync failover: activates the Destination Site when the Main Site's AZ (${join(", ", var.main_site.availability_zones)}) fails its health alarms."
  role          = aws_iam_role.this[0].arn
  handler       = "qradar_failover.handler.lambda_handler"
  runtime       = var.runtime
  architectures = [var.architecture]
  timeout       = var.timeout
  memory_size   = var.memory_size
  kms_key_arn   = local.kms_key_arn

  reserved_concurrent_executions = var.reserved_concurrent_executions

  filename          = local.build_package ? data.external.package[0].result.filename : var.local_existing_package
  source_code_hash  = local.build_package ? data.external.package[0].result.sha256_base64 : (local.use_local_existing_package ? filebase64sha256(var.local_existing_package) : null)
  s3_bucket         = try(var.s3_existing_package.bucket, null)
  s3_key            = try(var.s3_existing_package.key, null)
  s3_object_version = try(var.s3_existing_package.version_id, null)

  environment {
    variables = local.function_environment
  }

  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = values(local.function_security_groups)
  }

  tracing_config {
    mode = var.enable_xray_tracing ? "Active" : "PassThrough"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this[0].name
  }

  tags = local.tags

  # Lambda checks at create time that the role may manage network interfaces and write logs.
  depends_on = [aws_iam_role_policy.this, aws_cloudwatch_log_group.this]

  lifecycle {
    precondition {
      condition     = length(setintersection(toset(var.main_site.availability_zones), toset(var.destination_site.availability_zones))) == 0
      error_message = "main_site.availability_zones and destination_site.availability_zones must be disjoint: an AZ cannot fail over to itself."
    }

    precondition {
      condition     = length(local.subnet_azs) >= 2 && length(setintersection(toset(local.subnet_azs), toset(var.destination_site.availability_zones))) > 0
      error_message = "subnet_ids must span at least two Availability Zones including a Destination-Site AZ (${join(", ", var.destination_site.availability_zones)}); they span ${join(", ", local.subnet_azs)}."
    }

    precondition {
      condition     = local.vpc_id != null
      error_message = "subnet_ids must all belong to one VPC."
    }

    precondition {
      condition     = var.timeout > var.deploy_timeout_seconds + var.main_site_budget_seconds + 60
      error_message = "timeout (${var.timeout} s) must exceed deploy_timeout_seconds + main_site_budget_seconds + 60 s (${var.deploy_timeout_seconds + var.main_site_budget_seconds + 60} s)."
    }

    precondition {
      condition     = var.lock_claim_ttl_seconds > var.timeout
      error_message = "lock_claim_ttl_seconds must exceed timeout, or a slow run's claim could expire while it still runs."
    }

    precondition {
      condition     = !(local.use_local_existing_package && local.use_s3_existing_package)
      error_message = "Set at most one of local_existing_package and s3_existing_package."
    }

    precondition {
      condition     = var.ca_bundle_pem == null || local.build_package
      error_message = "ca_bundle_pem is added to the package the module builds; with a prebuilt package, build it with scripts/package.py --ca-bundle instead."
    }

    precondition {
      condition     = var.ca_bundle_pem == null || var.qradar_tls_verify
      error_message = "ca_bundle_pem is set but qradar_tls_verify is false: the engine refuses that configuration on every run. Keep qradar_tls_verify = true (the bundle is what makes verification work)."
    }

    precondition {
      condition     = var.create_notification_topic || var.notification_topic_arn != null
      error_message = "With create_notification_topic = false, set notification_topic_arn to the topic the function reports to."
    }

    precondition {
      condition     = var.create_lock_table || var.lock_table_name != null
      error_message = "With create_lock_table = false, set lock_table_name to the existing table."
    }

    precondition {
      condition     = length(local.function_security_groups) > 0
      error_message = "The function needs a security group: keep create_security_group = true or set security_group_ids."
    }
  }
}

# Asynchronous invocation settings: SNS invokes the function asynchronously.
resource "aws_lambda_function_event_invoke_config" "this" {
  count = var.create ? 1 : 0

  function_name                = aws_lambda_function.this[0].function_name
  maximum_retry_attempts       = var.maximum_retry_attempts
  maximum_event_age_in_seconds = var.maximum_event_age_in_seconds

  destination_config {
    on_failure {
      destination = local.failure_destination_arn
    }
  }

  lifecycle {
    precondition {
      condition     = var.create_failure_queue || var.failure_destination_arn != null
      error_message = "With create_failure_queue = false, set failure_destination_arn to an SQS queue or SNS topic."
    }
  }
}

resource "aws_sqs_queue" "failure" {
  count = local.create_failure_queue ? 1 : 0

  name                      = "${var.name}-failed-invocations"
  message_retention_seconds = 1209600 # 14 days, the maximum: time to read why an alarm was not handled
  kms_master_key_id         = local.kms_key_arn

  tags = local.tags
}
