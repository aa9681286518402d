"""Progress while the CLI waits, built on the engine's existing interfaces.

* :class:`Waiting`: on a terminal, a line that says what is being waited for and for how long at
  most, updated every second once a wait passes one second (a hung console costs up to its read
  timeout); nothing when the output is not a terminal, and never on stdout.
* every QRadar call: the runbook hands each console an observer; :class:`ProgressConsoles` wraps
  the runtime's consoles so the same calls are also shown as they finish, and each call that is
  still waiting is shown with its bound.
* deploy polling: the console adapter logs each poll (``deploy IN_PROGRESS ...`` with a
  ``percent_complete`` field); :class:`DeployProgress` shows those records, a line when the
  state or percentage moves or every few seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

from qradar_failover.config import Config, SiteConfig
from qradar_failover.deadline import Deadline
from qradar_failover.failover import Console, Consoles
from qradar_failover.observability import LOGGER_NAME
from qradar_failover.qradar import DeployStart, DeployStatus, DRConfig
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
    inner: Consoles
    say: Say
    wait_for: WaitFor

    def open(self, site: SiteConfig, observer: CallObserver) -> Console:
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

    inner: Console
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

    def start_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStart:
        with self._waiting("start deploy", deadline):
            return self.inner.start_deploy(deadline, poll_interval)

    def await_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStatus | None:
        with self._waiting("deploy", deadline):
            return self.inner.await_deploy(deadline, poll_interval)

    def _waiting(self, step: str, deadline: Deadline) -> AbstractContextManager[None]:
        return self.wait_for(f"the {self.site} console ({step})", deadline.remaining())


class DeployProgress(logging.Handler):
    """Shows the console adapter's deploy polls: when the deploy's state changes, else every few seconds,
    with the time waited so far and how long the engine waits for a deploy (``DEPLOY_TIMEOUT_SECONDS``,
    on either site, within the run's deadline)."""

    def __init__(self, say: Say, bound_seconds: float, every_seconds: float = 5.0) -> None:
        super().__init__(logging.INFO)
        self._say = say
        self._bound = bound_seconds
        self._every = every_seconds
        self._first: dict[str, float] = {}
        self._last: dict[str, tuple[str, float]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        percent = getattr(record, "percent_complete", None)
        if percent is None:
            return
        site = str(getattr(record, "site", ""))
        state = record.getMessage().replace(f" on the {site} console", "")  # the site has its own column
        now = time.monotonic()
        first = self._first.setdefault(site, now)
        previous = self._last.get(site)
        if previous is not None and previous[0] == state and now - previous[1] < self._every:
            return
        self._last[site] = (state, now)
        self._say(f"  {site:11}  {state}: {percent}% complete ({now - first:.0f}s so far, at most {self._bound:g}s)")


@contextmanager
def deploy_progress(say: Say, config: Config) -> Iterator[None]:
    logger = logging.getLogger(LOGGER_NAME)
    handler = DeployProgress(say, config.deploy_timeout_seconds)
    previous = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
