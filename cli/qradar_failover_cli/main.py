"""``qradar-failover``: argument parsing and the exit-code contract. The work is in one module per command.

A command is one :func:`register` call in :func:`build_parser`: its name, help, arguments and the
function that runs it (``module:function``, imported when the command runs so ``--help`` stays fast;
the drill's module is in the development kit, which is not shipped).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import math
import os
import re
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any, NoReturn, TextIO, cast

from botocore.exceptions import BotoCoreError, ClientError

from qradar_failover.observability import LOGGER_NAME, configure_logging

from .exit_codes import EXIT_CODES_HELP, CliError, ExitCode
from .problems import aws_advice, aws_class_of, aws_code_of
from .render import fit, terminal_width
from .settings import FAILOVER_FUNCTION, READINESS_FUNCTION, READINESS_SETTINGS, SETTINGS, add_setting_flags

DESCRIPTION = """\
Operate the automated QRadar DataSync failover: see both consoles' DR state, fail over by hand \
through the same engine the Lambda function runs, fail back to the Main Site as a checked, \
resumable procedure that re-arms the automation, and explain alarm events. `drill` runs a \
complete AZ failure locally (no AWS account needed).

Configuration is the function's own: --function NAME reads it (and the CA bundle) from the \
deployed function; otherwise the environment variables of its environment contract \
(MAIN_SITE_ADDRESS, NOTIFICATION_TOPIC_ARN, LOCK_TABLE_NAME, ...), each of which a flag of the \
same name sets for one command. Tokens are read from Secrets Manager with your AWS credentials \
(--profile/--region or the usual AWS variables)."""

EPILOG = (
    """examples:
  qradar-failover status --function NAME       # the verdict; exit 0 when armed
  qradar-failover readiness --function NAME-readiness  # would failover work?
  qradar-failover failover --dry-run --function NAME  # what failover would do
  qradar-failover failback --function NAME     # once the Main AZ is healthy
  qradar-failover rearm --function NAME        # after failing back
  qradar-failover decode event.json --offline  # how the function reads it
  qradar-failover drill                        # the local drill (make demo)

"""
    + EXIT_CODES_HELP
)

Command = Callable[[argparse.Namespace, Mapping[str, str], Any], int]
# The development kit (dev/): the drill lives there, and is imported only when `drill` runs.
DEV_KIT = "qradar_devkit"


