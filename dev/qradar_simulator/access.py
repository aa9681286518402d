"""The authorized service behind the console's token: what ``/api/config/access/authorized_services``
reports about it, and whether it has expired.

QRadar describes an authorized service (a token) by ``id``, ``label``, ``created_by``,
``creation_date``, ``expiration_date`` and ``last_used_date`` (epoch milliseconds; ``expiration_date``
null for a token that never expires), with its role and security profile. The token itself is shown
only once, when the service is created: the simulator never returns it. An expired token is refused
like a revoked one (401).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

DAY_MS = 24 * 3600 * 1000


def now_ms() -> int:
    return int(time.time() * 1000)


class AuthorizedService:
    """The one authorized service whose token the console accepts. Thread-safe."""

    def __init__(
        self,
        label: str,
        *,
        service_id: int = 42,
        created_by: str = "admin",
        expiration_date: int | None = None,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        created = clock() - 200 * DAY_MS
        self._fields: dict[str, Any] = {
            "id": service_id,
            "label": label,
            "created_by": created_by,
            "creation_date": created,
            "expiration_date": expiration_date,
            "last_used_date": None,
            "user_role_id": 1,  # Admin
            "security_profile_id": 1,  # Admin
        }

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._fields)

    @property
    def expiration_date(self) -> int | None:
        with self._lock:
            value = self._fields["expiration_date"]
            return int(value) if value is not None else None

    @expiration_date.setter
    def expiration_date(self, value: int | None) -> None:
        with self._lock:
            self._fields["expiration_date"] = value

    def expired(self) -> bool:
        expiration = self.expiration_date
        return expiration is not None and expiration <= self._clock()

    def used(self) -> None:
        """An authorized request was made with the token."""
        with self._lock:
            self._fields["last_used_date"] = self._clock()


def other_services() -> list[dict[str, Any]]:
    """Authorized services of other integrations, which the listing without the filter shows too."""
    created = now_ms() - 400 * DAY_MS
    return [
        {
            "id": 7,
            "label": "SOAR integration",
            "created_by": "admin",
            "creation_date": created,
            "expiration_date": None,
            "last_used_date": created + DAY_MS,
            "user_role_id": 3,
            "security_profile_id": 1,
        }
    ]
