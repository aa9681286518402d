"""The reliability rig: the integration suite's Deployment (real handler, simulated consoles over
HTTPS, moto), with moto started once per module and fresh consoles per test, plus two ways to
hurt the system at an exact step:

* QRadar: simulator faults (HANG, SLOW, STATUS, MALFORMED_JSON) selected by method and path, and
  connection-level faults fired when the engine's HTTP session is about to send the step's first
  request (the console goes down, presents a certificate from another CA, or stops completing TCP
  handshakes).
* AWS: botocore ``before-call`` handlers on the clients the handler builds. A fault returns an
  error response there, so botocore itself raises exactly what it raises for a real error answer
  (the modeled exception class, or ``ClientError``), after its own retries would have given up.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import requests
from botocore.awsrequest import AWSResponse

from qradar_devkit.world import AwsWorld
from qradar_simulator import CertificateAuthority, QRadarSimulator
from support.deployment import Deployment
from support.events import REGION


# --- QRadar connection faults at a step ---------------------------------------------------------
class SimulatedCrash(BaseException):
    """Stands for the Lambda sandbox dying mid-run (timeout, OOM): nothing in the engine catches it."""


@dataclass
class _Trigger:
    method: str
    path: str
    action: Callable[[StepSession], None]
    fired: bool = False


class StepSession(requests.Session):
    """The engine's HTTP session for one site, with actions fired at a chosen request."""

    def __init__(self) -> None:
        super().__init__()
        self.triggers: list[_Trigger] = []
        self.redirect: str | None = None  # host:port every request goes to once set
        self.sent: list[tuple[str, str]] = []

    def on(self, method: str, path: str, action: Callable[[StepSession], None]) -> None:
        self.triggers.append(_Trigger(method, path, action))

    def heal(self) -> None:
        self.triggers.clear()
        self.redirect = None

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        method, url = str(method), str(url)
        parts = urlsplit(url)
        self.sent.append((method, parts.path))
        for trigger in self.triggers:
            if not trigger.fired and trigger.method == method and parts.path.startswith(trigger.path):
                trigger.fired = True
                trigger.action(self)
        if self.redirect is not None:
            url = urlunsplit(parts._replace(netloc=self.redirect))
        return super().request(method, url, *args, **kwargs)


class Blackhole:
    """A loopback listener whose accept queue is full: SYNs are dropped, so connects time out."""

    def __init__(self) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.address = f"127.0.0.1:{self.listener.getsockname()[1]}"
        self.fillers: list[socket.socket] = []
        for _ in range(8):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.settimeout(0.2)
            try:
                filler.connect(self.listener.getsockname())
            except OSError:
                filler.close()
                break
            self.fillers.append(filler)

    def close(self) -> None:
        for sock in [*self.fillers, self.listener]:
            sock.close()


# --- AWS faults ---------------------------------------------------------------------------------
@dataclass
class _AwsRule:
    event: str  # e.g. "dynamodb.PutItem"
    when: Callable[[dict[str, Any]], bool] | None
    error: tuple[str, int] | None = None  # (code, HTTP status)
    response: dict[str, Any] | None = None
    before: Callable[[], None] | None = None
    hits: int = 0


@dataclass
class BotoFaults:
    """``before-call`` handlers for every client the handler builds (see the module docstring)."""

    rules: list[_AwsRule] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def fail(
        self, event: str, code: str, status: int = 400, when: Callable[[dict[str, Any]], bool] | None = None
    ) -> None:
        self.rules.append(_AwsRule(event, when, error=(code, status)))

    def respond(self, event: str, response: dict[str, Any]) -> None:
        self.rules.append(_AwsRule(event, None, response=response))

    def before(
        self, event: str, action: Callable[[], None], when: Callable[[dict[str, Any]], bool] | None = None
    ) -> None:
        self.rules.append(_AwsRule(event, when, before=action))

    def handle(self, event_name: str, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        call = event_name.removeprefix("before-call.")
        self.calls.append(call)
        body = _json_body(params)
        for rule in self.rules:
            if rule.event != call or (rule.when is not None and not rule.when(body)):
                continue
            rule.hits += 1
            if rule.before is not None:
                action, rule.before = rule.before, None  # once
                action()
                continue
            metadata = {"RequestId": "reliability-suite", "HTTPHeaders": {}, "RetryAttempts": 0}
            if rule.response is not None:
                return AWSResponse("https://stub.invalid", 200, {}, None), {
                    **rule.response,
                    "ResponseMetadata": {**metadata, "HTTPStatusCode": 200},
                }
            assert rule.error is not None
            code, status = rule.error
            parsed = {
                "Error": {"Code": code, "Message": f"injected by the reliability suite: {code}"},
                "ResponseMetadata": {**metadata, "HTTPStatusCode": status},
            }
            return AWSResponse("https://stub.invalid", status, {}, None), parsed
        return None


def _json_body(params: dict[str, Any]) -> dict[str, Any]:
    body = params.get("body")
    if isinstance(body, bytes | str) and body:
        try:
            parsed = json.loads(body)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


# --- the rig ------------------------------------------------------------------------------------
@dataclass
class Rig:
    deployment: Deployment
    boto: BotoFaults
    sessions: dict[str, StepSession]
    rogue_ca: CertificateAuthority
    blackhole: Blackhole
    ca: CertificateAuthority

    @property
    def aws(self) -> AwsWorld:
        return self.deployment.aws

    def sim(self, site: str) -> QRadarSimulator:
        return self.deployment.main if site == "main" else self.deployment.destination

    def dynamodb(self) -> Any:
        """A client outside the handler's hooks, for setting up races."""
        return boto3.client("dynamodb", region_name=REGION)

    def lock_state(self) -> str | None:
        item = self.aws.lock_item()
        return item["state"]["S"] if item else None

    def heal(self) -> None:
        """Take every fault away (the consoles keep whatever state the faults left)."""
        self.boto.rules.clear()
        for site, session in self.sessions.items():
            session.heal()
            sim = self.sim(site)
            sim.clear_faults()
            if not sim.is_up:
                sim.come_back()
            sim.use_certificate_from(self.ca)

    def wait_for_deploys(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.sim(site).deploy_status()["status"] == "COMPLETE" for site in ("main", "destination")):
                return
            time.sleep(0.05)
