"""``qradar-failover drill --outage NAME``: one named outage, minute by minute, on simulated time.

The outage model (:mod:`qradar_devkit.outage`) plays the catalogue's entry against moto in server mode,
the two simulated consoles over HTTPS and the real handler; the drill shows what each source said at
each minute (the Main AZ's node, its newest CloudWatch datapoint, its targets in DescribeTargetHealth,
the alarms), what the function decided on each run, the notices, and the measured times. Exit 0 when
the decision is the one the catalogue expects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qradar_devkit.outage import OutageResult, play
from qradar_devkit.outages import OUTAGES
from qradar_devkit.workdir import drill_place
from qradar_failover.observability import utc_clock
from qradar_failover_cli.exit_codes import CliError, ExitCode
from qradar_failover_cli.render import emit_json, table

Say = Callable[[str], None]


def drill_outage(name: str, io: Any) -> int:
    if name not in OUTAGES:
        raise CliError(f"--outage must be one of: {', '.join(OUTAGES)}; got {name!r}", ExitCode.USAGE)
    result, workdir_note = run_outage_drill(name, io.say)
    if io.json:
        emit_json(as_dict(result), io.out)
    else:
        print_outage(result, io.say, io.width)
    io.say(workdir_note)
    return int(ExitCode.OK if result.failed_over == result.outage.fails_over else ExitCode.FAILED)


def run_outage_drill(name: str, say: Say) -> tuple[OutageResult, str]:
    """Play the outage on a fresh world; returns what happened and what became of the drill's directory
    (it holds the drill CA's keys: removed, but for a failed drill's handler log)."""
    outage = OUTAGES[name]
    with drill_place(say) as place, (place.workdir / "handler.log").open("w", encoding="utf-8") as log:
        say("Time: simulated (no waiting): the engine's sleeps, the consoles' deploys and the minutes below")
        say("")
        result = play(outage, place.workdir, endpoint_url=place.endpoint_url, log=log)
        place.passed = result.failed_over == outage.fails_over
    return result, place.note


def print_outage(result: OutageResult, say: Say, width: int) -> None:
    """What happened, for a reader; ``say`` fits each line to the terminal."""
    outage = result.outage
    say(f"Outage: {outage.name}: {outage.summary}")
    say(f"Expected: {'fail over' if outage.fails_over else 'no failover'}: {outage.why}")
    say(f"Fault at {utc_clock(result.fault_at, seconds=True)} UTC (minute 0).")
    say("")
    say("Minute by minute (the Main AZ, first target group):")
    rows: list[tuple[str, ...]] = []
    for minute in result.minutes:
        said = ("up" if minute.main_node_up else "GONE", minute.cloudwatch, minute.elb, _alarms(minute.alarms))
        if rows and not minute.events and rows[-1][1:5] == said and not rows[-1][5]:
            rows[-1] = (rows[-1][0].split("..")[0] + f"..{minute.offset:+d}", *rows[-1][1:])  # the same again
            continue
        rows.append((f"{minute.offset:+d}", *said, "; ".join(minute.events)))
    for line in table(("min", "node", "CloudWatch newest", "ELB targets", "alarms", "what happened"), rows,
                      width=width, wrap_last=True):  # fmt: skip
        say(line)
    say("")
    say("Function runs:")
    for run in result.invocations:
        say(f"  {utc_clock(run.started_at, seconds=True)} attempt {run.attempt}: {run.outcome}: {run.reason}")
    if not result.invocations:
        say("  none: no alarm changed state with an action")
    say("")
    say("Notices:")
    for notice in result.notifications:
        say(f"  {notice.get('Subject', '')}")
    if not result.notifications:
        say("  none")
    say("")
    say(f"Measured: {measured(result)}")
    passed = result.failed_over == outage.fails_over
    say(f"Verdict: {'PASSED' if passed else 'FAILED'} ({result.decision}; expected "
        f"{'a failover' if outage.fails_over else 'none'})")  # fmt: skip


def measured(result: OutageResult) -> str:
    def seconds(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f} s"

    floor = (
        result.detected_after + result.outage.setup.deploy_seconds
        if result.detected_after is not None and result.outage.fails_over
        else None
    )
    return (
        f"detected after {seconds(result.detected_after)} (the first alarm's state change); Destination verified "
        f"ACTIVE after {seconds(result.active_after)} ({seconds(result.active_after_alarm)} after the alarm; floor "
        f"{seconds(floor)}: alarm window plus a {result.outage.setup.deploy_seconds:g} s deploy); "
        f"{len(result.invocations)} function run(s)"
    )


def as_dict(result: OutageResult) -> dict[str, Any]:
    return {
        "outage": result.outage.name,
        "expected_failover": result.outage.fails_over,
        "decision": result.decision,
        "passed": result.failed_over == result.outage.fails_over,
        "fault_at": utc_clock(result.fault_at, seconds=True),
        "detected_after_seconds": result.detected_after,
        "destination_active_after_seconds": result.active_after,
        "alarm_to_active_seconds": result.active_after_alarm,
        "minutes": [m.__dict__ for m in result.minutes],
        "runs": [
            {
                "at": utc_clock(run.started_at, seconds=True),
                "attempt": run.attempt,
                "outcome": run.outcome,
                "reason": run.reason,
            }
            for run in result.invocations
        ],
        "notices": [notice.get("Subject") for notice in result.notifications],
    }


def _alarms(alarms: str) -> str:
    """``qradar-dlc unhealthy-collectors OK, qradar-dlc healthy-collectors-below-1 ALARM`` ->
    ``unhealthy OK, healthy ALARM``."""
    shortened = []
    for part in filter(None, alarms.split(", ")):
        name, state = part.rsplit(" ", 1)
        shortened.append(f"{name.split(' ', 1)[-1].split('-collectors')[0]} {state}")
    return ", ".join(shortened)
