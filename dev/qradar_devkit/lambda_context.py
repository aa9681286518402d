"""The part of Lambda's context object the handler reads, for calling the handler outside Lambda."""

from __future__ import annotations

import time

LAMBDA_TIMEOUT_SECONDS = 300.0  # the module's default function timeout


FUNCTION_NAME = "qradar-failover"  # the module's default name


class FakeLambdaContext:
    def __init__(self, request_id: str = "req-0001", remaining_seconds: float = LAMBDA_TIMEOUT_SECONDS) -> None:
        self.aws_request_id = request_id
        self.function_name = FUNCTION_NAME
        self._deadline = time.monotonic() + remaining_seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)
