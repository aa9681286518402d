################################################################################
# General
################################################################################

variable "create" {
  description = "Whether to create any resource at all. Set to false to keep the module in a configuration while it manages nothing (for example in a region that is not in use)."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the deployment: the function is named exactly this, and every other resource's name starts with it (<name>-trigger, <name>-lock, <name>-<target group>-<az>-..., ...). Use one per deployment when several QRadar installations share an account and region."
  type        = string
  default     = "qradar-failover"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,31}$", var.name))
    error_message = "name must start with a letter and contain only letters, digits and hyphens, at most 32 characters (it is combined into names limited to 64)."
  }
}

variable "tags" {
  description = "Tags added to every taggable resource the module creates."
  type        = map(string)
  default     = {}
}

################################################################################
# QRadar sites
################################################################################

variable "main_site" {
  description = "The QRadar Main Site: console address (host or host:port, HTTPS), the full ARN of the Secrets Manager secret whose SecretString is the console's authorized-service (SEC) token, and the Availability Zones its collectors run in. An alarm in one of these AZs starts the failover."
  type = object({
    address            = string
    token_secret_arn   = string
    availability_zones = list(string)
  })

  validation {
    condition     = can(regex("^[A-Za-z0-9.-]+(:[0-9]{1,5})?$", var.main_site.address))
    error_message = "main_site.address must be a host name or IP address, optionally with :port, without a scheme or path."
  }

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$", var.main_site.token_secret_arn))
    error_message = "main_site.token_secret_arn must be the complete ARN of a Secrets Manager secret, with the six characters Secrets Manager appends to the name (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-AbCdEf; aws_secretsmanager_secret's arn, or the console's Secret ARN): the function's role allows exactly that ARN."
  }

  validation {
    condition     = length(var.main_site.availability_zones) > 0 && alltrue([for az in var.main_site.availability_zones : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$", az))])
    error_message = "main_site.availability_zones must list at least one Availability Zone name such as us-east-1a."
  }
}

variable "destination_site" {
  description = "The QRadar Destination Site (same shape as main_site). Its Availability Zones must not overlap the Main Site's; the function needs a subnet in one of them so it still runs when the Main AZ is gone."
  type = object({
    address            = string
    token_secret_arn   = string
    availability_zones = list(string)
  })

  validation {
    condition     = can(regex("^[A-Za-z0-9.-]+(:[0-9]{1,5})?$", var.destination_site.address))
    error_message = "destination_site.address must be a host name or IP address, optionally with :port, without a scheme or path."
  }

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$", var.destination_site.token_secret_arn))
    error_message = "destination_site.token_secret_arn must be the complete ARN of a Secrets Manager secret, with the six characters Secrets Manager appends to the name (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-AbCdEf; aws_secretsmanager_secret's arn, or the console's Secret ARN): the function's role allows exactly that ARN."
  }

  validation {
    condition     = length(var.destination_site.availability_zones) > 0 && alltrue([for az in var.destination_site.availability_zones : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$", az))])
    error_message = "destination_site.availability_zones must list at least one Availability Zone name such as us-east-1b."
  }
}

variable "token_secrets_kms_key_arns" {
  description = "ARNs of the customer-managed KMS keys that encrypt the two token secrets. The function may kms:Decrypt with them, only through Secrets Manager. Leave empty when the secrets use the AWS-managed key aws/secretsmanager."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.token_secrets_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", arn))])
    error_message = "token_secrets_kms_key_arns must contain KMS key ARNs (arn:<partition>:kms:<region>:<account>:key/<id>), not aliases."
  }
}

variable "ca_bundle_pem" {
  description = "PEM bundle of the CA certificates the consoles' HTTPS certificates chain to. Added to the package as qradar-ca-bundle.pem and QRADAR_CA_BUNDLE points at it. null: the system CAs (only for consoles with publicly trusted certificates). Needs the module-built package."
  type        = string
  default     = null

  validation {
    condition     = var.ca_bundle_pem == null || can(regex("-----BEGIN CERTIFICATE-----", var.ca_bundle_pem))
    error_message = "ca_bundle_pem must contain at least one PEM certificate (-----BEGIN CERTIFICATE-----)."
  }
}

variable "qradar_tls_verify" {
  description = "Whether the function verifies the consoles' certificates. false disables verification (the engine logs a warning on every run); prefer ca_bundle_pem."
  type        = bool
  default     = true
}

variable "qradar_api_version" {
  description = "Value of the QRadar Version header (for example \"20.0\"). null: the console's default API version."
  type        = string
  default     = null

  validation {
    condition     = var.qradar_api_version == null || can(regex("^[0-9]+(\\.[0-9]+)?$", var.qradar_api_version))
    error_message = "qradar_api_version must look like 20.0."
  }
}

################################################################################
# Load balancer and alarms
################################################################################

variable "load_balancer_arn_suffix" {
  description = "arn_suffix of the load balancer in front of the collectors (net/<name>/<id> for a Network Load Balancer, app/<name>/<id> for an Application Load Balancer). The prefix selects the metric namespace (AWS/NetworkELB or AWS/ApplicationELB)."
  type        = string

  validation {
    condition     = can(regex("^(net|app)/[A-Za-z0-9-]{1,32}/[0-9a-f]+$", var.load_balancer_arn_suffix))
    error_message = "load_balancer_arn_suffix must be the arn_suffix of a Network (net/<name>/<id>) or Application (app/<name>/<id>) Load Balancer."
  }
}

variable "target_groups" {
  description = "Target groups holding the collectors of both sites, keyed by a short stable name used in alarm names and output keys (for example dlc). arn_suffix is the target group's arn_suffix (targetgroup/<name>/<id>). One pair of alarms is created per (target group, Main-Site AZ). Cross-zone load balancing must be off for every target group (an NLB's default; on an ALB turn it off per target group, load_balancing_cross_zone_enabled = \"false\"): with it on, each AZ's HealthyHostCount counts the targets of every AZ and the per-AZ alarms cannot see the Main AZ fail. verify_load_balancer checks this at plan time."
  type = map(object({
    arn_suffix = string
  }))

  validation {
    condition     = length(var.target_groups) > 0
    error_message = "target_groups must contain at least one target group."
  }

  validation {
    condition     = alltrue([for key, tg in var.target_groups : can(regex("^[a-z0-9][a-z0-9_-]{0,31}$", key)) && can(regex("^targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]+$", tg.arn_suffix))])
    error_message = "target_groups keys must be lower-case names (letters, digits, - and _, at most 32 characters) and each arn_suffix must look like targetgroup/<name>/<id>."
  }
}

variable "alarm_evaluation_periods" {
  description = "Number of 60-second periods each health alarm evaluates (N of \"M out of N\")."
  type        = number
  default     = 3

  validation {
    condition     = var.alarm_evaluation_periods >= 1 && var.alarm_evaluation_periods <= 60 && floor(var.alarm_evaluation_periods) == var.alarm_evaluation_periods
    error_message = "alarm_evaluation_periods must be a whole number from 1 to 60."
  }
}

variable "alarm_datapoints_to_alarm" {
  description = "Number of breaching periods, within alarm_evaluation_periods, that put a health alarm into ALARM (M of \"M out of N\"); it must not exceed alarm_evaluation_periods."
  type        = number
  default     = 3

  validation {
    condition     = var.alarm_datapoints_to_alarm >= 1 && var.alarm_datapoints_to_alarm <= 60 && floor(var.alarm_datapoints_to_alarm) == var.alarm_datapoints_to_alarm
    error_message = "alarm_datapoints_to_alarm must be a whole number from 1 to 60."
  }
}

variable "unhealthy_host_threshold" {
  description = "The UnHealthyHostCount alarm fires when the maximum number of unhealthy targets in a Main-Site AZ is at least this."
  type        = number
  default     = 1

  validation {
    condition     = var.unhealthy_host_threshold >= 1 && var.unhealthy_host_threshold <= 1000 && floor(var.unhealthy_host_threshold) == var.unhealthy_host_threshold
    error_message = "unhealthy_host_threshold must be a whole number from 1 to 1000."
  }
}

variable "min_healthy_collectors" {
  description = "Minimum number of healthy collectors a Main-Site AZ should keep. The HealthyHostCount alarm fires below it (missing data counts as breaching, so a vanished AZ alarms too), and the engine fails over only when fewer than this remain healthy (MIN_HEALTHY_COLLECTORS)."
  type        = number
  default     = 1

  validation {
    condition     = var.min_healthy_collectors >= 1 && var.min_healthy_collectors <= 1000 && floor(var.min_healthy_collectors) == var.min_healthy_collectors
    error_message = "min_healthy_collectors must be a whole number from 1 to 1000."
  }
}

variable "alarm_ok_notifications" {
  description = "Whether the health alarms also notify the notification topic when they return to OK (recovery is then visible to people; failback stays manual)."
  type        = bool
  default     = false
}

variable "verify_load_balancer" {
  description = "Whether to read the load balancer and its target groups at plan time (elasticloadbalancing:DescribeLoadBalancers, DescribeTargetGroups and DescribeTargetGroupAttributes, ec2:DescribeSubnets for whoever runs Terraform) and refuse a Main-Site AZ the load balancer has no subnet in (its HealthyHostCount alarm would go to ALARM on missing data right after apply and fail over) and target groups with cross-zone load balancing on. When the load balancer is created in the same apply, the checks run at apply time, before the alarms are created."
  type        = bool
  default     = true
}

variable "create_function_error_alarm" {
  description = "Whether to create the alarms that notify the notification topic when the failover function itself failed: its Errors (a run that crashed instead of reporting its outcome), its AsyncEventsDropped (an alarm event Lambda dropped) and messages in the created failure queue (an event that failed every attempt)."
  type        = bool
  default     = true
}

################################################################################
# SNS
################################################################################

variable "create_kms_key" {
  description = "Whether the module creates the KMS key (rotation on) that encrypts the topics, the log group, the lock table, the failure queue and the function's environment. false: set kms_key_arn."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "ARN of a customer-managed KMS key to use instead of creating one (create_kms_key = false): it encrypts the trigger and notification topics, the log group, the lock table, the failure queue and the function's environment. Its key policy must let cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey (alarms cannot publish to a topic under the AWS-managed aws/sns key) and logs.<region>.amazonaws.com encrypt. The key may be created in the same configuration."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "kms_key_deletion_window_in_days" {
  description = "Waiting period before the module-created KMS key is deleted after a destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30
    error_message = "kms_key_deletion_window_in_days must be between 7 and 30."
  }
}

variable "create_notification_topic" {
  description = "Whether the module creates the encrypted notification topic the function reports to (subscribe people with notification_subscriptions). false: set notification_topic_arn."
  type        = bool
  default     = true
}

variable "notification_topic_arn" {
  description = "ARN of the SNS topic the function notifies people on when the module does not create one (create_notification_topic = false). The topic may be created in the same configuration."
  type        = string
  default     = null

  validation {
    condition     = var.notification_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+(\\.fifo)?$", var.notification_topic_arn))
    error_message = "notification_topic_arn must be an SNS topic ARN."
  }
}

variable "notification_topic_kms_key_arn" {
  description = "ARN of the customer-managed KMS key of an existing notification_topic_arn, so the function may encrypt what it publishes. null when the topic is unencrypted or uses aws/sns."
  type        = string
  default     = null

  validation {
    condition     = var.notification_topic_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.notification_topic_kms_key_arn))
    error_message = "notification_topic_kms_key_arn must be a KMS key ARN."
  }
}

