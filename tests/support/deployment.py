"""Both simulated consoles, the moto-backed AWS side, and a way to deliver alarms to the real handler."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from qradar_failover.handler import lambda_handler
from qradar_simulator import QRadarSimulator
from support.aws import AwsWorld, FakeContext
from support.events import alarm_message, sns_event


@dataclass
class Deployment:
    """Both consoles, the AWS side, and a way to deliver alarms to the real handler."""

    main: QRadarSimulator
    destination: QRadarSimulator
    aws: AwsWorld
    monkeypatch: pytest.MonkeyPatch

    def configure(self, **env: str) -> None:
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)

    def deliver(
        self, event: dict[str, Any] | None = None, remaining_seconds: float = 300.0, request_id: str = "req-1"
    ) -> dict[str, Any]:
        return lambda_handler(
            event if event is not None else sns_event(alarm_message()),
            FakeContext(remaining_seconds, request_id),
        )

    def destination_staged_writes(self) -> int:
        return sum(
            1
            for request in self.destination.writes()
            if request.path == "/api/staged_config/disaster_recovery/disaster_recovery_config"
        )