class _Parser(argparse.ArgumentParser):
    """Usage errors end the command like every other bad input: one line, exit 2 (and JSON with --json)."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see '{self.prog} --help')", ExitCode.USAGE)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Prose paragraphs fill the terminal's width (80 columns when it cannot be told); indented
    blocks (examples, the exit-code table) keep their lines."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            if paragraph.startswith(" ") or ":\n " in paragraph:
                paragraphs.append("\n".join(indent + line for line in paragraph.splitlines()))
            else:
                paragraphs.append(
                    textwrap.fill(" ".join(paragraph.split()), width, initial_indent=indent, subsequent_indent=indent)
                )
        return "\n\n".join(paragraphs)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="qradar-failover",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def register(
        name: str,
        summary: str,
        details: str,
        run: str,
        *,
        settings: Sequence[str] | None = None,
        function: str = FAILOVER_FUNCTION,
    ) -> argparse.ArgumentParser:
        """One command. ``settings``: the environment settings it takes as flags (None: all); ``function``:
        the deployed function --function reads them from."""
        sub = commands.add_parser(
            name,
            help=summary,
            description=f"{summary}\n\n{details}",
            epilog=EXIT_CODES_HELP,
            formatter_class=_HelpFormatter,
        )
        sub.set_defaults(run=run)
        sub.add_argument("--json", action="store_true", help="print one JSON document on stdout (for scripts)")
        sub.add_argument("-v", "--verbose", action="store_true", help="also show the engine's JSON log lines")
        if settings is None or settings:
            add_setting_flags(sub, settings, function=function)
        return sub

    register(
        "status",
        "Show both consoles' DR state and deploy status, the lock record and the Main-AZ alarms.",
        "Ends with a one-line verdict, e.g. 'Main active, Destination standby, automation armed'. "
        "What cannot be read is marked and named; the rest is still shown. Exit 0 only in that "
        "normal armed state; 1 when it needs attention (failed over, disarmed, an alarm firing, an "
        "unexpected DR state, a token refused); 3 when a console or AWS could not be reached.",
        "status:run",
    )
    register(
        "readiness",
        "Check whether a failover would work now: the readiness function's checks.",
        "Runs the checks the scheduled readiness function runs, read-only (GETs to the consoles, a "
        "read of the lock, AWS describe and list calls): configuration, token secrets, both consoles "
        "over verified TLS, DR state, ariel copy profiles, lock armed, health alarms, failover "
        "function, notification subscribers, Destination collectors. Each failing check says what "
        "to fix. --function takes every setting from the readiness function (the module's "
        "readiness_function_name output). Exit 0 ready, 1 not ready, 2 usage or configuration.",
        "readiness:run",
        settings=(*SETTINGS, *READINESS_SETTINGS),
        function=READINESS_FUNCTION,
    )
    failover = register(
        "failover",
        "Fail over to the Destination Site now, through the same engine as the function.",
        "Picks the Main-AZ health alarm from CloudWatch (or takes --alarm-file), shows live target "
        "health, both consoles and the lock, asks for confirmation, then runs the runbook with "
        "progress: claim the lock, activate and verify the Destination, demote the Main Site "
        "(bounded), record, notify. Your decision replaces the alarm's confirmation by live target "
        "health (which is still shown and reported); --require-confirmation makes it refuse like "
        "the function would. If the lock already records a failover, it says so before asking, and what "
        "the sites need, and does nothing until 'rearm'. If the lock table cannot be used, a failover needs "
        "--without-lock (or your typed "
        "confirmation): it then has no exactly-once guarantee.",
        "failover:run",
    )
    failover.add_argument(
        "--dry-run", action="store_true", help="read and plan only; write nothing, notify nobody (unless --notify)"
    )
    failover.add_argument("--notify", action="store_true", help="with --dry-run: publish the plan to the topic")
    failover.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    failover.add_argument("--alarm-file", metavar="FILE", help="use this alarm event instead of looking one up")
    failover.add_argument("--az", metavar="ZONE", help="which Main-Site AZ's alarm to use when there are several")
    failover.add_argument(
        "--require-confirmation", action="store_true", help="refuse unless live target health confirms the outage"
    )
    failover.add_argument(
        "--without-lock",
        action="store_true",
        help="fail over even if the lock table cannot be used (no exactly-once guarantee)",
    )
    failover.add_argument(
        "--time-budget",
        type=seconds(minimum=MIN_TIME_BUDGET_SECONDS),
        default=300.0,
        metavar="SECONDS",
        help=f"overall time limit (default 300, at least {MIN_TIME_BUDGET_SECONDS:g})",
    )
    failback = register(
        "failback",
        "Fail back to the Main Site once its AZ is healthy again: a guided, checked, resumable procedure.",
        "Checks first, read-only (the lock records a completed failover; the Destination is active; the Main "
        "console answers and is STANDBY; its AZ's collectors are healthy, and have been for --healthy-for "
        "minutes; no deploy running; the Main-AZ alarms OK), then prints every step: which this command does "
        "through the QRadar API, which a person does in the DataSync app or on the hosts, and what verifies "
        "each. Then step by step, each asked for: Main activated, the Destination demoted, Main's copy "
        "profiles enabled again, the automation re-armed, people notified. Progress is kept in the lock "
        "record: run it again after a stop and it resumes at the step it stopped at. A split (both sites "
        "ACTIVE), a failover in progress or an unhealthy Main AZ are refused with the reason and the way out.",
        "failback:run",
    )
    failback.add_argument(
        "--dry-run", action="store_true", help="check and print the plan only; change nothing, notify nobody"
    )
    failback.add_argument(
        "-y",
        "--yes",
        action="store_true",
        help="for automation: run the API steps without asking and take the manual steps as done (each is still "
        "verified where the API can see it)",
    )
    failback.add_argument(
        "--force",
        action="store_true",
        help="fail back although the Main AZ has been healthy for less than --healthy-for (the risk is printed); "
        "nothing else can be forced",
    )
    failback.add_argument(
        "--healthy-for",
        type=count(minimum=1, maximum=360),
        default=15,
        metavar="MINUTES",
        help="how long the Main AZ's collectors must have been healthy, per its per-AZ metrics (default 15)",
    )
    rearm = register(
        "rearm",
        "Re-arm the automation after a failback done by hand ('failback' re-arms by itself).",
        "Requires the Main Site PRIMARY/ACTIVE again and copying to the Destination (ariel copy on, a copy "
        "profile enabled), the Destination no longer PRIMARY/ACTIVE, every Main-AZ alarm OK, no failover "
        "and no other failback running; then deletes the lock record so the next "
        "confirmed alarm fails over again. Otherwise it refuses, saying what is required and what "
        "it found (exit 1, or 3 if the Main console cannot be reached); --force re-arms anyway.",
        "rearm:run",
    )
    rearm.add_argument("--force", action="store_true", help="re-arm even if a check fails")
    decode = register(
        "decode",
        "Show how the function interprets an event file and what it would do with it.",
        "Reads SNS-wrapped CloudWatch alarms, EventBridge alarm state changes and plain alarm "
        "messages (console test events). Like the function, it asks CloudWatch whether the alarm's "
        "target group exists here (cloudwatch:ListMetrics); --offline skips that and calls nothing. "
        "Exit 0 when the function would act on it, 1 when it would ignore or refuse it, 2 when the "
        "file cannot be read or the Main-Site AZs are not known, 3 when AWS cannot be asked.",
        "decode:run",
        settings=("MAIN_SITE_AVAILABILITY_ZONES",),
    )
    decode.add_argument("file", metavar="FILE", help="the event, as JSON")
    decode.add_argument("--offline", action="store_true", help="do not check the target group with CloudWatch")
    drill = register(
        "drill",
        "Run a complete AZ failure locally: simulated consoles over HTTPS, AWS on moto (no account).",
        "Creates the architecture on moto in server mode (NLB, target group with collectors in two "
        "AZs, per-AZ alarms, trigger and notification topics, token secrets, lock table), takes the "
        "Main AZ's collectors down, delivers the alarm through the trigger topic to the real "
        "handler, and prints the timeline, both consoles' DR state before and after, and the "
        "notifications. Exit 0 when the scenario showed what it demonstrates (failed over; or "
        "refused / planned for --false-alarm / --dry-run), 1 otherwise. Needs the drill kit (make "
        "demo, or pip install ./dev '.[drill]').",
        f"{DEV_KIT}.drill:command",
        settings=(),
    )
    drill.add_argument("--main-hung", action="store_true", help="the Main console accepts connections, never answers")
    drill.add_argument("--false-alarm", action="store_true", help="only 1 of 3 Main collectors flaps: refused")
    drill.add_argument(
        "--duplicates", type=count(minimum=1, maximum=50), default=1, metavar="N", help="deliver the alarm N times"
    )
    drill.add_argument("--dry-run", action="store_true", help="run the function with DRY_RUN=true")
    drill.add_argument(
        "--deploy-seconds",
        type=seconds(minimum=0, maximum=600),
        default=DRILL_DEPLOY_SECONDS,
        metavar="S",
        help="simulated deploy duration (default 2, 0 to 600)",
    )
    drill.add_argument(
        "--outage",
        metavar="NAME",
        help="play a named outage minute by minute on simulated time and show what each source said and what "
        "the function decided: az-power-loss, cloudwatch-delay, one-collector-of-two, destination-slow, ... "
        "(an unknown name lists them all)",
    )
    drill.add_argument(
        "--failback",
        action="store_true",
        help="there and back: fail over, let the Main AZ recover, fail back step by step, then check readiness",
    )
    drill.add_argument(
        "--readiness",
        metavar="SCENARIO",
        help="run the readiness function instead, on a deployment that is ready or broken: ready, "
        "token-refused, destination-active, no-subscribers, token-expiring, replication-lagging, alarm-not-acting",
    )
    return parser


# A manual failover must leave the Destination room for one deploy; less is refused before anything is claimed.
MIN_TIME_BUDGET_SECONDS = 30.0
DRILL_DEPLOY_SECONDS = 2.0  # a simulated deploy, unless --deploy-seconds says otherwise


def seconds(*, minimum: float, maximum: float | None = None) -> Callable[[str], float]:
    """An argparse type: a number of seconds within bounds."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
        if math.isinf(value):
            raise argparse.ArgumentTypeError(f"must be a finite number of seconds, got {text}")
        if not value >= minimum or (maximum is not None and value > maximum) or value != value:  # noqa: PLR0124 (NaN)
            bounds = f"between {minimum:g} and {maximum:g}" if maximum is not None else f"at least {minimum:g}"
            raise argparse.ArgumentTypeError(f"must be {bounds} seconds, got {text}")
        return value

    return parse


