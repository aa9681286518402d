"""Outage timelines: what AWS produces, minute by minute, when something fails, and what the function does.

One model for the tests, ``make bench`` and ``qradar-failover drill --outage``. On a simulated clock
(:class:`~qradar_devkit.sim_time.SimulatedTime`: no sleeping) it plays what AWS does around the real
handler, moto and the two simulated consoles:

* **Health checks.** Every ``interval`` seconds the load balancer checks each target; a target that
  stops answering turns ``unhealthy`` after ``UnhealthyThresholdCount`` failures (reason
  ``Target.FailedHealthChecks`` on an NLB), healthy again after as many successes.
  ``DescribeTargetHealth`` answers from these states, with the AZ for IP targets only (instance
  targets' AZ is their EC2 placement).
* **Per-AZ datapoints.** At the end of every minute each AZ's load balancer node publishes
  ``HealthyHostCount``/``UnHealthyHostCount`` of each target group for its own AZ; they become
  visible in CloudWatch :data:`VISIBLE_AFTER_SECONDS` later (or later still during a regional
  CloudWatch delay). A lost AZ's node publishes nothing: its datapoints stop, the old ones stay.
* **The module's alarms**, read from CloudWatch as the world created them (held to ``alarms.tf`` by a
  Terraform test): every minute each alarm evaluates its last ``EvaluationPeriods`` periods that
  should have data by then, M of N breaching, missing data as ``TreatMissingData`` says; its actions
  run only on a state change.
* **SNS -> Lambda, asynchronously.** An ALARM transition publishes the alarm message to the trigger
  topic; the function runs on the event SNS builds. If it raises, Lambda runs the same event again
  about 1, then 2 minutes after the attempt ended, up to ``maximum_retry_attempts``, while the event is
  younger than ``maximum_event_age_in_seconds``; then it goes to the on-failure destination (an SQS
  queue). Runs are sequential: an alarm that changes state during a run is delivered after it.

Simplifications, each stated: a lost console refuses connections at once (a console that hangs is
tests/reliability's subject, in real time); a datapoint's value is the state at the end of its minute.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import io
import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

from qradar_devkit import target_health
from qradar_devkit import world as w
from qradar_devkit.lambda_context import LAMBDA_TIMEOUT_SECONDS, FakeLambdaContext
from qradar_devkit.sim_time import SimulatedTime
from qradar_failover.config import load_config
from qradar_failover.handler import handle
from qradar_failover.observability import configure_logging, utc_clock
from qradar_failover.runtime import Runtime, build_runtime
from qradar_simulator import Fault

VISIBLE_AFTER_SECONDS = 60  # a minute's datapoint appears in CloudWatch this long after the minute ends
EVALUATION_OFFSET_SECONDS = 10  # alarms are evaluated this long after each minute starts
SNS_DELIVERY_SECONDS = 1.0
HISTORY_MINUTES = 30  # healthy minutes before the fault
FAILURE_QUEUE = f"{w.NAME_PREFIX}-failed-invocations"


# --- what can happen --------------------------------------------------------------------------------
class Happening(Protocol):
    def describe(self) -> str: ...
    def apply(self, model: OutageModel) -> None: ...


@dataclass(frozen=True)
class AzPowerLoss:
    """The AZ loses power or network: its load balancer node, its collectors and (Main AZ) the Main
    console are gone."""

    zone: str = w.MAIN_AZ

    def describe(self) -> str:
        return f"{self.zone} lost: its load balancer node, collectors and consoles stop"

    def apply(self, model: OutageModel) -> None:
        model.nodes_up[self.zone] = False
        model.set_answering(self.zone, None, answering=False)
        if self.zone == w.MAIN_AZ:
            model.world.main.go_down()


@dataclass(frozen=True)
class AzRecovers:
    zone: str = w.MAIN_AZ

    def describe(self) -> str:
        return f"{self.zone} is back: node, collectors and consoles answer again"

    def apply(self, model: OutageModel) -> None:
        model.nodes_up[self.zone] = True
        model.set_answering(self.zone, None, answering=True)
        if self.zone == w.MAIN_AZ:
            model.world.main.come_back()


@dataclass(frozen=True)
class CollectorsStop:
    """Collectors stop answering health checks while the AZ (and its load balancer node) stays up."""

    zone: str = w.MAIN_AZ
    count: int | None = None  # None: every collector in the AZ

    def describe(self) -> str:
        which = "every collector" if self.count is None else f"{self.count} collector(s)"
        return f"{which} in {self.zone} stop(s) answering; the AZ stays up"

    def apply(self, model: OutageModel) -> None:
        model.set_answering(self.zone, self.count, answering=False)


@dataclass(frozen=True)
class CloudWatchLate:
    """A regional CloudWatch delay: every AZ's datapoints appear ``minutes`` late for a while."""

    minutes: int
    for_minutes: int

    def describe(self) -> str:
        return f"CloudWatch delayed: every AZ's datapoints {self.minutes} min late for {self.for_minutes} min"

    def apply(self, model: OutageModel) -> None:
        model.cloudwatch_late_until = model.now() + self.for_minutes * 60
        model.cloudwatch_extra_seconds = self.minutes * 60