variable "notification_subscriptions" {
  description = "Subscriptions to the created notification topic, keyed by a stable name: protocol (email, email-json, https, http, sqs, lambda, sms, firehose, application) and endpoint. Email subscriptions stay pending until the recipient confirms."
  type = map(object({
    protocol              = string
    endpoint              = string
    raw_message_delivery  = optional(bool, false)
    subscription_role_arn = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for s in values(var.notification_subscriptions) : contains(["email", "email-json", "https", "http", "sqs", "lambda", "sms", "firehose", "application"], s.protocol) && length(s.endpoint) > 0])
    error_message = "Each notification subscription needs a protocol among email, email-json, https, http, sqs, lambda, sms, firehose, application and a non-empty endpoint."
  }
}

################################################################################
# Function
################################################################################

variable "runtime" {
  description = "Lambda runtime of the function; the package's third-party wheels are chosen for it."
  type        = string
  default     = "python3.12"

  validation {
    condition     = contains(["python3.12", "python3.13"], var.runtime)
    error_message = "runtime must be python3.12 or python3.13."
  }
}

variable "architecture" {
  description = "Instruction set of the function (x86_64 or arm64); the package's third-party wheels are chosen for it."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "timeout" {
  description = "Function timeout in seconds. It must exceed deploy_timeout_seconds + main_site_budget_seconds + 60 s for token reads, confirmation and notification, so a slow deploy is reported instead of cut off."
  type        = number
  default     = 300

  validation {
    condition     = var.timeout >= 60 && var.timeout <= 900
    error_message = "timeout must be between 60 and 900 seconds."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for the failover function (never for the readiness checks). -1, the default, reserves none: the lock already makes runs exactly-once, and an account whose concurrency limit is low (10 in new accounts) cannot reserve any. 1 also serialises runs, where the account's unreserved pool allows it."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions == -1 || (var.reserved_concurrent_executions >= 1 && var.reserved_concurrent_executions <= 10)
    error_message = "reserved_concurrent_executions must be -1 or between 1 and 10."
  }
}

variable "maximum_retry_attempts" {
  description = "How often Lambda retries an asynchronous invocation that failed (0-2). Retries are safe: the lock makes the failover exactly-once."
  type        = number
  default     = 2

  validation {
    condition     = contains([0, 1, 2], var.maximum_retry_attempts)
    error_message = "maximum_retry_attempts must be 0, 1 or 2."
  }
}

variable "maximum_event_age_in_seconds" {
  description = "Oldest an alarm event may get (queued by throttling or retries) before Lambda sends it to the failure destination instead of running it."
  type        = number
  default     = 3600

  validation {
    condition     = var.maximum_event_age_in_seconds >= 60 && var.maximum_event_age_in_seconds <= 21600
    error_message = "maximum_event_age_in_seconds must be between 60 and 21600."
  }
}

variable "create_failure_queue" {
  description = "Whether the module creates the encrypted SQS queue that receives asynchronous invocations that failed every attempt. false: set failure_destination_arn."
  type        = bool
  default     = true
}

variable "failure_destination_arn" {
  description = "ARN of the SQS queue or SNS topic that receives asynchronous invocations that failed every attempt, when the module does not create a queue (create_failure_queue = false). It may be created in the same configuration."
  type        = string
  default     = null

  validation {
    condition     = var.failure_destination_arn == null || can(regex("^arn:aws[a-z-]*:(sqs|sns):[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", var.failure_destination_arn))
    error_message = "failure_destination_arn must be an SQS queue or SNS topic ARN."
  }
}

variable "failure_destination_kms_key_arn" {
  description = "ARN of the customer-managed KMS key of an existing failure_destination_arn (an SQS queue or SNS topic encrypted with your own key), so Lambda may encrypt the failed events it sends there with the function's role (through SQS or SNS only). null when the destination is unencrypted or uses an AWS-managed key."
  type        = string
  default     = null

  validation {
    condition     = var.failure_destination_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.failure_destination_kms_key_arn))
    error_message = "failure_destination_kms_key_arn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group, which holds each run's decision record and the EMF metrics."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "enable_xray_tracing" {
  description = "Whether to trace the function with AWS X-Ray (Active mode; adds the two X-Ray write permissions). false: PassThrough."
  type        = bool
  default     = false
}

variable "role_path" {
  description = "IAM path of the function's role."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", var.role_path))
    error_message = "role_path must begin and end with / (for example /service-role/)."
  }
}

