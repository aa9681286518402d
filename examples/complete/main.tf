################################################################################
# Everything a QRadar DataSync deployment on AWS needs around the module: a VPC with one
# private subnet per site, an NLB whose target group holds the collectors of both sites, the
# two console token secrets, and the module with VPC endpoints (no NAT gateway).
################################################################################

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  sites = {
    main        = { az = var.main_site_availability_zone, cidr = cidrsubnet(var.vpc_cidr, 8, 1) }
    destination = { az = var.destination_site_availability_zone, cidr = cidrsubnet(var.vpc_cidr, 8, 2) }
  }
  collectors = merge(
    { for ip in var.main_site_collector_ips : ip => "main" },
    { for ip in var.destination_site_collector_ips : ip => "destination" },
  )
}

################################################################################
# Network
################################################################################

resource "aws_vpc" "this" {
  #checkov:skip=CKV2_AWS_11:Stands in for the customer's existing QRadar VPC, whose flow logs its owner configures; the module does not depend on them.
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true # private DNS of the interface endpoints

  tags = { Name = var.name }
}

# No rules: nothing may use the default security group.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
}

resource "aws_subnet" "site" {
  for_each = local.sites

  vpc_id            = aws_vpc.this.id
  availability_zone = each.value.az
  cidr_block        = each.value.cidr

  tags = { Name = "${var.name}-${each.key}" }
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-private" }
}

resource "aws_route_table_association" "site" {
  for_each = aws_subnet.site

  subnet_id      = each.value.id
  route_table_id = aws_route_table.private.id
}

################################################################################
# Load balancer: collectors of both sites behind one DLC listener
################################################################################

resource "aws_lb" "collectors" {
  #checkov:skip=CKV_AWS_91:Access logs of a TCP listener carry no event content here; enable them with an S3 bucket of your logging account if your policy requires it.
  #checkov:skip=CKV_AWS_152:Cross-zone load balancing must stay off: with it on, each AZ's (Un)HealthyHostCount counts the targets of every AZ, so the per-AZ alarms could no longer tell the Main Site's AZ from the Destination's.
  #checkov:skip=CKV_AWS_150:Deletion protection follows var.deletion_protection: off in this example so that terraform destroy removes it; turn it on for a load balancer that carries production traffic.
  name                             = "${var.name}-collectors"
  internal                         = true
  load_balancer_type               = "network"
  subnets                          = [for subnet in aws_subnet.site : subnet.id]
  enable_cross_zone_load_balancing = false
  enable_deletion_protection       = var.deletion_protection
}

resource "aws_lb_target_group" "dlc" {
  name        = "${var.name}-dlc"
  port        = 32500
  protocol    = "TCP"
  target_type = "ip"
  vpc_id      = aws_vpc.this.id

  health_check {
    protocol            = "TCP"
    interval            = 30
    healthy_threshold   = 3
    unhealthy_threshold = 3
  }
}

resource "aws_lb_target_group_attachment" "collectors" {
  for_each = local.collectors

  target_group_arn = aws_lb_target_group.dlc.arn
  target_id        = each.key
  port             = 32500
}

resource "aws_lb_listener" "dlc" {
  #checkov:skip=CKV_AWS_2:DLC over TCP 32500 is QRadar's own protocol; TLS is between the DLC and the collector, not at the load balancer.
  #checkov:skip=CKV2_AWS_74:No TLS listener, so no TLS policy applies (see CKV_AWS_2).
  load_balancer_arn = aws_lb.collectors.arn
  port              = 32500
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.dlc.arn
  }
}

################################################################################
# Console tokens: the secrets are created here, their values set out of band so tokens
# never enter the Terraform state:
#   aws secretsmanager put-secret-value --secret-id <arn> --secret-string '<SEC token>'
################################################################################

data "aws_iam_policy_document" "secrets_key" {
  #checkov:skip=CKV_AWS_356:Key policy: its resource "*" means this one key.
  #checkov:skip=CKV_AWS_111:Key policy: AWS's default root-account statement, which delegates the key's use to IAM policies.
  #checkov:skip=CKV_AWS_109:Key policy: AWS's default root-account statement; without it the key cannot be managed.
  statement {
    sid       = "EnableIamPoliciesOfThisAccount"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "secrets" {
  description         = "QRadar console tokens"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.secrets_key.json
}

resource "aws_secretsmanager_secret" "token" {
  for_each = local.sites

  #checkov:skip=CKV2_AWS_57:QRadar authorized-service tokens are issued in the console's Admin UI; no rotation function can create them.
  name        = "${var.name}/${each.key}-console-token"
  description = "SEC token of the QRadar ${each.key} site console (authorized service with admin rights)"
  kms_key_id  = aws_kms_key.secrets.arn
}

################################################################################
# The module
################################################################################

module "qradar_failover" {
  source = "../.."

  name = var.name
  tags = var.tags

  main_site = {
    address            = var.main_site_console_ip
    token_secret_arn   = aws_secretsmanager_secret.token["main"].arn
    availability_zones = [var.main_site_availability_zone]
  }
  destination_site = {
    address            = var.destination_site_console_ip
    token_secret_arn   = aws_secretsmanager_secret.token["destination"].arn
    availability_zones = [var.destination_site_availability_zone]
  }
  token_secrets_kms_key_arns = [aws_kms_key.secrets.arn]

  load_balancer_arn_suffix = aws_lb.collectors.arn_suffix
  target_groups = {
    dlc = { arn_suffix = aws_lb_target_group.dlc.arn_suffix }
  }

  subnet_ids                   = [for subnet in aws_subnet.site : subnet.id]
  console_cidr_blocks          = ["${var.main_site_console_ip}/32", "${var.destination_site_console_ip}/32"]
  create_vpc_endpoints         = true
  vpc_endpoint_route_table_ids = [aws_route_table.private.id]
  # The example's VPC has no Lambda endpoint of its own: the readiness function reads the
  # failover function through one the module creates.
  vpc_endpoint_services = {
    sns                  = {}
    secretsmanager       = {}
    monitoring           = {}
    elasticloadbalancing = {}
    lambda               = {}
  }

  notification_subscriptions = {
    oncall = { protocol = "email", endpoint = var.notification_email }
  }
  alarm_ok_notifications = true

  lock_table_deletion_protection = var.deletion_protection

  dry_run = var.dry_run
}
