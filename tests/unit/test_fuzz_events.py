"""Fuzzing what reaches the function: SNS-wrapped, EventBridge and direct alarm events, and the
alarm JSON itself (missing, extra, mistyped, null, unicode, very large fields; wrong shapes).

Properties, for every generated event and every live-health answer:

* ``decode_event`` raises nothing but ``EventRejected``;
* the runbook never hits an unexpected error (its catch-all would report the ``engine`` site);
* a QRadar write happens only for a Main-AZ ALARM on an ELB health metric whose live health
  supports failing over, judged by an independent reading of the raw event below.

Profiles: ``ci`` (the normal suite, 200 examples per test) and ``fuzz`` (``make fuzz``:
``HYPOTHESIS_PROFILE=fuzz``, 10,000 examples per test).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from qradar_failover.config import load_config
from qradar_failover.deadline import Clocks, Deadline
from qradar_failover.events import EventRejected, decode_event
from qradar_failover.failover import Collaborators, fail_over
from qradar_failover.health import HealthEvidence
from support.events import DEST_AZ, FAKE_SITES_ENV, MAIN_AZ, load_event
from support.fakes import FakeConsole, FakeConsoles, FakeHealth, FakeNotifier, MemoryLock, dr_config

pytestmark = pytest.mark.fuzz

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE_NAME = os.environ.get("HYPOTHESIS_PROFILE", "ci")
PROFILE = settings.get_profile(PROFILE_NAME if PROFILE_NAME in {"ci", "fuzz"} else "ci")

CONFIG = load_config(FAKE_SITES_ENV)
SNS_EVENT = load_event("sns-cloudwatch-alarm-event.json")
ALARM_MESSAGE = load_event("cloudwatch-alarm-message.json")
EVENTBRIDGE_EVENT = load_event("eventbridge-alarm-state-change-event.json")


# --- strategies ---------------------------------------------------------------------------------
_LARGE = st.sampled_from([1_000, 70_000, 300_000]).map(lambda n: "\u00e9" * n)  # 300k: over SNS's 256 KiB
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["ALARM", "OK", "INSUFFICIENT_DATA", "", " ", MAIN_AZ, DEST_AZ, "AWS/NetworkELB", "\x00"]),
    _LARGE,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of a JSON document (keys of dicts, indexes of lists)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, document: Any, max_mutations: int = 3) -> Any:
    """A copy of ``document`` with a few nodes replaced, deleted, or given extra keys."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(min_value=0, max_value=max_mutations))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "extra"]))
        if not path:
            if action == "replace":
                document = draw(json_values)
            continue
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        if action == "replace":
            parent[last] = draw(json_values)
        elif action == "delete":
            del parent[last]
        elif isinstance(parent[last], dict):
            parent[last][draw(st.text(max_size=12))] = draw(json_values)
    return document


@st.composite
def alarm_messages(draw: st.DrawFn) -> dict[str, Any]:
    message = copy.deepcopy(ALARM_MESSAGE)
    message["NewStateValue"] = draw(st.sampled_from(["ALARM", "ALARM", "OK", "INSUFFICIENT_DATA"]))
    zone = draw(st.sampled_from([MAIN_AZ, MAIN_AZ, DEST_AZ, "ca-central-1d"]))
    for dimension in message["Trigger"]["Dimensions"]:
        if dimension["name"] == "AvailabilityZone":
            dimension["value"] = zone
    return draw(mutated(message))  # type: ignore[no-any-return]


@st.composite
def sns_events(draw: st.DrawFn) -> Any:
    event = copy.deepcopy(SNS_EVENT)
    message = draw(alarm_messages())
    how = draw(st.sampled_from(["json", "json", "text", "value"]))
    if how == "json":
        event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    elif how == "text":
        event["Records"][0]["Sns"]["Message"] = draw(st.one_of(st.text(max_size=60), _LARGE))
    else:
        event["Records"][0]["Sns"]["Message"] = message
    return draw(mutated(event, max_mutations=2))


