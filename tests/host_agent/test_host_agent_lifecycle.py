"""install / uninstall / status, the lock, the command line and shellcheck."""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from support.host_agent import AGENT, CRON_FILE, INSTALL_PATH, STATE_DIR, Agent

CRON_LINE = f"* * * * * root {INSTALL_PATH} run >/dev/null 2>&1"


# ------------------------------------------------------------------------------ the script
def test_shellcheck_clean() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail(
            "shellcheck is not installed; install it (Debian/Ubuntu: apt-get install -y shellcheck) "
            "so host_agent/qradar-dr-agent can be checked"
        )
    proc = subprocess.run(
        [shellcheck, "--shell=bash", "--severity=style", str(AGENT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_script_shape() -> None:
    text = AGENT.read_text()
    assert text.startswith("#!/bin/bash\n")
    assert "\nset -euo pipefail\n" in text
    assert os.access(AGENT, os.X_OK)
    subprocess.run(["bash", "-n", str(AGENT)], check=True)


def test_help(agent: Agent) -> None:
    proc = agent("--help", root=False)
    for word in ("install", "uninstall", "run", "status", "--dry-run", "--root"):
        assert word in proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80  # a standard terminal


@pytest.mark.parametrize(
    "args",
    [[], ["bogus"], ["run", "status"], ["--root"], ["run", "--site", "main"], ["run", "--purge"],
     ["install", "--site", "both"]],
    ids=["no-command", "unknown", "two-commands", "root-without-dir", "site-not-install",
         "purge-not-uninstall", "bad-site"],
)  # fmt: skip
def test_usage_errors_exit_2(agent: Agent, args: list[str]) -> None:
    proc = agent(*args, check=False)
    assert proc.returncode == 2, proc.stderr
    assert agent.state_snapshot() == {}


def test_root_must_exist(agent: Agent, tmp_path: Path) -> None:
    proc = agent("--root", str(tmp_path / "nope"), "status", root=False, check=False)
    assert proc.returncode == 2


def test_root_from_environment(agent: Agent) -> None:
    agent.dr_conf("DR", "STANDBY")
    agent("run", root=False, env={"QRADAR_DR_AGENT_ROOT": str(agent.root)})
    assert agent.state("identity")["site"] == "dest"


# --------------------------------------------------------------------------------- install
def test_install_copies_itself_and_writes_one_cron_entry(agent: Agent) -> None:
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("install")
    installed = agent.path(INSTALL_PATH)
    assert installed.read_bytes() == AGENT.read_bytes()
    assert stat.S_IMODE(installed.stat().st_mode) == 0o755
    cron = agent.path(CRON_FILE)
    assert stat.S_IMODE(cron.stat().st_mode) == 0o644
    assert agent.cron_entries() == [CRON_LINE]
    assert agent.state("identity")["site"] == "main"
    assert agent.calls("crontab") == []  # /etc/cron.d only; the user crontab is never touched
    assert agent.restarts() == []


def test_install_twice_and_from_installed_location_is_idempotent(agent: Agent) -> None:
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("install")
    cron_before = agent.path(CRON_FILE).read_bytes()
    identity_before = agent.state("identity")
    agent.advance(3600)
    agent("install")
    # the SSM document writes the file to the installed path, then runs install from there
    agent("install", script=agent.path(INSTALL_PATH))
    assert agent.cron_entries() == [CRON_LINE]
    assert agent.path(CRON_FILE).read_bytes() == cron_before
    assert agent.path(INSTALL_PATH).read_bytes() == AGENT.read_bytes()
    assert agent.state("identity") == identity_before
    assert sorted(p.name for p in agent.path(CRON_FILE).parent.iterdir()) == ["qradar-dr-agent"]
    assert sorted(p.name for p in agent.path(INSTALL_PATH).parent.iterdir()) == ["qradar-dr-agent"]


def test_install_replaces_an_older_copy(agent: Agent) -> None:
    agent.write(INSTALL_PATH, "#!/bin/bash\necho old\n")
    agent.write(CRON_FILE, "# old\n*/5 * * * * root /opt/qradar-dr-agent/qradar-dr-agent run\n")
    agent("install")
    assert agent.path(INSTALL_PATH).read_bytes() == AGENT.read_bytes()
    assert agent.cron_entries() == [CRON_LINE]


def test_install_without_dr_conf_defers_identity(agent: Agent) -> None:
    proc = agent("install")
    assert "identity not recorded yet" in proc.stderr
    assert agent.state("identity") == {}
    assert agent.cron_entries() == [CRON_LINE]


def test_install_site_option_records_operator_identity(agent: Agent) -> None:
    # an already activated Destination looks like Main in dr.conf; the operator says which it is
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("install", "--site", "dest")
    identity = agent.state("identity")
    assert identity["site"] == "dest"
    assert identity["source"] == "operator: install --site dest"
    agent("install", "--site", "dest")
    assert agent.state("identity") == identity
    proc = agent("install", "--site", "main", check=False)
    assert proc.returncode == 1
    assert "already recorded as 'dest'" in proc.stderr
    assert agent.state("identity") == identity


def test_install_with_a_conflicting_site_changes_nothing(agent: Agent) -> None:
    agent.dr_conf("DR", "STANDBY")
    agent("run")  # cron recorded 'dest' before anyone ran install
    before = agent.state_snapshot()
    proc = agent("install", "--site", "main", check=False)
    assert proc.returncode == 1
    assert "already recorded as 'dest'" in proc.stderr
    assert not agent.path(CRON_FILE).exists()
    assert not agent.path(INSTALL_PATH).exists()
    assert agent.state_snapshot() == before


def test_install_drops_the_restart_marker_state_of_earlier_versions(agent: Agent) -> None:
    agent.dr_conf("DR", "STANDBY")
    agent.write(f"{STATE_DIR}/marker_handled", 'fingerprint="12:1800000000:20"\n')
    proc = agent("install")
    assert "removed /var/lib/qradar-dr-agent/marker_handled" in proc.stderr
    assert "marker_handled" not in agent.state_snapshot()


def test_install_dry_run_writes_nothing(agent: Agent) -> None:
    agent.dr_conf("PRIMARY", "ACTIVE")
    proc = agent("--dry-run", "install")
    assert "would install" in proc.stderr
    assert not agent.path(INSTALL_PATH).exists()
    assert not agent.path(CRON_FILE).exists()
    assert not agent.path(STATE_DIR).exists()


# ------------------------------------------------------------------------------- uninstall
def test_uninstall_keeps_state_unless_purged(agent: Agent) -> None:
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("install")
    agent("--dry-run", "uninstall")
    assert agent.cron_entries() == [CRON_LINE]
    agent("uninstall")
    assert not agent.path(CRON_FILE).exists()
    assert not agent.path(INSTALL_PATH).exists()
    assert agent.state("identity")["site"] == "main"
    agent("uninstall")  # twice is fine
    agent("uninstall", "--purge")
    assert not agent.path(STATE_DIR).exists()
    assert agent.calls("crontab") == []


# ---------------------------------------------------------------------------------- status
def test_status_reports_everything(agent: Agent) -> None:
    proc = agent("status")
    assert "site identity:      not recorded" in proc.stdout
    assert "cron entry:         absent" in proc.stdout
    assert "last restart:       never" in proc.stdout
    assert "pending restart:    none" in proc.stdout
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("install")
    agent.advance(3600)
    agent.dr_conf("PRIMARY", "STANDBY")
    agent("run")
    before = agent.state_snapshot()
    out = agent("status").stdout
    assert "site identity:      main" in out
    assert "identity evidence:  source=auto" in out
    assert "is_dr=PRIMARY site_state=ACTIVE" in out  # the evidence, not the current state
    assert "current DR state:   ok (is_dr='PRIMARY' site_state='STANDBY')" in out
    assert "handled state:      PRIMARY/STANDBY" in out
    assert "pending restart:    none" in out
    assert (
        "last restart:       2027-01-15T09:00:00Z result=ok"
        " reason=DR state changed: PRIMARY/ACTIVE -> PRIMARY/STANDBY" in out
    )
    assert f"cron entry:         present ({CRON_FILE})" in out
    assert "installed copy:     present" in out
    assert agent.state_snapshot() == before  # status is read-only


# ------------------------------------------------------------------------------------ lock
def _arrange_pending_restart(agent: Agent) -> None:
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("run")
    agent.advance(3600)
    agent.dr_conf("PRIMARY", "STANDBY")


def test_run_skips_quietly_while_the_lock_is_held(agent: Agent) -> None:
    _arrange_pending_restart(agent)
    with agent.path(f"{STATE_DIR}/lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        proc = agent("run")
    assert "another qradar-dr-agent run holds" in proc.stderr
    assert "another qradar-dr-agent run holds" in agent.logs()[-1]
    assert agent.restarts() == []
    agent("run")  # once the lock is free the pending restart happens
    assert len(agent.restarts()) == 1


def test_concurrent_runs_restart_once(agent: Agent, tmp_path: Path) -> None:
    _arrange_pending_restart(agent)
    started = tmp_path / "systemctl-started"
    env = {"FAKE_SYSTEMCTL_SLEEP": "1", "FAKE_SYSTEMCTL_STARTED": str(started)}
    first = agent.popen("run", env=env)
    deadline = time.monotonic() + 10
    while not started.exists():
        assert time.monotonic() < deadline, "the first run never reached systemctl"
        time.sleep(0.02)
    others = [agent.popen("run", env=env) for _ in range(4)]  # all while the first holds the lock
    for proc in others:
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "another qradar-dr-agent run holds" in err
    _, err = first.communicate(timeout=20)
    assert first.returncode == 0, err
    assert agent.restarts() == ["systemctl restart ecs-ec-ingress"]
    assert agent.handled_state() == "PRIMARY/STANDBY"


def test_simultaneous_starts_restart_once(agent: Agent) -> None:
    _arrange_pending_restart(agent)
    procs = [agent.popen("run", env={"FAKE_SYSTEMCTL_SLEEP": "0.3"}) for _ in range(6)]
    for proc in procs:
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
    assert agent.restarts() == ["systemctl restart ecs-ec-ingress"]


def test_change_between_install_and_first_run_is_not_missed(agent: Agent) -> None:
    agent.dr_conf("PRIMARY", "ACTIVE")
    agent("install")
    assert agent.handled_state() == "PRIMARY/ACTIVE"
    agent.advance(30)
    agent.dr_conf("PRIMARY", "STANDBY")
    agent("run", script=agent.path(INSTALL_PATH))  # what cron runs
    assert agent.restarts() == ["systemctl restart ecs-ec-ingress"]
