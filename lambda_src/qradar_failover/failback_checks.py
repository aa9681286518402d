"""What a failback requires, judged: pure functions of what was read, no I/O.

Each :class:`Requirement` says what is required, what was found, and what to do when it fails. The
failback's preflight (:func:`preflight`), what a manual step's verification read (:class:`Seen`), and the
re-arm requirements (:func:`rearm_requirements`: the failback's last step, and what ``qradar-failover
rearm`` checks on its own) are judged here; :mod:`qradar_failover.failback` reads and acts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from .evidence import HealthEvidence, Verdict
from .lock import FailbackProgress, LockRecord, LockState
from .observability import iso_utc
from .qradar import DeployStatus, DRConfig


class Blocking(StrEnum):
    """What an unmet requirement does to a failback."""

    REFUSE = "refuse"  # refused, with the reason and the way out
    FORCIBLE = "forcible"  # refused unless --force, whose risk is the requirement's one sentence
    ADVISORY = "advisory"  # shown; stops nothing


@dataclass(frozen=True)
class Requirement:
    ok: bool
    required: str
    found: str
    fix: str = ""  # what to do when it fails
    blocking: Blocking = Blocking.REFUSE
    risk: str = ""  # FORCIBLE: what --force accepts, in one sentence
    unreachable: bool = False  # unmet because a console could not be reached

    def line(self) -> str:
        mark = "ok" if self.ok else ("warning" if self.blocking is Blocking.ADVISORY else "NO")
        return f"[{mark}] {self.required}: found {self.found}"

    @property
    def stops(self) -> bool:
        return not self.ok and self.blocking is not Blocking.ADVISORY

    def as_dict(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"fix": self.fix} if self.fix else {}
        if self.blocking is not Blocking.REFUSE:
            extra |= {"blocking": self.blocking.value}
        if self.risk:
            extra |= {"risk": self.risk}
        return {"ok": self.ok, "required": self.required, "found": self.found} | extra


@dataclass(frozen=True)
class SiteReading:
    """One console as read: its deployed DR configuration, deploy status and ariel copy profiles (what was
    asked), or why they could not be read (a few words)."""

    site: str  # "main" or "destination"
    dr: DRConfig | None = None
    problem: str | None = None
    profiles: Sequence[Mapping[str, Any]] | None = None
    profiles_problem: str | None = None
    deploy: DeployStatus | None = None
    unreachable: bool = False  # the console did not answer (as opposed to answering with an error)

    @property
    def label(self) -> str:
        return "Main" if self.site == "main" else "Destination"

    def describe(self) -> str:
        if self.dr is not None:
            return self.dr.describe()
        return self.problem or "not read"


class AlarmReading(Protocol):
    """A Main-AZ health alarm as CloudWatch holds it (only what the requirements read)."""

    @property
    def name(self) -> str: ...

    @property
    def state(self) -> str: ...


FINISH_FAILBACK = "finish the failback: qradar-failover failback (or enable them in the DataSync app)"


def copy_leftover(main: SiteReading) -> str | None:
    """What a failover left on a Main Site that is active again, if anything: ariel copy off, or no copy
    profile enabled (the failover disables every one). None when Main copies to the Destination, or when
    that cannot be told (Main not read, not active, or its profiles not read)."""
    if main.dr is None or not main.dr.is_active_primary:
        return None
    problems = []
    if not main.dr.ariel_copy_enabled:
        problems.append("ariel copy off")
    if main.profiles is not None:
        enabled = [profile for profile in main.profiles if profile.get("enabled") is True]
        if not enabled:
            disabled = ", ".join(str(profile.get("id")) for profile in main.profiles)
            problems.append("no ariel copy profile enabled" + (f" ({disabled} disabled)" if disabled else ""))
    return "; ".join(problems) or None


def rearm_requirements(
    main: SiteReading,
    destination: SiteReading,
    alarms: Sequence[AlarmReading],
    alarms_problem: str | None,
    lock: LockRecord | None,
    now: float,
    failback_run_id: str | None = None,
) -> list[Requirement]:
    """Each requirement for re-arming the automation after a failback, with what was found.
    ``failback_run_id``: the failback checking them as its last step (its own lease does not count)."""
    not_ok = [f"{alarm.name} {alarm.state}" for alarm in alarms if alarm.state != "OK"]
    if alarms_problem:
        alarms_found = f"not read ({alarms_problem})"
    elif not alarms:
        alarms_found = "none (pass --alarm-name-prefix?)"
    else:
        alarms_found = ", ".join(not_ok) if not_ok else f"all {len(alarms)} OK"
    main_active = main.dr is not None and main.dr.is_active_primary
    leftover = copy_leftover(main)
    if not main_active:
        copy_found = "not checked (the Main Site is not PRIMARY/ACTIVE)"
    elif main.profiles is None:
        copy_found = f"copy profiles not read ({main.profiles_problem or 'not asked'})"
    elif leftover:
        copy_found = leftover
    else:
        enabled = sum(1 for profile in main.profiles if profile.get("enabled") is True)
        copy_found = f"ariel copy on, {enabled} of {len(main.profiles)} copy profile(s) enabled"
    in_progress = lock is not None and lock.state is LockState.CLAIMED and not lock.expired(now)
    running = lock.failback if lock is not None else None
    other_failback = running if running and running.live(now) and running.run_id != failback_run_id else None
    return [
        Requirement(main_active, "the Main Site must be PRIMARY/ACTIVE", main.describe()),
        Requirement(
            destination.dr is None or not destination.dr.is_active_primary,
            "the Destination must no longer be PRIMARY/ACTIVE",
            destination.describe(),
        ),
        Requirement(
            main_active and main.profiles is not None and leftover is None,
            "the Main Site must copy to the Destination again (ariel copy on, a copy profile enabled)",
            copy_found,
            FINISH_FAILBACK,
        ),
        Requirement(
            bool(alarms) and not not_ok and alarms_problem is None, "every Main-AZ alarm must be OK", alarms_found
        ),
        Requirement(not in_progress, "no failover may be running", f"lock {lock_summary(lock, 'none')}"),
        Requirement(
            other_failback is None,
            "no other failback may be running",
            f"failback by {other_failback.operator} (run {other_failback.run_id}), {len(other_failback.steps)} "
            f"step(s) done, holding the lock until {iso_utc(other_failback.expires_at)}"
            if other_failback
            else "none",
            "let it finish, or resume it: qradar-failover failback",
        ),
    ]


def lock_summary(record: LockRecord | None, armed_text: str = "none (automation armed)") -> str:
    """``FAILED_OVER by <run> for <alarm>``, or ``armed_text`` when there is no record."""
    if record is None:
        return armed_text
    holder = f" by {record.holder}" if record.holder else ""
    alarm = f" for {record.alarm_name}" if record.alarm_name else ""
    return f"{record.state.value}{holder}{alarm}"


# --- the failback's preflight ----------------------------------------------------------------------
RISK_UNSETTLED = (
    "while the failback runs the automation ignores alarms (the lock still records the failover), so if the "
    "Main AZ fails again before it is re-armed nothing fails over until someone runs qradar-failover failover"
)


@dataclass(frozen=True)
class ZoneHealth:
    """Live target health of one target group in one Main-Site AZ, or why it could not be read."""

    target_group: str
    zone: str
    evidence: HealthEvidence | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Readings:
    """Everything the preflight judges, read at one moment."""

    lock: LockRecord | None
    lock_problem: str | None
    main: SiteReading
    destination: SiteReading
    alarms: Sequence[AlarmReading]
    alarms_problem: str | None
    health: Sequence[ZoneHealth]
    now: float  # epoch seconds
    done: frozenset[str] = field(default_factory=frozenset)  # the step ids the lock records as done


def preflight(readings: Readings, operator: str, min_healthy: int, healthy_for_seconds: float) -> list[Requirement]:
    """Whether a failback may start (or resume) now: each requirement with its evidence and the way out."""
    return [
        _lock_records_a_completed_failover(readings, operator),
        _destination_active(readings),
        _main_can_fail_back(readings),
        _no_deploy_running(readings),
        _main_collectors_healthy(readings, min_healthy),
        _main_collectors_settled(readings, min_healthy, healthy_for_seconds),
        _alarms_ok(readings),
        _destination_collecting(readings),
    ]


def _lock_records_a_completed_failover(readings: Readings, operator: str) -> Requirement:
    required = "the lock must record a completed failover"
    record = readings.lock
    if readings.lock_problem:
        return Requirement(False, required, f"not read ({readings.lock_problem})", "fix access to the lock table")
    if record is None:
        return Requirement(
            False,
            required,
            "no failover recorded (the automation is armed)",
            "nothing to fail back; if the sites were failed over without the lock, fail back by hand in the "
            "DataSync app (docs/operations.md)",
        )
    if record.state is not LockState.FAILED_OVER:
        return _no_completed_failover(record, readings.now, required)
    running = record.failback
    if running is not None and running.live(readings.now) and running.operator != operator:
        return Requirement(
            False,
            required,
            f"a failback by {running.operator} (run {running.run_id}, {len(running.steps)} step(s) done) holds "
            f"the lock until {iso_utc(running.expires_at)}",
            "let it finish, or run failback again after that time to resume it",
        )
    at = record.summary.get("at")
    found = f"{lock_summary(record)}" + (f", recorded {at}" if at else "")
    if running is not None and running.steps:
        found += f"; a failback by {running.operator} did {len(running.steps)} step(s): resuming"
    return Requirement(True, required, found)


def _no_completed_failover(record: LockRecord, now: float, required: str) -> Requirement:
    if record.state is LockState.FAILED:
        return Requirement(
            False,
            required,
            "the last failover attempt failed (FAILED): no completed failover",
            "qradar-failover status shows where the sites are",
        )
    claimed = f" at {iso_utc(record.claimed_at)}" if record.claimed_at else ""
    if record.expired(now):
        return Requirement(
            False,
            required,
            f"a failover run ({record.holder}) claimed the lock{claimed} and never finished",
            "read that run's log and check both consoles (qradar-failover status) before anything else",
        )
    return Requirement(
        False,
        required,
        f"a failover is in progress: run {record.holder} claimed the lock{claimed}",
        "wait for its outcome (it is notified; qradar-failover status), then fail back",
    )


def _destination_active(readings: Readings) -> Requirement:
    destination, main = readings.destination, readings.main
    required = "the Destination must be PRIMARY/ACTIVE (until the failback demotes it)"
    if destination.dr is None:
        return _not_read(destination, required, "check it answers and accepts its token")
    if destination.dr.is_active_primary:
        return Requirement(True, required, destination.dr.describe())
    switched = main.dr is not None and main.dr.is_active_primary and destination.dr.site_state == "STANDBY"
    if "demote-destination" in readings.done or switched:
        return Requirement(True, required, f"{destination.dr.describe()} (already demoted)")
    return Requirement(
        False,
        required,
        f"{destination.dr.describe()}, with Main {main.describe()}: no site is active",
        "make one site active in the DataSync app first (qradar-failover status shows both)",
    )


def _main_can_fail_back(readings: Readings) -> Requirement:
    main, destination = readings.main, readings.destination
    required = "the Main console must answer, in a DR state a failback can start from (STANDBY)"
    if main.dr is None:
        return _not_read(
            main,
            required,
            "check it answers; a token that expired during the outage needs a new authorized service token in the "
            "Main site's secret",
        )
    if main.dr.is_dr not in ("PRIMARY", "DR"):
        return Requirement(False, required, main.dr.describe(), "configure DataSync on the Main console first")
    if main.dr.site_state == "STANDBY" or "activate-main" in readings.done:
        return Requirement(True, required, main.dr.describe())
    if destination.dr is not None and destination.dr.site_state == "ACTIVE":
        return Requirement(
            False,
            required,
            f"SPLIT: both consoles are ACTIVE (Main {main.dr.describe()}, Destination {destination.dr.describe()})",
            "a Main that came back ACTIVE was never demoted, and what it collected since is not on the Destination: "
            "decide which site collects; to fail back, set the Main Site STANDBY with ariel copy off in the DataSync "
            "app, deploy, and run failback again",
        )
    return Requirement(True, required, f"{main.dr.describe()} (already active: the failback finishes the rest)")


def _not_read(site: SiteReading, required: str, fix: str) -> Requirement:
    return Requirement(
        False,
        required,
        f"not read: {site.describe()}",
        f"the failback needs the {site.label} console: {fix}",
        unreachable=site.unreachable,
    )


def _no_deploy_running(readings: Readings) -> Requirement:
    running = [
        f"{site.label} {site.deploy.status} {site.deploy.percent_complete}%"
        for site in (readings.main, readings.destination)
        if site.deploy is not None and not site.deploy.complete
    ]
    return Requirement(
        not running,
        "no deploy may be running on either console",
        ", ".join(running) or "none running",
        "wait until it completes (qradar-failover status shows it), then run failback",
    )


def _main_collectors_healthy(readings: Readings, min_healthy: int) -> Requirement:
    required = f"the Main AZ's collectors must pass their health checks now (at least {min_healthy})"
    if not readings.health:
        return Requirement(False, required, "no target group to read (no Main-AZ alarm found)", _ALARMS_FIX)
    problems, said = [], []
    for zone in readings.health:
        if zone.evidence is None:
            problems.append(f"{zone.target_group} in {zone.zone}: cannot be told ({zone.problem})")
            continue
        judgement = zone.evidence.judge(min_healthy)
        said.append(f"{zone.target_group}: {zone.evidence.summary()}")
        if judgement.verdict is not Verdict.REFUTED:
            problems.append(f"{zone.target_group}: {judgement.reason}")
    if problems:
        return Requirement(
            False,
            required,
            "; ".join(problems),
            "wait until the Main AZ is healthy again: failing back now would move collection to collectors that do "
            "not answer",
        )
    return Requirement(True, required, "; ".join(said))


def _main_collectors_settled(readings: Readings, min_healthy: int, healthy_for_seconds: float) -> Requirement:
    minutes = round(healthy_for_seconds / 60)
    required = f"the Main AZ's collectors must have been healthy for {minutes} min (per-AZ metrics, unbroken)"
    found, short = [], False
    for zone in readings.health:
        since = zone.evidence.healthy_since if zone.evidence else None
        if since is None:
            found.append(f"{zone.target_group}: no unbroken run of healthy minutes in CloudWatch")
            short = True
            continue
        lasted = readings.now - since
        found.append(f"{zone.target_group}: healthy since {iso_utc(since)[11:16]} UTC ({round(lasted / 60)} min)")
        short = short or lasted < healthy_for_seconds
    return Requirement(
        bool(readings.health) and not short,
        required,
        "; ".join(found) or "nothing to read",
        f"wait until they have been healthy for {minutes} min, or accept the risk with --force",
        Blocking.FORCIBLE,
        RISK_UNSETTLED,
    )


_ALARMS_FIX = "the Main-AZ health alarms name the target groups: check the region and --alarm-name-prefix"


def _alarms_ok(readings: Readings) -> Requirement:
    required = "every Main-AZ health alarm must be OK"
    if readings.alarms_problem:
        return Requirement(False, required, f"not read ({readings.alarms_problem})", _ALARMS_FIX)
    if not readings.alarms:
        return Requirement(False, required, "none found", _ALARMS_FIX)
    not_ok = [f"{alarm.name} {alarm.state}" for alarm in readings.alarms if alarm.state != "OK"]
    return Requirement(
        not not_ok,
        required,
        ", ".join(not_ok) or f"all {len(readings.alarms)} OK",
        "an alarm returns to OK once its datapoints are healthy for its evaluation periods: wait, or find out why "
        "it is not (qradar-failover status)",
    )


def _destination_collecting(readings: Readings) -> Requirement:
    required = "the Destination should be collecting (its collectors healthy)"
    if readings.destination.dr is None or not readings.destination.dr.is_active_primary:
        return Requirement(True, required, "not asked (the Destination is not active)", blocking=Blocking.ADVISORY)
    main_zones = {zone.zone for zone in readings.health}
    targets = {
        (target.target_id, target.availability_zone): target.state
        for zone in readings.health
        if zone.evidence is not None
        for target in zone.evidence.targets
        if target.availability_zone and target.availability_zone not in main_zones
    }
    if not targets:
        return Requirement(
            True, required, "cannot be told (the targets carry no AZ outside the Main AZs)", blocking=Blocking.ADVISORY
        )
    healthy = sum(1 for state in targets.values() if state == "healthy")
    zones = ", ".join(sorted({zone for _, zone in targets}))
    return Requirement(
        healthy > 0,
        required,
        f"{healthy} of {len(targets)} collector(s) healthy in {zones}",
        "check the Destination collectors: events may not be arriving anywhere",
        Blocking.ADVISORY,
    )


# --- what a manual step's verification read ---------------------------------------------------------
class Seen(StrEnum):
    VERIFIED = "verified"  # the API shows the step's effect
    NOT_VISIBLE = "not_visible"  # the API cannot see it: the operator's word stands
    CONTRADICTED = "contradicted"  # the API shows it is not done


@dataclass(frozen=True)
class Verification:
    seen: Seen
    detail: str


def destination_active_in_app(destination: DRConfig, main: DRConfig) -> Verification:
    if destination.is_active_primary:
        return Verification(Seen.VERIFIED, f"the Destination reads {destination.describe()}")
    if main.is_active_primary and destination.site_state == "STANDBY":
        return Verification(Seen.NOT_VISIBLE, "the sites were already switched back; nothing to see")
    return Verification(
        Seen.CONTRADICTED,
        f"the Destination reads {destination.describe()}, not PRIMARY/ACTIVE: activate it in the DataSync app",
    )


def copied_back(profiles: Sequence[Mapping[str, Any]], since: float | None) -> Verification:
    """The Destination's copy profiles (it copies only back to Main) after the operator's copy back, judged
    against ``since``, when the failover was recorded."""
    enabled = [profile for profile in profiles if profile.get("enabled") is True]
    if not enabled:
        return Verification(
            Seen.NOT_VISIBLE,
            f"the Destination has no enabled copy profile back to Main ({len(profiles)} configured), so the API "
            "cannot see the copy back: your word stands",
        )
    transfers = {str(p.get("id")): _epoch_ms(p.get("last_successful_transfer_date")) for p in enabled}
    fresh = [name for name, at in transfers.items() if at is not None and (since is None or at > since)]
    if fresh:
        latest = max(at for at in transfers.values() if at is not None)
        return Verification(
            Seen.VERIFIED,
            f"copy profile(s) {', '.join(fresh)} transferred to Main since the failover (latest {iso_utc(latest)})",
        )
    after = f" after the failover ({iso_utc(since)})" if since is not None else ""
    return Verification(
        Seen.CONTRADICTED,
        f"the Destination's copy profile(s) {', '.join(transfers)} back to Main record no successful transfer{after}: "
        "the copy back has not completed",
    )


def collectors_answer(health: Sequence[ZoneHealth], min_healthy: int) -> Verification:
    """After the ingress restart: the Main AZ's collectors pass the load balancer's health checks."""
    failing = []
    for zone in health:
        if zone.evidence is None:
            failing.append(f"{zone.target_group}: cannot be told ({zone.problem})")
        elif zone.evidence.judge(min_healthy).verdict is not Verdict.REFUTED:
            failing.append(f"{zone.target_group}: {zone.evidence.summary()}")
    if failing or not health:
        return Verification(Seen.CONTRADICTED, "; ".join(failing) or "no target group to read")
    said = [f"{zone.target_group}: {zone.evidence.summary()}" for zone in health if zone.evidence]
    return Verification(Seen.VERIFIED, "; ".join(said))


def failed_over_at(record: LockRecord | None) -> float | None:
    """When the failover was recorded (the record's ``at``), epoch seconds."""
    at = record.summary.get("at") if record else None
    if not isinstance(at, str):
        return None
    try:
        return datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _epoch_ms(value: Any) -> float | None:
    return value / 1000 if isinstance(value, int | float) and not isinstance(value, bool) else None


def resume_at(progress: FailbackProgress | None, step_ids: Sequence[str]) -> int:
    """The number (1-based) of the first step the record does not show as done."""
    done = progress.steps if progress else {}
    return next((number for number, step in enumerate(step_ids, start=1) if step not in done), len(step_ids) + 1)
