"""The two consoles of a DataSync deployment as it stands before a failover, and after one.

Main Site: ``PRIMARY``/``ACTIVE``, ariel copy on, two copy profiles to the Destination. Destination
Site: ``DR``/``STANDBY``, ariel copy off, one copy profile back to Main, disabled (the DataSync app
pairs the hosts both ways; data flows back only once the copy back is set up after a failover). The
tests, the drill and the benchmark all start this pair; faults are injected on the returned
simulators. :func:`failed_over_site_pair` starts them as a failover leaves them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from qradar_simulator.ca import CertificateAuthority
from qradar_simulator.server import QRadarSimulator
from qradar_simulator.state import default_copy_profiles

MAIN_CONSOLE_IP = "10.0.1.10"  # the consoles' DR config names each other by these

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
        copy_profiles=[{**default_copy_profiles(MAIN_CONSOLE_IP)[0], "enabled": False}],
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


def failed_over_site_pair(
    ca: CertificateAuthority, main_token: str, destination_token: str, *, deploy_seconds: float = 0.5
) -> tuple[QRadarSimulator, QRadarSimulator]:
    """Both consoles as a completed failover leaves them: Main ``PRIMARY``/``STANDBY``, ariel copy off,
    every copy profile disabled; the Destination ``PRIMARY``/``ACTIVE``, ariel copy on."""
    main, destination = start_site_pair(ca, main_token, destination_token, deploy_seconds=deploy_seconds)
    main.set_dr_state(site_state="STANDBY", ariel_copy_enabled=False)
    main.set_copy_profiles_enabled(False)
    destination.set_dr_state(is_dr="PRIMARY", site_state="ACTIVE", ariel_copy_enabled=True)
    return main, destination