@dataclass(frozen=True)
class MainConsoleCutOff:
    """The function's path to the Main console is cut; everything else works."""

    def describe(self) -> str:
        return "the function can no longer reach the Main console (collectors unaffected)"

    def apply(self, model: OutageModel) -> None:
        model.world.main.go_down()


@dataclass(frozen=True)
class ZonalShift:
    """An ARC zonal shift (or autoshift practice run) moves traffic away from the AZ; targets stay healthy."""

    zone: str = w.MAIN_AZ

    def describe(self) -> str:
        return f"ARC zonal shift away from {self.zone}: traffic moves, targets stay healthy"

    def apply(self, model: OutageModel) -> None:
        model.shifted_away.add(self.zone)


@dataclass(frozen=True)
class DestinationFault:
    fault: Fault
    what: str

    def describe(self) -> str:
        return f"Destination console: {self.what}"

    def apply(self, model: OutageModel) -> None:
        model.world.destination.inject(self.fault)


@dataclass(frozen=True)
class DestinationDeploySeconds:
    seconds: float

    def describe(self) -> str:
        return f"Destination deploys take {self.seconds:g} s"

    def apply(self, model: OutageModel) -> None:
        model.world.destination.deploy_seconds = self.seconds


# --- an outage: the setup, what happens, what must be decided -----------------------------------------
@dataclass(frozen=True)
class Setup:
    target_type: str = "ip"
    target_groups: int = 1
    main_collectors: int = 2
    destination_collectors: int = 2
    health_check_interval_seconds: int = 30
    unhealthy_threshold_count: int = 3  # an NLB's default
    deploy_seconds: float = 60.0  # a QRadar deploy, in simulated seconds
    maximum_retry_attempts: int = 2  # the module's default
    maximum_event_age_in_seconds: int = 3600  # the module's default
    settings: Mapping[str, str] = field(default_factory=dict)  # engine settings other than the module's defaults


@dataclass(frozen=True)
class Outage:
    name: str
    summary: str
    happenings: tuple[tuple[float, Happening], ...]  # (minutes after the fault, what happens)
    fails_over: bool  # the decision a demanding user expects
    why: str  # why that decision is right
    setup: Setup = field(default_factory=Setup)
    minutes: int = 20  # how long the timeline runs after the fault


# --- what the timeline produced ------------------------------------------------------------------------
@dataclass(frozen=True)
class Invocation:
    started_at: float
    ended_at: float
    delivery: str  # the alarm's state change
    attempt: int
    outcome: str  # the report's outcome, or "raised: ..." when the function raised
    reason: str
    report: dict[str, Any] | None


@dataclass(frozen=True)
class Transition:
    at: float
    alarm: str
    old: str
    new: str


