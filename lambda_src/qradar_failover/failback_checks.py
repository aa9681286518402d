"""What a failback requires, judged: pure functions of what was read, no I/O.

Each :class:`Requirement` says what is required, what was found, and what to do when it fails. The
re-arm requirements are the last step of a failback (:mod:`qradar_failover.failback`) and what
``qradar-failover rearm`` checks on its own; the failback's preflight is judged here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .lock import LockRecord, LockState
from .observability import iso_utc
from .qradar import DRConfig


@dataclass(frozen=True)
class Requirement:
    ok: bool
    required: str
    found: str
    fix: str = ""  # what to do when it fails

    def line(self) -> str:
        return f"[{'ok' if self.ok else 'NO'}] {self.required}: found {self.found}"

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "required": self.required, "found": self.found} | ({"fix": self.fix} if self.fix else {})


@dataclass(frozen=True)
class SiteReading:
    """One console as read: its deployed DR configuration and, for Main, its ariel copy profiles, or why
    they could not be read (a few words)."""

    site: str  # "main" or "destination"
    dr: DRConfig | None = None
    problem: str | None = None
    profiles: Sequence[Mapping[str, Any]] | None = None
    profiles_problem: str | None = None

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
