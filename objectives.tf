################################################################################
# Recovery time objective: the worst case, from the Main AZ going dark to the Destination verified
# ACTIVE, that these settings allow. The same arithmetic as the engine's
# (lambda_src/qradar_failover/objectives.py; docs/engine.md explains each term); tests/terraform holds
# the constants and the results to Python's. The output refuses a plan that cannot meet
# rto_target_seconds.
################################################################################

locals {
  # Named as in Python: objectives.py (CloudWatch's part), failover.py and retry.py (the engine's budgets).
  rto_constants = {
    ALARM_PERIOD_SECONDS      = 60  # the health alarms' period (alarms.tf)
    CLOUDWATCH_DELAY_SECONDS  = 120 # ELB datapoints arrive about a minute late; alarms are evaluated once a minute
    DELIVERY_SECONDS          = 30  # alarm action -> SNS -> Lambda's asynchronous queue -> a running function
    RECHECK_WINDOW_SECONDS    = 120 # the confirm step looks again for at most this long
    ACTIVATION_MARGIN_SECONDS = 30  # the Destination's activation: DEPLOY_TIMEOUT_SECONDS plus this
    SAFETY_MARGIN_SECONDS     = 10  # a run's deadline: the function's timeout less this
    RETRY_DELAY_SECONDS       = 60  # Lambda retries an event this long x the attempt's number later
  }

  # The alarm: alarm_datapoints_to_alarm breaching periods, the period the AZ went dark in, CloudWatch's delay.
  rto_alarm_seconds = (var.alarm_datapoints_to_alarm + 1) * local.rto_constants.ALARM_PERIOD_SECONDS + local.rto_constants.CLOUDWATCH_DELAY_SECONDS
  # One attempt: confirm, activate and verify the Destination, within the run's deadline.
  rto_activation_seconds = var.deploy_timeout_seconds + local.rto_constants.ACTIVATION_MARGIN_SECONDS
  rto_attempt_seconds    = min(local.rto_constants.RECHECK_WINDOW_SECONDS + local.rto_activation_seconds + var.deploy_timeout_seconds, var.timeout - local.rto_constants.SAFETY_MARGIN_SECONDS)
  # When Lambda's first and second retries would start (maximum_retry_attempts is at most 2), counted
  # from the alarm's state change: one is made only while the event is younger than its maximum age.
  rto_retry_starts = [
    local.rto_constants.DELIVERY_SECONDS + local.rto_attempt_seconds + local.rto_constants.RETRY_DELAY_SECONDS,
    local.rto_constants.DELIVERY_SECONDS + 2 * local.rto_attempt_seconds + 3 * local.rto_constants.RETRY_DELAY_SECONDS,
  ]
  rto_retries              = length([for index, starts in local.rto_retry_starts : starts if index < var.maximum_retry_attempts && starts <= var.maximum_event_age_in_seconds])
  rto_retry_delays_seconds = local.rto_constants.RETRY_DELAY_SECONDS * local.rto_retries * (local.rto_retries + 1) / 2
  rto_seconds              = local.rto_alarm_seconds + local.rto_constants.DELIVERY_SECONDS + (1 + local.rto_retries) * local.rto_attempt_seconds + local.rto_retry_delays_seconds

  rto_arithmetic = "alarm ${local.rto_alarm_seconds} s ((alarm_datapoints_to_alarm ${var.alarm_datapoints_to_alarm} + 1) x ${local.rto_constants.ALARM_PERIOD_SECONDS} s + ${local.rto_constants.CLOUDWATCH_DELAY_SECONDS} s CloudWatch delay) + delivery ${local.rto_constants.DELIVERY_SECONDS} s + ${1 + local.rto_retries} attempt(s) x ${local.rto_attempt_seconds} s (min(${local.rto_constants.RECHECK_WINDOW_SECONDS} s confirm + deploy_timeout_seconds ${var.deploy_timeout_seconds} s + ${local.rto_constants.ACTIVATION_MARGIN_SECONDS} s + deploy_timeout_seconds ${var.deploy_timeout_seconds} s verification, timeout ${var.timeout} s - ${local.rto_constants.SAFETY_MARGIN_SECONDS} s)) + retry delays ${local.rto_retry_delays_seconds} s (${local.rto_retries} of maximum_retry_attempts ${var.maximum_retry_attempts} within maximum_event_age_in_seconds ${var.maximum_event_age_in_seconds})"
}
