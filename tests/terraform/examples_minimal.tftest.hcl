# examples/minimal plans and applies as a user would run it, and a second plan shows no changes
# (test_terraform_offline.py reads that from the runs' JSON plans).

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

# examples/minimal: subnet_ids are [main, destination] as given.
override_data {
  target = module.qradar_failover.data.aws_subnet.function["0"]
  values = {
    availability_zone = "us-east-1a"
    vpc_id            = "vpc-0a1b2c3d4e5f60718"
    arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0aaaaaaaaaaaaaaa1"
  }
}

override_data {
  target = module.qradar_failover.data.aws_subnet.function["1"]
  values = {
    availability_zone = "us-east-1b"
    vpc_id            = "vpc-0a1b2c3d4e5f60718"
    arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bbbbbbbbbbbbbbb2"
  }
}

# The minimal example's required inputs.
variables {
  region                              = "us-east-1"
  load_balancer_name                  = "qradar"
  target_group_name                   = "qradar-dlc"
  main_site_address                   = "10.0.1.10"
  destination_site_address            = "10.0.2.10"
  main_site_token_secret_name         = "qradar/main-console-token"
  destination_site_token_secret_name  = "qradar/destination-console-token"
  main_site_availability_zones        = ["us-east-1a"]
  destination_site_availability_zones = ["us-east-1b"]
  subnet_ids                          = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
  console_cidr_blocks                 = ["10.0.1.10/32", "10.0.2.10/32"]
  aws_api_egress_cidr_blocks          = ["10.0.0.0/16"]
}

run "minimal_plan" {
  command = plan

  module {
    source = "./examples/minimal"
  }

  assert {
    condition     = output.function_name == "qradar-failover"
    error_message = "The minimal example plans the function."
  }
}

run "minimal_apply" {
  module {
    source = "./examples/minimal"
  }

  assert {
    condition     = output.function_name == "qradar-failover" && output.notification_topic_arn != null
    error_message = "The minimal example creates the function and its notification topic."
  }
}

run "minimal_second_plan" {
  command = plan

  module {
    source = "./examples/minimal"
  }
}
