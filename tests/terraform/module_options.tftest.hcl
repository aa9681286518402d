# The module's optional features: VPC endpoints, host agent distribution, X-Ray, a CA bundle; an
# Application Load Balancer with two target groups watched in two Main-Site AZs.

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

# A second function subnet in the Destination AZ: Lambda takes it, an interface endpoint may not.
override_data {
  target = data.aws_subnet.function["2"]
  values = {
    availability_zone = "us-east-1b"
    vpc_id            = "vpc-0a1b2c3d4e5f60718"
    arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0ccccccccccccccc3"
  }
}

override_data {
  target = data.aws_subnet.function["3"]
  values = {
    availability_zone = "us-east-1c"
    vpc_id            = "vpc-0a1b2c3d4e5f60718"
    arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0ddddddddddddddd4"
  }
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
  load_balancer_arn_suffix = "net/qradar/0123456789abcdef"
  target_groups            = { dlc = { arn_suffix = "targetgroup/qradar-dlc/0123456789abcdef" } }
  subnet_ids               = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"]
  console_cidr_blocks      = ["10.0.1.10/32", "10.0.2.10/32"]
}

run "vpc_endpoints_host_agent_xray_ca_bundle" {
  command = plan

  variables {
    create_vpc_endpoints         = true
    vpc_endpoint_route_table_ids = ["rtb-0a1b2c3d4e5f60718"]
    vpc_endpoint_services = {
      sns                  = {}
      secretsmanager       = { private_dns_enabled = false }
      monitoring           = {}
      elasticloadbalancing = {}
      lambda               = {}
    }
    host_agent_distribution = { enabled = true }
    enable_xray_tracing     = true
    ca_bundle_pem           = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2FmZWJhYmU=\n-----END CERTIFICATE-----\n"
  }

  assert {
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["sns", "secretsmanager", "monitoring", "elasticloadbalancing", "lambda"])
    error_message = "One interface endpoint per service listed (lambda when asked: the readiness function reads the failover function); no logs endpoint."
  }

  assert {
    condition     = aws_vpc_endpoint.interface["sns"].service_name == "com.amazonaws.us-east-1.sns" && aws_vpc_endpoint.interface["sns"].private_dns_enabled && !aws_vpc_endpoint.interface["secretsmanager"].private_dns_enabled
    error_message = "private_dns_enabled is set per service."
  }

  assert {
    condition     = toset(aws_vpc_endpoint.interface["sns"].subnet_ids) == toset(["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"])
    error_message = "The endpoints get one function subnet per AZ (AWS rejects two of one AZ)."
  }

  assert {
    condition     = aws_vpc_endpoint.dynamodb[0].vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.dynamodb[0].route_table_ids == toset(["rtb-0a1b2c3d4e5f60718"])
    error_message = "DynamoDB is reached through a gateway endpoint on the function subnets' route tables."
  }

  assert {
    condition     = length(aws_vpc_security_group_egress_rule.dynamodb) == 1 && length(aws_vpc_security_group_egress_rule.vpc_endpoints) == 1 && length(aws_vpc_security_group_egress_rule.aws_apis) == 0
    error_message = "The function's group reaches the interface endpoints and the DynamoDB prefix list, nothing else."
  }

  assert {
    condition     = aws_ssm_document.host_agent[0].name == "qradar-failover-install-host-agent" && aws_ssm_association.host_agent[0].targets[0].key == "tag:QRadarDrAgent"
    error_message = "The host agent is distributed by SSM to the tagged instances."
  }

  assert {
    condition     = aws_ssm_association.host_agent[0].document_version == "$LATEST"
    error_message = "The association runs the document's latest version, so an updated host agent reaches the hosts already associated."
  }

  assert {
    condition     = can(regex(filesha256("host_agent/qradar-dr-agent"), aws_ssm_document.host_agent[0].content))
    error_message = "The SSM document checks the agent against its SHA-256."
  }

  assert {
    condition     = aws_lambda_function.this[0].tracing_config[0].mode == "Active" && contains(flatten(data.aws_iam_policy_document.function[0].statement[*].actions), "xray:PutTraceSegments")
    error_message = "X-Ray tracing is active and the role may write traces."
  }

  assert {
    condition     = aws_lambda_function.this[0].environment[0].variables.QRADAR_CA_BUNDLE == "/var/task/qradar-ca-bundle.pem" && aws_lambda_function.this[0].environment[0].variables.QRADAR_TLS_VERIFY == "true"
    error_message = "The CA bundle is packaged and the engine verifies the consoles against it."
  }

  assert {
    condition     = data.external.package[0].query.ca_bundle_pem == var.ca_bundle_pem
    error_message = "The CA bundle goes into the package build."
  }
}

run "vpc_endpoints_by_default" {
  command = plan

  variables {
    create_vpc_endpoints         = true
    vpc_endpoint_route_table_ids = ["rtb-0a1b2c3d4e5f60718"]
  }

  assert {
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["sns", "secretsmanager", "monitoring", "elasticloadbalancing"])
    error_message = "By default, an interface endpoint for each AWS API the failover function calls, and no logs endpoint (Lambda ships its logs itself); no lambda endpoint unless asked (an existing one, or a shared private hosted zone, makes its private DNS conflict)."
  }

  assert {
    condition     = length(aws_vpc_endpoint.dynamodb) == 1 && length(data.aws_prefix_list.dynamodb) == 0
    error_message = "By default the module creates the DynamoDB gateway endpoint, and the function's group reaches the lock table through its prefix list (not read from AWS)."
  }

  assert {
    condition     = alltrue([for endpoint in aws_vpc_endpoint.interface : endpoint.private_dns_enabled])
    error_message = "Private DNS is on by default."
  }
}

