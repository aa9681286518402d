"""Progress while the CLI waits, built on the engine's existing interfaces.

* :class:`Waiting`: on a terminal, a line that says what is being waited for and for how long at
  most, updated every second once a wait passes one second (a hung console costs up to its read
  timeout); nothing when the output is not a terminal, and never on stdout.
* every QRadar call: the runbook hands each console an observer; :class:`ProgressConsoles` wraps
  the runtime's consoles so the same calls are also shown as they finish, and each call that is
  still waiting is shown with its bound.
* deploy polling: :class:`DeployProgress` is the consoles' deploy observer; it shows each poll's
  answer, a line when the state changes or every few seconds, with the bound of the wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

from qradar_failover.config import SiteConfig
from qradar_failover.deadline import Deadline
from qradar_failover.failback import FailbackConsole, FailbackConsoles
from qradar_failover.qradar import DeployPoll, DeployStart, DeployStatus, DRConfig
from qradar_failover.qradar_http import CallObserver, CallRecord

Say = Callable[[str], None]
WaitFor = Callable[[str, float], AbstractContextManager[None]]
_SHOW_AFTER_SECONDS = 1.0
_TICK_SECONDS = 1.0


@contextmanager
def no_wait(_what: str, _bound_seconds: float) -> Iterator[None]:
    """A :data:`WaitFor` that shows nothing."""
    yield


class Waiting:
    """``with waiting("the Main console (read DR config)", 15): ...`` shows a ticking line on a terminal.

    The line goes to ``stream`` (stderr); :meth:`interrupt` clears it before other output is written."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self._stream = stream
        self.enabled = enabled
        self._lock = threading.Lock()
        self._line_shown = False

    @contextmanager
    def __call__(self, what: str, bound_seconds: float) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        done = threading.Event()
        started = time.monotonic()

        def tick() -> None:
            if done.wait(_SHOW_AFTER_SECONDS):
                return
            while not done.is_set():
                elapsed = time.monotonic() - started
                with self._lock:
                    self._stream.write(f"\r\033[K  waiting for {what}: {elapsed:.0f}s of at most {bound_seconds:.0f}s")
                    self._stream.flush()
                    self._line_shown = True
                done.wait(_TICK_SECONDS)

        ticker = threading.Thread(target=tick, name="qradar-failover-progress", daemon=True)
        ticker.start()
        try:
            yield
        finally:
            done.set()
            ticker.join()
            self.interrupt()

    def interrupt(self) -> None:
        """Clear the waiting line, if one is shown (the next tick draws it again)."""
        with self._lock:
            if self._line_shown:
                self._stream.write("\r\033[K")
                self._stream.flush()
                self._line_shown = False


@dataclass
class ProgressConsoles:
    inner: FailbackConsoles  # the runtime's consoles: every call a failover or a failback makes
    say: Say
    wait_for: WaitFor

    def open(self, site: SiteConfig, observer: CallObserver) -> WatchedConsole:
        def observe(call: CallRecord) -> None:
            observer(call)
            if call.step != "read deploy status" or call.error:
                status = f"HTTP {call.http_status}" if call.http_status is not None else "no answer"
                error = f"  {call.error}" if call.error else ""
                self.say(f"  {call.site:11}  {call.step:34} {status:9} {call.duration_seconds:6.2f}s{error}")

        return WatchedConsole(self.inner.open(site, observe), site.name, self.wait_for)


@dataclass
class WatchedConsole:
    """A console whose every call shows, on a terminal, what it waits for and the bound."""

    inner: FailbackConsole
    site: str
    wait_for: WaitFor

    def read_dr_config(self, deadline: Deadline, step: str = "read DR config") -> DRConfig:
        with self._waiting(step, deadline):
            return self.inner.read_dr_config(deadline, step)

    def stage_dr_config(self, config: Mapping[str, Any], deadline: Deadline) -> None:
        with self._waiting("stage DR config", deadline):
            self.inner.stage_dr_config(config, deadline)

    def list_copy_profiles(self, deadline: Deadline) -> list[dict[str, Any]]:
        with self._waiting("read ariel copy profiles", deadline):
            return self.inner.list_copy_profiles(deadline)

    def disable_copy_profile(self, profile: Mapping[str, Any], deadline: Deadline) -> None:
        with self._waiting(f"disable ariel copy profile {profile.get('id')}", deadline):
            self.inner.disable_copy_profile(profile, deadline)

    def enable_copy_profile(self, profile: Mapping[str, Any], deadline: Deadline) -> None:
        with self._waiting(f"enable ariel copy profile {profile.get('id')}", deadline):
            self.inner.enable_copy_profile(profile, deadline)

    def deploy_status(self, deadline: Deadline) -> DeployStatus | None:
        with self._waiting("read deploy status", deadline):
            return self.inner.deploy_status(deadline)

    def start_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStart:
        with self._waiting("start deploy", deadline):
            return self.inner.start_deploy(deadline, poll_interval)

    def await_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStatus | None:
        with self._waiting("deploy", deadline):
            return self.inner.await_deploy(deadline, poll_interval)

    def _waiting(self, step: str, deadline: Deadline) -> AbstractContextManager[None]:
        return self.wait_for(f"the {self.site} console ({step})", deadline.remaining())


class DeployProgress:
    """Shows the engine's deploy polls (the consoles' deploy observer): a line when the deploy's state
    changes, else every few seconds of waiting, with the time waited so far and how long the engine waits
    for it in all (the time left on its deadline: for the Destination DEPLOY_TIMEOUT_SECONDS plus
    ACTIVATION_MARGIN_SECONDS from the start of its activation, for a deploy the Main Site started
    DEPLOY_TIMEOUT_SECONDS; within the run's time either way)."""

    def __init__(self, say: Say, every_seconds: float = 5.0) -> None:
        self._say = say
        self._every = every_seconds
        self._last: dict[str, tuple[str, float]] = {}  # site -> (state, waited when last shown)

    def __call__(self, poll: DeployPoll) -> None:
        state = poll.status.status
        previous = self._last.get(poll.site)
        if previous is not None and previous[0] == state and poll.waited_seconds - previous[1] < self._every:
            return
        self._last[poll.site] = (state, poll.waited_seconds)
        self._say(
            f"  {poll.site:11}  deploy {state}: {poll.status.percent_complete}% complete "
            f"({poll.waited_seconds:.0f}s so far, at most {poll.bound_seconds:.0f}s)"
        )
