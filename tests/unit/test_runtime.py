"""The AWS clients the engine builds: bounded, so a dead endpoint address cannot eat the run's budget."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from qradar_failover.aws_errors import AwsProblem
from qradar_failover.config import load_config
from qradar_failover.lock import LockUnavailable
from qradar_failover.runtime import build_runtime
from support.events import FAKE_SITES_ENV, REGION

FUNCTION_TIMEOUT_SECONDS = 300


class RecordingSession:
    """A boto3 session that keeps every client the runtime asks it for."""

    def __init__(self) -> None:
        self.session = boto3.session.Session(region_name=REGION)
        self.clients: dict[str, Any] = {}

    def client(self, service: str, **kwargs: Any) -> Any:
        self.clients[service] = self.session.client(service, **kwargs)
        return self.clients[service]


def test_every_aws_client_has_short_timeouts_and_a_few_standard_retries(aws_credentials: None) -> None:
    session = RecordingSession()

    build_runtime(load_config(FAKE_SITES_ENV), session=session)

    assert set(session.clients) == {"secretsmanager", "dynamodb", "cloudwatch", "elbv2", "ec2", "sns"}
    for service, client in session.clients.items():
        config = client.meta.config
        assert config.retries["mode"] == "standard", service
        attempts = config.retries["total_max_attempts"]
        assert 1 < attempts <= 3, service
        assert config.connect_timeout <= 3 and config.read_timeout <= 10, service
        worst_case = attempts * (config.connect_timeout + config.read_timeout)
        assert worst_case < FUNCTION_TIMEOUT_SECONDS / 10, f"{service}: one call could take {worst_case}s"


@pytest.fixture
def hang_up_endpoint() -> Iterator[tuple[str, list[int]]]:
    """An endpoint that accepts each connection and closes it unanswered; counts the connections."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[int] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            accepted.append(1)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    server.close()
    thread.join(timeout=5)


def test_an_endpoint_that_hangs_up_is_tried_a_few_times_then_reported(
    aws_credentials: None, monkeypatch: pytest.MonkeyPatch, hang_up_endpoint: tuple[str, list[int]]
) -> None:
    url, accepted = hang_up_endpoint
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", url)
    runtime = build_runtime(load_config(FAKE_SITES_ENV), session=boto3.session.Session())

    with pytest.raises(LockUnavailable) as raised:
        runtime.lock.current()

    assert raised.value.aws_problem is AwsProblem.ENDPOINT
    assert len(accepted) == 3, "3 attempts in all, not the SDK default (legacy mode makes 10 for DynamoDB)"
