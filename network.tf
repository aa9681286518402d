################################################################################
# Function security group: no ingress; HTTPS egress to the consoles and AWS APIs only
################################################################################

locals {
  create_vpc_endpoints = var.create && var.create_vpc_endpoints
  create_sg            = var.create && var.create_security_group

  # Interface endpoints take at most one subnet per AZ: by default the first function subnet
  # of each AZ.
  function_subnet_by_az = { for s in data.aws_subnet.function : s.availability_zone => s.id... }
  endpoint_subnet_ids   = length(var.vpc_endpoint_subnet_ids) > 0 ? var.vpc_endpoint_subnet_ids : [for az, ids in local.function_subnet_by_az : ids[0]]
  endpoint_subnet_azs   = [for s in data.aws_subnet.endpoint : s.availability_zone]

  # DynamoDB is reached through a gateway endpoint: its traffic goes to the region's DynamoDB
  # prefix list, which a CIDR rule for interface endpoints (the VPC CIDR) does not cover. The
  # module creates the endpoint unless the VPC has one (its route tables would reject a second
  # route to the prefix list: RouteAlreadyExists); the prefix list is then read from AWS.
  create_dynamodb_gateway_endpoint = local.create_vpc_endpoints && var.create_dynamodb_gateway_endpoint

  dynamodb_prefix_list_id = local.create_dynamodb_gateway_endpoint ? try(aws_vpc_endpoint.dynamodb[0].prefix_list_id, null) : try(data.aws_prefix_list.dynamodb[0].id, null)
}

# The AZ of each explicitly given endpoint subnet (keyed by position: IDs may be unknown at plan).
data "aws_subnet" "endpoint" {
  for_each = local.create_vpc_endpoints ? { for index, id in var.vpc_endpoint_subnet_ids : tostring(index) => id } : {}

  id = each.value
}

data "aws_prefix_list" "dynamodb" {
  count = local.create_sg && !local.create_dynamodb_gateway_endpoint ? 1 : 0

  name = "com.amazonaws.${local.region}.dynamodb"
}

resource "aws_security_group" "function" {
  count = local.create_sg ? 1 : 0

  name        = "${var.name}-function"
  description = "QRadar failover function ${local.function_name}: HTTPS to the QRadar consoles and AWS APIs, no inbound"
  vpc_id      = local.vpc_id

  tags = merge(local.tags, { Name = "${var.name}-function" })

  # On destroy the functions go first, but Lambda releases their network interfaces only later
  # (P99 about 35 minutes, per the provider's own comment where it waits for them): the provider
  # deletes the released interfaces, then retries the group's deletion on DependencyViolation
  # for this long, so terraform destroy waits instead of failing.
  timeouts {
    delete = "45m"
  }

  lifecycle {
    precondition {
      condition     = length(var.console_cidr_blocks) > 0
      error_message = "console_cidr_blocks must list the two consoles' addresses when the module creates the security group."
    }

    precondition {
      condition     = var.create_vpc_endpoints || length(var.aws_api_egress_cidr_blocks) > 0
      error_message = "The function would have no path to AWS APIs: set create_vpc_endpoints = true, or aws_api_egress_cidr_blocks (for example [\"0.0.0.0/0\"] behind a NAT gateway)."
    }
  }
}

# Keyed by position, not by CIDR: the consoles' addresses may be known only after apply.
resource "aws_vpc_security_group_egress_rule" "consoles" {
  for_each = local.create_sg ? { for index, cidr in var.console_cidr_blocks : tostring(index) => cidr } : {}

  security_group_id = aws_security_group.function[0].id
  description       = "QRadar console REST API"
  ip_protocol       = "tcp"
  from_port         = var.console_port
  to_port           = var.console_port
  cidr_ipv4         = each.value

  tags = local.tags
}

resource "aws_vpc_security_group_egress_rule" "aws_apis" {
  for_each = local.create_sg ? { for index, cidr in var.aws_api_egress_cidr_blocks : tostring(index) => cidr } : {}

  #checkov:skip=CKV_AWS_382:Only HTTPS, and only the CIDRs the caller sets in aws_api_egress_cidr_blocks (a NAT path to AWS APIs may need 0.0.0.0/0); empty by default.
  security_group_id = aws_security_group.function[0].id
  description       = "AWS APIs (SNS, Secrets Manager, CloudWatch, ELB, DynamoDB)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value

  tags = local.tags
}

resource "aws_vpc_security_group_egress_rule" "vpc_endpoints" {
  count = local.create_sg && var.create_vpc_endpoints ? 1 : 0

  security_group_id            = aws_security_group.function[0].id
  description                  = "AWS APIs through the interface endpoints of the module"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.vpc_endpoints[0].id

  tags = local.tags
}

# Always: without it the lock table is unreachable through a gateway endpoint, and without the
# lock no failover can happen.
resource "aws_vpc_security_group_egress_rule" "dynamodb" {
  count = local.create_sg ? 1 : 0

  security_group_id = aws_security_group.function[0].id
  description       = "DynamoDB lock table (the DynamoDB prefix list of the region, the path of the gateway endpoint)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = local.dynamodb_prefix_list_id

  tags = local.tags
}

################################################################################
# VPC endpoints: AWS APIs from private subnets without NAT, in every AZ of the function
################################################################################

resource "aws_security_group" "vpc_endpoints" {
  count = local.create_vpc_endpoints ? 1 : 0

  name        = "${var.name}-vpc-endpoints"
  description = "Interface endpoints of the QRadar failover function ${local.function_name}: HTTPS from the function only"
  vpc_id      = local.vpc_id

  tags = merge(local.tags, { Name = "${var.name}-vpc-endpoints" })
}

resource "aws_vpc_security_group_ingress_rule" "vpc_endpoints" {
  for_each = local.create_vpc_endpoints ? local.function_security_groups : {}

  security_group_id            = aws_security_group.vpc_endpoints[0].id
  description                  = "HTTPS from the QRadar failover function"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = each.value

  tags = local.tags
}

resource "aws_vpc_endpoint" "interface" {
  for_each = local.create_vpc_endpoints ? var.vpc_endpoint_services : {}

  vpc_id              = local.vpc_id
  service_name        = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = local.endpoint_subnet_ids
  security_group_ids  = [aws_security_group.vpc_endpoints[0].id]
  private_dns_enabled = each.value.private_dns_enabled

  tags = merge(local.tags, { Name = "${var.name}-${each.key}" })

  lifecycle {
    precondition {
      condition     = length(distinct(local.endpoint_subnet_azs)) == length(local.endpoint_subnet_azs)
      error_message = "vpc_endpoint_subnet_ids must name at most one subnet per Availability Zone (AWS rejects the endpoint with DuplicateSubnetsInSameZone); they are in ${join(", ", local.endpoint_subnet_azs)}."
    }
  }
}

resource "aws_vpc_endpoint" "dynamodb" {
  count = local.create_dynamodb_gateway_endpoint ? 1 : 0

  vpc_id            = local.vpc_id
  service_name      = "com.amazonaws.${local.region}.dynamodb"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = var.vpc_endpoint_route_table_ids

  tags = merge(local.tags, { Name = "${var.name}-dynamodb" })

  lifecycle {
    precondition {
      condition     = length(var.vpc_endpoint_route_table_ids) > 0
      error_message = "The DynamoDB gateway endpoint needs vpc_endpoint_route_table_ids: the route tables of the function's subnets. If they already route DynamoDB to an endpoint, set create_dynamodb_gateway_endpoint = false instead."
    }
  }
}
