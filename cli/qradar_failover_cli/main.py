"""``qradar-failover``: argument parsing and the exit-code contract. The work is in commands.py/drill.py."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from qradar_failover.observability import LOGGER_NAME, configure_logging

from .exit_codes import EXIT_CODES_HELP, CliError, ExitCode
from .settings import add_setting_flags

DESCRIPTION = """\
Operate the automated QRadar DataSync failover: see both consoles' DR state, fail over by hand
through the same engine the Lambda function runs, re-arm the automation after a failback, and
explain alarm events. `drill` runs a complete AZ failure locally (no AWS account needed).

Configuration is the function's own: the environment variables of its environment contract
(MAIN_SITE_ADDRESS, DEST_SITE_ADDRESS, *_TOKEN_SECRET_ARN, MAIN_SITE_AVAILABILITY_ZONES, NOTIFICATION_TOPIC_ARN,
LOCK_TABLE_NAME, QRADAR_CA_BUNDLE, ...), each of which a flag can set for one command. Tokens are read
from Secrets Manager with your AWS credentials (--profile/--region or the usual AWS variables)."""

EPILOG = (
    """examples:
  qradar-failover drill                      # the local drill (what `make demo` runs)
  qradar-failover status --profile prod      # consoles, lock, alarms and a one-line verdict
  qradar-failover failover --dry-run         # what a manual failover would do, writing nothing
  qradar-failover rearm                      # after failing back with the DataSync app
  qradar-failover decode event.json          # how the function would read this event

