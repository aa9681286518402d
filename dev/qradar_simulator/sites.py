"""The two consoles of a DataSync deployment as it stands before a failover.

Main Site: ``PRIMARY``/``ACTIVE``, ariel copy on, two copy profiles. Destination Site: ``DR``/
``STANDBY``, ariel copy off, no copy profiles. The tests, the drill and the benchmark all start
this pair; faults are injected on the returned simulators.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from qradar_simulator.ca import CertificateAuthority
from qradar_simulator.server import QRadarSimulator

Clock = Callable[[], float]


def main_site(
    ca: CertificateAuthority, token: str, *, deploy_seconds: float = 0.5, port: int = 0, clock: Clock = time.monotonic
) -> QRadarSimulator:
    return QRadarSimulator(
        "main", token, ca, is_dr="PRIMARY", site_state="ACTIVE", deploy_seconds=deploy_seconds, port=port, clock=clock
    )


def destination_site(
    ca: CertificateAuthority, token: str, *, deploy_seconds: float = 0.5, port: int = 0, clock: Clock = time.monotonic
) -> QRadarSimulator:
    return QRadarSimulator(
        "destination",
        token,
        ca,
        is_dr="DR",
        site_state="STANDBY",
        ariel_copy_enabled=False,
        deploy_seconds=deploy_seconds,
        copy_profiles=[],
        port=port,
        clock=clock,
    )


def start_site_pair(
    ca: CertificateAuthority,
    main_token: str,
    destination_token: str,
    *,
    deploy_seconds: float = 0.5,
    clock: Clock = time.monotonic,
) -> tuple[QRadarSimulator, QRadarSimulator]:
    """Start both consoles on free loopback ports; the caller stops them. ``clock`` times their deploys."""
    main = main_site(ca, main_token, deploy_seconds=deploy_seconds, clock=clock).start()
    try:
        destination = destination_site(ca, destination_token, deploy_seconds=deploy_seconds, clock=clock).start()
    except Exception:
        main.stop()
        raise
    return main, destination
