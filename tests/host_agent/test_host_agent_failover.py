"""A failover and a failback as the QRadar hosts see them, end to end on fake roots.

Each host is installed the way the SSM document does it (`install`), then driven the way cron
does it (`/opt/qradar-dr-agent/qradar-dr-agent run` every minute) while the deploys rewrite its
dr.conf. Nothing but dr.conf changes on the host: no marker, no jar, no operator.
"""

from __future__ import annotations

from pathlib import Path

from support.host_agent import INSTALL_PATH, STATE_DIR, Agent, make_agent

MINUTE = 60
RESTART = "systemctl restart ecs-ec-ingress"


def installed(tmp_path: Path, host: str, is_dr: str, site_state: str) -> Agent:
    agent = make_agent(tmp_path / host)
    agent.dr_conf(is_dr, site_state)
    agent("install")
    return agent


def cron_minutes(agent: Agent, minutes: int) -> None:
    """What cron does: run the installed copy once a minute."""
    for _ in range(minutes):
        agent.advance(MINUTE)
        agent("run", script=agent.path(INSTALL_PATH))


def reboot(agent: Agent) -> None:
    """A reboot keeps /var/lib and loses what is volatile (the lock file here)."""
    agent.path(f"{STATE_DIR}/lock").unlink(missing_ok=True)


def test_destination_activation_restarts_ingress_once(tmp_path: Path) -> None:
    dest = installed(tmp_path, "dest-console", "DR", "STANDBY")
    cron_minutes(dest, 3)
    assert dest.restarts() == []

    dest.dr_conf("PRIMARY", "ACTIVE")  # the failover's deploy reaches this host
    cron_minutes(dest, 1)

    assert dest.restarts() == [RESTART]
    assert "DR state changed: DR/STANDBY -> PRIMARY/ACTIVE" in "\n".join(dest.logs())
    assert dest.handled_state() == "PRIMARY/ACTIVE"
    status = dest("status").stdout
    assert "last restart:       2027-01-15T08:04:00Z result=ok" in status
    assert "pending restart:    none" in status

    # later minutes, a reboot, a re-install by the SSM association: still that one restart
    cron_minutes(dest, 30)
    reboot(dest)
    cron_minutes(dest, 2)
    dest("install", script=dest.path(INSTALL_PATH))
    cron_minutes(dest, 2)
    assert dest.restarts() == [RESTART]


def test_failover_and_failback_restart_every_host_whose_state_changed_once(tmp_path: Path) -> None:
    main = installed(tmp_path, "main-console", "PRIMARY", "ACTIVE")
    dest = installed(tmp_path, "dest-collector", "DR", "STANDBY")
    cron_minutes(main, 2)
    cron_minutes(dest, 2)

    # failover: the Lambda activates the Destination, then demotes Main
    dest.dr_conf("PRIMARY", "ACTIVE")
    main.dr_conf("PRIMARY", "STANDBY")
    cron_minutes(main, 5)
    cron_minutes(dest, 5)
    assert main.restarts() == [RESTART]
    assert dest.restarts() == [RESTART]

    # an hour later the operator fails back with the DataSync app
    main.advance(3600)
    dest.advance(3600)
    main.dr_conf("PRIMARY", "ACTIVE")
    dest.dr_conf("DR", "STANDBY")
    cron_minutes(main, 5)
    cron_minutes(dest, 5)
    assert main.restarts() == [RESTART, RESTART]
    assert dest.restarts() == [RESTART, RESTART]
    assert "DR state changed: PRIMARY/ACTIVE -> DR/STANDBY" in "\n".join(dest.logs())


def test_a_change_inside_the_rate_limit_is_restarted_when_allowed(tmp_path: Path) -> None:
    """Failback five minutes after the failover: the second restart waits for the interval."""
    dest = installed(tmp_path, "dest-console", "DR", "STANDBY")
    dest.dr_conf("PRIMARY", "ACTIVE")
    cron_minutes(dest, 1)
    dest.dr_conf("DR", "STANDBY")
    cron_minutes(dest, 5)
    assert dest.restarts() == [RESTART]
    status = dest("status").stdout
    assert "pending restart:    PRIMARY/ACTIVE -> DR/STANDBY (refused by the rate limit until" in status
    cron_minutes(dest, 5)
    assert dest.restarts() == [RESTART, RESTART]
    cron_minutes(dest, 15)
    assert dest.restarts() == [RESTART, RESTART]


def test_a_clock_set_back_does_not_block_restarts(tmp_path: Path) -> None:
    """A last restart 'in the future' (the clock was wrong, then corrected) is no reason to wait."""
    dest = installed(tmp_path, "dest-console", "DR", "STANDBY")
    dest.dr_conf("PRIMARY", "ACTIVE")
    cron_minutes(dest, 1)
    dest.now -= 86_400  # NTP stepped the clock back a day
    dest.dr_conf("DR", "STANDBY")
    cron_minutes(dest, 1)
    assert dest.restarts() == [RESTART, RESTART]
    assert "is in the future" in "\n".join(dest.logs())
