################################################################################
# Lock table: makes the failover exactly-once across retries and duplicate alarms
################################################################################

resource "aws_dynamodb_table" "lock" {
  count = var.create && var.create_lock_table ? 1 : 0

  name                        = local.lock_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "lock_id"
  deletion_protection_enabled = var.lock_table_deletion_protection

  attribute {
    name = "lock_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  # The counters of attempts at an alarm that could not conclude expire by themselves (the lock
  # item itself never carries purge_at).
  ttl {
    attribute_name = "purge_at"
    enabled        = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = local.kms_key_arn
  }

  tags = local.tags
}
