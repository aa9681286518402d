"""The transition table of host_agent/README.md, row by row, plus rate limit and parsing.

Each row: arrange the recorded identity and last seen state by running the agent itself
(first sight records identity and baseline), then write the new dr.conf, DLC jar and restart
marker, run once and check restart, identity, last seen state and the syslog line.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from support.host_agent import DR_CONF, Agent

HOUR = 3600


@dataclass(frozen=True)
class Row:
    id: str
    identity: str | None  # recorded before the run: None, "main", "dest"
    prev: str | None  # last seen site_state before the run
    new: tuple[str | None, str | None] | None  # (is_dr, site_state) written to dr.conf; None: no file
    restart: bool
    identity_after: str | None
    last_state_after: str | None
    log: str  # a substring of the syslog (logger) output of the run
    jar: bool = False
    marker: str = "none"  # none | new | handled (present, already caused its restart)


# Keep in step with the table in host_agent/README.md (same order).
TABLE = [
    # first sight: identity recorded with its evidence, baseline only, never a restart
    Row("first-seen-main", None, None, ("PRIMARY", "ACTIVE"),
        False, "main", "ACTIVE", "recorded site identity 'main'", jar=True),
    Row("first-seen-main-already-standby", None, None, ("PRIMARY", "STANDBY"),
        False, "main", "STANDBY", "recorded site identity 'main'", jar=True),
    Row("first-seen-dest", None, None, ("DR", "STANDBY"),
        False, "dest", "STANDBY", "recorded site identity 'dest'", marker="new"),
    # Main
    Row("main-active-to-standby-with-jar", "main", "ACTIVE", ("PRIMARY", "STANDBY"),
        True, "main", "STANDBY", "Main became STANDBY and the DLC ingress jar is present", jar=True),
    Row("main-active-to-standby-without-jar", "main", "ACTIVE", ("PRIMARY", "STANDBY"),
        False, "main", "STANDBY", "no DLC ingress jar, no restart needed"),
    Row("main-standby-to-active-without-jar", "main", "STANDBY", ("PRIMARY", "ACTIVE"),
        True, "main", "ACTIVE", "Main became ACTIVE and the DLC ingress jar is absent"),
    Row("main-standby-to-active-with-jar", "main", "STANDBY", ("PRIMARY", "ACTIVE"),
        False, "main", "ACTIVE", "the DLC ingress jar is present, no restart needed", jar=True),
    Row("main-active-unchanged", "main", "ACTIVE", ("PRIMARY", "ACTIVE"),
        False, "main", "ACTIVE", "", jar=True),
    Row("main-standby-unchanged", "main", "STANDBY", ("PRIMARY", "STANDBY"),
        False, "main", "STANDBY", "", jar=True),
    # Destination
    Row("dest-standby-to-active-with-marker", "dest", "STANDBY", ("PRIMARY", "ACTIVE"),
        True, "dest", "ACTIVE", "Destination is ACTIVE and a new restart marker is present", marker="new"),
    Row("dest-standby-to-active-no-marker-yet", "dest", "STANDBY", ("PRIMARY", "ACTIVE"),
        False, "dest", "ACTIVE", "no restart marker (yet)"),
    Row("dest-active-marker-appears-later", "dest", "ACTIVE", ("PRIMARY", "ACTIVE"),
        True, "dest", "ACTIVE", "Destination is ACTIVE and a new restart marker is present", marker="new"),
    Row("dest-active-marker-already-handled", "dest", "ACTIVE", ("PRIMARY", "ACTIVE"),
        False, "dest", "ACTIVE", "", marker="handled"),
    Row("dest-standby-with-marker", "dest", "STANDBY", ("DR", "STANDBY"),
        False, "dest", "STANDBY", "", marker="new"),
    Row("dest-active-to-standby-failback", "dest", "ACTIVE", ("DR", "STANDBY"),
        False, "dest", "STANDBY", "Destination is STANDBY; no restart", jar=True, marker="handled"),
    # DR disabled, unknown state, missing file: log, do nothing, keep the last seen state
    Row("dr-disabled-no-is_dr", "main", "ACTIVE", (None, None),
        False, "main", "ACTIVE", "DR is not enabled", jar=True),
    Row("dr-disabled-is_dr-none", "main", "ACTIVE", ("NONE", "STANDBY"),
        False, "main", "ACTIVE", "DR is not enabled", jar=True),
    Row("dr-disabled-before-identity", None, None, (None, None),
        False, None, None, "DR is not enabled"),
    Row("unknown-site-state", "main", "ACTIVE", ("PRIMARY", "FAILING"),
        False, "main", "ACTIVE", "unknown DR state", jar=True),
    Row("unknown-is_dr", "main", "STANDBY", ("SECONDARY", "ACTIVE"),
        False, "main", "STANDBY", "unknown DR state"),
    Row("missing-site-state", "dest", "STANDBY", ("DR", None),
        False, "dest", "STANDBY", "unknown DR state", marker="new"),
    Row("unknown-before-identity", None, None, ("PRIMARY", "MAYBE"),
        False, None, None, "unknown DR state"),
    Row("dr-conf-missing", "main", "ACTIVE", None,
        False, "main", "ACTIVE", "does not exist; nothing to do", jar=True),
    Row("dr-conf-missing-before-identity", None, None, None,
        False, None, None, "does not exist"),
]  # fmt: skip


def arrange(agent: Agent, identity: str | None, prev: str | None, marker_handled: bool) -> None:
    """Bring the agent to (identity, last seen state) the way a real host gets there."""
    if identity is None:
        return
    if identity == "main":
        assert prev is not None
        agent.dr_conf("PRIMARY", prev)
        agent("run")
    else:
        agent.dr_conf("DR", "STANDBY")
        agent("run")
        if prev == "ACTIVE":
            agent.advance(HOUR)
            if marker_handled:
                agent.touch_marker()
            agent.dr_conf("PRIMARY", "ACTIVE")
            agent("run")
    assert agent.state("identity")["site"] == identity
    assert agent.state("last_state")["site_state"] == prev
    agent.advance(HOUR)
    agent.calls_file.unlink(missing_ok=True)


@pytest.mark.parametrize("row", TABLE, ids=[r.id for r in TABLE])
def test_transition_table(agent: Agent, row: Row) -> None:
    arrange(agent, row.identity, row.prev, marker_handled=row.marker == "handled")
    if row.new is None:
        agent.path(DR_CONF).unlink(missing_ok=True)
    else:
        agent.dr_conf(*row.new)
    agent.set_jar(row.jar)
    if row.marker == "new":
        agent.touch_marker()

    agent("run")

    assert agent.restarts() == (["systemctl restart ecs-ec-ingress"] if row.restart else [])
    assert agent.state("identity").get("site") == row.identity_after
    assert agent.state("last_state").get("site_state") == row.last_state_after
    logs = "\n".join(agent.logs())
    assert row.log in logs, logs
    if row.restart:
        assert agent.state("last_restart")["result"] == "ok"
    # and a second run right after changes nothing more
    agent.advance(HOUR)
    before = agent.state_snapshot()
    agent("run")
    assert len(agent.restarts()) == int(row.restart)
    assert agent.state_snapshot() == before


def test_identity_is_recorded_once_with_evidence(agent: Agent) -> None:
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    identity = agent.state("identity")
    assert identity["site"] == "main"
    assert identity["source"].startswith("auto")
    assert identity["evidence_is_dr"] == "PRIMARY"
    assert identity["evidence_site_state"] == "ACTIVE"
    assert len(identity["evidence_dr_conf_sha256"]) == 64
    assert identity["recorded_at"] == "2027-01-15T08:00:00Z"
    assert identity["hostname"]
    # Later dr.conf contents (even ones that look like a Destination) never change it.
    for is_dr, site_state in [("PRIMARY", "STANDBY"), ("DR", "STANDBY"), ("PRIMARY", "ACTIVE")]:
        agent.advance(HOUR)
        agent.dr_conf(is_dr, site_state)
        agent("run")
        assert agent.state("identity") == identity


def test_repeated_runs_restart_once_per_transition(agent: Agent) -> None:
    agent.set_jar(True)
    agent.dr_conf("PRIMARY", "ACTIVE")
    for _ in range(3):
        agent("run")
        agent.advance(60)
    agent.dr_conf("PRIMARY", "STANDBY")
    for _ in range(5):
        agent("run")
        agent.advance(HOUR)
    assert agent.restarts() == ["systemctl restart ecs-ec-ingress"]


def test_full_failover_and_failback_cycle(agent: Agent) -> None:
    """Main with the DLC jar: STANDBY restarts; back to ACTIVE after the jar is gone restarts again."""
    agent.set_jar(True)
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    agent.advance(HOUR)
    agent.dr_conf("PRIMARY", "STANDBY")
    agent("run")
    agent.advance(HOUR)
    agent.set_jar(False)
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    assert len(agent.restarts()) == 2
    assert agent.state("last_state")["site_state"] == "ACTIVE"


def test_rate_limit_refuses_logs_why_and_retries_later(agent: Agent) -> None:
    agent.set_jar(True)
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    agent.advance(HOUR)
    agent.dr_conf("PRIMARY", "STANDBY")
    agent("run")  # restart 1
    agent.advance(120)
    agent.set_jar(False)
    agent.dr_conf("PRIMARY", "ACTIVE")
    proc = agent("run")  # needs a restart, but 2 minutes after the last one
    assert len(agent.restarts()) == 1
    assert "refused by the rate limit" in proc.stderr
    assert "next allowed at" in agent.logs()[-1]
    # the transition is not consumed: the last seen state is still STANDBY, so it is retried
    assert agent.state("last_state")["site_state"] == "STANDBY"
    agent.advance(300)
    agent("run")
    assert len(agent.restarts()) == 1
    agent.advance(600)
    agent("run")
    assert len(agent.restarts()) == 2
    assert agent.state("last_state")["site_state"] == "ACTIVE"


def test_flapping_state_cannot_restart_loop(agent: Agent) -> None:
    """dr.conf flipping every minute for half an hour: at most one restart per 10 minutes."""
    agent.set_jar(True)
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    times = []
    for minute in range(1, 31):
        agent.advance(60)
        agent.set_jar(minute % 2 == 1)  # STANDBY with the jar, ACTIVE without: both restart
        agent.dr_conf("PRIMARY", "STANDBY" if minute % 2 == 1 else "ACTIVE")
        before = len(agent.restarts())
        agent("run")
        if len(agent.restarts()) > before:
            times.append(agent.now)
    assert 1 <= len(times) <= 3
    assert all(b - a >= 600 for a, b in itertools.pairwise(times))


def test_configurable_rate_limit(agent: Agent) -> None:
    env = {"QRADAR_DR_AGENT_MIN_RESTART_INTERVAL": "0"}
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run", env=env)
    for state, jar in [("STANDBY", True), ("ACTIVE", False), ("STANDBY", True)]:
        agent.set_jar(jar)
        agent.dr_conf("PRIMARY", state)
        agent("run", env=env)
    assert len(agent.restarts()) == 3


def test_failed_restart_exits_nonzero_and_is_retried(agent: Agent) -> None:
    agent.set_jar(True)
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    agent.advance(HOUR)
    agent.dr_conf("PRIMARY", "STANDBY")
    proc = agent("run", env={"FAKE_SYSTEMCTL_RC": "1"}, check=False)
    assert proc.returncode == 1
    assert "failed" in proc.stderr
    assert agent.state("last_restart")["result"] == "failed"
    assert agent.state("last_state")["site_state"] == "ACTIVE"  # not consumed
    agent.advance(60)
    agent("run")  # within the rate limit after the failed attempt: refused, exit 0
    assert len(agent.restarts()) == 1
    agent.advance(600)
    agent("run")
    assert len(agent.restarts()) == 2
    assert agent.state("last_restart")["result"] == "ok"
    assert agent.state("last_state")["site_state"] == "STANDBY"


def test_dry_run_changes_nothing(agent: Agent) -> None:
    agent.set_jar(True)
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("--dry-run", "run")
    assert agent.state_snapshot() == {}  # not even the identity
    agent("run")
    agent.advance(HOUR)
    agent.dr_conf("PRIMARY", "STANDBY")
    before = agent.state_snapshot()
    proc = agent("run", "--dry-run")
    assert agent.restarts() == []
    assert agent.state_snapshot() == before
    assert "DRY-RUN" in proc.stderr
    assert "would run systemctl restart ecs-ec-ingress" in agent.logs()[-1]
    agent("run")
    assert agent.restarts() == ["systemctl restart ecs-ec-ingress"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is_dr=PRIMARY\nsite_state=STANDBY\n", "STANDBY"),
        ("is_dr='PRIMARY'\nsite_state='STANDBY'\n", "STANDBY"),
        ('export is_dr="PRIMARY"\nexport site_state="STANDBY" # DataSync\n', "STANDBY"),
        ("  is_dr=primary\n\tsite_state=standby   \n", "STANDBY"),
        ("is_dr=PRIMARY\r\nsite_state=STANDBY\r\n", "STANDBY"),
        ("is_dr=PRIMARY\nsite_state=ACTIVE\nsite_state=STANDBY", "STANDBY"),  # last wins, no final newline
        ("is_dr=PRIMARY\n# site_state=STANDBY\nsite_state=ACTIVE\n", "ACTIVE"),
        ("is_dr=PRIMARY\nold_site_state=STANDBY\nsite_state=ACTIVE\n", "ACTIVE"),
    ],
    ids=["plain", "single-quoted", "export-double-quoted-comment", "lowercase-indented", "crlf", "last-wins",
         "commented-out", "similar-name"],
)  # fmt: skip
def test_dr_conf_variants_are_parsed(agent: Agent, text: str, expected: str) -> None:
    agent.write(DR_CONF, "is_dr=PRIMARY\nsite_state=ACTIVE\n")
    agent("run")
    agent.advance(HOUR)
    agent.set_jar(True)
    agent.write(DR_CONF, text)
    agent("run")
    assert agent.state("last_state")["site_state"] == expected
    assert len(agent.restarts()) == int(expected == "STANDBY")


def test_dr_conf_is_parsed_never_executed(agent: Agent) -> None:
    canary = agent.root.parent / "pwned"
    agent.write(
        DR_CONF,
        f"touch {canary}\nis_dr=$(touch {canary})\nsite_state=`touch {canary}`\nsource /nonexistent\n",
    )
    proc = agent("run")
    assert not canary.exists()
    assert "unknown DR state" in proc.stderr
    assert agent.state_snapshot() == {}


def test_locations_are_overridable_by_environment(agent: Agent) -> None:
    env = {
        "QRADAR_DR_AGENT_DLC_JAR": "/opt/qradar/custom/dlc-*.jar",
        "QRADAR_DR_AGENT_RESTART_MARKER": "/store/tmp/restart-ingress",
        "QRADAR_DR_AGENT_DR_CONF": "/etc/custom-dr.conf",
        "QRADAR_DR_AGENT_SERVICE": "ecs-ec-ingress-test",
    }
    agent.write("/etc/custom-dr.conf", "is_dr=PRIMARY\nsite_state=ACTIVE\n")
    agent("run", env=env)
    agent.advance(HOUR)
    agent.set_jar(True)  # the default location no longer counts
    agent.write("/etc/custom-dr.conf", "is_dr=PRIMARY\nsite_state=STANDBY\n")
    agent("run", env=env)
    assert agent.restarts() == []
    agent.write("/etc/custom-dr.conf", "is_dr=PRIMARY\nsite_state=ACTIVE\n")
    agent("run", env=env)  # ACTIVE without the (custom) jar: restart the configured service
    assert agent.restarts() == ["systemctl restart ecs-ec-ingress-test"]


def test_config_file_overrides_defaults_and_env_wins(agent: Agent) -> None:
    agent.write("/etc/qradar-dr-agent.conf", "# site overrides\nMIN_RESTART_INTERVAL=0\nSERVICE='from-file'\n")
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    agent.set_jar(True)
    agent.dr_conf("PRIMARY", "STANDBY")
    agent("run")
    agent.set_jar(False)
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run", env={"QRADAR_DR_AGENT_SERVICE": "from-env"})  # 0 s interval from the file
    assert agent.restarts() == ["systemctl restart from-file", "systemctl restart from-env"]
