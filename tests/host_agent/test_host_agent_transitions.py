"""The transition table of host_agent/README.md, row by row, plus rate limit and parsing.

Each row: bring the agent to its recorded identity and handled DR state by running it the way
a host gets there (first sight records identity and baseline; a change restarts), then write the
new dr.conf, run once and check restart, identity, handled state and the syslog line. Nothing
but dr.conf decides: no row has a jar or a marker to create.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from support.host_agent import DR_CONF, Agent

HOUR = 3600
FIRST_SIGHT = {"main": ("PRIMARY", "ACTIVE"), "dest": ("DR", "STANDBY")}


@dataclass(frozen=True)
class Row:
    id: str
    identity: str | None  # recorded before the run: None, "main", "dest"
    handled: str | None  # the handled DR state before the run, "is_dr/site_state"
    new: tuple[str | None, str | None] | None  # (is_dr, site_state) written to dr.conf; None: no file
    restart: bool
    identity_after: str | None
    handled_after: str | None
    log: str  # a substring of the syslog (logger) output of the run


# Keep in step with the table in host_agent/README.md (same order).
TABLE = [
    # first sight: identity recorded with its evidence, baseline only, never a restart
    Row("first-seen-main", None, None, ("PRIMARY", "ACTIVE"),
        False, "main", "PRIMARY/ACTIVE", "recorded site identity 'main'"),
    Row("first-seen-main-already-standby", None, None, ("PRIMARY", "STANDBY"),
        False, "main", "PRIMARY/STANDBY", "recorded site identity 'main'"),
    Row("first-seen-dest", None, None, ("DR", "STANDBY"),
        False, "dest", "DR/STANDBY", "recorded site identity 'dest'"),
    # a change of the DR state: one restart, whichever site and direction
    Row("main-demoted", "main", "PRIMARY/ACTIVE", ("PRIMARY", "STANDBY"),
        True, "main", "PRIMARY/STANDBY", "DR state changed: PRIMARY/ACTIVE -> PRIMARY/STANDBY"),
    Row("main-active-again", "main", "PRIMARY/STANDBY", ("PRIMARY", "ACTIVE"),
        True, "main", "PRIMARY/ACTIVE", "DR state changed: PRIMARY/STANDBY -> PRIMARY/ACTIVE"),
    Row("dest-activated", "dest", "DR/STANDBY", ("PRIMARY", "ACTIVE"),
        True, "dest", "PRIMARY/ACTIVE", "DR state changed: DR/STANDBY -> PRIMARY/ACTIVE"),
    Row("dest-failed-back", "dest", "PRIMARY/ACTIVE", ("DR", "STANDBY"),
        True, "dest", "DR/STANDBY", "DR state changed: PRIMARY/ACTIVE -> DR/STANDBY"),
    Row("is_dr-only-changed", "main", "PRIMARY/STANDBY", ("DR", "STANDBY"),
        True, "main", "DR/STANDBY", "DR state changed: PRIMARY/STANDBY -> DR/STANDBY"),
    Row("identity-does-not-decide", "main", "PRIMARY/ACTIVE", ("DR", "STANDBY"),
        True, "main", "DR/STANDBY", "site main: DR state changed: PRIMARY/ACTIVE -> DR/STANDBY"),
    # no change: nothing, not even a log line
    Row("main-active-unchanged", "main", "PRIMARY/ACTIVE", ("PRIMARY", "ACTIVE"),
        False, "main", "PRIMARY/ACTIVE", ""),
    Row("main-standby-unchanged", "main", "PRIMARY/STANDBY", ("PRIMARY", "STANDBY"),
        False, "main", "PRIMARY/STANDBY", ""),
    Row("dest-standby-unchanged", "dest", "DR/STANDBY", ("DR", "STANDBY"),
        False, "dest", "DR/STANDBY", ""),
    Row("dest-active-unchanged", "dest", "PRIMARY/ACTIVE", ("PRIMARY", "ACTIVE"),
        False, "dest", "PRIMARY/ACTIVE", ""),
    # DR disabled, unknown state, missing file: log, do nothing, keep the handled state
    Row("dr-disabled-no-is_dr", "main", "PRIMARY/ACTIVE", (None, None),
        False, "main", "PRIMARY/ACTIVE", "DR is not enabled"),
    Row("dr-disabled-is_dr-none", "main", "PRIMARY/ACTIVE", ("NONE", "STANDBY"),
        False, "main", "PRIMARY/ACTIVE", "DR is not enabled"),
    Row("dr-disabled-before-identity", None, None, (None, None),
        False, None, None, "DR is not enabled"),
    Row("unknown-site-state", "main", "PRIMARY/ACTIVE", ("PRIMARY", "FAILING"),
        False, "main", "PRIMARY/ACTIVE", "unknown DR state"),
    Row("unknown-is_dr", "main", "PRIMARY/STANDBY", ("SECONDARY", "ACTIVE"),
        False, "main", "PRIMARY/STANDBY", "unknown DR state"),
    Row("missing-site-state", "dest", "DR/STANDBY", ("DR", None),
        False, "dest", "DR/STANDBY", "unknown DR state"),
    Row("unknown-before-identity", None, None, ("PRIMARY", "MAYBE"),
        False, None, None, "unknown DR state"),
    Row("dr-conf-missing", "main", "PRIMARY/ACTIVE", None,
        False, "main", "PRIMARY/ACTIVE", "does not exist; nothing to do"),
    Row("dr-conf-missing-before-identity", None, None, None,
        False, None, None, "does not exist"),
]  # fmt: skip


def arrange(agent: Agent, identity: str | None, handled: str | None) -> None:
    """Bring the agent to (identity, handled state) the way a real host gets there."""
    if identity is None:
        return
    agent.dr_conf(*FIRST_SIGHT[identity])
    agent("run")
    assert handled is not None
    if agent.handled_state() != handled:
        agent.advance(HOUR)
        is_dr, site_state = handled.split("/")
        agent.dr_conf(is_dr, site_state)
        agent("run")
    assert agent.state("identity")["site"] == identity
    assert agent.handled_state() == handled
    agent.advance(HOUR)
    agent.calls_file.unlink(missing_ok=True)


@pytest.mark.parametrize("row", TABLE, ids=[r.id for r in TABLE])
def test_transition_table(agent: Agent, row: Row) -> None:
    arrange(agent, row.identity, row.handled)
    if row.new is None:
        agent.path(DR_CONF).unlink(missing_ok=True)
    else:
        agent.dr_conf(*row.new)

    agent("run")

    assert agent.restarts() == (["systemctl restart ecs-ec-ingress"] if row.restart else [])
    assert agent.state("identity").get("site") == row.identity_after
    assert agent.handled_state() == row.handled_after
    logs = "\n".join(agent.logs())
    if row.log:
        assert row.log in logs, logs
    else:
        assert logs == ""
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
    agent.dr_conf("PRIMARY", "ACTIVE")
    for _ in range(3):
        agent("run")
        agent.advance(60)
    agent.dr_conf("PRIMARY", "STANDBY")
    for _ in range(5):
        agent("run")
        agent.advance(HOUR)
    assert agent.restarts() == ["systemctl restart ecs-ec-ingress"]


def test_rate_limit_refuses_logs_why_and_retries_later(agent: Agent) -> None:
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    agent.advance(HOUR)
    agent.dr_conf("PRIMARY", "STANDBY")
    agent("run")  # restart 1
    agent.advance(120)
    agent.dr_conf("PRIMARY", "ACTIVE")
    proc = agent("run")  # needs a restart, but 2 minutes after the last one
    assert len(agent.restarts()) == 1
    assert "refused by the rate limit" in proc.stderr
    assert "next allowed at 2027-01-15T09:10:00Z" in agent.logs()[-1]
    # the change is not consumed: the handled state is still STANDBY, so it is retried
    assert agent.handled_state() == "PRIMARY/STANDBY"
    agent.advance(300)
    agent("run")
    assert len(agent.restarts()) == 1
    agent.advance(600)
    agent("run")
    assert len(agent.restarts()) == 2
    assert agent.handled_state() == "PRIMARY/ACTIVE"


def test_a_change_undone_before_its_restart_needs_none(agent: Agent) -> None:
    """STANDBY (restarted), ACTIVE (refused), STANDBY again: ingress already runs for STANDBY."""
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    agent.advance(HOUR)
    agent.dr_conf("PRIMARY", "STANDBY")
    agent("run")
    agent.advance(60)
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    agent.advance(60)
    agent.dr_conf("PRIMARY", "STANDBY")
    for _ in range(20):
        agent.advance(60)
        agent("run")
    assert agent.restarts() == ["systemctl restart ecs-ec-ingress"]


def test_flapping_state_cannot_restart_loop(agent: Agent) -> None:
    """dr.conf flipping every minute for half an hour: at most one restart per 10 minutes."""
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    times = []
    for minute in range(1, 31):
        agent.advance(60)
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
    for state in ["STANDBY", "ACTIVE", "STANDBY"]:
        agent.dr_conf("PRIMARY", state)
        agent("run", env=env)
    assert len(agent.restarts()) == 3


@pytest.mark.parametrize("interval", ["ten", "-1", "1e3", "9999999999"])
def test_bad_rate_limit_is_refused_in_one_line(agent: Agent, interval: str) -> None:
    agent.dr_conf("PRIMARY", "ACTIVE")
    proc = agent("run", env={"QRADAR_DR_AGENT_MIN_RESTART_INTERVAL": interval}, check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"qradar-dr-agent: err: MIN_RESTART_INTERVAL must be a number of seconds (at most 9 digits), got '{interval}'"
    ]
    assert agent.state_snapshot() == {}


def test_failed_restart_exits_nonzero_and_is_retried(agent: Agent) -> None:
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    agent.advance(HOUR)
    agent.dr_conf("PRIMARY", "STANDBY")
    proc = agent("run", env={"FAKE_SYSTEMCTL_RC": "1"}, check=False)
    assert proc.returncode == 1
    assert "failed" in proc.stderr
    assert agent.state("last_restart")["result"] == "failed"
    assert agent.handled_state() == "PRIMARY/ACTIVE"  # not consumed
    agent.advance(60)
    agent("run")  # within the rate limit after the failed attempt: refused, exit 0
    assert len(agent.restarts()) == 1
    agent.advance(600)
    agent("run")
    assert len(agent.restarts()) == 2
    assert agent.state("last_restart")["result"] == "ok"
    assert agent.handled_state() == "PRIMARY/STANDBY"


def test_dry_run_changes_nothing(agent: Agent) -> None:
    agent.dr_conf("PRIMARY", "ACTIVE")
    first = agent("--dry-run", "run")
    assert agent.state_snapshot() == {}  # not even the identity
    assert "DRY-RUN: site main: would record the baseline (PRIMARY/ACTIVE)" in first.stderr
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
    agent.write(DR_CONF, text)
    agent("run")
    assert agent.handled_state() == f"PRIMARY/{expected}"
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
    env = {"QRADAR_DR_AGENT_DR_CONF": "/etc/custom-dr.conf", "QRADAR_DR_AGENT_SERVICE": "ecs-ec-ingress-test"}
    agent.write("/etc/custom-dr.conf", "is_dr=PRIMARY\nsite_state=ACTIVE\n")
    agent("run", env=env)
    agent.advance(HOUR)
    agent.dr_conf("PRIMARY", "STANDBY")  # the default location no longer counts
    agent("run", env=env)
    assert agent.restarts() == []
    agent.write("/etc/custom-dr.conf", "is_dr=PRIMARY\nsite_state=STANDBY\n")
    agent("run", env=env)
    assert agent.restarts() == ["systemctl restart ecs-ec-ingress-test"]


def test_config_file_overrides_defaults_and_env_wins(agent: Agent) -> None:
    agent.write("/etc/qradar-dr-agent.conf", "# site overrides\nMIN_RESTART_INTERVAL=0\nSERVICE='from-file'\n")
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    agent.dr_conf("PRIMARY", "STANDBY")
    agent("run")
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run", env={"QRADAR_DR_AGENT_SERVICE": "from-env"})  # 0 s interval from the file
    assert agent.restarts() == ["systemctl restart from-file", "systemctl restart from-env"]
