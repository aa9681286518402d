# Every variable validation and every precondition, each proven with expect_failures: a run
# gives values that break exactly the listed checks, and fails if any of them does not fire (or
# anything else fails). tests/terraform/test_module_checks.py holds this file to the module:
# every validated variable and every resource with a precondition appears here.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

variables {
  main_site = {
    address            = "10.0.1.10"
    token_secret_arn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/main-AbCdEf"
    availability_zones = ["us-east-1a"]
  }
  destination_site = {
    address            = "10.0.2.10"
    token_secret_arn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/dest-AbCdEf"
    availability_zones = ["us-east-1b"]
  }
  load_balancer_arn_suffix   = "net/qradar/0123456789abcdef"
  target_groups              = { dlc = { arn_suffix = "targetgroup/qradar-dlc/0123456789abcdef" } }
  subnet_ids                 = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
  console_cidr_blocks        = ["10.0.1.10/32", "10.0.2.10/32"]
  aws_api_egress_cidr_blocks = ["0.0.0.0/0"]
}


run "first_validation_of_each_variable" {
  command = plan

  variables {
    name = "1-starts-with-a-digit"
    main_site = {
      address            = "https://10.0.1.10/"
      token_secret_arn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/main-AbCdEf"
      availability_zones = ["us-east-1a"]
    }
    destination_site = {
      address            = "10.0.2.10/api"
      token_secret_arn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/dest-AbCdEf"
      availability_zones = ["us-east-1b"]
    }
    token_secrets_kms_key_arns      = ["alias/qradar"]
    ca_bundle_pem                   = "not a certificate"
    qradar_api_version              = "v20"
    load_balancer_arn_suffix        = "gwy/qradar/0123456789abcdef"
    target_groups                   = {}
    alarm_evaluation_periods        = 0
    alarm_datapoints_to_alarm       = 0.5
    unhealthy_host_threshold        = 0
    min_healthy_collectors          = 1001
    kms_key_arn                     = "arn:aws:kms:us-east-1:123456789012:alias/qradar"
    kms_key_deletion_window_in_days = 6
    notification_topic_arn          = "arn:aws:sqs:us-east-1:123456789012:not-a-topic"
    notification_topic_kms_key_arn  = "arn:aws:kms:us-east-1:123456789012:alias/qradar"
    notification_subscriptions      = { pager = { protocol = "pager", endpoint = "x" } }
    runtime                         = "python3.9"
    architecture                    = "arm"
    memory_size                     = 64
    reserved_concurrent_executions  = 0
    maximum_retry_attempts          = 3
    maximum_event_age_in_seconds    = 30
    failure_destination_arn         = "arn:aws:lambda:us-east-1:123456789012:function:x"
    failure_destination_kms_key_arn = "alias/failed-invocations"
    lock_table_kms_key_arn          = "alias/locks"
    log_retention_in_days           = 2
    role_path                       = "no-slashes"
    role_permissions_boundary_arn   = "arn:aws:iam::123456789012:role/x"
    local_existing_package          = "package.tar.gz"
    s3_existing_package             = { bucket = "", key = "" }
    lock_id                         = "spaces are not allowed"
    http_connect_timeout_seconds    = 0
    http_read_timeout_seconds       = 121
    http_max_retries                = 11
    main_site_budget_seconds        = 0
    deploy_poll_interval_seconds    = 61
    metrics_namespace               = "AWS/QRadar"
    log_level                       = "TRACE"
    lock_table_name                 = "x"
    security_group_ids              = ["group-1"]
    console_cidr_blocks             = ["10.0.1.10"]
    console_port                    = 0
    aws_api_egress_cidr_blocks      = ["anywhere"]
    vpc_endpoint_services           = { "SNS!" = {} }
    vpc_endpoint_subnet_ids         = ["net-1"]
    vpc_endpoint_route_table_ids    = ["table-1"]
    host_agent_distribution         = { enabled = true, target_tag_values = [] }
  }

  expect_failures = [
    var.name, var.main_site, var.destination_site, var.token_secrets_kms_key_arns, var.ca_bundle_pem,
    var.qradar_api_version, var.load_balancer_arn_suffix, var.target_groups, var.alarm_evaluation_periods,
    var.alarm_datapoints_to_alarm, var.unhealthy_host_threshold, var.min_healthy_collectors, var.kms_key_arn,
    var.kms_key_deletion_window_in_days, var.notification_topic_arn, var.notification_topic_kms_key_arn,
    var.notification_subscriptions, var.runtime, var.architecture, var.memory_size,
    var.reserved_concurrent_executions, var.maximum_retry_attempts, var.maximum_event_age_in_seconds,
    var.failure_destination_arn, var.failure_destination_kms_key_arn, var.lock_table_kms_key_arn, var.log_retention_in_days, var.role_path, var.role_permissions_boundary_arn,
    var.local_existing_package, var.s3_existing_package, var.lock_id, var.http_connect_timeout_seconds,
    var.http_read_timeout_seconds, var.http_max_retries, var.main_site_budget_seconds,
    var.deploy_poll_interval_seconds, var.metrics_namespace, var.log_level, var.lock_table_name,
    var.security_group_ids, var.console_cidr_blocks, var.console_port, var.aws_api_egress_cidr_blocks,
    var.vpc_endpoint_services, var.vpc_endpoint_subnet_ids, var.vpc_endpoint_route_table_ids,
    var.host_agent_distribution,
  ]
}

