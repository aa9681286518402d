"""The DataSync (disaster recovery) API of a QRadar console: the calls the failover needs, and the
token's own authorized service, which readiness reads for its expiry.

:class:`QRadarConsole` says what each call means (DR configuration, staged configuration, ariel
copy profiles, deploy, the calling token's authorized service) and speaks through a
:class:`~qradar_failover.qradar_http.ConsoleTransport`, which owns how a call travels (session,
timeouts, retries, token rotation, observation). Failures surface as :class:`QRadarError`, with
the site, step, HTTP status and QRadar's own error code and message, never a token.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from .deadline import Deadline
from .observability import scrub
from .qradar_http import MIN_ATTEMPT_SECONDS, CallObserver, CallRecord, ConsoleTransport, HttpPolicy, QRadarError
from .report import DEPLOY_WAIT_STEP, FailureKind

# The transport's types are part of a console's interface (what it raises, what its observer sees).
__all__ = [
    "AUTHORIZED_SERVICES_PATH",
    "COPY_PROFILES_PATH",
    "COPY_PROFILE_FIELDS",
    "DEPLOY_STATUS_PATH",
    "DR_CONFIG_PATH",
    "LEGACY_DEPLOY_PATH",
    "STAGED_DR_CONFIG_PATH",
    "AuthorizedService",
    "CallObserver",
    "CallRecord",
    "ConsoleTransport",
    "DRConfig",
    "DeployObserver",
    "DeployPoll",
    "DeployStart",
    "DeployStatus",
    "FailureKind",
    "HttpPolicy",
    "QRadarConsole",
    "QRadarError",
]

logger = logging.getLogger(__name__)

DR_CONFIG_PATH = "/api/config/disaster_recovery/disaster_recovery_config"
STAGED_DR_CONFIG_PATH = "/api/staged_config/disaster_recovery/disaster_recovery_config"
DEPLOY_STATUS_PATH = "/api/staged_config/deploy_status"
LEGACY_DEPLOY_PATH = "/api/config/deploy_action"
COPY_PROFILES_PATH = "/api/disaster_recovery/ariel_copy_profiles"
AUTHORIZED_SERVICES_PATH = "/api/config/access/authorized_services"

# The fields QRadar accepts when updating an ariel copy profile (the upstream script's list).
COPY_PROFILE_FIELDS = (
    "bandwidth_limit",
    "destination_host_ip",
    "destination_port",
    "enabled",
    "end_date",
    "exclude_event_retention_bucket_ids",
    "exclude_flow_retention_bucket_ids",
    "frequency",
    "start_date",
)
DEPLOY_ALREADY_RUNNING = 1002
NOTHING_TO_DEPLOY = 1004


@dataclass(frozen=True)
class DRConfig:
    """A console's disaster recovery configuration, kept whole so it can be posted back whole."""

    raw: Mapping[str, Any]

    @property
    def is_dr(self) -> str:
        return str(self.raw.get("is_dr"))

    @property
    def site_state(self) -> str:
        return str(self.raw.get("site_state"))

    @property
    def ariel_copy_enabled(self) -> bool:
        return bool(self.raw.get("ariel_copy_enabled"))

    @property
    def is_active_primary(self) -> bool:
        return self.is_dr == "PRIMARY" and self.site_state == "ACTIVE"

    @property
    def is_standby_dr(self) -> bool:
        return self.is_dr == "DR" and self.site_state == "STANDBY"

    def describe(self) -> str:
        return f"{self.is_dr}/{self.site_state}, ariel copy {'on' if self.ariel_copy_enabled else 'off'}"

    def with_changes(self, **changes: Any) -> dict[str, Any]:
        return {**self.raw, **changes}


@dataclass(frozen=True)
class AuthorizedService:
    """What a console says about the authorized service behind the calling token (never the token)."""

    label: str | None
    expires_at: float | None  # epoch seconds; None with ``reported``: the token never expires
    reported: bool  # False: the console does not say (``note`` says why)
    note: str = ""


@dataclass(frozen=True)
class DeployStatus:
    status: str
    percent_complete: int
    has_errors: bool
    error_message: str | None

    @property
    def complete(self) -> bool:
        return self.status == "COMPLETE"


@dataclass(frozen=True)
class DeployPoll:
    """One answer to a deploy-status poll while a started deploy is awaited, for whoever shows progress."""

    site: str
    status: DeployStatus
    waited_seconds: float  # since this wait's first poll
    bound_seconds: float  # how long this wait may take in all: the time waited plus the time left on its deadline


