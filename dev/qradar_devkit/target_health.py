"""What the load balancer says about each target: ``DescribeTargetHealth`` answered from the world.

moto answers ``DescribeTargetHealth`` with ``healthy`` for every registered IP target and leaves out
the target's ``AvailabilityZone``. The real API returns the AZ for IP targets (detected from the
subnet) and none for ``instance`` targets (their AZ is the instance's placement), and its states
follow the health checks: a target in a lost AZ turns ``unhealthy`` (``Target.FailedHealthChecks``
on an NLB, ``Target.Timeout`` on an ALB) after the unhealthy threshold. The world and the outage
timelines set each target's state here; :func:`install` makes moto answer from it. moto runs in this
process (in-process mock or :class:`~qradar_devkit.world.MotoEndpoint`), so the patch reaches it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

NLB_FAILURE_REASON = "Target.FailedHealthChecks"
ALB_FAILURE_REASON = "Target.Timeout"
_DESCRIPTIONS = {
    NLB_FAILURE_REASON: "Health checks failed",
    ALB_FAILURE_REASON: "Request timed out",
}


@dataclass(frozen=True)
class TargetHealth:
    state: str  # healthy, unhealthy, initial, unused, draining, unavailable
    reason: str | None = None
    availability_zone: str | None = None  # what the API returns: IP targets only


_lock = threading.Lock()
_targets: dict[tuple[str, str], TargetHealth] = {}
_installed = False


def register(target_group_arn: str, target_id: str, availability_zone: str | None) -> None:
    """A target the world registered: healthy, with the AZ the API reports for it (None for instances)."""
    with _lock:
        _targets[(target_group_arn, target_id)] = TargetHealth("healthy", None, availability_zone)


def set_state(target_group_arn: str, target_id: str, state: str, reason: str | None = None) -> None:
    with _lock:
        current = _targets.get((target_group_arn, target_id), TargetHealth("healthy"))
        _targets[(target_group_arn, target_id)] = TargetHealth(state, reason, current.availability_zone)


def state_of(target_group_arn: str, target_id: str) -> TargetHealth | None:
    with _lock:
        return _targets.get((target_group_arn, target_id))


def forget() -> None:
    """Every target's state goes (a new world)."""
    with _lock:
        _targets.clear()


def install() -> None:
    """Make moto's ``DescribeTargetHealth`` answer from this module (once per process)."""
    global _installed  # noqa: PLW0603 (one patch per process, like the world's other moto patch)
    with _lock:
        if _installed:
            return
        _installed = True
    from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup

    class _ZonedHealthStatus(FakeHealthStatus):
        def __init__(self, *args: Any, availability_zone: str | None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.availability_zone = availability_zone

        @property
        def target(self) -> dict[str, str]:
            target = dict(super().target)
            if self.availability_zone is not None:
                target["AvailabilityZone"] = self.availability_zone
            return target

    original = FakeTargetGroup.health_for

    def health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
        known = self.targets.get(target["Id"])
        health = state_of(self.arn, target["Id"]) if known is not None else None
        if health is None:
            return original(self, target, ec2_backend)
        return _ZonedHealthStatus(
            known["Id"],
            known["Port"],
            self.health_check_port,
            health.state,
            health.reason,
            _DESCRIPTIONS.get(health.reason or ""),
            availability_zone=health.availability_zone,
        )

    FakeTargetGroup.health_for = health_for  # type: ignore[method-assign]