@st.composite
def eventbridge_events(draw: st.DrawFn) -> Any:
    event = copy.deepcopy(EVENTBRIDGE_EVENT)
    event["detail"]["state"]["value"] = draw(st.sampled_from(["ALARM", "ALARM", "OK", "INSUFFICIENT_DATA"]))
    zone = draw(st.sampled_from([MAIN_AZ, MAIN_AZ, DEST_AZ]))
    event["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]["dimensions"]["AvailabilityZone"] = zone
    return draw(mutated(event))


events = st.one_of(sns_events(), eventbridge_events(), alarm_messages(), json_values)
healthy_collectors = st.sampled_from([None, 0, 0, 0, 1, 2])  # None: health unavailable


# --- the independent reading of a raw event ----------------------------------------------------
def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def reference_alarm(event: Any) -> dict[str, Any] | None:
    """State, zone, namespace and metric of a well-formed single-metric alarm event, else None.
    Written from the AWS event formats, not from the engine's decoder."""
    if not isinstance(event, dict):
        return None
    if "Records" in event:
        records = event["Records"]
        if not (isinstance(records, list) and len(records) == 1 and isinstance(records[0], dict)):
            return None
        sns = records[0].get("Sns")
        message = sns.get("Message") if isinstance(sns, dict) else None
        if not isinstance(message, str):
            return None
        try:
            event = json.loads(message)
        except ValueError:
            return None
        return _reference_message(event)
    if event.get("detail-type") == "CloudWatch Alarm State Change":
        detail = event.get("detail")
        if not isinstance(detail, dict) or not isinstance(detail.get("state"), dict):
            return None
        configuration = detail.get("configuration")
        metrics = configuration.get("metrics") if isinstance(configuration, dict) else None
        if not isinstance(metrics, list):
            return None
        stats = [
            m["metricStat"]["metric"]
            for m in metrics
            if isinstance(m, dict)
            and isinstance(m.get("metricStat"), dict)
            and isinstance(m["metricStat"].get("metric"), dict)
        ]
        if len(stats) != 1 or not isinstance(stats[0].get("dimensions"), dict):
            return None
        dimensions = stats[0]["dimensions"]
        return {
            "state": _text(detail["state"].get("value")),
            "zone": _text(dimensions.get("AvailabilityZone")),
            "namespace": stats[0].get("namespace"),
            "metric": stats[0].get("name"),
            "named": _text(detail.get("alarmName")) is not None,
        }
    return _reference_message(event)


def _reference_message(message: Any) -> dict[str, Any] | None:
    if not isinstance(message, dict) or not isinstance(message.get("Trigger"), dict):
        return None
    dimensions = message["Trigger"].get("Dimensions")
    if not isinstance(dimensions, list):
        return None
    zone = [d.get("value") for d in dimensions if isinstance(d, dict) and d.get("name") == "AvailabilityZone"]
    return {
        "state": _text(message.get("NewStateValue")),
        "zone": _text(zone[-1]) if zone else None,
        "namespace": message["Trigger"].get("Namespace"),
        "metric": message["Trigger"].get("MetricName"),
        "named": _text(message.get("AlarmName")) is not None,
    }


def may_fail_over(event: Any, healthy: int | None) -> bool:
    alarm = reference_alarm(event)
    return (
        alarm is not None
        and alarm["named"]
        and alarm["state"] == "ALARM"
        and alarm["zone"] == MAIN_AZ
        and alarm["namespace"] in {"AWS/NetworkELB", "AWS/ApplicationELB"}
        and alarm["metric"] in {"UnHealthyHostCount", "HealthyHostCount"}
        and healthy is not None
        and healthy < CONFIG.min_healthy_collectors
    )


# --- the properties -----------------------------------------------------------------------------
def run(event: Any, healthy: int | None) -> tuple[Any, FakeConsoles, FakeNotifier]:
    consoles = FakeConsoles(
        {
            "main": FakeConsole("main", dr_config("PRIMARY", "ACTIVE", True), profiles=[{"id": 1, "enabled": True}]),
            "destination": FakeConsole("destination", dr_config("DR", "STANDBY", False)),
        }
    )
    evidence = (
        None if healthy is None else HealthEvidence(MAIN_AZ, healthy_collectors=healthy, cloudwatch_healthy=healthy)
    )
    notifier = FakeNotifier()
    collaborators = Collaborators(consoles, FakeHealth(evidence), MemoryLock(), notifier)
    report = fail_over(event, CONFIG, collaborators, Deadline.after(60), "fuzz-run", Clocks(sleep=lambda _: None))
    return report, consoles, notifier


@settings(PROFILE)
@given(event=events)
def test_decoding_raises_nothing_but_a_rejection(event: Any) -> None:
    with contextlib.suppress(EventRejected):
        decode_event(event)


@settings(PROFILE)
@given(event=events, healthy=healthy_collectors)
def test_runbook_writes_to_qradar_only_for_a_confirmed_main_az_alarm(event: Any, healthy: int | None) -> None:
    report, consoles, notifier = run(event, healthy)
    hypothesis_event(f"outcome: {report.outcome.value}")

    assert report.failure is None or report.failure.site != "engine", report.failure
    writes = consoles.consoles["main"].writes + consoles.consoles["destination"].writes
    if writes:
        assert may_fail_over(event, healthy), (report.outcome, writes)
        assert report.outcome.value == "failed_over"
    if report.outcome.value in {"rejected", "ignored"}:
        assert consoles.consoles["destination"].calls == [] and notifier.reports == []
    json.dumps(report.as_dict(), default=str)  # the report is always serialisable


@settings(PROFILE)
@given(event=st.sampled_from([SNS_EVENT, EVENTBRIDGE_EVENT, ALARM_MESSAGE]))
def test_the_fixtures_themselves_fail_over(event: Any) -> None:
    report, consoles, _ = run(copy.deepcopy(event), healthy=0)

    assert report.outcome.value == "failed_over"
    assert consoles.consoles["destination"].writes
