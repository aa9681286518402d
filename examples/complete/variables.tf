variable "region" {
  description = "AWS Region of the QRadar deployment."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of the deployment (the function's name; every other resource's name starts with it)."
  type        = string
  default     = "qradar-failover"
}

variable "deletion_protection" {
  description = "Whether the load balancer and the lock table refuse deletion. false here so that `terraform destroy` removes the example; in production keep the module's default (true) for the lock table."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource (through the provider's default_tags and the module's tags)."
  type        = map(string)
  default = {
    Project = "qradar-datasync-failover"
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the example VPC; each site gets a /24 of it."
  type        = string
  default     = "10.40.0.0/16"
}

variable "main_site_availability_zone" {
  description = "Availability Zone of the QRadar Main Site."
  type        = string
  default     = "us-east-1a"
}

variable "destination_site_availability_zone" {
  description = "Availability Zone of the QRadar Destination Site."
  type        = string
  default     = "us-east-1b"
}

variable "main_site_console_ip" {
  description = "Private IP address of the Main Site console (inside the Main Site subnet, 10.40.1.0/24 by default)."
  type        = string
  default     = "10.40.1.10"
}

variable "destination_site_console_ip" {
  description = "Private IP address of the Destination Site console (inside the Destination subnet, 10.40.2.0/24 by default)."
  type        = string
  default     = "10.40.2.10"
}

variable "main_site_collector_ips" {
  description = "Private IP addresses of the Main Site's event collectors, registered in the target group."
  type        = list(string)
  default     = ["10.40.1.21", "10.40.1.22"]
}

variable "destination_site_collector_ips" {
  description = "Private IP addresses of the Destination Site's event collectors, registered in the target group."
  type        = list(string)
  default     = ["10.40.2.21", "10.40.2.22"]
}

variable "notification_email" {
  description = "Email address that receives the failover notifications (confirm the subscription email AWS sends)."
  type        = string
  default     = "qradar-oncall@example.com"
}

variable "dry_run" {
  description = "Whether the function only decides and notifies (a safe first deployment); set false to arm it."
  type        = bool
  default     = true
}
