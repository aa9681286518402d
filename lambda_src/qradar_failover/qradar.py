"""The QRadar console adapter: the DataSync (disaster recovery) API calls the failover needs.

Every call is bounded: connect and read timeouts no longer than the time left on the caller's
deadline, a few retries with backoff for failures that a retry can fix (connection refused or
reset, 429/502/503/504), never a retry of a read timeout (a console that accepted the
connection and went silent will stay silent). Failures surface as :class:`QRadarError`, which
carries the site, step, HTTP status and QRadar's own error code and message, never a token.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from .config import Config, SiteConfig
from .deadline import Deadline
from .observability import scrub
from .report import FailureKind
from .tokens import Token, TokenUnavailable

logger = logging.getLogger(__name__)

DR_CONFIG_PATH = "/api/config/disaster_recovery/disaster_recovery_config"
STAGED_DR_CONFIG_PATH = "/api/staged_config/disaster_recovery/disaster_recovery_config"
DEPLOY_STATUS_PATH = "/api/staged_config/deploy_status"
LEGACY_DEPLOY_PATH = "/api/config/deploy_action"
COPY_PROFILES_PATH = "/api/disaster_recovery/ariel_copy_profiles"

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
_RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
_MIN_ATTEMPT_SECONDS = 0.5
_MAX_MESSAGE_CHARS = 300


class QRadarError(Exception):
    """A QRadar call failed. Safe to log and notify: holds no token and no request headers."""

    def __init__(
        self,
        *,
        site: str,
        step: str,
        kind: FailureKind,
        detail: str,
        http_status: int | None = None,
        qradar_code: int | None = None,
    ) -> None:
        self.site = site
        self.step = step
        self.kind = kind
        self.detail = scrub(detail)[:_MAX_MESSAGE_CHARS]
        self.http_status = http_status
        self.qradar_code = qradar_code
        super().__init__(str(self))

    def __str__(self) -> str:
        status = f"HTTP {self.http_status}" if self.http_status is not None else self.kind.value
        code = f" (QRadar code {self.qradar_code})" if self.qradar_code is not None else ""
        return f"{self.site} console, {self.step}: {status}{code}: {self.detail}"


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
class DeployStatus:
    status: str
    percent_complete: int
    has_errors: bool
    error_message: str | None

    @property
    def complete(self) -> bool:
        return self.status == "COMPLETE"


@dataclass(frozen=True)
class DeployResult:
    endpoint: str  # "staged_config/deploy_status" or "config/deploy_action"
    nothing_to_deploy: bool
    final_status: DeployStatus | None  # None when the console cannot report deploy status
    waited_seconds: float


@dataclass(frozen=True)
class CallRecord:
    site: str
    step: str
    method: str
    path: str
    http_status: int | None
    duration_seconds: float
    attempts: int
    error: str | None = None


CallObserver = Callable[[CallRecord], None]


@dataclass(frozen=True)
class HttpPolicy:
    connect_timeout_seconds: float
    read_timeout_seconds: float
    max_retries: int
    backoff_seconds: float = 0.5

    @classmethod
    def from_config(cls, config: Config) -> HttpPolicy:
        return cls(config.http_connect_timeout_seconds, config.http_read_timeout_seconds, config.http_max_retries)


@dataclass
class QRadarConsole:
    """One console's DR API. Build one per site per run; the session may be shared and reused."""

    site: SiteConfig
    token: Token = field(repr=False)
    policy: HttpPolicy
    verify: bool | str = True
    api_version: str | None = None
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    observer: CallObserver | None = field(default=None, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    # Called once on a 401: a different (rotated) token to retry with, or None; raises TokenUnavailable.
    refresh_token: Callable[[Token], Token | None] | None = field(default=None, repr=False)
    _token_rotated: bool = field(default=False, init=False, repr=False)

    # --- DR configuration -------------------------------------------------------------------
    def read_dr_config(self, deadline: Deadline, step: str = "read DR config") -> DRConfig:
        return DRConfig(self._json_object(self._call(step, "GET", DR_CONFIG_PATH, deadline), step))

    def stage_dr_config(self, config: Mapping[str, Any], deadline: Deadline) -> None:
        self._call("stage DR config", "POST", STAGED_DR_CONFIG_PATH, deadline, body=dict(config))

    # --- ariel copy profiles ------------------------------------------------------------------
    def list_copy_profiles(self, deadline: Deadline) -> list[dict[str, Any]]:
        step = "read ariel copy profiles"
        payload = self._json(self._call(step, "GET", COPY_PROFILES_PATH, deadline), step)
        if not isinstance(payload, list) or not all(isinstance(p, dict) and "id" in p for p in payload):
            raise self._malformed(step, "expected a list of profiles with ids")
        return payload

    def disable_copy_profile(self, profile: Mapping[str, Any], deadline: Deadline) -> None:
        body = {name: profile.get(name) for name in COPY_PROFILE_FIELDS}
        body["enabled"] = False
        self._call(
            f"disable ariel copy profile {profile['id']}",
            "POST",
            f"{COPY_PROFILES_PATH}/{profile['id']}",
            deadline,
            body,
        )

    # --- deploy ------------------------------------------------------------------------------
    def deploy(self, deadline: Deadline, poll_interval: float) -> DeployResult:
        """Deploy staged changes and wait (within ``deadline``) until the deploy reports COMPLETE.

        Uses the documented ``staged_config/deploy_status`` and falls back to the hidden
        ``config/deploy_action`` on releases that lack it. A deploy already running (1002) is
        waited out and ours started after it; "nothing to deploy" (1004) is not an error.
        """
        started = time.monotonic()
        try:
            endpoint = self._start_deploy(deadline)
        except QRadarError as error:
            if error.qradar_code == NOTHING_TO_DEPLOY:
                return DeployResult("staged_config/deploy_status", True, None, time.monotonic() - started)
            if error.qradar_code != DEPLOY_ALREADY_RUNNING:
                raise
            logger.info("another deploy is running on the %s console; waiting for it first", self.site.name)
            self._wait_for_deploy(deadline, poll_interval)
            endpoint = self._start_deploy(deadline)
        final_status = self._wait_for_deploy(deadline, poll_interval)
        return DeployResult(endpoint, False, final_status, time.monotonic() - started)

    def deploy_status(self, deadline: Deadline) -> DeployStatus | None:
        step = "read deploy status"
        try:
            response = self._call(step, "GET", DEPLOY_STATUS_PATH, deadline)
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

    def _start_deploy(self, deadline: Deadline) -> str:
        try:
            self._call("start deploy", "POST", DEPLOY_STATUS_PATH, deadline, body={"type": "INCREMENTAL"})
        except QRadarError as error:
            if error.http_status not in (404, 405):
                raise
            logger.info(
                "documented deploy endpoint unavailable on the %s console; using config/deploy_action",
                self.site.name,
            )
            self._call(
                "start deploy (config/deploy_action)",
                "POST",
                LEGACY_DEPLOY_PATH,
                deadline,
                params={"type": "INCREMENTAL"},
            )
            return "config/deploy_action"
        return "staged_config/deploy_status"

    def _wait_for_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStatus | None:
        while True:
            status = self.deploy_status(deadline)
            if status is None:
                return None
            if status.complete:
                if status.has_errors:
                    raise QRadarError(
                        site=self.site.name,
                        step="deploy",
                        kind=FailureKind.DEPLOY,
                        detail=f"deploy completed with errors: {status.error_message or 'no message'}",
                    )
                return status
            if deadline.remaining() <= poll_interval:
                raise QRadarError(
                    site=self.site.name,
                    step="deploy",
                    kind=FailureKind.DEADLINE,
                    detail=f"deploy still {status.status} at {status.percent_complete}% when the time budget ran out",
                )
            logger.info(
                "deploy %s on the %s console",
                status.status,
                self.site.name,
                extra={"site": self.site.name, "step": "deploy", "percent_complete": status.percent_complete},
            )
            self.sleep(poll_interval)

    # --- transport ---------------------------------------------------------------------------
    def _call(
        self,
        step: str,
        method: str,
        path: str,
        deadline: Deadline,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> requests.Response:
        started = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            try:
                response = self._attempt(step, method, path, deadline, body, params, attempts)
                if response is not None and response.status_code == 401 and self._rotate_token():
                    continue  # retry at once with the rotated token
                if response is not None and not 200 <= response.status_code < 300:
                    error = self._http_error(step, response)
                    if response.status_code not in _RETRYABLE_STATUSES or not self._may_retry(attempts, deadline):
                        raise error
                    response = None
            except QRadarError as error:
                self._observe(step, method, path, error.http_status, started, attempts, str(error))
                raise
            if response is not None:
                self._observe(step, method, path, response.status_code, started, attempts, None)
                return response
            self._backoff(attempts)

    def _attempt(
        self,
        step: str,
        method: str,
        path: str,
        deadline: Deadline,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
        attempt: int,
    ) -> requests.Response | None:
        """One HTTP exchange. Returns None when a retryable connection failure may be retried."""
        remaining = deadline.remaining()
        if remaining < _MIN_ATTEMPT_SECONDS:
            raise QRadarError(
                site=self.site.name, step=step, kind=FailureKind.DEADLINE, detail="no time left for this call"
            )
        timeout = (
            min(self.policy.connect_timeout_seconds, remaining),
            min(self.policy.read_timeout_seconds, remaining),
        )
        try:
            return self.session.request(
                method,
                self.site.base_url + path,
                headers=self._headers(),
                json=body,
                params=params,
                timeout=timeout,
                verify=self.verify,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as error:
            raise QRadarError(
                site=self.site.name,
                step=step,
                kind=FailureKind.TLS,
                detail=f"TLS verification failed ({_reason(error)}); trust the console's CA with QRADAR_CA_BUNDLE",
            ) from None
        except requests.exceptions.ReadTimeout:
            raise QRadarError(
                site=self.site.name,
                step=step,
                kind=FailureKind.TIMEOUT,
                detail=f"no answer within {timeout[1]:.1f}s (console accepted the connection but did not respond)",
            ) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.ConnectTimeout) as error:
            kind = (
                FailureKind.TIMEOUT if isinstance(error, requests.exceptions.ConnectTimeout) else FailureKind.CONNECTION
            )
            failure = QRadarError(
                site=self.site.name,
                step=step,
                kind=kind,
                detail=f"cannot connect to {self.site.address}: {_reason(error)}",
            )
            if not self._may_retry(attempt, deadline):
                raise failure from None
            logger.info("retrying after %s", failure, extra={"site": self.site.name, "step": step})
            return None
        except requests.exceptions.RequestException as error:
            raise QRadarError(
                site=self.site.name, step=step, kind=FailureKind.CONNECTION, detail=_reason(error)
            ) from None

    def _rotate_token(self) -> bool:
        """Swap in a rotated token once per console; True when there is a new one to retry with."""
        if self.refresh_token is None or self._token_rotated:
            return False
        self._token_rotated = True
        try:
            fresh = self.refresh_token(self.token)
        except TokenUnavailable as error:  # the 401 is the failure to report, not the refresh attempt
            logger.warning("could not re-read the %s site token after a 401: %s", self.site.name, type(error).__name__)
            return False
        if fresh is None:
            return False
        self.token = fresh
        return True

    def _headers(self) -> dict[str, str]:
        headers = {
            "SEC": self.token.reveal(),
            "Allow-Hidden": "true",
            "Accept": "application/json",
        }
        if self.api_version:
            headers["Version"] = self.api_version
        return headers

    def _may_retry(self, attempts: int, deadline: Deadline) -> bool:
        return attempts <= self.policy.max_retries and deadline.remaining() > self._backoff_seconds(attempts) + 1

    def _backoff_seconds(self, attempts: int) -> float:
        return float(self.policy.backoff_seconds * (2 ** (attempts - 1)))

    def _backoff(self, attempts: int) -> None:
        self.sleep(self._backoff_seconds(attempts))

    def _http_error(self, step: str, response: requests.Response) -> QRadarError:
        code, message = _qradar_error_fields(response)
        return QRadarError(
            site=self.site.name,
            step=step,
            kind=FailureKind.HTTP,
            detail=message or response.reason or "no error message",
            http_status=response.status_code,
            qradar_code=code,
        )

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
        return QRadarError(site=self.site.name, step=step, kind=FailureKind.MALFORMED, detail=detail)

    def _observe(
        self,
        step: str,
        method: str,
        path: str,
        http_status: int | None,
        started: float,
        attempts: int,
        error: str | None,
    ) -> None:
        if self.observer is not None:
            self.observer(
                CallRecord(
                    self.site.name,
                    step,
                    method,
                    path,
                    http_status,
                    time.monotonic() - started,
                    attempts,
                    error,
                )
            )


def _qradar_error_fields(response: requests.Response) -> tuple[int | None, str | None]:
    """QRadar errors carry ``code``, ``message`` and ``description``; anything else is summarised."""
    try:
        payload = response.json()
    except ValueError:
        return None, None
    if not isinstance(payload, dict):
        return None, None
    code = payload.get("code")
    parts = [payload.get("message"), payload.get("description")]
    message = ": ".join(str(part) for part in parts if isinstance(part, str) and part)
    return (code if isinstance(code, int) and not isinstance(code, bool) else None), (message or None)


def _reason(error: BaseException) -> str:
    """A short description of a ``requests`` failure (URLs hold no secrets: tokens travel in headers)."""
    return (str(error) or type(error).__name__)[:200]