variable "role_permissions_boundary_arn" {
  description = "ARN of the managed policy set as the permissions boundary of the function's role. null: no boundary."
  type        = string
  default     = null

  validation {
    condition     = var.role_permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.role_permissions_boundary_arn))
    error_message = "role_permissions_boundary_arn must be an IAM policy ARN."
  }
}

################################################################################
# Package
################################################################################

variable "build_dir" {
  description = "Directory where the module writes the function's zip (named by its content hash). null: builds/ under the root module. Keep it between plan and apply when they run on different machines."
  type        = string
  default     = null
}

variable "local_existing_package" {
  description = "Path of a prebuilt function zip (for example from `make package` in a pipeline that cannot run pip). Skips the build."
  type        = string
  default     = null

  validation {
    condition     = var.local_existing_package == null || can(regex("\\.zip$", var.local_existing_package))
    error_message = "local_existing_package must be the path of a .zip file."
  }
}

variable "s3_existing_package" {
  description = "A prebuilt function zip in S3 (bucket, key, optional version_id). Skips the build. Set version_id so a new upload changes the function."
  type = object({
    bucket     = string
    key        = string
    version_id = optional(string)
  })
  default = null

  validation {
    condition     = var.s3_existing_package == null || try(length(var.s3_existing_package.bucket) > 0 && length(var.s3_existing_package.key) > 0, false)
    error_message = "s3_existing_package needs a bucket and a key."
  }
}

