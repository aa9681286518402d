################################################################################
# The smallest deployment: an existing load balancer, target group and token secrets.
################################################################################

data "aws_lb" "collectors" {
  name = var.load_balancer_name
}

data "aws_lb_target_group" "collectors" {
  name = var.target_group_name
}

data "aws_secretsmanager_secret" "main_token" {
  name = var.main_site_token_secret_name
}

data "aws_secretsmanager_secret" "destination_token" {
  name = var.destination_site_token_secret_name
}

module "qradar_failover" {
  source = "../.."

  main_site = {
    address            = var.main_site_address
    token_secret_arn   = data.aws_secretsmanager_secret.main_token.arn
    availability_zones = var.main_site_availability_zones
  }
  destination_site = {
    address            = var.destination_site_address
    token_secret_arn   = data.aws_secretsmanager_secret.destination_token.arn
    availability_zones = var.destination_site_availability_zones
  }

  load_balancer_arn_suffix = data.aws_lb.collectors.arn_suffix
  target_groups = {
    (var.target_group_name) = { arn_suffix = data.aws_lb_target_group.collectors.arn_suffix }
  }

  subnet_ids                 = var.subnet_ids
  console_cidr_blocks        = var.console_cidr_blocks
  aws_api_egress_cidr_blocks = var.aws_api_egress_cidr_blocks
}