"""
    + EXIT_CODES_HELP
)

Command = Callable[[argparse.Namespace, Mapping[str, str], Any], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qradar-failover",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, summary: str, details: str, *, settings: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=summary,
            description=f"{summary}\n\n{details}",
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument("--json", action="store_true", help="print one JSON document on stdout (for scripts)")
        sub.add_argument("-v", "--verbose", action="store_true", help="also show the engine's JSON log lines")
        if settings:
            add_setting_flags(sub)
        return sub

    command(
        "status",
        "Show both consoles' DR state and deploy status, the lock record and the Main-AZ alarms.",
        "Ends with a one-line verdict, e.g. 'Main active, Destination standby, automation armed'.\n"
        "Exit 0 only in that normal armed state; 1 when it needs attention (failed over, disarmed,\n"
        "an alarm firing, an unexpected DR state); 3 when a console or AWS could not be read.",
    )
    failover = command(
        "failover",
        "Fail over to the Destination Site now, through the same engine as the function.",
        "Picks the Main-AZ health alarm from CloudWatch (or takes --alarm-file), shows both consoles,\n"
        "the lock and live target health, asks for confirmation, then runs the runbook with progress:\n"
        "claim the lock, activate and verify the Destination, demote the Main Site (bounded), record,\n"
        "notify. Your decision replaces the alarm's confirmation by live target health (which is still\n"
        "shown and reported); --require-confirmation makes it refuse like the function would. If the\n"
        "lock already records a failover, nothing is done until 'rearm'.",
    )
    failover.add_argument("--dry-run", action="store_true", help="read and plan only; write nothing (DRY_RUN)")
    failover.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    failover.add_argument("--alarm-file", metavar="FILE", help="use this alarm event instead of looking one up")
    failover.add_argument("--az", metavar="ZONE", help="which Main-Site AZ's alarm to use when there are several")
    failover.add_argument(
        "--require-confirmation", action="store_true", help="refuse unless live target health confirms the outage"
    )
    failover.add_argument(
        "--time-budget", type=float, default=300.0, metavar="SECONDS", help="overall time limit (default 300)"
    )
    rearm = command(
        "rearm",
        "Re-arm the automation after failing back with the DataSync app.",
        "Checks that the Main Site is PRIMARY/ACTIVE again, the Destination no longer is, every Main-AZ\n"
        "alarm is OK and no failover is running; then deletes the lock record so the next confirmed\n"
        "alarm fails over again. Refuses (exit 1, or 3 if the Main console cannot be reached) and says\n"
        "why otherwise; --force re-arms anyway.",
    )
    rearm.add_argument("--force", action="store_true", help="re-arm even if a check fails")
    decode = command(
        "decode",
        "Show how the function interprets an event file and what it would do with it.",
        "Reads SNS-wrapped CloudWatch alarms, EventBridge alarm state changes and plain alarm messages\n"
        "(console test events). Offline: no console or AWS call. Exit 0 when the function would act on\n"
        "it, 1 when it would ignore or reject it, 2 when the file cannot be read.",
    )
    decode.add_argument("file", metavar="FILE", help="the event, as JSON")
    drill = command(
        "drill",
        "Run a complete AZ failure locally: simulated consoles over HTTPS, AWS on moto (no account).",
        "Creates the architecture on moto in server mode (NLB, target group with collectors in two\n"
        "AZs, per-AZ alarms, trigger and notification topics, token secrets, lock table), takes the\n"
        "Main AZ's collectors down, delivers the alarm through the trigger topic to the real handler,\n"
        "and prints the timeline, both consoles' DR state before and after, and the notifications.\n"
        "Exit 0 when the scenario showed what it demonstrates (failed over; or refused / planned for\n"
        "--false-alarm / --dry-run), 1 otherwise. Needs the drill kit (make demo, or pip install ./dev '.[drill]').",
        settings=False,
    )
    drill.add_argument("--main-hung", action="store_true", help="the Main console accepts connections, never answers")
    drill.add_argument("--false-alarm", action="store_true", help="only 1 of 3 Main collectors flaps: refused")
    drill.add_argument("--duplicates", type=int, default=1, metavar="N", help="deliver the alarm N times at once")
    drill.add_argument("--dry-run", action="store_true", help="run the function with DRY_RUN=true")
    drill.add_argument(
        "--deploy-seconds", type=float, default=2.0, metavar="S", help="simulated deploy duration (default 2)"
    )
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    from .commands import Io

    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2)
        return int(exit_.code or 0)
    io = Io(out, err, stdin or sys.stdin, args.json)
    _configure_logging(args.verbose, err)
    try:
        if args.command == "drill":
            return _drill(args, io)
        return int(_COMMANDS()[args.command](args, environ if environ is not None else os.environ, io))
    except CliError as error:
        err.write(f"qradar-failover {args.command}: {error}\n")
        if args.json:
            from .render import emit_json

            emit_json({"error": str(error), "exit_code": int(error.code)}, out)
        return int(error.code)
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return int(ExitCode.FAILED)
    except Exception as error:
        code = _aws_error_exit_code(error)
        if code is None:
            raise
        err.write(f"qradar-failover {args.command}: AWS: {error}\n")
        return int(code)


def _COMMANDS() -> dict[str, Command]:  # noqa: N802 (a table, built on first use)
    from . import commands

    return {"status": commands.status, "failover": commands.failover, "rearm": commands.rearm,
            "decode": commands.decode}  # fmt: skip


def _drill(args: argparse.Namespace, io: Any) -> int:
    if args.duplicates < 1:
        raise CliError("--duplicates must be at least 1", ExitCode.USAGE)
    try:
        from .drill import DrillOptions, print_result, run_drill
    except ImportError as error:
        raise CliError(
            f"the drill needs the drill kit ({error.name} is missing): from a clone of the project run "
            "'make demo', or pip install ./dev '.[drill]'",
            ExitCode.USAGE,
        ) from None
    options = DrillOptions(
        main_hung=args.main_hung,
        false_alarm=args.false_alarm,
        duplicates=args.duplicates,
        dry_run=args.dry_run,
        deploy_seconds=args.deploy_seconds,
        verbose=args.verbose,
    )
    result = run_drill(options, io.say, log_stream=io.err if args.json else io.out)
    if args.json:
        from .render import emit_json

        emit_json(result.as_dict(), io.out)
    else:
        print_result(result, io.say)
    return int(ExitCode.OK if result.passed else ExitCode.FAILED)


def _configure_logging(verbose: bool, stream: TextIO) -> None:
    """The engine's JSON log lines go to stderr: all of them with --verbose, else warnings only."""
    logger = configure_logging("INFO", stream)
    for handler in logger.handlers:
        if getattr(handler, "_qradar_json", False):
            handler.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger(LOGGER_NAME).setLevel(logging.INFO)


def _aws_error_exit_code(error: Exception) -> ExitCode | None:
    from botocore import exceptions

    if isinstance(error, exceptions.NoCredentialsError | exceptions.NoRegionError | exceptions.ProfileNotFound):
        return ExitCode.USAGE
    if isinstance(error, exceptions.EndpointConnectionError | exceptions.ConnectTimeoutError):
        return ExitCode.UNREACHABLE
    if isinstance(error, exceptions.ClientError):
        return ExitCode.FAILED
    return None


if __name__ == "__main__":
    sys.exit(main())