def count(*, minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse type: a whole number within bounds."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be between {minimum} and {maximum}, got {text}")
        return value

    return parse


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    from .streams import Output

    argv = list(sys.argv[1:] if argv is None else argv)
    # Whoever reads the output may stop reading (| head, a pager): that never changes what happens.
    # (--help and --version write to sys.stdout, which `out` wraps too when it is the process's.)
    out, err = cast(TextIO, Output(stdout or sys.stdout)), cast(TextIO, Output(stderr or sys.stderr))
    try:
        return _run(argv, environ, stdin, out, err)
    finally:
        out.flush()
        err.flush()


def _run(argv: list[str], environ: Mapping[str, str] | None, stdin: TextIO | None, out: TextIO, err: TextIO) -> int:
    from .streams import Io

    environ = environ if environ is not None else os.environ
    width = terminal_width(environ)
    try:
        args = build_parser().parse_args(argv)
        if args.command == "drill":
            _refuse_drill_flags_that_do_not_combine(args)
    except SystemExit as exit_:  # --help or --version
        return int(exit_.code or 0)
    except CliError as error:  # a usage error, before any command ran
        return _fail(error, _command_named_in(argv), out, err, as_json="--json" in argv, width=width)
    io = Io(out, err, stdin or sys.stdin, args.json, width=width)
    _configure_logging(args.verbose, err)
    try:
        return int(_resolve(args.run)(args, environ, io))
    except CliError as error:
        return _fail(error, args.command, out, err, as_json=args.json, width=width)
    except (BotoCoreError, ClientError) as error:  # an AWS error no command turned into its own message
        advice, code = aws_advice(aws_code_of(error), None, aws_class_of(error))
        return _fail(CliError(f"AWS: {advice}", code), args.command, out, err, as_json=args.json, width=width)
    except KeyboardInterrupt:
        err.write("\n")  # after the ^C the terminal shows
        interrupted = CliError("interrupted", ExitCode.INTERRUPTED)
        return _fail(interrupted, args.command, out, err, as_json=args.json, width=width)


