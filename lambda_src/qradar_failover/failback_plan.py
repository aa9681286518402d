"""The failback's steps, in order: what each does, who does it (this command through the QRadar API, or a
person in the DataSync app or on the hosts), what it is verified by, and which procedure it follows.

Data only: :mod:`qradar_failover.failback` runs the steps, :mod:`qradar_failover.failback_checks` judges
what each verification read. A step's ``id`` is what the lock record keeps, so a failback resumes at the
first step not done.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# The procedures the steps follow, cited in the plan and in docs/operations.md.
IBM_FAILBACK_NOTES = "IBM DataSync app, failback after an automated failover (activate the Destination, then Main)"
IBM_SYNC_ARIEL = "IBM DataSync app, 'Synchronizing Ariel data', step 2 (copy back from the destination site)"
UPSTREAM_INGRESS = "the upstream solution's host cron script (ingress restart on a DR state change)"
OUR_FAILOVER = "this project's failover, in reverse (same staging, deploy and read-back)"


class StepKind(StrEnum):
    API = "api"  # done by this command through the QRadar API (or the lock table)
    MANUAL = "manual"  # done by a person; the command waits for their word, then verifies what it can see


@dataclass(frozen=True)
class Step:
    id: str  # kept in the lock record
    kind: StepKind
    title: str
    where: str
    verified_by: str
    follows: str
    instructions: tuple[str, ...] = ()  # a manual step: what exactly to do

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "title": self.title,
            "where": self.where,
            "verified_by": self.verified_by,
            "follows": self.follows,
            "instructions": list(self.instructions),
        }


DESTINATION_ACTIVE_IN_APP = Step(
    "destination-active-in-app",
    StepKind.MANUAL,
    "Make sure the DataSync app shows the Destination as the active site",
    "DataSync app on the Destination console",
    "the Destination's deployed DR configuration reads PRIMARY/ACTIVE (API)",
    IBM_FAILBACK_NOTES,
    (
        "Open the Data Synchronization app on the Destination console. After an automated failover it may still "
        "show the Main Site as active: if it does, activate the Destination site in the app so its state is right.",
    ),
)
COPY_BACK = Step(
    "copy-back",
    StepKind.MANUAL,
    "Copy the data the Destination collected during the outage back to the Main Site",
    "every Destination host that stores events or flows (shell), then the DataSync app",
    "the Destination's copy profiles back to Main record a successful transfer after the failover (API), where "
    "it has such profiles; otherwise your word",
    IBM_SYNC_ARIEL,
    (
        "As root on each Destination host that stores events or flows: /opt/ibm/si/dr/bin/dr_create_ssh.sh "
        "-I <the IP of its paired Main host>",
        "In the Data Synchronization app, wait until the Ariel synchronization status shows the copy back to the "
        "Main Site complete (it can take hours after a long outage; stop here and run failback again later).",
    ),
)
ACTIVATE_MAIN = Step(
    "activate-main",
    StepKind.API,
    "Set the Main Site PRIMARY/ACTIVE with ariel copy on, and deploy",
    "QRadar API, Main console",
    "Main's deployed DR configuration reads PRIMARY/ACTIVE, ariel copy on (read back after the deploy)",
    OUR_FAILOVER,
)
DEMOTE_DESTINATION = Step(
    "demote-destination",
    StepKind.API,
    "Set the Destination DR/STANDBY with ariel copy off, disable its copy profiles back to Main, and deploy",
    "QRadar API, Destination console",
    "the Destination's deployed DR configuration reads DR/STANDBY, ariel copy off, and none of its copy profiles "
    "is enabled (read back after the deploy)",
    OUR_FAILOVER,
)
ENABLE_MAIN_COPY = Step(
    "enable-main-copy",
    StepKind.API,
    "Enable the Main Site's ariel copy profiles the failover disabled",
    "QRadar API, Main console",
    "Main's copy profiles read enabled again (read back)",
    "the brief's DataSync failback notes: the failover disabled Main's copy profiles; failback enables them",
)
INGRESS = Step(
    "ingress",
    StepKind.MANUAL,
    "Check that ingress restarted on the hosts of both sites and events arrive at the Main Site",
    "every QRadar host of both sites (shell), the Main console",
    "the Main AZ's collectors pass the load balancer's health checks (live target health)",
    UPSTREAM_INGRESS,
    (
        "On each host: /opt/qradar-dr-agent/qradar-dr-agent status shows a restart for the change (Main: "
        "PRIMARY/STANDBY -> PRIMARY/ACTIVE, Destination: PRIMARY/ACTIVE -> DR/STANDBY); without the agent: "
        "systemctl restart ecs-ec-ingress",
        "On the Main console, check that events arrive (Log Activity).",
    ),
)
REARM = Step(
    "rearm",
    StepKind.API,
    "Re-arm the automation",
    "the lock table",
    "the rearm requirements (Main PRIMARY/ACTIVE and copying, Destination not active, Main-AZ alarms OK, no "
    "failover running), then the lock record is deleted",
    "qradar-failover rearm",
)

STEPS: tuple[Step, ...] = (
    DESTINATION_ACTIVE_IN_APP,
    COPY_BACK,
    ACTIVATE_MAIN,
    DEMOTE_DESTINATION,
    ENABLE_MAIN_COPY,
    INGRESS,
    REARM,
)


def number_of(step: Step) -> int:
    """The step's number in the plan (1-based)."""
    return STEPS.index(step) + 1
