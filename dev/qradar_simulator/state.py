"""The console's state: deployed and staged DR configuration, deploys and ariel copy profiles.

All methods are thread-safe. Deploy progress is a pure function of the monotonic clock: a deploy
started at ``t0`` is INITIALIZING for the first fifth of ``deploy_seconds``, then IN_PROGRESS with
a growing ``percent_complete``, then COMPLETE; the staged snapshot taken at ``t0`` becomes the
deployed configuration the first time anyone looks after completion.

Ariel copy profiles copy on their schedule: every ``frequency`` milliseconds from ``start_date``. Their
read-only transfer dates are a function of the wall clock: while replication works,
``last_successful_transfer_date`` is the latest scheduled copy; after :meth:`ConsoleState.stall_replication`
every scheduled copy fails, so it stays at the last copy before the stall, ``last_error_date`` is the
latest failed one and, from the ``MAX_TRANSFER_ERRORS``-th failure on,
``last_error_max_threshold_surpassed_date`` the date of that failure. A disabled profile stops copying (its
dates stay as they were when it was disabled).
"""

from __future__ import annotations

import copy
import ipaddress
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from qradar_simulator.errors import (
    DEPLOY_RUNNING,
    NOT_FOUND,
    NOTHING_TO_DEPLOY,
    STANDBY_REFUSED,
    ApiError,
    invalid_field,
)

IS_DR_VALUES = ("PRIMARY", "DR", "DISABLED")
SITE_STATE_VALUES = ("ACTIVE", "STANDBY")
DEPLOY_TYPES = ("INCREMENTAL", "FULL")

Validator = Callable[[object], str | None]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(minimum: int | None = None, maximum: int | None = None, nullable: bool = False) -> Validator:
    def check(value: object) -> str | None:
        if value is None and nullable:
            return None
        if not _is_int(value):
            return "expected an integer" + (" or null" if nullable else "")
        assert isinstance(value, int)
        if minimum is not None and value < minimum:
            return f"must be >= {minimum}"
        if maximum is not None and value > maximum:
            return f"must be <= {maximum}"
        return None

    return check


def _choice(*allowed: str) -> Validator:
    def check(value: object) -> str | None:
        if value not in allowed:
            return f"must be one of {', '.join(allowed)}"
        return None

    return check


def _bool(value: object) -> str | None:
    return None if isinstance(value, bool) else "expected a boolean"


def _ip(value: object) -> str | None:
    if not isinstance(value, str):
        return "expected an IP address string"
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return "not a valid IP address"
    return None


def _int_list(value: object) -> str | None:
    if not isinstance(value, list) or not all(_is_int(item) for item in value):
        return "expected a list of integers"
    return None


DR_CONFIG_SCHEMA: dict[str, Validator] = {
    "id": _int(minimum=1),
    "is_dr": _choice(*IS_DR_VALUES),
    "site_state": _choice(*SITE_STATE_VALUES),
    "ariel_copy_enabled": _bool,
    "primary_console_ip": _ip,
    "dr_console_ip": _ip,
    "ariel_copy_frequency": _int(minimum=1),
    "config_sync_frequency": _int(minimum=1),
    "last_sync_time": _int(minimum=0, nullable=True),
}

PROFILE_WRITABLE_SCHEMA: dict[str, Validator] = {
    "bandwidth_limit": _int(minimum=0),
    "destination_host_ip": _ip,
    "destination_port": _int(minimum=1, maximum=65535),
    "enabled": _bool,
    "end_date": _int(minimum=0, nullable=True),
    "exclude_event_retention_bucket_ids": _int_list,
    "exclude_flow_retention_bucket_ids": _int_list,
    "frequency": _int(minimum=1),
    "start_date": _int(minimum=0, nullable=True),
}
PROFILE_WRITABLE_FIELDS = tuple(PROFILE_WRITABLE_SCHEMA)


def validate_exact(body: object, schema: Mapping[str, Validator]) -> dict[str, Any]:
    """Require a JSON object with exactly the schema's fields, each valid; raise 422 otherwise."""
    if not isinstance(body, dict):
        raise invalid_field("(body)", "expected a JSON object")
    for field in schema:
        if field not in body:
            raise invalid_field(field, "missing required field")
    for field in body:
        if field not in schema:
            raise invalid_field(str(field), "unknown field")
    for field, check in schema.items():
        problem = check(body[field])
        if problem is not None:
            raise invalid_field(field, problem)
    return copy.deepcopy(body)


