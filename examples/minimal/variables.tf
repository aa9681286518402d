variable "region" {
  description = "AWS Region of the QRadar deployment."
  type        = string
}

variable "load_balancer_name" {
  description = "Name of the existing Network Load Balancer in front of the collectors."
  type        = string
}

variable "target_group_name" {
  description = "Name of the existing target group holding the collectors of both sites."
  type        = string
}

variable "main_site_address" {
  description = "Main Site console host name or IP address."
  type        = string
}

variable "destination_site_address" {
  description = "Destination Site console host name or IP address."
  type        = string
}

variable "main_site_token_secret_name" {
  description = "Name of the existing Secrets Manager secret holding the Main Site console's SEC token."
  type        = string
}

variable "destination_site_token_secret_name" {
  description = "Name of the existing Secrets Manager secret holding the Destination Site console's SEC token."
  type        = string
}

variable "main_site_availability_zones" {
  description = "Availability Zones of the Main Site."
  type        = list(string)
}

variable "destination_site_availability_zones" {
  description = "Availability Zones of the Destination Site."
  type        = list(string)
}

variable "subnet_ids" {
  description = "Private subnets for the function, in at least two AZs including a Destination-Site AZ."
  type        = list(string)
}

variable "console_cidr_blocks" {
  description = "CIDR blocks of the two consoles, for the function's HTTPS egress."
  type        = list(string)
}

variable "aws_api_egress_cidr_blocks" {
  description = "Where the function reaches AWS APIs over HTTPS: [\"0.0.0.0/0\"] behind a NAT gateway, or the VPC CIDR when the VPC already has interface endpoints (DynamoDB, through a gateway endpoint, is allowed by the module's prefix-list rule)."
  type        = list(string)
}
