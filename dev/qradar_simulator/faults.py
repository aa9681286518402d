"""Fault injection: what can go wrong between a client and a QRadar console."""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass


class FaultKind(enum.Enum):
    """How a matching request is mistreated."""

    HANG = "hang"
    """Read the request, never answer (until the simulator stops or goes down)."""
    SLOW = "slow"
    """Sleep ``Fault.delay`` seconds, then answer normally."""
    STATUS = "status"
    """Answer ``Fault.status`` with a QRadar-shaped error body."""
    MALFORMED_JSON = "malformed_json"
    """Answer 200, ``Content-Type: application/json``, with a truncated JSON body."""
    RESET = "reset"
    """Close the connection (TCP RST) without answering."""


@dataclass(frozen=True)
class Fault:
    """One injected fault.

    ``method``/``path`` select the requests (None matches any; ``path`` matches when the request
    path starts with it). ``times`` None applies to every matching request, N to the next N.
    """

    kind: FaultKind
    method: str | None = None
    path: str | None = None
    times: int | None = None
    status: int | None = None
    delay: float = 0.0
    code: int | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        if self.kind is FaultKind.STATUS and self.status is None:
            raise ValueError("a STATUS fault needs status=")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be None or >= 1")
        if self.delay < 0:
            raise ValueError("delay must be >= 0")

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or path.startswith(self.path)


@dataclass
class _Armed:
    fault: Fault
    remaining: int | None


class FaultBook:
    """Thread-safe list of active faults; the first matching one (in injection order) wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._armed.append(_Armed(fault, fault.times))

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """Return the fault to apply to this request, spending one use of it."""
        with self._lock:
            for armed in self._armed:
                if not armed.fault.matches(method, path):
                    continue
                if armed.remaining is not None:
                    armed.remaining -= 1
                    if armed.remaining <= 0:
                        self._armed.remove(armed)
                return armed.fault
        return None

    def active(self) -> list[Fault]:
        with self._lock:
            return [armed.fault for armed in self._armed]
