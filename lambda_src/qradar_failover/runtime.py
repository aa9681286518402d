"""Wiring: the real AWS clients and QRadar sessions behind the runbook's interfaces, and behind the
readiness checks' (the same readers, plus the deployment reader).

Built once per configuration and reused by warm invocations (clients and HTTP connection pools
are the expensive part of a cold start). The operator CLI builds the same runtime, so the
function and the CLI act through one code path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests
from botocore.config import Config as BotocoreConfig

from .config import Config, ReadinessSettings, SiteConfig
from .deadline import SYSTEM_CLOCKS, Clocks
from .failover import Collaborators
from .health import LiveTargetHealth
from .lock import FailoverLock
from .notify import SnsNotifier
from .observability import redact_value
from .qradar import CallObserver, ConsoleTransport, DeployObserver, HttpPolicy, QRadarConsole
from .readiness import ReadinessCollaborators
from .readiness_aws import AwsDeploymentReader
from .retry import LambdaRetries
from .sec_token import Token
from .tokens import TokenProvider

logger = logging.getLogger(__name__)

# Every AWS client the engine builds. botocore's defaults (60 s connect and read, legacy retries:
# up to 10 attempts for DynamoDB) let one call to a dead endpoint address (a VPC endpoint's
# interface in the lost AZ) eat minutes of a 300 s run. AWS APIs answer in milliseconds; urllib3
# tries each address DNS returns in turn, so a dead AZ's address costs one 2 s connect timeout.
# Worst case per call: 3 attempts x (2 + 5) s plus standard mode's jittered backoff (< 3 s).
AWS_CLIENT_CONFIG = BotocoreConfig(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": 3},
)


def aws_client(session: Any, service: str) -> Any:
    """A client of ``service`` within the bounds above: every AWS client of the engine, the readiness
    checks and the operator CLI is made here."""
    return session.client(service, config=AWS_CLIENT_CONFIG)


def aws_call_bound_seconds() -> float:
    """The longest one AWS call can take within the bounds above: every attempt's connect and read
    timeouts, plus standard mode's backoff before each retry (at most 1 s, then 2 s, ...)."""
    config: Any = AWS_CLIENT_CONFIG  # botocore's stubs do not declare its attributes
    attempts = int(config.retries["total_max_attempts"])
    backoff = sum(min(20, 2**retry) for retry in range(attempts - 1))
    return float(attempts * (config.connect_timeout + config.read_timeout) + backoff)


@dataclass
class QRadarConsoles:
    """Opens a console per site with its token; one HTTP session per site across invocations."""

    config: Config
    tokens: TokenProvider
    sessions: dict[str, requests.Session] = field(default_factory=dict)
    clocks: Clocks = SYSTEM_CLOCKS
    deploy_observer: DeployObserver | None = None  # sees each deploy poll (the CLI and the drill show progress)

    def open(self, site: SiteConfig, observer: CallObserver) -> QRadarConsole:
        token = self.tokens.token_for(site)
        redact_value(token.reveal())
        session = self.sessions.setdefault(site.name, requests.Session())
        transport = ConsoleTransport(
            site=site,
            token=token,
            policy=HttpPolicy.from_config(self.config),
            verify=self.config.tls_verify_setting,
            api_version=self.config.qradar_api_version,
            session=session,
            observer=observer,
            sleep=self.clocks.sleep,
            refresh_token=lambda rejected: self._refreshed(site, rejected),
        )
        return QRadarConsole(transport, sleep=self.clocks.sleep, deploy_observer=self.deploy_observer)

    def _refreshed(self, site: SiteConfig, rejected: Token) -> Token | None:
        fresh = self.tokens.refreshed(site, rejected)
        if fresh is not None:
            redact_value(fresh.reveal())
        return fresh


@dataclass
class Runtime:
    config: Config
    consoles: QRadarConsoles
    lock: FailoverLock
    collaborators: Collaborators
    notifier: SnsNotifier  # also the failback's: it publishes notices of its own
    clocks: Clocks = SYSTEM_CLOCKS


def build_runtime(
    config: Config, session: Any = None, clocks: Clocks = SYSTEM_CLOCKS, deploy_observer: DeployObserver | None = None
) -> Runtime:
    """Create the AWS clients (region and endpoints from the usual AWS environment/profile). ``clocks``:
    the system's, or a simulated outage's (the dev kit runs the real handler on simulated time).
    ``deploy_observer``: shown each deploy poll (the drill's progress lines)."""
    # Typed as Any: the runbook's adapters declare the narrow Protocols they use, which the
    # generated boto3 stubs (one overload per parameter set) do not match structurally.
    aws: Any = session or boto3.session.Session()

    def client(service: str) -> Any:
        return aws_client(aws, service)

    tokens = TokenProvider(client("secretsmanager"), config.secrets_cache_ttl_seconds, clocks.monotonic)
    consoles = QRadarConsoles(config, tokens, clocks=clocks, deploy_observer=deploy_observer)
    lock = FailoverLock(
        client("dynamodb"), config.lock_table_name, config.lock_id, config.lock_claim_ttl_seconds, clocks.wall
    )
    cloudwatch = client("cloudwatch")
    health = LiveTargetHealth(
        cloudwatch, client("elbv2"), client("ec2"), config.min_healthy_collectors, clock=clocks.wall
    )
    notifier = SnsNotifier(client("sns"), config.notification_topic_arn)
    retries = LambdaRetries(
        lock, cloudwatch, config.maximum_retry_attempts, config.maximum_event_age_in_seconds, clocks.wall
    )
    collaborators = Collaborators(consoles, health, lock, notifier, retries)
    return Runtime(config, consoles, lock, collaborators, notifier, clocks)


def build_readiness_collaborators(
    config: Config, settings: ReadinessSettings, session: Any = None
) -> ReadinessCollaborators:
    """The failover's own readers (tokens, consoles, lock, live health) plus the deployment reader."""
    aws: Any = session or boto3.session.Session()
    runtime = build_runtime(config, session=aws)
    deployment = AwsDeploymentReader(*(aws_client(aws, service) for service in ("cloudwatch", "sns", "lambda")))
    return ReadinessCollaborators(
        runtime.consoles.tokens, runtime.consoles, runtime.lock, deployment, runtime.collaborators.health
    )