@dataclass
class Minute:
    """What each source said at one minute of the timeline, and what happened in it."""

    offset: int  # the minute, counted from the one the fault happened in (0)
    main_node_up: bool
    cloudwatch: str  # the Main AZ's newest visible datapoint, e.g. "03:02 healthy 2"
    elb: str  # the Main AZ's targets in DescribeTargetHealth, e.g. "2 healthy"
    alarms: str  # e.g. "healthy-below-1 ALARM, unhealthy OK"
    events: list[str] = field(default_factory=list)


@dataclass
class OutageResult:
    outage: Outage
    fault_at: float
    minutes: list[Minute]
    invocations: list[Invocation]
    transitions: list[Transition]
    notifications: list[dict[str, Any]]  # SNS envelopes the on-call subscriber received
    failed_invocations: list[dict[str, Any]]  # what reached the on-failure destination
    destination: dict[str, Any]  # deployed DR configuration at the end
    main: dict[str, Any]
    lock_state: str | None

    @property
    def decision(self) -> str:
        outcomes = [invocation.outcome for invocation in self.invocations]
        if "failed_over" in outcomes:
            return "failed_over"
        return outcomes[-1] if outcomes else "not invoked"

    @property
    def failed_over(self) -> bool:
        return self.decision == "failed_over"

    @property
    def detected_after(self) -> float | None:
        """Seconds from the fault to the first alarm that went to ALARM."""
        alarms = [t.at for t in self.transitions if t.new == "ALARM" and t.at >= self.fault_at]
        return min(alarms) - self.fault_at if alarms else None

    @property
    def active_after(self) -> float | None:
        """Seconds from the fault to the Destination verified ACTIVE."""
        for invocation in self.invocations:
            recovery = (invocation.report or {}).get("recovery")
            if recovery:
                return _epoch(recovery["destination_active_at"]) - self.fault_at
        return None

    @property
    def active_after_alarm(self) -> float | None:
        """Seconds from the alarm's state change to the Destination verified ACTIVE (the report's own figure)."""
        for invocation in self.invocations:
            recovery = (invocation.report or {}).get("recovery")
            if recovery and recovery.get("seconds_from_alarm") is not None:
                return float(recovery["seconds_from_alarm"])
        return None

    def promises_kept(self) -> list[str]:
        """Every run that promised another attempt was followed by one: the broken promises, if any."""
        broken = []
        for index, invocation in enumerate(self.invocations):
            attempt = (invocation.report or {}).get("next_attempt") or {}
            if attempt.get("at") is None and not invocation.outcome.startswith("raised"):
                continue
            later = [i for i in self.invocations[index + 1 :] if i.delivery == invocation.delivery]
            if not later:
                broken.append(f"{invocation.delivery} attempt {invocation.attempt} promised another; none came")
        return broken

    def notices(self, starting: str) -> list[dict[str, Any]]:
        return [n for n in self.notifications if str(n.get("Subject", "")).startswith(f"[QRadar DR] {starting}")]


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


# --- the model -------------------------------------------------------------------------------------------
@dataclass
class _Target:
    group_arn: str
    target_id: str
    zone: str
    answering: bool = True
    state: str = "healthy"
    streak: int = 0  # consecutive health check results that disagree with the state


@dataclass
class _Alarm:
    name: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str
    periods: int
    datapoints_to_alarm: int
    threshold: float
    operator: str
    missing: str
    actions: list[str]
    state: str = "OK"
    description: dict[str, Any] = field(default_factory=dict)


_BREACHES: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}


