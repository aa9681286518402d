"""Simulated time for an outage timeline: one clock for the engine, the simulated consoles and the model.

Sleeping moves it at once, so a run that waits 5 s between deploy polls or 15 s before looking again
costs no real time; between sleeps it moves with real time, so work that takes real time (a TLS
handshake, a console that never answers) costs what it costs. Listeners hear every move made by a
sleep or by the model, so the model can catch up with the minutes that passed (publish datapoints,
run health checks, evaluate alarms) before the sleeper looks at CloudWatch again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from qradar_failover.deadline import Clocks


class SimulatedTime:
    def __init__(self, start: float) -> None:
        self._start = start  # epoch seconds at monotonic() == 0
        self._real_origin = time.monotonic()
        self._skipped = 0.0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def monotonic(self) -> float:
        with self._lock:
            return time.monotonic() - self._real_origin + self._skipped

    def wall(self) -> float:
        return self._start + self.monotonic()

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        if seconds > 0:
            with self._lock:
                self._skipped += seconds
        for listener in list(self._listeners):
            listener()

    def advance_to(self, wall: float) -> None:
        """Move to ``wall`` (epoch seconds); never backwards."""
        self.advance(wall - self.wall())

    def on_advance(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def clocks(self) -> Clocks:
        return Clocks(monotonic=self.monotonic, wall=self.wall, sleep=self.sleep)