def _fail(error: CliError, command: str | None, out: TextIO, err: TextIO, *, as_json: bool, width: int) -> int:
    """One message on stderr, fitted to the terminal (its lines after the first indented), and with --json
    the same as the one JSON document on stdout."""
    prefix = f"qradar-failover {command}" if command else "qradar-failover"
    message = " ".join(str(error).split())  # one message, whatever line breaks it held
    for line in fit(f"{prefix}: {message}", width):
        err.write(line + "\n")
    if as_json:
        from .render import emit_json

        emit_json({"error": message, "exit_code": int(error.code)}, out)
    return int(error.code)


def _refuse_drill_flags_that_do_not_combine(args: argparse.Namespace) -> None:
    """A drill flag that another makes meaningless would be ignored without a word: refused instead."""
    deploy_seconds = args.deploy_seconds != DRILL_DEPLOY_SECONDS
    failover_flags = {
        "--main-hung": args.main_hung,
        "--false-alarm": args.false_alarm,
        "--duplicates": args.duplicates != 1,
        "--dry-run": args.dry_run,
        "--deploy-seconds": deploy_seconds,
    }
    given = [flag for flag, on in failover_flags.items() if on]
    selected = {
        "--readiness": args.readiness is not None,
        "--outage": args.outage is not None,
        "--failback": args.failback,
    }
    scenarios = [flag for flag, on in selected.items() if on]
    why = ""
    if len(scenarios) > 1:
        why = f"{' and '.join(scenarios)} are separate drills: run one at a time"
    elif args.readiness is not None and given:
        why = f"--readiness runs the readiness function, not a failover: {', '.join(given)} would change nothing"
    elif args.outage is not None and given:
        why = f"--outage plays the outage's own setup: {', '.join(given)} would change nothing"
    elif args.failback and [flag for flag in given if flag != "--deploy-seconds"]:
        unused = ", ".join(flag for flag in given if flag != "--deploy-seconds")
        why = f"--failback runs its own failover first: {unused} would change nothing"
    elif args.false_alarm and (args.main_hung or deploy_seconds):
        ignored = "--main-hung" if args.main_hung else "--deploy-seconds"
        why = f"--false-alarm is refused before any console is called: {ignored} would change nothing"
    elif args.dry_run and deploy_seconds:
        why = "a dry run deploys nothing: --deploy-seconds would change nothing with --dry-run"
    if why:
        raise CliError(f"{why} (see 'qradar-failover drill --help')", ExitCode.USAGE)


