"""The simulator's request log."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

from qradar_simulator.faults import FaultKind

# Headers whose values are secrets: never recorded.
SECRET_HEADERS = frozenset({"sec", "authorization", "proxy-authorization", "cookie"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the console saw it. The SEC value is never stored, only whether it was
    present and valid. ``headers`` keys are title-cased (``Allow-Hidden``, ``Version``...);
    ``status`` is None when no answer was sent (HANG, RESET)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json_body: Any
    status: int | None
    duration_seconds: float
    fault: FaultKind | None
    sec_present: bool
    authorized: bool

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        return self.headers.get(name.title())


class RequestLog:
    """Arrival-ordered, thread-safe log: a slot is reserved when a request arrives and filled
    just before its answer is sent (or when the simulator decides not to answer)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sequence = itertools.count()
        self._slots: dict[int, RecordedRequest | None] = {}

    def reserve(self) -> int:
        with self._lock:
            ticket = next(self._sequence)
            self._slots[ticket] = None
            return ticket

    def fill(self, ticket: int, record: RecordedRequest) -> None:
        with self._lock:
            if ticket in self._slots:
                self._slots[ticket] = record

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return [record for record in self._slots.values() if record is not None]

    def clear(self) -> None:
        with self._lock:
            self._slots.clear()