################################################################################
# Engine behaviour (the function's environment)
################################################################################

variable "dry_run" {
  description = "Whether the engine only decides and notifies, writing nothing to either console (DRY_RUN). Use it for a first deployment or a drill."
  type        = bool
  default     = false
}

variable "failover_when_unconfirmed" {
  description = "Whether to fail over on the alarm alone when CloudWatch and ELB cannot be read to confirm it (FAILOVER_WHEN_UNCONFIRMED)."
  type        = bool
  default     = false
}

variable "lock_id" {
  description = "Partition key value of this deployment's item in the lock table (LOCK_ID), so several deployments can share one table. null: name."
  type        = string
  default     = null

  validation {
    condition     = var.lock_id == null || can(regex("^[A-Za-z0-9._:/-]{1,128}$", var.lock_id))
    error_message = "lock_id must be 1-128 characters among letters, digits and . _ : / -."
  }
}

variable "http_connect_timeout_seconds" {
  description = "Timeout for connecting to a console (HTTP_CONNECT_TIMEOUT_SECONDS)."
  type        = number
  default     = 5

  validation {
    condition     = var.http_connect_timeout_seconds > 0 && var.http_connect_timeout_seconds <= 60
    error_message = "http_connect_timeout_seconds must be greater than 0 and at most 60."
  }
}

