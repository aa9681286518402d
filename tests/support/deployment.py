"""Both simulated consoles, the moto-backed AWS side, and a way to deliver alarms to the real handler."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from qradar_devkit.lambda_context import FakeLambdaContext
from qradar_devkit.world import AwsWorld
from qradar_failover import readiness_handler
from qradar_failover.handler import lambda_handler
from qradar_simulator import QRadarSimulator
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

    def alarm_event(self, message_id: str = "95df01b4-ee98-5cb9-9903-4c221d41eb5e", **changes: Any) -> dict[str, Any]:
        """The SNS-wrapped alarm for this deployment's load balancer and target group in the Main AZ,
        with top-level fields or dimensions changed."""
        dimensions = {"LoadBalancer": self.aws.load_balancer, "TargetGroup": self.aws.target_group}
        return sns_event(alarm_message(**(dimensions | changes)), message_id=message_id)

    def deliver(
        self, event: dict[str, Any] | None = None, remaining_seconds: float = 300.0, request_id: str = "req-1"
    ) -> dict[str, Any]:
        return lambda_handler(
            event if event is not None else self.alarm_event(),
            FakeLambdaContext(request_id, remaining_seconds),
        )

    def check_readiness(self, remaining_seconds: float = 60.0, request_id: str = "ready-1") -> dict[str, Any]:
        """One run of the readiness function, as its schedule invokes it."""
        return readiness_handler.lambda_handler(
            {"source": "schedule"}, FakeLambdaContext(request_id, remaining_seconds)
        )

    def destination_staged_writes(self) -> int:
        return sum(
            1
            for request in self.destination.writes()
            if request.path == "/api/staged_config/disaster_recovery/disaster_recovery_config"
        )