# Route tables that already route the DynamoDB prefix list to a gateway endpoint reject a second
# one (RouteAlreadyExists): the caller's endpoint is used instead.
run "existing_dynamodb_gateway_endpoint" {
  command = plan

  variables {
    create_vpc_endpoints             = true
    create_dynamodb_gateway_endpoint = false
  }

  assert {
    condition     = length(aws_vpc_endpoint.dynamodb) == 0 && length(aws_vpc_endpoint.interface) == 4
    error_message = "No DynamoDB gateway endpoint (and no route tables needed) when the VPC has one; the interface endpoints are still created."
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.dynamodb[0].prefix_list_id == "pl-02cd2c6b"
    error_message = "The function's group still reaches the lock table: the region's DynamoDB prefix list, read from AWS."
  }
}

# A failure queue and a lock table the caller brings, encrypted with the caller's own keys: the
# function (and readiness, for the lock item) may use those keys, through their services only.
run "caller_keys_for_a_brought_failure_queue_and_lock_table" {
  variables {
    create_failure_queue            = false
    failure_destination_arn         = "arn:aws:sqs:us-east-1:123456789012:failed-invocations"
    failure_destination_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    create_lock_table               = false
    lock_table_name                 = "shared-locks"
    lock_table_kms_key_arn          = "arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000"
    aws_api_egress_cidr_blocks      = ["0.0.0.0/0"]
  }

  assert {
    condition = alltrue([
      for key in [var.failure_destination_kms_key_arn, var.lock_table_kms_key_arn] :
      anytrue([for statement in data.aws_iam_policy_document.function[0].statement : contains(statement.resources, key) && contains(statement.actions, "kms:GenerateDataKey")])
    ])
    error_message = "The function may encrypt with the keys of the brought failure queue and lock table."
  }

  assert {
    condition     = anytrue([for statement in data.aws_iam_policy_document.readiness[0].statement : contains(statement.resources, var.lock_table_kms_key_arn) && statement.actions == toset(["kms:Decrypt"])])
    error_message = "The readiness function may decrypt the brought lock table's item."
  }
}

run "alb_two_target_groups_two_main_azs" {
  command = plan

  variables {
    main_site = {
      address            = "10.0.1.10"
      token_secret_arn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qradar/main-AbCdEf"
      availability_zones = ["us-east-1a", "us-east-1c"]
    }
    subnet_ids               = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3", "subnet-0ddddddddddddddd4"]
    load_balancer_arn_suffix = "app/qradar/0123456789abcdef"
    target_groups = {
      syslog = { arn_suffix = "targetgroup/qradar-syslog/0123456789abcdef" }
      dlc    = { arn_suffix = "targetgroup/qradar-dlc/0123456789abcdef" }
    }
    aws_api_egress_cidr_blocks = ["0.0.0.0/0"]
  }

  # An ALB has cross-zone load balancing on at the load balancer level: the target groups
  # turn it off.
  override_data {
    target = data.aws_lb_target_group.this["syslog"]
    values = { load_balancing_cross_zone_enabled = "false" }
  }

  override_data {
    target = data.aws_lb_target_group.this["dlc"]
    values = { load_balancing_cross_zone_enabled = "false" }
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.unhealthy_hosts) + length(aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum) == 2 * 2 * 2
    error_message = "Two alarms per (target group, Main AZ): 2 x 2 target groups x 2 AZs."
  }

  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.healthy_hosts_below_minimum)) == toset(["dlc/us-east-1a", "dlc/us-east-1c", "syslog/us-east-1a", "syslog/us-east-1c"])
    error_message = "Alarms are keyed \"<target group>/<az>\"."
  }

  assert {
    condition     = alltrue([for alarm in aws_cloudwatch_metric_alarm.unhealthy_hosts : alarm.namespace == "AWS/ApplicationELB" && alarm.dimensions.LoadBalancer == "app/qradar/0123456789abcdef"])
    error_message = "An ALB's metrics are in AWS/ApplicationELB."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.unhealthy_hosts["syslog/us-east-1c"].dimensions.TargetGroup == "targetgroup/qradar-syslog/0123456789abcdef" && aws_cloudwatch_metric_alarm.unhealthy_hosts["syslog/us-east-1c"].dimensions.AvailabilityZone == "us-east-1c"
    error_message = "Each alarm watches its own target group and AZ."
  }

  assert {
    condition     = aws_lambda_function.readiness[0].environment[0].variables["TARGET_GROUPS"] == "targetgroup/qradar-dlc/0123456789abcdef,targetgroup/qradar-syslog/0123456789abcdef" && aws_lambda_function.readiness[0].environment[0].variables["LOAD_BALANCER_ARN_SUFFIX"] == "app/qradar/0123456789abcdef"
    error_message = "Readiness is told every target group (sorted by key) and the load balancer: it checks both alarms of each in every Main AZ."
  }
}