variable "http_read_timeout_seconds" {
  description = "Timeout for a console's answer (HTTP_READ_TIMEOUT_SECONDS)."
  type        = number
  default     = 15

  validation {
    condition     = var.http_read_timeout_seconds > 0 && var.http_read_timeout_seconds <= 120
    error_message = "http_read_timeout_seconds must be greater than 0 and at most 120."
  }
}

variable "http_max_retries" {
  description = "Retries of an idempotent console request after a connection error or 5xx (HTTP_MAX_RETRIES)."
  type        = number
  default     = 2

  validation {
    condition     = var.http_max_retries >= 0 && var.http_max_retries <= 10 && floor(var.http_max_retries) == var.http_max_retries
    error_message = "http_max_retries must be a whole number from 0 to 10."
  }
}

variable "main_site_budget_seconds" {
  description = "Time the engine spends reaching the Main Site, which may be down, after the Destination is active: reading it, staging STANDBY, disabling its ariel copy profiles and starting its deploy. A deploy the Main Site started is then waited for up to deploy_timeout_seconds, within the function's time left (MAIN_SITE_BUDGET_SECONDS)."
  type        = number
  default     = 20

  validation {
    condition     = var.main_site_budget_seconds >= 1 && var.main_site_budget_seconds <= 600
    error_message = "main_site_budget_seconds must be between 1 and 600."
  }
}

