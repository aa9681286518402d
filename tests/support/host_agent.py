"""Fake-root harness for host_agent/qradar-dr-agent (imported by conftest.py and the tests).

Every test gets a temporary root (the agent resolves /opt/qradar/..., /var/lib/..., /etc/cron.d
under it) and a fake bin directory first on PATH with `systemctl`, `logger` and `crontab` that
append their argv to a log file instead of touching the machine.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
AGENT = REPO / "host_agent" / "qradar-dr-agent"
INSTALL_PATH = "/opt/qradar-dr-agent/qradar-dr-agent"
CRON_FILE = "/etc/cron.d/qradar-dr-agent"
STATE_DIR = "/var/lib/qradar-dr-agent"
DR_CONF = "/opt/qradar/conf/dr.conf"
T0 = 1_800_000_000  # a fixed clock (QRADAR_DR_AGENT_NOW), advanced explicitly by the tests

# Each fake appends "<name> <argv...>" to $FAKE_CALLS. The fake systemctl can be told to
# sleep (FAKE_SYSTEMCTL_SLEEP), to touch a file when it starts (FAKE_SYSTEMCTL_STARTED) and to
# fail (FAKE_SYSTEMCTL_RC).
FAKE_SYSTEMCTL = """#!/bin/sh
if [ -n "${FAKE_SYSTEMCTL_STARTED:-}" ]; then : > "$FAKE_SYSTEMCTL_STARTED"; fi
if [ -n "${FAKE_SYSTEMCTL_SLEEP:-}" ]; then sleep "$FAKE_SYSTEMCTL_SLEEP"; fi
echo "systemctl $*" >> "$FAKE_CALLS"
exit "${FAKE_SYSTEMCTL_RC:-0}"
"""
FAKE_RECORDER = """#!/bin/sh
echo "{name} $*" >> "$FAKE_CALLS"
"""


@dataclass
class Agent:
    """Drives the agent script against one fake root."""

    root: Path
    bin_dir: Path
    calls_file: Path
    now: int = T0

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("QRADAR_DR_AGENT_", "FAKE_"))}
        env["PATH"] = f"{self.bin_dir}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
        env["FAKE_CALLS"] = str(self.calls_file)
        env["QRADAR_DR_AGENT_NOW"] = str(self.now)
        env.update(extra or {})
        return env

    def argv(self, *args: str, script: Path = AGENT, root: bool = True) -> list[str]:
        return [str(script), *(["--root", str(self.root)] if root else []), *args]

    def __call__(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        script: Path = AGENT,
        root: bool = True,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            self.argv(*args, script=script, root=root),
            env=self.env(env),
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        if check:
            assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        return proc

    def popen(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args),
            env=self.env(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    # --- the fake root ------------------------------------------------------------------
    def path(self, host_path: str) -> Path:
        return self.root / host_path.lstrip("/")

    def write(self, host_path: str, text: str) -> Path:
        p = self.path(host_path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return p

    def dr_conf(self, is_dr: str | None, site_state: str | None) -> None:
        """Write a realistic dr.conf (comments, other variables, quoted values)."""
        lines = ["# DataSync DR configuration", "ariel_copy_enabled=true"]
        if is_dr is not None:
            lines.append(f'is_dr="{is_dr}"')
        if site_state is not None:
            lines.append(f"site_state={site_state}  # set by DataSync")
        lines.append("dest_host=10.0.2.10")
        self.write(DR_CONF, "\n".join(lines) + "\n")

    def advance(self, seconds: int) -> None:
        self.now += seconds

    # --- what happened ------------------------------------------------------------------
    def calls(self, name: str | None = None) -> list[str]:
        if not self.calls_file.exists():
            return []
        lines = self.calls_file.read_text().splitlines()
        return [line for line in lines if name is None or line.startswith(f"{name} ")]

    def restarts(self) -> list[str]:
        return self.calls("systemctl")

    def logs(self) -> list[str]:
        return self.calls("logger")

    def state(self, name: str) -> dict[str, str]:
        p = self.path(f"{STATE_DIR}/{name}")
        if not p.exists():
            return {}
        out = {}
        for line in p.read_text().splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                out[key] = value.strip('"')
        return out

    def handled_state(self) -> str | None:
        """The DR state the agent last acted on, as `is_dr/site_state`; None before the baseline."""
        last = self.state("last_state")
        return f"{last['is_dr']}/{last['site_state']}" if last else None

    def state_snapshot(self) -> dict[str, str]:
        d = self.path(STATE_DIR)
        if not d.exists():
            return {}
        return {p.name: p.read_text() for p in sorted(d.iterdir()) if p.name != "lock"}

    def cron_entries(self) -> list[str]:
        p = self.path(CRON_FILE)
        if not p.exists():
            return []
        return [ln for ln in p.read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def make_fake_bin(bin_dir: Path, names: Sequence[str]) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        body = FAKE_SYSTEMCTL if name == "systemctl" else FAKE_RECORDER.format(name=name)
        p = bin_dir / name
        p.write_text(body)
        p.chmod(0o755)


def make_agent(tmp_path: Path) -> Agent:
    root = tmp_path / "root"
    root.mkdir(parents=True)
    bin_dir = tmp_path / "fakebin"
    make_fake_bin(bin_dir, ["systemctl", "logger", "crontab"])
    return Agent(root=root, bin_dir=bin_dir, calls_file=tmp_path / "calls.log")
