# A caller creating its own key, notification topic, failure queue and console interfaces in the
# same configuration: their ARNs and addresses are unknown at plan time. Before the fix the
# plan failed with "Invalid count argument" (counts derived from the ARNs) and "Invalid
# for_each argument" (rules keyed by the console CIDRs).

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

override_data {
  target = module.failover.data.aws_subnet.function["0"]
  values = {
    availability_zone = "us-east-1a"
    vpc_id            = "vpc-0a1b2c3d4e5f60718"
    arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0aaaaaaaaaaaaaaa1"
  }
}

override_data {
  target = module.failover.data.aws_subnet.function["1"]
  values = {
    availability_zone = "us-east-1b"
    vpc_id            = "vpc-0a1b2c3d4e5f60718"
    arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bbbbbbbbbbbbbbb2"
  }
}

run "plans_with_arns_and_addresses_unknown_until_apply" {
  command = plan

  module {
    source = "./tests/terraform/fixtures/caller_resources"
  }

  assert {
    condition     = output.function_name == "qradar-failover"
    error_message = "The module plans its function beside the caller's resources."
  }
}

run "applies_and_uses_the_callers_resources" {
  module {
    source = "./tests/terraform/fixtures/caller_resources"
  }

  assert {
    condition     = output.kms_key_arn == aws_kms_key.caller.arn && output.notification_topic_arn == aws_sns_topic.caller.arn && output.failure_destination_arn == aws_sqs_queue.caller.arn
    error_message = "The module uses the key, topic and queue the caller created."
  }
}