DeployObserver = Callable[[DeployPoll], None]


@dataclass(frozen=True)
class DeployStart:
    endpoint: str  # "staged_config/deploy_status" or "config/deploy_action"
    nothing_to_deploy: bool = False  # QRadar said so (1004): the staged configuration is the deployed one


@dataclass
class QRadarConsole:
    """One console's DataSync API. Build one per site per run."""

    http: ConsoleTransport
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)  # between deploy polls
    deploy_observer: DeployObserver | None = field(default=None, repr=False)  # sees each deploy poll's answer

    @property
    def site_name(self) -> str:
        return self.http.site.name

    # --- DR configuration -------------------------------------------------------------------
    def read_dr_config(self, deadline: Deadline, step: str = "read DR config") -> DRConfig:
        return DRConfig(self._json_object(self.http.call(step, "GET", DR_CONFIG_PATH, deadline), step))

    def stage_dr_config(self, config: Mapping[str, Any], deadline: Deadline) -> None:
        self.http.call("stage DR config", "POST", STAGED_DR_CONFIG_PATH, deadline, body=dict(config))

    # --- ariel copy profiles ------------------------------------------------------------------
    def list_copy_profiles(self, deadline: Deadline) -> list[dict[str, Any]]:
        step = "read ariel copy profiles"
        payload = self._json(self.http.call(step, "GET", COPY_PROFILES_PATH, deadline), step)
        if not isinstance(payload, list) or not all(isinstance(p, dict) and "id" in p for p in payload):
            raise self._malformed(step, "expected a list of profiles with ids")
        return payload

    def disable_copy_profile(self, profile: Mapping[str, Any], deadline: Deadline) -> None:
        self._update_copy_profile(profile, "disable", {"enabled": False}, deadline)

    def enable_copy_profile(self, profile: Mapping[str, Any], deadline: Deadline) -> None:
        self._update_copy_profile(profile, "enable", {"enabled": True}, deadline)

    def _update_copy_profile(
        self, profile: Mapping[str, Any], verb: str, changes: Mapping[str, Any], deadline: Deadline
    ) -> None:
        """POST the profile's writable fields as they are, with ``changes`` (it applies at once, no deploy)."""
        body = {name: profile.get(name) for name in COPY_PROFILE_FIELDS} | dict(changes)
        path = f"{COPY_PROFILES_PATH}/{profile['id']}"
        self.http.call(f"{verb} ariel copy profile {profile['id']}", "POST", path, deadline, body)

    # --- the token's authorized service -------------------------------------------------------
    def read_authorized_service(self, deadline: Deadline) -> AuthorizedService:
        """The calling token's own authorized service (``current_authorized_service=true``): its label and
        ``expiration_date``. A console that does not have the endpoint, or does not let the token read it,
        answers ``reported=False``; anything else fails like every call."""
        step = "read authorized service"
        try:
            response = self.http.call(
                step, "GET", AUTHORIZED_SERVICES_PATH, deadline, params={"current_authorized_service": "true"}
            )
        except QRadarError as error:
            if error.http_status in (403, 404, 405):
                return AuthorizedService(
                    None, None, reported=False, note=f"the console answered HTTP {error.http_status}"
                )
            raise
        payload = self._json(response, step)
        service = payload[0] if isinstance(payload, list) and len(payload) == 1 else payload
        if not isinstance(service, dict):
            return AuthorizedService(None, None, reported=False, note="the console's answer names no single service")
        label = scrub(str(service["label"]))[:80] if service.get("label") else None
        if "expiration_date" not in service:
            return AuthorizedService(label, None, reported=False, note="the console does not report it")
        expiration = service["expiration_date"]
        if expiration is None:
            return AuthorizedService(label, None, reported=True)
        if isinstance(expiration, bool) or not isinstance(expiration, int | float) or expiration <= 0:
            return AuthorizedService(label, None, reported=False, note=f"expiration_date is not a date: {expiration!r}")
        return AuthorizedService(label, expiration / 1000, reported=True)

    # --- deploy ------------------------------------------------------------------------------
    def start_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStart:
        """Start deploying the staged changes, within ``deadline``.

        Uses the documented ``staged_config/deploy_status`` and falls back to the hidden
        ``config/deploy_action`` on releases that lack it. A deploy already running (1002) is
        waited out and ours started after it; "nothing to deploy" (1004) is not an error.
        """
        try:
            return DeployStart(self._request_deploy(deadline))
        except QRadarError as error:
            if error.qradar_code == NOTHING_TO_DEPLOY:
                return DeployStart("staged_config/deploy_status", nothing_to_deploy=True)
            if error.qradar_code != DEPLOY_ALREADY_RUNNING:
                raise
        logger.info("another deploy is running on the %s console; waiting for it first", self.site_name)
        self.await_deploy(deadline, poll_interval)
        return DeployStart(self._request_deploy(deadline))

    def await_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStatus | None:
        """Poll the deploy status until it reports COMPLETE, within ``deadline``: the final status, or
        None when the console cannot report deploy status (then the deployed configuration decides).
        Each answer goes to ``deploy_observer``. A deploy that outlasts ``deadline`` ends the wait before a
        poll would start with too little time left for its call: it is still running, not unanswered."""
        first_poll = deadline.clock()
        bound = deadline.remaining()
        while True:
            status = self.deploy_status(deadline)
            if status is None:
                return None
            self._tell_observer(DeployPoll(self.site_name, status, deadline.clock() - first_poll, bound))
            if status.complete:
                if status.has_errors:
                    raise QRadarError(
                        site=self.site_name,
                        step=DEPLOY_WAIT_STEP,
                        kind=FailureKind.DEPLOY,
                        detail=f"deploy completed with errors: {status.error_message or 'no message'}",
                    )
                return status
            if deadline.remaining() <= poll_interval + MIN_ATTEMPT_SECONDS:
                raise QRadarError(
                    site=self.site_name,
                    step=DEPLOY_WAIT_STEP,
                    kind=FailureKind.DEADLINE,
                    detail=f"deploy still {status.status} at {status.percent_complete}% when the time budget ran out",
                )
            logger.info(
                "deploy %s on the %s console",
                status.status,
                self.site_name,
                extra={"site": self.site_name, "step": "deploy", "percent_complete": status.percent_complete},
            )
            self.sleep(poll_interval)

    def _tell_observer(self, poll: DeployPoll) -> None:
        """Whoever shows progress is a bystander: its failure is logged, never the deploy wait's outcome."""
        if self.deploy_observer is None:
            return
        try:
            self.deploy_observer(poll)
        except Exception:
            logger.warning("the deploy observer failed; the %s deploy wait goes on", self.site_name, exc_info=True)

    def deploy_status(self, deadline: Deadline) -> DeployStatus | None:
        step = "read deploy status"
        try:
            response = self.http.call(step, "GET", DEPLOY_STATUS_PATH, deadline)
        except QRadarError as error:
            if error.http_status in (404, 405):
                return None
            raise
        payload = self._json_object(response, step)
        status = payload.get("status")
        if not isinstance(status, str):
            raise self._malformed(step, "deploy status has no status field")
        percent = payload.get("percent_complete")
        return DeployStatus(
            status=status,
            percent_complete=int(percent) if isinstance(percent, int | float) else 0,
            has_errors=bool(payload.get("has_errors")),
            error_message=str(payload["error_message"]) if payload.get("error_message") else None,
        )

    def _request_deploy(self, deadline: Deadline) -> str:
        try:
            self.http.call("start deploy", "POST", DEPLOY_STATUS_PATH, deadline, body={"type": "INCREMENTAL"})
        except QRadarError as error:
            if error.http_status not in (404, 405):
                raise
            logger.info(
                "documented deploy endpoint unavailable on the %s console; using config/deploy_action",
                self.site_name,
            )
            self.http.call(
                "start deploy (config/deploy_action)",
                "POST",
                LEGACY_DEPLOY_PATH,
                deadline,
                params={"type": "INCREMENTAL"},
            )
            return "config/deploy_action"
        return "staged_config/deploy_status"

    # --- answers -----------------------------------------------------------------------------
    def _json(self, response: requests.Response, step: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self._malformed(step, f"HTTP {response.status_code} body is not JSON") from None

    def _json_object(self, response: requests.Response, step: str) -> dict[str, Any]:
        payload = self._json(response, step)
        if not isinstance(payload, dict):
            raise self._malformed(step, "expected a JSON object")
        return payload

    def _malformed(self, step: str, detail: str) -> QRadarError:
        return QRadarError(site=self.site_name, step=step, kind=FailureKind.MALFORMED, detail=detail)
