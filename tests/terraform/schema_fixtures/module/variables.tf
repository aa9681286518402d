variable "name" {
  description = "Name prefix."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the function."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags."
  type        = map(string)
  default     = {}
}
