# examples/complete plans and applies as a user would run it, and a second plan shows no changes
# (test_terraform_offline.py reads that from the runs' JSON plans). Its inputs all have defaults.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

# examples/complete: subnet_ids are [destination, main] (the sites' map order).
override_data {
  target = module.qradar_failover.data.aws_subnet.function["0"]
  values = {
    availability_zone = "us-east-1b"
    vpc_id            = "vpc-0a1b2c3d4e5f60718"
    arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bbbbbbbbbbbbbbb2"
  }
}

override_data {
  target = module.qradar_failover.data.aws_subnet.function["1"]
  values = {
    availability_zone = "us-east-1a"
    vpc_id            = "vpc-0a1b2c3d4e5f60718"
    arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0aaaaaaaaaaaaaaa1"
  }
}

run "complete_plan" {
  command = plan

  module {
    source = "./examples/complete"
  }

  assert {
    condition     = !aws_lb.collectors.enable_deletion_protection && !aws_lb.collectors.enable_cross_zone_load_balancing
    error_message = "The example's load balancer can be destroyed, and keeps cross-zone load balancing off."
  }

  assert {
    condition     = !var.deletion_protection
    error_message = "The example turns the lock table's deletion protection off too, so terraform destroy removes it."
  }
}

run "complete_apply" {
  module {
    source = "./examples/complete"
  }

  assert {
    condition     = output.function_name == "qradar-failover" && keys(output.healthy_hosts_alarm_arns) == ["dlc/us-east-1a"] && keys(output.unhealthy_hosts_alarm_arns) == ["dlc/us-east-1a"]
    error_message = "The complete example creates the function and the alarms of the Main AZ."
  }

  assert {
    condition     = keys(output.token_secret_arns) == ["destination", "main"]
    error_message = "The example creates both token secrets."
  }
}

run "complete_second_plan" {
  command = plan

  module {
    source = "./examples/complete"
  }
}