variable "deploy_timeout_seconds" {
  description = "How long the engine waits for a deploy to complete and read back: the Destination's, before reporting it unverified, and one the Main Site started, within the function's time left, before reporting it started but not confirmed (DEPLOY_TIMEOUT_SECONDS)."
  type        = number
  default     = 180

  validation {
    condition     = var.deploy_timeout_seconds >= 1 && var.deploy_timeout_seconds <= 780
    error_message = "deploy_timeout_seconds must be between 1 and 780."
  }
}

variable "deploy_poll_interval_seconds" {
  description = "Interval between deploy status polls (DEPLOY_POLL_INTERVAL_SECONDS)."
  type        = number
  default     = 5

  validation {
    condition     = var.deploy_poll_interval_seconds >= 1 && var.deploy_poll_interval_seconds <= 60
    error_message = "deploy_poll_interval_seconds must be between 1 and 60."
  }
}

variable "lock_claim_ttl_seconds" {
  description = "After this many seconds a run's claim on the lock counts as crashed and another run may take over (LOCK_CLAIM_TTL_SECONDS). Keep it above timeout."
  type        = number
  default     = 900

  validation {
    condition     = var.lock_claim_ttl_seconds >= 60 && floor(var.lock_claim_ttl_seconds) == var.lock_claim_ttl_seconds
    error_message = "lock_claim_ttl_seconds must be a whole number of at least 60."
  }
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the engine's Embedded Metric Format metrics (METRICS_NAMESPACE)."
  type        = string
  default     = "QRadarFailover"

  validation {
    condition     = can(regex("^[A-Za-z0-9./#:_-]{1,255}$", var.metrics_namespace)) && !startswith(var.metrics_namespace, "AWS/")
    error_message = "metrics_namespace must be 1-255 characters among letters, digits and . / # : _ - and must not start with AWS/."
  }
}

variable "log_level" {
  description = "Log level of the engine (LOG_LEVEL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

################################################################################
# Lock table
################################################################################

variable "create_lock_table" {
  description = "Whether to create the DynamoDB lock table. false: set lock_table_name to an existing table whose string hash key is lock_id."
  type        = bool
  default     = true
}

variable "lock_table_name" {
  description = "Name of an existing lock table (with create_lock_table = false). null: <name>-lock, created by the module."
  type        = string
  default     = null

  validation {
    condition     = var.lock_table_name == null || can(regex("^[A-Za-z0-9_.-]{3,255}$", var.lock_table_name))
    error_message = "lock_table_name must be a valid DynamoDB table name."
  }
}

variable "lock_table_kms_key_arn" {
  description = "ARN of the customer-managed KMS key of an existing lock table (create_lock_table = false) encrypted with your own key, so the failover and readiness functions may use it (through DynamoDB only). null when the table uses an AWS owned or AWS-managed key."
  type        = string
  default     = null

  validation {
    condition     = var.lock_table_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.lock_table_kms_key_arn))
    error_message = "lock_table_kms_key_arn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "lock_table_deletion_protection" {
  description = "Whether the created lock table has deletion protection. The table records that a failover happened; losing it would let a later alarm fail over again. Set false only where the deployment must be destroyable (a drill or an example): with protection on, `terraform destroy` stops at the table."
  type        = bool
  default     = true
}

################################################################################
# Network
################################################################################

variable "subnet_ids" {
  description = "Private subnets of the function. They must span at least two Availability Zones, at least one of them a Destination-Site AZ, so the function runs when the Main AZ is gone."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "subnet_ids must list at least two subnet IDs (subnet-...)."
  }
}

variable "create_security_group" {
  description = "Whether to create the function's security group: HTTPS egress to console_cidr_blocks, to the VPC endpoints and to aws_api_egress_cidr_blocks; no ingress."
  type        = bool
  default     = true
}

variable "security_group_ids" {
  description = "Existing security groups of the function, used instead of (create_security_group = false) or in addition to the created one."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.security_group_ids : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "security_group_ids must contain security group IDs (sg-...)."
  }
}

variable "console_cidr_blocks" {
  description = "CIDR blocks of the two QRadar consoles (for example [\"10.0.1.10/32\", \"10.0.2.10/32\"]); the created security group allows HTTPS (console_port) to them. The addresses may be known only after apply (interfaces created in the same configuration): the rules are keyed by position."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.console_cidr_blocks : can(cidrhost(cidr, 0))])
    error_message = "console_cidr_blocks must contain IPv4 CIDR blocks."
  }
}

