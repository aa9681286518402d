"""Exit codes shared by every command (also listed in ``--help`` and the README)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # done, or nothing needed doing
    FAILED = 1  # the operation failed, was refused, cancelled, or the system needs attention
    USAGE = 2  # bad flags, a missing or invalid setting, an unreadable file, no AWS credentials/region
    UNREACHABLE = 3  # a QRadar console or an AWS API could not be reached or read
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, the shells' convention)


EXIT_CODES_HELP = """exit codes:
  0  done (or nothing needed doing)
  1  failed or refused, you answered "no", or status needs attention
  2  usage or configuration: a missing/invalid setting (named), a bad flag,
     an unreadable file, no AWS credentials/region, an untrusted certificate
  3  a QRadar console or an AWS API could not be reached or read
  130  interrupted (Ctrl-C)"""


class CliError(Exception):
    """Ends a command with a message for the operator and an exit code."""

    def __init__(self, message: str, code: ExitCode = ExitCode.FAILED) -> None:
        super().__init__(message)
        self.code = code
