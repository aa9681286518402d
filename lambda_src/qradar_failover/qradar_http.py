"""HTTP to one QRadar console: the session, timeouts, retries, 401 token rotation and observation.

Every call is bounded: connect and read timeouts no longer than the time left on the caller's
deadline, a few retries with backoff for failures that a retry can fix (connection refused or
reset, connect timeout, 429/502/503/504), never a retry of a read timeout (a console that
accepted the connection and went silent will stay silent). After each attempt :meth:`_decide`
names what happens next (:class:`Decision`). Failures surface as :class:`QRadarError`, which
carries the site, step, HTTP status and QRadar's own error code and message, never a token.

What the calls mean (the DataSync API) is :class:`qradar_failover.qradar.QRadarConsole`.
"""

from __future__ import annotations

import errno
import logging
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum, auto
from typing import Any

import requests

from .config import Config, SiteConfig
from .deadline import Deadline
from .observability import scrub
from .report import FailureKind
from .sec_token import Token
from .tokens import TokenUnavailable

logger = logging.getLogger(__name__)

_RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
MIN_ATTEMPT_SECONDS = 0.5  # a call is not started with less time left than this
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
class CallRecord:
    """One finished call (all its attempts), as the runbook's observer sees it."""

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


class Decision(Enum):
    """What happens after one attempt of a call."""

    ACCEPT = auto()  # a 2xx: the call's answer
    RETRY_WITH_ROTATED_TOKEN = auto()  # a first 401: re-read the token secret, retry at once if it changed
    RETRY_AFTER_BACKOFF = auto()  # a failure a retry can fix, with attempts and time left
    GIVE_UP = auto()  # report the failure


@dataclass(frozen=True)
class _NoAnswer:
    """An attempt that got no HTTP answer."""

    error: QRadarError
    retryable: bool  # the connection was refused, reset or timed out: the next attempt may get through