# The validations that a value passing the first validation of its variable can still break.
run "second_validation_of_each_variable" {
  command = plan

  variables {
    main_site = {
      address            = "10.0.1.10"
      token_secret_arn   = "qradar/main"
      availability_zones = ["us-east-1a"]
    }
    destination_site = {
      address            = "10.0.2.10"
      token_secret_arn   = "arn:aws:ssm:us-east-1:123456789012:parameter/qradar"
      availability_zones = ["us-east-1b"]
    }
    target_groups          = { DLC = { arn_suffix = "targetgroup/qradar-dlc/0123456789abcdef" } }
    timeout                = 30
    deploy_timeout_seconds = 781
    lock_claim_ttl_seconds = 59.5
    subnet_ids             = ["subnet-0aaaaaaaaaaaaaaa1"]
  }

  expect_failures = [
    var.main_site, var.destination_site, var.target_groups, var.timeout, var.deploy_timeout_seconds,
    var.lock_claim_ttl_seconds, var.subnet_ids,
  ]
}

# A secret's ARN without the six characters Secrets Manager appends (a partial ARN) is accepted by
# GetSecretValue but matches no IAM resource naming the full ARN: the function could not read it.
run "token_secret_arn_without_its_suffix" {
  command = plan

  variables {
    main_site = {
      address            = "10.0.1.10"
      token_secret_arn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/main"
      availability_zones = ["us-east-1a"]
    }
    destination_site = {
      address            = "10.0.2.10"
      token_secret_arn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/dest"
      availability_zones = ["us-east-1b"]
    }
  }

  expect_failures = [var.main_site, var.destination_site]
}

run "third_validation_of_each_variable" {
  command = plan

  variables {
    main_site = {
      address            = "10.0.1.10"
      token_secret_arn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/main-AbCdEf"
      availability_zones = []
    }
    destination_site = {
      address            = "10.0.2.10"
      token_secret_arn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/dest-AbCdEf"
      availability_zones = ["US-EAST-1B"]
    }
  }

  expect_failures = [var.main_site, var.destination_site]
}

# -- preconditions: each run breaks one ----------------------------------------------------------

run "main_and_destination_azs_overlap" {
  command = plan
  variables {
    destination_site = {
      address            = "10.0.2.10"
      token_secret_arn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/dest-AbCdEf"
      availability_zones = ["us-east-1b", "us-east-1a"]
    }
  }
  expect_failures = [aws_lambda_function.this]
}

run "function_subnets_in_one_az_only" {
  command = plan
  override_data {
    target = data.aws_subnet.function["1"]
    values = {
      availability_zone = "us-east-1a"
      vpc_id            = "vpc-0a1b2c3d4e5f60718"
      arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bbbbbbbbbbbbbbb2"
    }
  }
  expect_failures = [aws_lambda_function.this]
}

run "function_subnets_in_two_vpcs" {
  command = plan
  override_data {
    target = data.aws_subnet.function["1"]
    values = {
      availability_zone = "us-east-1b"
      vpc_id            = "vpc-0ffffffffffffffff"
      arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bbbbbbbbbbbbbbb2"
    }
  }
  expect_failures = [aws_lambda_function.this]
}

run "timeout_shorter_than_deploy_and_main_budget" {
  command = plan
  variables {
    timeout                = 200
    deploy_timeout_seconds = 180
  }
  expect_failures = [aws_lambda_function.this]
}

run "lock_claim_expires_before_the_function_times_out" {
  command = plan
  variables {
    timeout                = 900
    lock_claim_ttl_seconds = 600
  }
  expect_failures = [aws_lambda_function.this]
}

run "two_prebuilt_packages" {
  command = plan
  variables {
    local_existing_package = "builds/package.zip"
    s3_existing_package    = { bucket = "artifacts", key = "qradar-failover.zip" }
  }
  expect_failures = [aws_lambda_function.this]
}

run "ca_bundle_with_a_prebuilt_package" {
  command = plan
  variables {
    s3_existing_package = { bucket = "artifacts", key = "qradar-failover.zip" }
    ca_bundle_pem       = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
  }
  expect_failures = [aws_lambda_function.this]
}

