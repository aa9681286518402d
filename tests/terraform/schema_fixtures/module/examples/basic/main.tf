provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { Project = "fixture" }
  }
}

module "fn" {
  source = "../.."
  name   = "fixture"
}

output "function_arn" {
  description = "From the module."
  value       = module.fn.function_arn
}
