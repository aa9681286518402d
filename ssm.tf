################################################################################
# Host agent distribution (off by default): SSM Run Command installs
# host_agent/qradar-dr-agent on the QRadar hosts, which restarts ecs-ec-ingress on the DR
# state changes the QRadar API cannot trigger.
################################################################################

locals {
  create_host_agent_distribution = var.create && var.host_agent_distribution.enabled
  host_agent_source              = "${path.module}/host_agent/qradar-dr-agent"
  host_agent_install_path        = "/opt/qradar-dr-agent/qradar-dr-agent"
}

resource "aws_ssm_document" "host_agent" {
  count = local.create_host_agent_distribution ? 1 : 0

  name            = "${var.name}-install-host-agent"
  document_type   = "Command"
  document_format = "JSON"

  # The script travels base64-encoded (no quoting or {{ }} parameter clashes) and is checked
  # against its SHA-256 before it replaces the installed copy.
  content = jsonencode({
    schemaVersion = "2.2"
    description   = "Install or update the QRadar DR host agent (${local.host_agent_install_path}) and its cron entry."
    mainSteps = [{
      action = "aws:runShellScript"
      name   = "installQradarDrAgent"
      inputs = {
        timeoutSeconds = "300"
        runCommand = [
          "set -eu",
          "install -d -m 0755 /opt/qradar-dr-agent",
          "tmp=$(mktemp /opt/qradar-dr-agent/.qradar-dr-agent.XXXXXX)",
          "trap 'rm -f \"$tmp\"' EXIT",
          "echo '${filebase64(local.host_agent_source)}' | base64 -d > \"$tmp\"",
          "echo \"${filesha256(local.host_agent_source)}  $tmp\" | sha256sum -c --quiet -",
          "chmod 0755 \"$tmp\"",
          "mv -f \"$tmp\" ${local.host_agent_install_path}",
          "${local.host_agent_install_path} install",
        ]
      }
    }]
  })

  tags = local.tags
}

resource "aws_ssm_association" "host_agent" {
  count = local.create_host_agent_distribution ? 1 : 0

  # document_version: the document's latest version, not its default one (the first, unless
  # someone promotes another), so an updated agent reaches the hosts already associated.
  name                = aws_ssm_document.host_agent[0].name
  association_name    = "${var.name}-host-agent"
  document_version    = "$LATEST"
  schedule_expression = var.host_agent_distribution.schedule_expression
  compliance_severity = "HIGH"
  max_concurrency     = "50%"
  max_errors          = "25%"

  targets {
    key    = "tag:${var.host_agent_distribution.target_tag_key}"
    values = var.host_agent_distribution.target_tag_values
  }

  tags = local.tags
}