run "ca_bundle_with_tls_verification_off" {
  command = plan
  variables {
    ca_bundle_pem     = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    qradar_tls_verify = false
  }
  expect_failures = [aws_lambda_function.this]
}

run "no_notification_topic" {
  command = plan
  variables {
    create_notification_topic = false
  }
  expect_failures = [aws_lambda_function.this]
}

run "existing_lock_table_without_a_name" {
  command = plan
  variables {
    create_lock_table = false
  }
  expect_failures = [aws_lambda_function.this]
}

run "no_security_group_at_all" {
  command = plan
  variables {
    create_security_group = false
  }
  expect_failures = [aws_lambda_function.this]
}

run "no_failure_destination" {
  command = plan
  variables {
    create_failure_queue = false
  }
  expect_failures = [aws_lambda_function_event_invoke_config.this]
}

run "no_kms_key" {
  command = plan
  variables {
    create_kms_key = false
  }
  expect_failures = [aws_sns_topic.trigger]
}

run "no_console_cidrs_for_the_created_group" {
  command = plan
  variables {
    console_cidr_blocks = []
  }
  expect_failures = [aws_security_group.function]
}

run "no_path_to_aws_apis" {
  command = plan
  variables {
    aws_api_egress_cidr_blocks = []
  }
  expect_failures = [aws_security_group.function]
}

run "two_endpoint_subnets_in_one_az" {
  command = plan
  variables {
    create_vpc_endpoints         = true
    vpc_endpoint_route_table_ids = ["rtb-0a1b2c3d4e5f60718"]
    vpc_endpoint_subnet_ids      = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0eeeeeeeeeeeeeee5"]
  }
  override_data {
    target = data.aws_subnet.endpoint["0"]
    values = { availability_zone = "us-east-1a" }
  }
  override_data {
    target = data.aws_subnet.endpoint["1"]
    values = { availability_zone = "us-east-1a" }
  }
  expect_failures = [aws_vpc_endpoint.interface]
}

run "gateway_endpoint_without_route_tables" {
  command = plan
  variables {
    create_vpc_endpoints = true
  }
  expect_failures = [aws_vpc_endpoint.dynamodb]
}

run "datapoints_to_alarm_above_evaluation_periods" {
  command = plan
  variables {
    alarm_evaluation_periods  = 2
    alarm_datapoints_to_alarm = 3
  }
  expect_failures = [aws_cloudwatch_metric_alarm.unhealthy_hosts, aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum]
}

run "nlb_with_cross_zone_load_balancing" {
  command = plan
  override_data {
    target = data.aws_lb.this[0]
    values = {
      enable_cross_zone_load_balancing = true
      subnets                          = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
    }
  }
  expect_failures = [aws_cloudwatch_metric_alarm.unhealthy_hosts, aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum]
}

run "alb_target_group_following_the_load_balancer" {
  command = plan
  variables {
    load_balancer_arn_suffix = "app/qradar/0123456789abcdef"
  }
  expect_failures = [aws_cloudwatch_metric_alarm.unhealthy_hosts, aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum]
}

run "main_az_the_load_balancer_does_not_serve" {
  command = plan
  override_data {
    target = data.aws_subnets.load_balancer_main_az["us-east-1a"]
    values = { ids = [] }
  }
  expect_failures = [aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum]
}

# The readiness schedule: rate() only (the not-ready alarm's period follows it), 1 minute to 12 hours,
# singular for 1.
run "schedule_expression_validation" {
  command = plan

  variables {
    readiness_check_schedule_expression = "cron(0/15 * * * ? *)"
  }

  expect_failures = [var.readiness_check_schedule_expression]
}

run "schedule_longer_than_twelve_hours" {
  command = plan

  variables {
    readiness_check_schedule_expression = "rate(13 hours)"
  }

  expect_failures = [var.readiness_check_schedule_expression]
}

run "schedule_unit_must_agree_with_its_number" {
  command = plan

  variables {
    readiness_check_schedule_expression = "rate(1 minutes)"
  }

  expect_failures = [var.readiness_check_schedule_expression]
}

# -- readiness thresholds and recovery objectives ------------------------------------------------

run "token_expiry_warning_days_validation" {
  command = plan

  variables {
    token_expiry_warning_days = 0
  }

  expect_failures = [var.token_expiry_warning_days]
}

run "rpo_target_validation" {
  command = plan

  variables {
    rpo_target_seconds = 59
  }

  expect_failures = [var.rpo_target_seconds]
}

run "rto_target_validation" {
  command = plan

  variables {
    rto_target_seconds = 86401
  }

  expect_failures = [var.rto_target_seconds]
}

# The defaults allow 1440 s (objectives.tftest.hcl); a 20-minute target cannot be met.
run "settings_that_cannot_meet_the_rto_target" {
  command = plan

  variables {
    rto_target_seconds = 1200
  }

  expect_failures = [output.recovery_time_objective]
}