def _command_named_in(argv: Sequence[str]) -> str | None:
    names = re.compile(r"^[a-z]+$")
    return next((arg for arg in argv if names.match(arg)), None)


def _resolve(run: str) -> Command:
    """``module:function`` of this package, or of the development kit (``qradar_devkit.<module>``), which is
    not shipped: the drill is loaded only when it runs, and its absence is one line saying how to install it."""
    module, function = run.split(":")
    in_dev_kit = module.startswith(f"{DEV_KIT}.")
    try:
        target = importlib.import_module(module if in_dev_kit else f"{__package__}.{module}")
    except ImportError as error:
        if not in_dev_kit:
            raise
        missing = (error.name or DEV_KIT).split(".")[0]  # the package: qradar_devkit, or one the kit needs
        raise CliError(
            f"the drill needs the drill kit ({missing} is missing): from a clone of the project run "
            "'make demo', or pip install ./dev '.[drill]'",
            ExitCode.USAGE,
        ) from None
    command: Command = getattr(target, function)
    return command


def _version() -> str:
    try:
        return version("qradar-failover")
    except PackageNotFoundError:  # running from a source tree without an install
        return "unknown (not installed)"


def _configure_logging(verbose: bool, stream: TextIO) -> None:
    """The engine's JSON log lines go to stderr: all of them with --verbose, else warnings only."""
    logger = configure_logging("INFO", stream)
    for handler in logger.handlers:
        if getattr(handler, "_qradar_json", False):
            handler.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger(LOGGER_NAME).setLevel(logging.INFO)


if __name__ == "__main__":
    sys.exit(main())