def _now_ms() -> int:
    return int(time.time() * 1000)


MINUTE_MS = 60 * 1000
MAX_TRANSFER_ERRORS = 3  # failed copies in a row after which QRadar reports the error threshold surpassed
TRANSFER_DATES = ("last_successful_transfer_date", "last_error_date", "last_error_max_threshold_surpassed_date")


def default_copy_profiles(destination_ip: str) -> list[dict[str, Any]]:
    """Two profiles copying Main -> Destination, every 15 and every 60 minutes (``frequency`` in ms)."""
    start = _now_ms() - 30 * 24 * 3600 * 1000
    return [
        {
            "id": 1,
            "bandwidth_limit": 100,
            "destination_host_ip": destination_ip,
            "destination_port": 22,
            "enabled": True,
            "end_date": None,
            "exclude_event_retention_bucket_ids": [],
            "exclude_flow_retention_bucket_ids": [],
            "frequency": 15 * MINUTE_MS,
            "start_date": start,
            "last_modified": start,
        },
        {
            "id": 2,
            "bandwidth_limit": 0,
            "destination_host_ip": destination_ip,
            "destination_port": 22,
            "enabled": True,
            "end_date": None,
            "exclude_event_retention_bucket_ids": [3, 7],
            "exclude_flow_retention_bucket_ids": [1],
            "frequency": 60 * MINUTE_MS,
            "start_date": start,
            "last_modified": start,
        },
    ]


@dataclass
class _Deploy:
    kind: str
    started: float
    duration: float
    target: dict[str, Any]
    error: str | None
    finished: bool = False


