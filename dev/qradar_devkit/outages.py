"""The catalogue of named outages: each a timeline of what fails, and the decision it must produce.

Every entry is played by :func:`qradar_devkit.outage.play` against the real handler, moto and the
simulated consoles: ``tests/outages`` holds each to its decision, ``make bench`` measures each, and
``qradar-failover drill --outage NAME`` shows one minute by minute. The look-alikes (``fails_over``
False) matter as much as the outages: a failover is a site-wide change that someone has to undo.
"""

from __future__ import annotations

from qradar_devkit.outage import (
    AzPowerLoss,
    AzRecovers,
    CloudWatchLate,
    CollectorsStop,
    DestinationDeploySeconds,
    DestinationFault,
    MainConsoleCutOff,
    Outage,
    Setup,
    ZonalShift,
)
from qradar_simulator import Fault, FaultKind

DEPLOY_STATUS = "/api/staged_config/deploy_status"

OUTAGES: dict[str, Outage] = {
    outage.name: outage
    for outage in (
        Outage(
            "az-power-loss",
            "The Main AZ loses power: its load balancer node, collectors and console are gone (IP targets).",
            ((0, AzPowerLoss()),),
            fails_over=True,
            why="the Main Site has lost collection; only the Destination can take it over",
        ),
        Outage(
            "az-power-loss-instance-targets",
            "The same loss with instance targets, whose AZ DescribeTargetHealth does not return.",
            ((0, AzPowerLoss()),),
            fails_over=True,
            why="the targets' AZ comes from their EC2 placement, so the ELB reading still counts",
            setup=Setup(target_type="instance"),
        ),
        Outage(
            "az-power-loss-slow-health-checks",
            "The Main AZ is lost while the target group's health checks need 10 failures (5 minutes) to say so.",
            ((0, AzPowerLoss()),),
            fails_over=True,
            why="ELB still says healthy when the alarm fires; the function looks again until it agrees",
            setup=Setup(unhealthy_threshold_count=10),
        ),
        Outage(
            "collectors-crashed",
            "Every Main collector stops while the AZ stays up: datapoints go on and say so.",
            ((0, CollectorsStop()),),
            fails_over=True,
            why="no Main collector is healthy, whatever the reason",
        ),
        Outage(
            "one-collector-of-two",
            "One of the two Main collectors stops.",
            ((0, CollectorsStop(count=1)),),
            fails_over=False,
            why="one healthy collector remains (the minimum is 1): the Main Site still collects",
        ),
        Outage(
            "cloudwatch-delay",
            "A regional CloudWatch delay: every AZ's datapoints arrive 6 minutes late for 12 minutes; all healthy.",
            ((0, CloudWatchLate(minutes=6, for_minutes=12)),),
            fails_over=False,
            why="nothing failed: the missing datapoints are late, not gone, and ELB sees every target healthy",
        ),
        Outage(
            "cloudwatch-delay-instance-targets",
            "The same delay with instance targets.",
            ((0, CloudWatchLate(minutes=6, for_minutes=12)),),
            fails_over=False,
            why="instance targets' AZ comes from EC2, so ELB's healthy targets still outweigh the stale data",
            setup=Setup(target_type="instance"),
        ),
        Outage(
            "main-console-cut-off",
            "The function can no longer reach the Main console; the collectors keep collecting.",
            ((0, MainConsoleCutOff()),),
            fails_over=False,
            why="collection goes on: no health alarm fires, and readiness (not a failover) reports the console",
        ),
        Outage(
            "destination-deploy-fails-once",
            "The Main AZ is lost, and the Destination's first deploy fails (HTTP 500, QRadar code 1020).",
            (
                (0, AzPowerLoss()),
                (
                    0,
                    DestinationFault(
                        Fault(FaultKind.STATUS, method="POST", path=DEPLOY_STATUS, times=1, status=500, code=1020),
                        "the first deploy request fails with HTTP 500 (code 1020)",
                    ),
                ),
            ),
            fails_over=True,
            why="the failure may pass: Lambda runs the alarm again a minute later, and that attempt succeeds",
        ),
        Outage(
            "destination-slow",
            "The Main AZ is lost and the Destination's deploy takes 4 minutes, longer than DEPLOY_TIMEOUT_SECONDS.",
            ((0, AzPowerLoss()), (0, DestinationDeploySeconds(240))),
            fails_over=True,
            why="the deploy finishes on its own; the next attempt finds it running, waits it out and verifies",
        ),
        Outage(
            "main-az-never-had-collectors",
            "The load balancer serves a Main AZ where no collector was ever registered (HealthyHostCount 0).",
            (),
            fails_over=False,
            why="there were no collectors to lose: the alarm (missing data breaching) is not an outage",
            setup=Setup(main_collectors=0),
        ),
        Outage(
            "two-target-groups",
            "The Main AZ is lost under two target groups (DLC and syslog): two alarms fire together.",
            ((0, AzPowerLoss()),),
            fails_over=True,
            why="one failover for the site, whatever number of alarms report it",
            setup=Setup(target_groups=2),
        ),
        Outage(
            "alarm-flaps-after-failover",
            "The Main AZ is lost, comes back after the failover, and is lost again.",
            ((0, AzPowerLoss()), (12, AzRecovers()), (20, AzPowerLoss())),
            fails_over=True,
            why="one failover; later alarms are no-ops (one notice) until an operator fails back and re-arms",
            minutes=30,
        ),
        Outage(
            "zonal-shift",
            "An ARC zonal shift moves traffic away from the Main AZ; its targets stay healthy.",
            ((0, ZonalShift()),),
            fails_over=False,
            why="a zonal shift is deliberate and temporary; the Main collectors are healthy",
        ),
    )
}
