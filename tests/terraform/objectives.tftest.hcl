# The recovery_time_objective output: the worst case these settings allow, from the Main AZ going dark
# to the Destination verified ACTIVE. Each run's seconds are also computed by the engine's arithmetic
# (tests/terraform/test_objectives_match_the_engine.py reads this file). The refusal of a plan that
# cannot meet rto_target_seconds is proven in module_checks.tftest.hcl.

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

run "module_defaults" {
  command = plan

  assert {
    condition     = output.recovery_time_objective.seconds == 1440
    error_message = "Defaults: alarm (3 + 1) x 60 + 120 = 360 s, delivery 30 s, 3 attempts of min(120 + 210 + 180, 300 - 10) = 290 s, retry delays 60 + 120 s."
  }

  assert {
    condition     = output.recovery_time_objective.alarm_seconds == 360 && output.recovery_time_objective.attempt_seconds == 290 && output.recovery_time_objective.attempts == 3 && output.recovery_time_objective.retry_delays_seconds == 180 && output.recovery_time_objective.target_seconds == null
    error_message = "The output shows each term."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.readiness[0].environment[0].variables), "RTO_TARGET_SECONDS")
    error_message = "Without a target, readiness is given none."
  }
}

run "faster_alarm_shorter_deploy_no_retries" {
  command = plan

  variables {
    alarm_datapoints_to_alarm = 2
    deploy_timeout_seconds    = 120
    timeout                   = 600
    maximum_retry_attempts    = 0
  }

  assert {
    condition     = output.recovery_time_objective.seconds == 720 && output.recovery_time_objective.attempt_seconds == 390
    error_message = "alarm (2 + 1) x 60 + 120 = 300 s, delivery 30 s, one attempt of min(120 + 150 + 120, 600 - 10) = 390 s."
  }
}

run "retries_limited_by_the_event_age" {
  command = plan

  variables {
    maximum_event_age_in_seconds = 400
  }

  assert {
    condition     = output.recovery_time_objective.seconds == 1030 && output.recovery_time_objective.attempts == 2
    error_message = "The second retry would start 790 s after the alarm, older than 400 s: Lambda makes only the first."
  }
}

run "target_met" {
  command = plan

  variables {
    rto_target_seconds = 1440
  }

  assert {
    condition     = output.recovery_time_objective.seconds == 1440 && output.recovery_time_objective.target_seconds == 1440
    error_message = "A target the settings meet exactly is accepted."
  }

  assert {
    condition     = aws_lambda_function.readiness[0].environment[0].variables["RTO_TARGET_SECONDS"] == "1440"
    error_message = "Readiness holds what is deployed to the same target."
  }
}
