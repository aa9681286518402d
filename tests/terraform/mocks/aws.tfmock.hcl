# What the stand-in cannot know: the values AWS would return. Computed attributes not listed
# here get values Terraform invents; data sources the module reads get fixed values so that
# a second plan sees the same inputs as the first.

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

mock_data "aws_region" {
  defaults = {
    region = "us-east-1"
    name   = "us-east-1"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/terraform"
  }
}

# The rendered JSON is the provider's work; the tests read the statements the module passes in.
mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

# A function subnet. The module's tests give subnet_ids = [a Main-Site subnet, a Destination
# subnet] in us-east-1a and us-east-1b: those two are overridden here, once for every test file
# that calls the module as its root; runs with other subnets, and the examples (whose targets sit
# under module.*), override their own.
mock_data "aws_subnet" {
  defaults = {
    vpc_id            = "vpc-0a1b2c3d4e5f60718"
    availability_zone = "us-east-1a"
    arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0a1b2c3d4e5f60718"
  }
}

override_data {
  target = data.aws_subnet.function["0"]
  values = {
    availability_zone = "us-east-1a"
    vpc_id            = "vpc-0a1b2c3d4e5f60718"
    arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0aaaaaaaaaaaaaaa1"
  }
}

override_data {
  target = data.aws_subnet.function["1"]
  values = {
    availability_zone = "us-east-1b"
    vpc_id            = "vpc-0a1b2c3d4e5f60718"
    arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bbbbbbbbbbbbbbb2"
  }
}

# The load balancer serves both sites' AZs, with cross-zone load balancing off.
mock_data "aws_lb" {
  defaults = {
    arn                              = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/qradar/0123456789abcdef"
    arn_suffix                       = "net/qradar/0123456789abcdef"
    enable_cross_zone_load_balancing = false
    subnets                          = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
  }
}

mock_data "aws_lb_target_group" {
  defaults = {
    arn                               = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/qradar-dlc/0123456789abcdef"
    arn_suffix                        = "targetgroup/qradar-dlc/0123456789abcdef"
    load_balancing_cross_zone_enabled = "use_load_balancer_configuration"
  }
}

# The load balancer's subnets in a Main-Site AZ.
mock_data "aws_subnets" {
  defaults = {
    ids = ["subnet-0aaaaaaaaaaaaaaa1"]
  }
}

mock_data "aws_prefix_list" {
  defaults = {
    id   = "pl-02cd2c6b"
    name = "com.amazonaws.us-east-1.dynamodb"
  }
}

mock_data "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/console-token-AbCdEf"
  }
}

# ARNs and IDs the module's validations read have the shapes AWS gives them.
mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
    key_id = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:us-east-1:123456789012:qradar-failover-topic"
  }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:us-east-1:123456789012:qradar-failover-failed-invocations"
  }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/console-token-AbCdEf"
  }
}

mock_resource "aws_subnet" {
  defaults = {
    id = "subnet-0cccccccccccccc03"
  }
}

mock_resource "aws_security_group" {
  defaults = {
    id = "sg-0a1b2c3d4e5f60718"
  }
}

mock_resource "aws_lb" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/qradar-failover-collectors/0123456789abcdef"
    arn_suffix = "net/qradar-failover-collectors/0123456789abcdef"
  }
}

mock_resource "aws_lb_target_group" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/qradar-failover-dlc/0123456789abcdef"
    arn_suffix = "targetgroup/qradar-failover-dlc/0123456789abcdef"
  }
}

mock_resource "aws_network_interface" {
  defaults = {
    private_ip = "10.40.1.10"
  }
}

mock_resource "aws_route_table" {
  defaults = {
    id = "rtb-0a1b2c3d4e5f60718"
  }
}

mock_resource "aws_vpc" {
  defaults = {
    id = "vpc-0a1b2c3d4e5f60718"
  }
}

# ARNs that the stand-in provider's value rules check where they are used (a function's role,
# a schedule's target, an alarm's actions) have the shapes AWS gives them; every resource of a
# type gets the same value, so a test that tells two apart overrides one.
mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/qradar-failover-function"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn = "arn:aws:lambda:us-east-1:123456789012:function:qradar-failover"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/qradar-failover"
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/qradar-failover-lock"
  }
}

mock_resource "aws_vpc_endpoint" {
  defaults = {
    prefix_list_id = "pl-02cd2c6b"
  }
}