variable "console_port" {
  description = "TCP port of the consoles' HTTPS API, opened in the created security group."
  type        = number
  default     = 443

  validation {
    condition     = var.console_port >= 1 && var.console_port <= 65535
    error_message = "console_port must be a TCP port."
  }
}

variable "aws_api_egress_cidr_blocks" {
  description = "Extra CIDR blocks the created security group allows HTTPS to, for AWS APIs not reached through the module's VPC endpoints (for example [\"0.0.0.0/0\"] behind a NAT gateway, or the VPC CIDR for interface endpoints you manage). DynamoDB needs no entry: the group always allows HTTPS to the region's DynamoDB prefix list (the path through a gateway endpoint)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.aws_api_egress_cidr_blocks : can(cidrhost(cidr, 0))])
    error_message = "aws_api_egress_cidr_blocks must contain IPv4 CIDR blocks."
  }
}

variable "create_vpc_endpoints" {
  description = "Whether to create VPC interface endpoints (vpc_endpoint_services) and a DynamoDB gateway endpoint (create_dynamodb_gateway_endpoint), so the function reaches AWS APIs from private subnets without NAT, in every AZ of subnet_ids."
  type        = bool
  default     = false
}

variable "create_dynamodb_gateway_endpoint" {
  description = "With create_vpc_endpoints, whether the module creates the DynamoDB gateway endpoint on vpc_endpoint_route_table_ids. Set false when those route tables already route DynamoDB to a gateway endpoint (AWS rejects a second one with RouteAlreadyExists): the function then reaches the lock table through the existing endpoint, allowed by the region's DynamoDB prefix list."
  type        = bool
  default     = true
}

variable "vpc_endpoint_services" {
  description = "Interface endpoints created when create_vpc_endpoints is true, keyed by service short name (com.amazonaws.<region>.<service>); the default covers every AWS API the failover function calls (SNS, Secrets Manager, CloudWatch, ELB; DynamoDB gets a gateway endpoint). private_dns_enabled = false for a service whose private DNS zone the VPC already has (AWS rejects a second one). No logs endpoint: Lambda ships the function's logs itself. Add lambda = {} when the readiness function has no other path to the Lambda API (it reads the failover function's configuration); leave it out where the VPC already has a Lambda endpoint or a shared private hosted zone for it."
  type = map(object({
    private_dns_enabled = optional(bool, true)
  }))
  default = {
    sns                  = {}
    secretsmanager       = {}
    monitoring           = {}
    elasticloadbalancing = {}
  }

  validation {
    condition     = alltrue([for s in keys(var.vpc_endpoint_services) : can(regex("^[a-z0-9.-]+$", s))])
    error_message = "vpc_endpoint_services must be keyed by service short names such as sns or secretsmanager."
  }
}

variable "vpc_endpoint_subnet_ids" {
  description = "Subnets of the interface endpoints, at most one per AZ (AWS rejects two subnets of one AZ); include a Destination-Site AZ. Empty: the first of subnet_ids in each of their AZs."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.vpc_endpoint_subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "vpc_endpoint_subnet_ids must contain subnet IDs (subnet-...)."
  }
}

variable "vpc_endpoint_route_table_ids" {
  description = "Route tables of the function's subnets, associated with the DynamoDB gateway endpoint. Required when the module creates it (create_vpc_endpoints and create_dynamodb_gateway_endpoint)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.vpc_endpoint_route_table_ids : can(regex("^rtb-[0-9a-f]+$", id))])
    error_message = "vpc_endpoint_route_table_ids must contain route table IDs (rtb-...)."
  }
}

################################################################################
# Host agent distribution (SSM)
################################################################################