@dataclass
class ConsoleTransport:
    """Speaks HTTPS to one console. Build one per site per run; the session may be shared and reused."""

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

    def call(
        self,
        step: str,
        method: str,
        path: str,
        deadline: Deadline,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """One call, retried as :meth:`_decide` says; a 2xx response, else :class:`QRadarError`."""
        started = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            answer = self._attempt(step, method, path, deadline, body, params)
            decision = self._decide(answer, attempts, deadline)
            if decision is Decision.RETRY_WITH_ROTATED_TOKEN:
                if self._rotate_token():
                    continue
                decision = Decision.GIVE_UP  # the secret holds the refused token: report the 401
            if decision is Decision.RETRY_AFTER_BACKOFF:
                logger.info(
                    "retrying %s after %s",
                    step,
                    self._failure(step, answer),
                    extra={"site": self.site.name, "step": step, "attempt": attempts},
                )
                self.sleep(self._backoff_seconds(attempts))
                continue
            if decision is Decision.ACCEPT and isinstance(answer, requests.Response):
                self._observe(step, method, path, answer.status_code, started, attempts, None)
                return answer
            failure = self._failure(step, answer)
            self._observe(step, method, path, failure.http_status, started, attempts, str(failure))
            raise failure

    def _decide(self, answer: requests.Response | _NoAnswer, attempts: int, deadline: Deadline) -> Decision:
        if isinstance(answer, _NoAnswer):
            retry = answer.retryable and self._may_retry(attempts, deadline)
            return Decision.RETRY_AFTER_BACKOFF if retry else Decision.GIVE_UP
        status = answer.status_code
        if 200 <= status < 300:
            return Decision.ACCEPT
        if status == 401 and self.refresh_token is not None and not self._token_rotated:
            return Decision.RETRY_WITH_ROTATED_TOKEN
        if status in _RETRYABLE_STATUSES and self._may_retry(attempts, deadline):
            return Decision.RETRY_AFTER_BACKOFF
        return Decision.GIVE_UP

    def _attempt(
        self,
        step: str,
        method: str,
        path: str,
        deadline: Deadline,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
    ) -> requests.Response | _NoAnswer:
        """One HTTP exchange: the console's answer (any status), or why there was none."""
        remaining = deadline.remaining()
        if remaining < MIN_ATTEMPT_SECONDS:
            return _NoAnswer(self._error(step, FailureKind.DEADLINE, "no time left for this call"), retryable=False)
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
            detail = f"TLS verification failed ({_reason(error)}); trust the console's CA with QRADAR_CA_BUNDLE"
            return _NoAnswer(self._error(step, FailureKind.TLS, detail), retryable=False)
        except requests.exceptions.ReadTimeout:
            detail = f"no answer within {timeout[1]:.1f}s (console accepted the connection but did not respond)"
            return _NoAnswer(self._error(step, FailureKind.TIMEOUT, detail), retryable=False)
        except requests.exceptions.ConnectionError as error:  # also ConnectTimeout
            timed_out = isinstance(error, requests.exceptions.ConnectTimeout)
            kind = FailureKind.TIMEOUT if timed_out else FailureKind.CONNECTION
            detail = f"cannot connect to {self.site.address}: {_reason(error)}"
            return _NoAnswer(self._error(step, kind, detail), retryable=True)
        except requests.exceptions.RequestException as error:
            return _NoAnswer(self._error(step, FailureKind.CONNECTION, _reason(error)), retryable=False)

    def _failure(self, step: str, answer: requests.Response | _NoAnswer) -> QRadarError:
        if isinstance(answer, _NoAnswer):
            return answer.error
        code, message = _qradar_error_fields(answer)
        return QRadarError(
            site=self.site.name,
            step=step,
            kind=FailureKind.HTTP,
            detail=message or answer.reason or "no error message",
            http_status=answer.status_code,
            qradar_code=code,
        )

    def _error(self, step: str, kind: FailureKind, detail: str) -> QRadarError:
        return QRadarError(site=self.site.name, step=step, kind=kind, detail=detail)

    def _rotate_token(self) -> bool:
        """Swap in a rotated token once per console; True when there is a new one to retry with."""
        self._token_rotated = True
        if self.refresh_token is None:
            return False
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
            duration = time.monotonic() - started
            self.observer(CallRecord(self.site.name, step, method, path, http_status, duration, attempts, error))


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


_CERTIFICATE_PROBLEMS = {10: "certificate has expired", 62: "certificate does not name this host"}  # OpenSSL codes
_SOCKET_PROBLEMS: tuple[tuple[type[BaseException], str], ...] = (
    (ConnectionRefusedError, "connection refused"),
    (ConnectionResetError, "connection reset"),
    (socket.gaierror, "host name not resolved"),
    (TimeoutError, "timed out"),
)


def _reason(error: BaseException) -> str:
    """The root cause of a ``requests`` failure in a few words ("connection refused", "certificate not
    trusted (unable to get local issuer certificate)"), not urllib3's nested repr cut mid-word."""
    for cause in reversed(_causes(error)):  # the innermost cause is the most specific
        words = _root_cause_words(cause)
        if words:
            return words
    return (str(error) or type(error).__name__)[:200]  # URLs hold no secrets: tokens travel in headers


def _root_cause_words(cause: BaseException) -> str | None:
    if isinstance(cause, ssl.SSLCertVerificationError):
        return _CERTIFICATE_PROBLEMS.get(cause.verify_code, f"certificate not trusted ({cause.verify_message})")
    if isinstance(cause, ssl.SSLError):
        return f"TLS handshake failed ({cause.reason or type(cause).__name__})"
    for kind, words in _SOCKET_PROBLEMS:
        if isinstance(cause, kind):
            return words
    if isinstance(cause, OSError) and cause.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "no route to the console"
    return None


def _causes(error: BaseException) -> list[BaseException]:
    """``error`` and what caused it, outermost first (requests wraps urllib3, which wraps the socket error)."""
    chain: list[BaseException] = []
    pending: list[BaseException] = [error]
    while pending and len(chain) < 20:
        current = pending.pop(0)
        if any(current is seen for seen in chain):
            continue
        chain.append(current)
        reason = getattr(current, "reason", None)
        nested = [current.__cause__, current.__context__, reason, *(a for a in current.args[:1])]
        pending += [item for item in nested if isinstance(item, BaseException)]
    return chain
