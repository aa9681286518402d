"""The part of Lambda's context object the handler reads, for calling the handler outside Lambda."""

from __future__ import annotations

import time
from collections.abc import Callable

LAMBDA_TIMEOUT_SECONDS = 300.0  # the module's default function timeout


FUNCTION_NAME = "qradar-failover"  # the module's default name


class FakeLambdaContext:
    def __init__(
        self,
        request_id: str = "req-0001",
        remaining_seconds: float = LAMBDA_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        function_name: str = FUNCTION_NAME,
    ) -> None:
        self.aws_request_id = request_id
        self.function_name = function_name
        self._clock = clock
        self._deadline = clock() + remaining_seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - self._clock()) * 1000)