variable "host_agent_distribution" {
  description = "Distributes host_agent/qradar-dr-agent to the QRadar hosts with SSM Run Command: an SSM document that installs it to /opt/qradar-dr-agent and an association targeting instances tagged target_tag_key = one of target_tag_values (they need the SSM agent and an instance profile allowing SSM). Off by default."
  type = object({
    enabled             = optional(bool, false)
    target_tag_key      = optional(string, "QRadarDrAgent")
    target_tag_values   = optional(list(string), ["enabled"])
    schedule_expression = optional(string)
  })
  default = {}

  validation {
    condition     = length(var.host_agent_distribution.target_tag_key) > 0 && length(var.host_agent_distribution.target_tag_values) > 0
    error_message = "host_agent_distribution needs a target_tag_key and at least one target_tag_values entry."
  }
}

################################################################################
# Readiness checks and dashboard
################################################################################

variable "create_readiness_check" {
  description = "Whether to create the readiness function (read-only checks that a failover would work: tokens, consoles, DR state, lock, alarms, subscriptions, Destination collectors), its role, its schedule and the not-ready alarm that notifies the notification topic."
  type        = bool
  default     = true
}

variable "readiness_check_schedule_expression" {
  description = "How often EventBridge Scheduler runs the readiness checks, as rate(N minutes) or rate(N hours) between 1 minute and 12 hours; the not-ready alarm's period follows it (two failed runs in a row alarm). null: no schedule and no alarm (run the function or 'qradar-failover readiness' by hand)."
  type        = string
  default     = "rate(15 minutes)"

  validation {
    # 1-720 minutes or 1-12 hours, singular for 1 as EventBridge Scheduler requires
    condition     = var.readiness_check_schedule_expression == null || can(regex("^rate\\((1 minute|([2-9]|[1-9][0-9]|[1-6][0-9]{2}|7[01][0-9]|720) minutes|1 hour|([2-9]|1[0-2]) hours)\\)$", var.readiness_check_schedule_expression))
    error_message = "readiness_check_schedule_expression must be rate(N minutes) or rate(N hours), from rate(1 minute) to rate(12 hours) (the not-ready alarm evaluates two schedule periods, at most one day), or null."
  }
}

variable "create_dashboard" {
  description = "Whether to create a CloudWatch dashboard: per target group and AZ the healthy and unhealthy collectors of both sites, the health alarms, readiness and its failing checks over time, failover outcomes and the functions' errors."
  type        = bool
  default     = true
}

################################################################################
# Readiness thresholds and recovery objectives
################################################################################

variable "token_expiry_warning_days" {
  description = "The readiness checks warn when a console's authorized service token expires within this many days (each console reports its token's expiration_date; an expired token fails readiness). Warnings keep Ready = 1 and notify the notification topic once when they start and once when they end."
  type        = number
  default     = 30

  validation {
    condition     = var.token_expiry_warning_days >= 1 && var.token_expiry_warning_days <= 365 && floor(var.token_expiry_warning_days) == var.token_expiry_warning_days
    error_message = "token_expiry_warning_days must be a whole number of days from 1 to 365."
  }
}

variable "rpo_target_seconds" {
  description = "Recovery point objective: readiness fails when the Main Site's oldest last successful ariel copy (across its enabled copy profiles) is older than this, and warns when a profile's schedule is slower than it. The lag it measures is the ReplicationLagSeconds metric on the dashboard. null: no target (the lag is still measured; missed copies are warnings)."
  type        = number
  default     = null

  validation {
    condition     = var.rpo_target_seconds == null || try(var.rpo_target_seconds >= 60 && var.rpo_target_seconds <= 2592000, false)
    error_message = "rpo_target_seconds must be null or from 60 seconds to 30 days (2592000)."
  }
}

variable "rto_target_seconds" {
  description = "Recovery time objective: the plan is refused when the worst case these settings allow, from the Main AZ going dark to the Destination verified ACTIVE (the recovery_time_objective output: alarm window, delivery, attempts, retries), exceeds it; the message shows the arithmetic. Readiness holds what is deployed to it too. null: no target."
  type        = number
  default     = null

  validation {
    condition     = var.rto_target_seconds == null || try(var.rto_target_seconds >= 60 && var.rto_target_seconds <= 86400, false)
    error_message = "rto_target_seconds must be null or from 60 seconds to one day (86400)."
  }
}
