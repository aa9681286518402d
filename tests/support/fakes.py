"""In-memory stand-ins for the runbook's collaborators (the lock is the real one, on moto), and AWS
clients that fail the ways the adapters must tell apart (AWS errors vs. defects)."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from qradar_failover.config import SiteConfig
from qradar_failover.deadline import Deadline
from qradar_failover.evidence import CloudWatchView
from qradar_failover.health import HealthEvidence, HealthUnavailable
from qradar_failover.lock import ClaimResult, LockRecord, LockState
from qradar_failover.qradar import (
    AuthorizedService,
    CallObserver,
    CallRecord,
    DeployStart,
    DeployStatus,
    DRConfig,
    QRadarError,
)
from qradar_failover.report import FailoverReport, FailureKind
from qradar_failover.tokens import TokenUnavailable
from support.events import MAIN_AZ, REGION


@dataclass
class FakeConsole:
    """A console whose deployed config changes only on deploy, recording every call."""

    name: str
    deployed: dict[str, Any]
    profiles: list[dict[str, Any]] = field(default_factory=list)
    fail_on: dict[str, QRadarError] = field(default_factory=dict)  # method name -> error to raise
    calls: list[str] = field(default_factory=list)
    staged: dict[str, Any] | None = None
    observer: CallObserver | None = None
    deploy_needs_seconds: float = 0.0  # a deploy completes only if this much time is left to wait for it
    authorized_service: AuthorizedService = field(
        default_factory=lambda: AuthorizedService("DataSync failover", None, reported=True)
    )

    def _enter(self, method: str) -> None:
        self.calls.append(method)
        failure = self.fail_on.get(method)
        if self.observer:
            status, error = (failure.http_status, str(failure)) if failure else (200, None)
            self.observer(CallRecord(self.name, method, "GET", "/api/fake", status, 0.0, 1, error))
        if failure is not None:
            raise failure

    def read_dr_config(self, deadline: Deadline, step: str = "read DR config") -> DRConfig:
        self._enter("read_dr_config")
        return DRConfig(dict(self.deployed))

    def stage_dr_config(self, config: Mapping[str, Any], deadline: Deadline) -> None:
        self._enter("stage_dr_config")
        self.staged = dict(config)

    def list_copy_profiles(self, deadline: Deadline) -> list[dict[str, Any]]:
        self._enter("list_copy_profiles")
        return [dict(profile) for profile in self.profiles]

    def read_authorized_service(self, deadline: Deadline) -> AuthorizedService:
        self._enter("read_authorized_service")
        return self.authorized_service

    def disable_copy_profile(self, profile: Mapping[str, Any], deadline: Deadline) -> None:
        self._enter(f"disable_copy_profile:{profile['id']}")
        for stored in self.profiles:
            if stored["id"] == profile["id"]:
                stored["enabled"] = False

    def enable_copy_profile(self, profile: Mapping[str, Any], deadline: Deadline) -> None:
        self._enter(f"enable_copy_profile:{profile['id']}")
        for stored in self.profiles:
            if stored["id"] == profile["id"]:
                stored["enabled"] = True

    def deploy_status(self, deadline: Deadline) -> DeployStatus | None:
        self._enter("read_deploy_status")
        return DeployStatus("COMPLETE", 100, has_errors=False, error_message=None)

    def start_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStart:
        self._enter("start_deploy")
        return DeployStart("staged_config/deploy_status", nothing_to_deploy=self.staged is None)

    def await_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStatus | None:
        """The staged configuration becomes the deployed one, if the deploy had time to finish."""
        self._enter("await_deploy")
        if deadline.remaining() < self.deploy_needs_seconds:
            raise QRadarError(
                site=self.name, step="deploy", kind=FailureKind.DEADLINE, detail="deploy still IN_PROGRESS at 40%"
            )
        if self.staged is not None:
            self.deployed = dict(self.staged)
        return DeployStatus("COMPLETE", 100, has_errors=False, error_message=None)

    @property
    def writes(self) -> list[str]:
        return [call for call in self.calls if not call.startswith(("read", "list", "await"))]


def dr_config(is_dr: str, site_state: str, ariel_copy_enabled: bool) -> dict[str, Any]:
    return {
        "id": 1,
        "is_dr": is_dr,
        "site_state": site_state,
        "ariel_copy_enabled": ariel_copy_enabled,
        "primary_console_ip": "10.0.1.10",
        "dr_console_ip": "10.0.2.10",
    }


def qradar_error(
    site: str, step: str, kind: FailureKind = FailureKind.TIMEOUT, status: int | None = None
) -> QRadarError:
    return QRadarError(site=site, step=step, kind=kind, detail="simulated failure", http_status=status)


@dataclass
class FakeConsoles:
    consoles: dict[str, FakeConsole]
    token_errors: set[str] = field(default_factory=set)

    def open(self, site: SiteConfig, observer: CallObserver) -> FakeConsole:
        if site.name in self.token_errors:
            denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "denied"}}, "GetSecretValue")
            raise TokenUnavailable(f"cannot read the {site.name} site token", denied)
        console = self.consoles[site.name]
        console.observer = observer
        return console


def evidence(
    cloudwatch: int | None,
    elb: int | None,
    *,
    peak: int | None = 2,
    elb_other: int = 0,
    view: CloudWatchView | None = None,
    breach_started_at: float | None = None,
) -> HealthEvidence:
    """Live health as the sources said it, for the Main AZ: a source's count None means it said nothing
    about now (CloudWatch stale, or ELB unreadable); ``peak``: the most healthy in the lookback."""
    counts = [count for count in (cloudwatch, elb) if count is not None]
    return HealthEvidence(
        MAIN_AZ,
        max(counts, default=0),
        cloudwatch_healthy=cloudwatch,
        cloudwatch_unhealthy=0 if cloudwatch is not None else None,
        elb_healthy=elb,
        elb_unhealthy=elb_other if elb is not None else None,
        cloudwatch_view=view or (CloudWatchView.REPORTING if cloudwatch is not None else CloudWatchView.STALE),
        peak_healthy=peak,
        breach_started_at=breach_started_at,
    )


@dataclass
class FakeHealth:
    evidence: HealthEvidence | None
    calls: int = 0

    def confirm(self, alarm: Any) -> HealthEvidence:
        self.calls += 1
        if self.evidence is None:
            raise HealthUnavailable("CloudWatch: unavailable (Throttling); ELB: unavailable (Throttling)")
        return self.evidence


@dataclass
class FakeNotifier:
    reports: list[FailoverReport] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (subject, body) of publish_text
    succeed: bool = True

    def publish(self, report: FailoverReport) -> bool:
        self.reports.append(report)
        return self.succeed

    def publish_text(self, subject: str, body: str, outcome: str, **attributes: str) -> bool:
        self.texts.append((subject, body))
        return self.succeed


# --- an in-memory lock with the real one's semantics (moto per example would be too slow) ---------
@dataclass
class MemoryLock:
    record: LockRecord | None = None
    finished: list[str] = field(default_factory=list)

    def blocking_record(self) -> LockRecord | None:
        return self.record if self.record is not None and self.record.state is not LockState.FAILED else None

    def claim(self, holder: str, alarm_name: str) -> tuple[ClaimResult, LockRecord | None]:
        if self.blocking_record() is not None:
            return ClaimResult.HELD_BY_ANOTHER_RUN, self.record
        self.record = LockRecord("qradar-failover", LockState.CLAIMED, holder, 0.0, 900.0, alarm_name, {}, False)
        return ClaimResult.CLAIMED, None

    def record_failed_over(self, holder: str, summary: Mapping[str, Any]) -> bool:
        self.finished.append("FAILED_OVER")
        return True

    def record_failed(self, holder: str, summary: Mapping[str, Any]) -> bool:
        self.finished.append("FAILED")
        return True

    def mark_duplicate_notice_sent(self) -> bool:
        return False


class DefectiveClient:
    """An AWS client stand-in whose every call raises TypeError, as a coding bug in an adapter would
    (a misspelled argument, a wrong type): it must surface as a defect, not as "AWS unavailable"."""

    def __getattr__(self, operation: str) -> Any:
        def call(**kwargs: Any) -> Any:
            raise TypeError(f"{operation}() got an unexpected keyword argument 'Tablename'")

        return call


def unreachable_client(service: str) -> Any:
    """A client whose endpoint (a closed loopback port) refuses connections: EndpointConnectionError,
    after one attempt."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=f"http://127.0.0.1:{port}",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )


class HungEndpoint:
    """An HTTP endpoint that accepts every connection and never answers, as an AWS API can when the VPC
    endpoint interface it resolves to is in the lost AZ, or a proxy hangs: each call ends only by the
    client's read timeout."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._held: list[socket.socket] = []
        self.calls: list[tuple[float, str]] = []  # (time.monotonic() it arrived, the AWS service it asks)
        self._thread = threading.Thread(target=self._accept, name="hung-endpoint", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:  # stopped
                return
            arrived = time.monotonic()
            self._held.append(connection)
            connection.settimeout(2)
            with contextlib.suppress(OSError):
                head = connection.recv(65536).decode("latin-1")  # sent right after connecting
                # SigV4: Authorization: ... Credential=<key>/<date>/<region>/<service>/aws4_request
                service = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request", head)
                self.calls.append((arrived, service.group(1) if service else "?"))

    def first_call(self, service: str) -> float:
        """When the first call to ``service`` (its SigV4 name: monitoring, secretsmanager, dynamodb...) arrived."""
        return min(arrived for arrived, called in self.calls if called == service)

    @property
    def connections(self) -> int:
        return len(self._held)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._server.close()
        for connection in self._held:
            connection.close()


def client_without_credentials(service: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A client that finds no credentials anywhere (NoCredentialsError before any request is sent)."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask the instance metadata service
    return boto3.session.Session().client(service, region_name=REGION, endpoint_url="http://127.0.0.1:9")
