################################################################################
# Function security group: no ingress; HTTPS egress to the consoles and AWS APIs only
################################################################################

locals {
  create_vpc_endpoints = var.create && var.create_vpc_endpoints
  endpoint_subnet_ids  = length(var.vpc_endpoint_subnet_ids) > 0 ? var.vpc_endpoint_subnet_ids : var.subnet_ids
}

resource "aws_security_group" "function" {
  count = var.create && var.create_security_group ? 1 : 0

  name        = "${var.name_prefix}-function"
  description = "QRadar failover function ${local.function_name}: HTTPS to the QRadar consoles and AWS APIs, no inbound"
  vpc_id      = local.vpc_id

  tags = merge(local.tags, { Name = "${var.name_prefix}-function" })

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

resource "aws_vpc_security_group_egress_rule" "consoles" {
  for_each = var.create && var.create_security_group ? toset(var.console_cidr_blocks) : toset([])

  security_group_id = aws_security_group.function[0].id
  description       = "QRadar console REST API"
  ip_protocol       = "tcp"
  from_port         = var.console_port
  to_port           = var.console_port
  cidr_ipv4         = each.value

  tags = local.tags
}

resource "aws_vpc_security_group_egress_rule" "aws_apis" {
  for_each = var.create && var.create_security_group ? toset(var.aws_api_egress_cidr_blocks) : toset([])

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
  count = var.create && var.create_security_group && var.create_vpc_endpoints ? 1 : 0

  security_group_id            = aws_security_group.function[0].id
  description                  = "AWS APIs through the module's interface endpoints"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.vpc_endpoints[0].id

  tags = local.tags
}

resource "aws_vpc_security_group_egress_rule" "dynamodb" {
  count = var.create && var.create_security_group && var.create_vpc_endpoints ? 1 : 0

  security_group_id = aws_security_group.function[0].id
  description       = "DynamoDB lock table through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = aws_vpc_endpoint.dynamodb[0].prefix_list_id

  tags = local.tags
}

################################################################################
# VPC endpoints: AWS APIs from private subnets without NAT, in every AZ of the function
################################################################################

resource "aws_security_group" "vpc_endpoints" {
  count = local.create_vpc_endpoints ? 1 : 0

  name        = "${var.name_prefix}-vpc-endpoints"
  description = "Interface endpoints of the QRadar failover function ${local.function_name}: HTTPS from the function only"
  vpc_id      = local.vpc_id

  tags = merge(local.tags, { Name = "${var.name_prefix}-vpc-endpoints" })
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
  for_each = local.create_vpc_endpoints ? toset(var.vpc_endpoint_services) : toset([])

  vpc_id              = local.vpc_id
  service_name        = "com.amazonaws.${local.region}.${each.value}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = local.endpoint_subnet_ids
  security_group_ids  = [aws_security_group.vpc_endpoints[0].id]
  private_dns_enabled = true

  tags = merge(local.tags, { Name = "${var.name_prefix}-${each.value}" })
}

resource "aws_vpc_endpoint" "dynamodb" {
  count = local.create_vpc_endpoints ? 1 : 0

  vpc_id            = local.vpc_id
  service_name      = "com.amazonaws.${local.region}.dynamodb"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = var.vpc_endpoint_route_table_ids

  tags = merge(local.tags, { Name = "${var.name_prefix}-dynamodb" })

  lifecycle {
    precondition {
      condition     = length(var.vpc_endpoint_route_table_ids) > 0
      error_message = "create_vpc_endpoints needs vpc_endpoint_route_table_ids: the route tables of the function's subnets, for the DynamoDB gateway endpoint."
    }
  }
}