class ConsoleState:
    """Thread-safe model of one console's DR-related configuration."""

    def __init__(
        self,
        *,
        name: str,
        is_dr: str,
        site_state: str,
        ariel_copy_enabled: bool,
        deploy_seconds: float,
        copy_profiles: list[dict[str, Any]] | None = None,
        deploy_errors: str | None = None,
        primary_console_ip: str = "10.0.1.10",
        dr_console_ip: str = "10.0.2.10",
        clock: Callable[[], float] = time.monotonic,
        wall_clock_ms: Callable[[], int] = _now_ms,
    ) -> None:
        if deploy_seconds < 0:
            raise ValueError("deploy_seconds must be >= 0")
        self._lock = threading.RLock()
        self._clock = clock
        self._wall_ms = wall_clock_ms
        self._stalled_since: int | None = None  # epoch ms: replication fails from then on
        self.deploy_seconds = deploy_seconds
        self.deploy_errors = deploy_errors
        self.hostnames = [f"qradar-{name}-console", f"qradar-{name}-ep01"]
        config = {
            "id": 1,
            "is_dr": is_dr,
            "site_state": site_state,
            "ariel_copy_enabled": ariel_copy_enabled,
            "primary_console_ip": primary_console_ip,
            "dr_console_ip": dr_console_ip,
            "ariel_copy_frequency": 15,
            "config_sync_frequency": 60,
            "last_sync_time": _now_ms() - 5 * 60 * 1000,
        }
        validate_exact(config, DR_CONFIG_SCHEMA)
        self._deployed = config
        self._staged = copy.deepcopy(config)
        self._deploy: _Deploy | None = None
        self._deploy_count = 0
        self.refuse_standby: str | None = None  # the message an ACTIVE site answers a staged STANDBY with
        profiles = default_copy_profiles(dr_console_ip) if copy_profiles is None else copy_profiles
        self._profiles: dict[int, dict[str, Any]] = {}
        for profile in profiles:
            if not _is_int(profile.get("id")):
                raise ValueError(f"copy profile without an integer id: {profile!r}")
            self._profiles[int(profile["id"])] = copy.deepcopy(profile)

    # -- DR configuration -------------------------------------------------------------------

    def deployed(self) -> dict[str, Any]:
        with self._lock:
            self._advance()
            return copy.deepcopy(self._deployed)

    def staged(self) -> dict[str, Any]:
        with self._lock:
            self._advance()
            return copy.deepcopy(self._staged)

    def stage(self, body: object) -> dict[str, Any]:
        config = validate_exact(body, DR_CONFIG_SCHEMA)
        with self._lock:
            self._advance()
            if config["id"] != self._staged["id"]:
                raise invalid_field("id", f"must be {self._staged['id']} (the console's DR config id)")
            stepping_down = self._deployed["site_state"] == "ACTIVE" and config["site_state"] == "STANDBY"
            if stepping_down and self.refuse_standby is not None:
                raise ApiError(409, STANDBY_REFUSED, self.refuse_standby, "The site refused to become STANDBY.")
            self._staged = config
            return copy.deepcopy(config)

    def set_dr_state(
        self,
        is_dr: str | None = None,
        site_state: str | None = None,
        ariel_copy_enabled: bool | None = None,
    ) -> None:
        with self._lock:
            self._advance()
            for target in (self._deployed, self._staged):
                updated = dict(target)
                if is_dr is not None:
                    updated["is_dr"] = is_dr
                if site_state is not None:
                    updated["site_state"] = site_state
                if ariel_copy_enabled is not None:
                    updated["ariel_copy_enabled"] = ariel_copy_enabled
                try:
                    validate_exact(updated, DR_CONFIG_SCHEMA)
                except ApiError as exc:
                    raise ValueError(exc.message) from None
                target.update(updated)

    # -- deploys ----------------------------------------------------------------------------

    @property
    def deploy_count(self) -> int:
        with self._lock:
            return self._deploy_count

    def start_deploy(self, kind: str) -> dict[str, Any]:
        if kind not in DEPLOY_TYPES:
            raise invalid_field("type", f"must be one of {', '.join(DEPLOY_TYPES)}")
        with self._lock:
            self._advance()
            if self._deploy is not None and not self._deploy.finished:
                raise ApiError(
                    409,
                    DEPLOY_RUNNING,
                    "A deploy is already in progress.",
                    "Wait for the running deploy to finish before scheduling another one.",
                )
            if self._staged == self._deployed:
                raise ApiError(
                    409,
                    NOTHING_TO_DEPLOY,
                    "There are no changes to deploy.",
                    "The staged configuration is identical to the deployed configuration.",
                )
            self._deploy = _Deploy(
                kind=kind,
                started=self._clock(),
                duration=self.deploy_seconds,
                target=copy.deepcopy(self._staged),
                error=self.deploy_errors,
            )
            self._deploy_count += 1
            return self._status_locked()

    def deploy_status(self) -> dict[str, Any]:
        with self._lock:
            self._advance()
            return self._status_locked()

    def _advance(self) -> None:
        deploy = self._deploy
        if deploy is None or deploy.finished:
            return
        if self._clock() - deploy.started >= deploy.duration:
            deploy.finished = True
            if deploy.error is None:
                self._deployed = copy.deepcopy(deploy.target)

    def _status_locked(self) -> dict[str, Any]:
        self._advance()
        deploy = self._deploy
        error: str | None = None
        if deploy is None or deploy.finished:
            status, percent = "COMPLETE", 100
            error = deploy.error if deploy is not None else None
        else:
            elapsed = self._clock() - deploy.started
            fraction = elapsed / deploy.duration if deploy.duration else 1.0
            if fraction < 0.2:
                status, percent = "INITIALIZING", 0
            else:
                status, percent = "IN_PROGRESS", min(99, max(1, int(fraction * 100)))
        return {
            "status": status,
            "percent_complete": percent,
            "hosts": [
                {"hostname": hostname, "status": status, "percent_complete": percent} for hostname in self.hostnames
            ],
            "has_errors": error is not None,
            "error_message": error,
        }

    # -- ariel copy profiles ----------------------------------------------------------------

    def profiles(self) -> list[dict[str, Any]]:
        with self._lock:
            return [self._with_transfers(self._profiles[key]) for key in sorted(self._profiles)]

    def profile(self, profile_id: int) -> dict[str, Any]:
        with self._lock:
            if profile_id not in self._profiles:
                raise _no_profile(profile_id)
            return self._with_transfers(self._profiles[profile_id])

    def update_profile(self, profile_id: int, body: object) -> dict[str, Any]:
        with self._lock:
            if profile_id not in self._profiles:
                raise _no_profile(profile_id)
            fields = validate_exact(body, PROFILE_WRITABLE_SCHEMA)
            profile = self._profiles[profile_id]
            if profile.get("enabled") and not fields["enabled"]:
                profile.update(self._transfers(profile, self._wall_ms()))  # copying stops: the dates stay
            profile.update(fields)
            profile["last_modified"] = _now_ms()
            return self._with_transfers(profile)

    def stall_replication(self, seconds_ago: float = 0.0) -> None:
        """From ``seconds_ago`` on, every scheduled copy fails (the Destination unreachable, its disk full)."""
        with self._lock:
            self._stalled_since = self._wall_ms() - int(seconds_ago * 1000)

    def resume_replication(self) -> None:
        with self._lock:
            self._stalled_since = None

    def _with_transfers(self, profile: dict[str, Any]) -> dict[str, Any]:
        """The profile as the API shows it: its scheduled copies' dates, or a copy run by hand
        (:meth:`run_ariel_copy`) where that is later."""
        answer = copy.deepcopy(profile)
        if profile.get("enabled"):
            scheduled = self._transfers(profile, self._wall_ms())
            by_hand = profile.get("last_successful_transfer_date")
            if by_hand is not None and by_hand > (scheduled.get("last_successful_transfer_date") or 0):
                scheduled["last_successful_transfer_date"] = by_hand
            answer.update(scheduled)
        for name in TRANSFER_DATES:
            answer.setdefault(name, None)
        return answer

    def _transfers(self, profile: Mapping[str, Any], now: int) -> dict[str, int | None]:
        """The transfer dates of a copying profile at ``now`` (epoch ms), from its schedule."""
        frequency, start = profile.get("frequency"), profile.get("start_date")
        if not isinstance(frequency, int) or not isinstance(start, int) or frequency < 1 or now < start:
            return {}

        def last_slot(at: int) -> int:
            return start + (at - start) // frequency * frequency

        stalled = self._stalled_since
        if stalled is None or stalled > now:
            return {"last_successful_transfer_date": last_slot(now)}
        last_good = last_slot(stalled) if stalled >= start else None
        first_failed = (last_good + frequency) if last_good is not None else start
        failed = (now - first_failed) // frequency + 1 if now >= first_failed else 0
        return {
            "last_successful_transfer_date": last_good,
            "last_error_date": last_slot(now) if failed else profile.get("last_error_date"),
            "last_error_max_threshold_surpassed_date": (
                first_failed + (MAX_TRANSFER_ERRORS - 1) * frequency
                if failed >= MAX_TRANSFER_ERRORS
                else profile.get("last_error_max_threshold_surpassed_date")
            ),
        }

    def copies_to(self) -> list[str]:
        """The hosts this console copies ariel data to now: those of its enabled copy profiles, while its
        deployed configuration is ACTIVE with ariel copy on (the data-sync direction)."""
        with self._lock:
            self._advance()
            if self._deployed["site_state"] != "ACTIVE" or not self._deployed["ariel_copy_enabled"]:
                return []
            hosts = (str(p["destination_host_ip"]) for _, p in sorted(self._profiles.items()) if p.get("enabled"))
            return list(dict.fromkeys(hosts))

    def run_ariel_copy(self) -> list[int]:
        """One round of ariel copy: every profile that copies now records a successful transfer. Returns
        their ids (none on a console that copies nothing)."""
        with self._lock:
            if not self.copies_to():
                return []
            copied = [key for key, profile in sorted(self._profiles.items()) if profile.get("enabled")]
            for key in copied:
                self._profiles[key]["last_successful_transfer_date"] = _now_ms()
            return copied

    def set_profiles_enabled(self, enabled: bool, ids: list[int] | None = None) -> None:
        """What an admin does in the DataSync app: enable or disable copy profiles (all, or ``ids``)."""
        with self._lock:
            for profile_id, profile in self._profiles.items():
                if ids is None or profile_id in ids:
                    profile["enabled"] = enabled
                    profile["last_modified"] = _now_ms()


def _no_profile(profile_id: int) -> ApiError:
    return ApiError(
        404,
        NOT_FOUND,
        f"Ariel copy profile {profile_id} does not exist",
        "The ariel copy profile does not exist.",
        {"id": profile_id},
    )
