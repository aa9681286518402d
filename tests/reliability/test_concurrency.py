"""50 concurrent deliveries over three target groups' alarms for the Main AZ, then redeliveries.

Asserted from what the outside world saw: the Destination's request log (one staging call), the
published notifications (one "failed over", at most one "already failed over") and the lock table.

Deliveries that arrive while the winner still holds its claim answer ``in_progress_elsewhere``:
at that moment nothing is recorded yet, and a real failover holds the claim for minutes (the
deploys), so waiting for it would keep dozens of Lambda sandboxes busy for nothing. Both duplicate
answers are quiet (no QRadar write, no notification); once the failover is recorded every
delivery answers ``already_failed_over``, and only the first of those notifies.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

import pytest

from qradar_devkit.world import publish_target_health
from support.events import MAIN_AZ
from support.reliability_rig import Rig

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

TARGET_GROUPS = (
    "targetgroup/qradar-dlc/6d0ecf831eec9f09",
    "targetgroup/qradar-syslog/1a2b3c4d5e6f7a8b",
    "targetgroup/qradar-tls-syslog/9f8e7d6c5b4a3928",
)
DELIVERIES = 50
REDELIVERIES = 5
STAGED = "/api/staged_config/disaster_recovery/disaster_recovery_config"


def _alarm(rig: Rig, index: int) -> dict[str, Any]:
    target_group = TARGET_GROUPS[index % len(TARGET_GROUPS)]
    name = target_group.split("/")[1]
    return rig.deployment.alarm_event(
        message_id=f"delivery-{index:02d}",
        TargetGroup=target_group,
        AlarmName=f"qradar-main-{MAIN_AZ}-{name}-unhealthy",
        AvailabilityZone=MAIN_AZ,
    )


def _unhealthy_in_main_az(rig: Rig) -> None:
    """Each target group had two healthy collectors in the Main AZ, and has none for 3 minutes."""
    for target_group in TARGET_GROUPS:
        publish_target_health(
            rig.aws.load_balancer, target_group, MAIN_AZ, healthy=2, unhealthy=0, minutes_ago=range(10, 3, -1)
        )
        publish_target_health(rig.aws.load_balancer, target_group, MAIN_AZ, healthy=0, unhealthy=2)


def test_fifty_concurrent_deliveries_then_redeliveries_fail_over_exactly_once(rig: Rig) -> None:
    _unhealthy_in_main_az(rig)
    warm = rig.deployment.deliver(rig.deployment.alarm_event(message_id="warm-up", NewStateValue="OK"))
    assert warm["outcome"] == "ignored"  # builds the runtime once, as a warm sandbox would have it
    barrier = threading.Barrier(DELIVERIES)
    results: dict[int, dict[str, Any]] = {}
    errors: list[BaseException] = []

    def deliver(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = rig.deployment.deliver(_alarm(rig, index), request_id=f"run-{index:02d}")
        except BaseException as error:  # surfaced below; a thread must not die silently
            errors.append(error)

    threads = [threading.Thread(target=deliver, args=(index,)) for index in range(DELIVERIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    redeliveries = [
        rig.deployment.deliver(_alarm(rig, index), request_id=f"redelivery-{index}") for index in range(REDELIVERIES)
    ]

    assert errors == [] and len(results) == DELIVERIES
    outcomes = Counter(result["outcome"] for result in results.values())
    assert outcomes["failed_over"] == 1, outcomes
    assert set(outcomes) <= {"failed_over", "in_progress_elsewhere", "already_failed_over"}, outcomes
    assert [result["outcome"] for result in redeliveries] == ["already_failed_over"] * REDELIVERIES
    (winner,) = [index for index, result in results.items() if result["outcome"] == "failed_over"]

    destination_writes = rig.deployment.destination.writes()
    assert [request.path for request in destination_writes].count(STAGED) == 1, "exactly one staging call"
    assert sum(request.path == "/api/staged_config/deploy_status" for request in destination_writes) == 1
    assert [request.path for request in rig.deployment.main.writes()].count(STAGED) == 1

    subjects = [notification["Subject"] for notification in rig.aws.notifications()]
    assert sum(subject.startswith("[QRadar DR] Failed over") for subject in subjects) == 1, subjects
    assert sum(subject.startswith("[QRadar DR] Already failed over") for subject in subjects) <= 1, subjects
    assert len(subjects) <= 2, f"subscribers were flooded: {subjects}"

    item = rig.aws.lock_item()
    assert item is not None
    assert item["state"]["S"] == "FAILED_OVER"
    assert item["holder"]["S"] == f"run-{winner:02d}"
    assert json.loads(item["summary"]["S"])["run_id"] == f"run-{winner:02d}"
    already_notices = sum(subject.startswith("[QRadar DR] Already failed over") for subject in subjects)
    assert item.get("duplicate_notice_sent", {}).get("BOOL", False) is (already_notices == 1)