class OutageModel:
    """Plays one :class:`Outage` against a built world; see the module docstring."""

    def __init__(self, outage: Outage, world: w.DrillWorld, sim: SimulatedTime, fault_at: float, log: TextIO) -> None:
        self.outage = outage
        self.world = world
        self.sim = sim
        self.fault_at = fault_at
        self.log = log
        setup = outage.setup
        self.nodes_up = {w.MAIN_AZ: True, w.DEST_AZ: True}
        self.shifted_away: set[str] = set()
        self.cloudwatch_late_until = 0.0
        self.cloudwatch_extra_seconds = 0
        self.targets = [
            _Target(group.arn, collector.target_id, collector.availability_zone)
            for group in world.groups
            for collector in world.collectors
        ]
        self.alarms = self._module_alarms()
        self.visible: dict[tuple[str, tuple[tuple[str, str], ...]], dict[float, float]] = {}
        self.invocations: list[Invocation] = []
        self.transitions: list[Transition] = []
        self.minutes: list[Minute] = []
        self._queue: list[tuple[float, int, str, Callable[[], None]]] = []
        self._sequence = itertools.count()
        self._deliveries: list[
            tuple[float, int, dict[str, Any], str, int, float]
        ] = []  # due, seq, event, key, attempt, first
        self._events_now: list[str] = []
        self.env = {
            **world.env,
            "QRADAR_CA_BUNDLE": world.ca.bundle_path,
            "MAXIMUM_RETRY_ATTEMPTS": str(setup.maximum_retry_attempts),
            "MAXIMUM_EVENT_AGE_IN_SECONDS": str(setup.maximum_event_age_in_seconds),
            **setup.settings,
        }
        self.runtime: Runtime = build_runtime(load_config(self.env), clocks=sim.clocks())
        self.failure_queue_url = str(w.aws("sqs").create_queue(QueueName=FAILURE_QUEUE)["QueueUrl"])
        sim.on_advance(self._catch_up)
        self._running_invocation = False

    # --- the world's parts the happenings move ---------------------------------------------------
    def now(self) -> float:
        return self.sim.wall()

    def set_answering(self, zone: str, count: int | None, *, answering: bool) -> None:
        collectors = [c.target_id for c in self.world.collectors if c.availability_zone == zone]
        chosen = set(collectors if count is None else collectors[:count])
        for target in self.targets:
            if target.target_id in chosen:
                target.answering = answering

    # --- scheduling ----------------------------------------------------------------------------
    def at(self, when: float, what: str, action: Callable[[], None]) -> None:
        heapq.heappush(self._queue, (when, next(self._sequence), what, action))

    def _catch_up(self) -> None:
        """Run everything due by now (a sleeping run moved the clock): never a delivery, which waits
        for the run in progress to end."""
        now = self.now()
        while self._queue and self._queue[0][0] <= now:
            _, _, _, action = heapq.heappop(self._queue)
            action()

    def play(self, history_minutes: int = HISTORY_MINUTES) -> None:
        setup = self.outage.setup
        start = self.now()
        first_minute = int(start // 60) * 60 + 60
        end = self.fault_at + self.outage.minutes * 60
        self._publish_history(history_minutes)
        for minute in range(int(first_minute), int(end) + 60, 60):
            self.at(minute, "publish", functools.partial(self._publish_minute, float(minute)))
            self.at(minute + EVALUATION_OFFSET_SECONDS, "evaluate", self._evaluate_alarms)
        check = float(setup.health_check_interval_seconds)
        when = start + check
        while when <= end:
            self.at(when, "health check", self._health_check)
            when += check
        for offset, happening in self.outage.happenings:
            self.at(self.fault_at + offset * 60, "happening", functools.partial(self._happen, happening))
        while True:
            next_event = self._queue[0][0] if self._queue else None
            next_delivery = self._deliveries[0][0] if self._deliveries else None
            if next_delivery is not None and (next_event is None or next_delivery <= next_event):
                self.sim.advance_to(next_delivery)
                self._catch_up()
                self._invoke(*heapq.heappop(self._deliveries)[2:])
                continue
            if next_event is None or next_event > end:
                break
            self.sim.advance_to(next_event)
            self._catch_up()

    def _happen(self, happening: Happening) -> None:
        happening.apply(self)
        self._events_now.append(happening.describe())

    # --- health checks and datapoints ----------------------------------------------------------
    def _health_check(self) -> None:
        threshold = self.outage.setup.unhealthy_threshold_count
        for target in self.targets:
            agrees = target.answering == (target.state == "healthy")
            target.streak = 0 if agrees else target.streak + 1
            if target.streak >= threshold:
                target.state = "healthy" if target.answering else "unhealthy"
                target.streak = 0
                reason = None if target.answering else self.world.failure_reason
                target_health.set_state(target.group_arn, target.target_id, target.state, reason)

    def _counts(self, group_arn: str, zone: str) -> tuple[int, int]:
        in_zone = [t for t in self.targets if t.group_arn == group_arn and t.zone == zone]
        healthy = sum(1 for t in in_zone if t.state == "healthy")
        return healthy, len(in_zone) - healthy

    def _publish_history(self, minutes: int) -> None:
        now = self.now()
        for index in range(minutes, 0, -1):
            minute_start = (int(now // 60) - index) * 60
            self._put_datapoints(float(minute_start))

    def _publish_minute(self, minute_end: float) -> None:
        late = self.cloudwatch_extra_seconds if minute_end < self.cloudwatch_late_until else 0
        values = self._datapoints(minute_end - 60)
        self.at(
            minute_end + VISIBLE_AFTER_SECONDS + late, "visible", lambda: self._make_visible(minute_end - 60, values)
        )
        self._record_minute()

    def _datapoints(self, minute_start: float) -> list[tuple[str, str, str, float]]:
        """(zone, target group, metric, value) for every AZ whose node is up at the minute's end."""
        found = []
        for zone, up in self.nodes_up.items():
            if not up:
                continue
            for group in self.world.groups:
                healthy, unhealthy = self._counts(group.arn, zone)
                found += [(zone, group.dimension, "HealthyHostCount", float(healthy))]
                found += [(zone, group.dimension, "UnHealthyHostCount", float(unhealthy))]
        return found

    def _put_datapoints(self, minute_start: float) -> None:
        self._make_visible(minute_start, self._datapoints(minute_start))

    def _make_visible(self, minute_start: float, values: list[tuple[str, str, str, float]]) -> None:
        if not values:
            return
        stamp = datetime.fromtimestamp(minute_start, UTC)
        data = []
        for zone, group, metric, value in values:
            # moto matches dimensions in order (CloudWatch does not): the order the engine asks in
            dimensions = (
                ("TargetGroup", group),
                ("LoadBalancer", self.world.load_balancer),
                ("AvailabilityZone", zone),
            )
            self.visible.setdefault((metric, tuple(sorted(dimensions))), {})[minute_start] = value
            data.append({
                "MetricName": metric,
                "Dimensions": [{"Name": name, "Value": value} for name, value in dimensions],
                "Value": value,
                "Timestamp": stamp,
            })  # fmt: skip
        w.aws("cloudwatch").put_metric_data(Namespace="AWS/NetworkELB", MetricData=data)

    # --- alarms --------------------------------------------------------------------------------
    def _module_alarms(self) -> list[_Alarm]:
        described = w.aws("cloudwatch").describe_alarms(AlarmNamePrefix=w.NAME_PREFIX)["MetricAlarms"]
        return [
            _Alarm(
                name=alarm["AlarmName"],
                metric=alarm["MetricName"],
                dimensions=tuple(sorted((d["Name"], d["Value"]) for d in alarm["Dimensions"])),
                statistic=alarm["Statistic"],
                periods=int(alarm["EvaluationPeriods"]),
                datapoints_to_alarm=int(alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"]),
                threshold=float(alarm["Threshold"]),
                operator=alarm["ComparisonOperator"],
                missing=alarm.get("TreatMissingData", "missing"),
                actions=list(alarm.get("AlarmActions", [])),
                state=alarm["StateValue"],
                description=alarm,
            )
            for alarm in described
            if alarm["MetricName"] in ("HealthyHostCount", "UnHealthyHostCount")
        ]

    def _evaluate_alarms(self) -> None:
        now = self.now()
        newest = int((now - VISIBLE_AFTER_SECONDS) // 60) * 60 - 60  # the newest minute that should have data
        for alarm in self.alarms:
            values = self.visible.get((alarm.metric, alarm.dimensions), {})
            periods = [float(newest - 60 * back) for back in range(alarm.periods)]
            breaching = 0
            missing = 0
            for period in periods:
                if period in values:
                    breaching += _BREACHES[alarm.operator](values[period], alarm.threshold)
                else:
                    missing += 1
                    breaching += alarm.missing == "breaching"
            if alarm.missing in ("missing", "ignore") and missing == len(periods):
                continue
            state = "ALARM" if breaching >= alarm.datapoints_to_alarm else "OK"
            if state != alarm.state:
                self._transition(alarm, state, now, f"{breaching} of the last {len(periods)} datapoints breaching")

    def _transition(self, alarm: _Alarm, state: str, now: float, reason: str) -> None:
        old, alarm.state = alarm.state, state
        self.transitions.append(Transition(now, alarm.name, old, state))
        self._events_now.append(f"alarm {_short(alarm.name)}: {old} -> {state}")
        w.aws("cloudwatch").set_alarm_state(AlarmName=alarm.name, StateValue=state, StateReason=reason)
        if state != "ALARM" or not alarm.actions:
            return  # the module's OK actions notify people; nothing reaches the function
        message = w.cloudwatch_alarm_message({**alarm.description, "StateValue": state, "StateReason": reason}, old)
        message["StateChangeTime"] = w.alarm_time(datetime.fromtimestamp(now, UTC))
        event = self.world.deliver_through_trigger_topic(message)
        key = f"{alarm.name}@{message['StateChangeTime']}"
        self._queue_delivery(now + SNS_DELIVERY_SECONDS, event, key, 1, now)

    # --- Lambda's asynchronous invocation ----------------------------------------------------------
    def _queue_delivery(self, due: float, event: dict[str, Any], key: str, attempt: int, first: float) -> None:
        heapq.heappush(self._deliveries, (due, next(self._sequence), event, key, attempt, first))

    def _invoke(self, event: dict[str, Any], key: str, attempt: int, first: float) -> None:
        setup = self.outage.setup
        started = self.now()
        if started - first > setup.maximum_event_age_in_seconds:
            self._events_now.append(f"Lambda dropped {key}: older than maximum_event_age_in_seconds")
            return
        context = FakeLambdaContext(
            f"{_short(key)}-{attempt}", LAMBDA_TIMEOUT_SECONDS, self.sim.monotonic, w.FAILOVER_FUNCTION
        )
        emf = io.StringIO()
        try:
            with contextlib.redirect_stdout(emf):
                report: dict[str, Any] | None = handle(event, context, self.runtime)
        except Exception as error:  # what Lambda sees: the run raised, so it may run the event again
            report = None
            raised: Exception | None = error
        else:
            raised = None
        self.log.write(emf.getvalue())
        ended = self.now()
        outcome = f"raised: {type(raised).__name__}" if raised else str(report["outcome"])  # type: ignore[index]
        reason = str(raised) if raised else str(report["reason"])  # type: ignore[index]
        self.invocations.append(Invocation(started, ended, key, attempt, outcome, reason, report))
        self._events_now.append(f"function run (attempt {attempt}): {outcome}")
        if raised is None:
            return
        if attempt <= setup.maximum_retry_attempts:
            self._queue_delivery(ended + 60 * attempt, event, key, attempt + 1, first)
            return
        w.aws("sqs").send_message(
            QueueUrl=self.failure_queue_url,
            MessageBody=json.dumps({"requestPayload": event, "responseContext": {"functionError": "Unhandled"}}),
        )
        self._events_now.append("Lambda sent the event to the on-failure destination")

    # --- the record of each minute -----------------------------------------------------------------
    def _record_minute(self) -> None:
        group = self.world.groups[0]
        dimensions = (
            ("AvailabilityZone", w.MAIN_AZ),
            ("LoadBalancer", self.world.load_balancer),
            ("TargetGroup", group.dimension),
        )
        healthy_points = self.visible.get(("HealthyHostCount", dimensions), {})
        if healthy_points:
            newest = max(healthy_points)
            cloudwatch = f"{utc_clock(newest)} healthy {int(healthy_points[newest])}"
        else:
            cloudwatch = "no datapoints"
        states = [t.state for t in self.targets if t.group_arn == group.arn and t.zone == w.MAIN_AZ]
        elb = ", ".join(f"{states.count(s)} {s}" for s in sorted(set(states))) or "no targets"
        alarms = ", ".join(
            f"{_short(a.name)} {a.state}" for a in self.alarms if group.dimension.split("/")[1] in a.name
        )
        self.minutes.append(
            Minute(
                round((self.now() - 60 - self.fault_at // 60 * 60) / 60),  # the minute that just ended
                self.nodes_up[w.MAIN_AZ],
                cloudwatch,
                elb,
                alarms,
                self._events_now,
            )
        )
        self._events_now = []

    def result(self) -> OutageResult:
        if self._events_now:
            self._record_minute()
        failed = (
            w.aws("sqs").receive_message(QueueUrl=self.failure_queue_url, MaxNumberOfMessages=10).get("Messages", [])
        )
        lock = self.world.lock_item()
        return OutageResult(
            outage=self.outage,
            fault_at=self.fault_at,
            minutes=self.minutes,
            invocations=self.invocations,
            transitions=self.transitions,
            notifications=self.world.notifications(),
            failed_invocations=[json.loads(message["Body"]) for message in failed],
            destination=self.world.destination.deployed_dr_config(),
            main=self.world.main.deployed_dr_config(),
            lock_state=lock["state"]["S"] if lock else None,
        )


def _short(alarm_or_key: str) -> str:
    """``qradar-dr-qradar-dlc-ca-central-1a-healthy-collectors-below-1`` -> ``qradar-dlc healthy-...-below-1``."""
    name = alarm_or_key.split("@", maxsplit=1)[0].removeprefix(f"{w.NAME_PREFIX}-")
    for zone in (w.MAIN_AZ, w.DEST_AZ):
        name = name.replace(f"-{zone}-", " ")
    return name


@contextlib.contextmanager
def outage_world(
    outage: Outage, workdir: Path, endpoint_url: str = ""
) -> Iterator[tuple[w.DrillWorld, SimulatedTime, float]]:
    """The world an outage plays in, on simulated time: returns the world, the clock and the fault's
    time (a little into a minute, as faults are). Call inside ``mock_aws`` or
    :func:`~qradar_devkit.world.aws_environment`."""
    real_minute = int(datetime.now(UTC).timestamp() // 60) * 60
    sim = SimulatedTime(start=real_minute)
    setup = outage.setup
    world = w.build_world(
        workdir,
        endpoint_url,
        main_collectors=setup.main_collectors,
        destination_collectors=setup.destination_collectors,
        deploy_seconds=setup.deploy_seconds,
        clock=sim.monotonic,
        target_type=setup.target_type,
        target_groups=setup.target_groups,
        health_check_interval_seconds=setup.health_check_interval_seconds,
        unhealthy_threshold_count=setup.unhealthy_threshold_count,
        publish_history=False,
    )
    try:
        yield world, sim, real_minute + 5 * 60 + 20
    finally:
        world.stop()


def play(outage: Outage, workdir: Path, *, endpoint_url: str = "", log: TextIO | None = None) -> OutageResult:
    """Play ``outage`` from a fresh world and return what happened. Call inside ``mock_aws`` (tests,
    bench) or :func:`~qradar_devkit.world.aws_environment` (the drill)."""
    log = log if log is not None else io.StringIO()
    configure_logging("INFO", log)
    with outage_world(outage, workdir, endpoint_url) as (world, sim, fault_at):
        model = OutageModel(outage, world, sim, fault_at, log)
        model.play()
        return model.result()
