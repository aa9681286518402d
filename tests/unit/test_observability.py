"""The function's JSON log lines: what an on-call engineer reads in CloudWatch Logs after a failure."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from qradar_failover.observability import LOGGER_NAME, configure_logging, redact_value

SECRET = "sec-token-in-an-exception-5f1e"


@pytest.fixture
def log_lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    package_logger = logging.getLogger(LOGGER_NAME)
    saved = (list(package_logger.handlers), package_logger.propagate, package_logger.level)
    stream = io.StringIO()
    configure_logging("INFO", stream)
    yield logging.getLogger(f"{LOGGER_NAME}.test"), stream
    package_logger.handlers[:] = saved[0]
    package_logger.propagate, package_logger.level = saved[1], saved[2]


def _entries(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _fails_deep_inside() -> None:
    {"token": SECRET}["missing"]  # the KeyError is the point


def test_logged_exception_keeps_its_traceback(log_lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log_lines
    try:
        _fails_deep_inside()
    except KeyError:
        logger.exception("unexpected error", extra={"run_id": "run-7"})

    (entry,) = _entries(stream)
    assert entry["message"] == "unexpected error"
    assert entry["run_id"] == "run-7"
    assert entry["exception"] == "KeyError: 'missing'"
    assert entry["traceback"].startswith("Traceback (most recent call last):")
    assert "in _fails_deep_inside" in entry["traceback"], "the frame where it failed is named"
    assert entry["traceback"].rstrip().endswith("KeyError: 'missing'")


def test_traceback_is_scrubbed_of_registered_secrets(log_lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log_lines
    redact_value(SECRET)
    try:
        raise RuntimeError(f"console said: bad token {SECRET}")
    except RuntimeError:
        logger.exception("call failed")

    text = stream.getvalue()
    assert SECRET not in text
    (entry,) = _entries(stream)
    assert "bad token ***" in entry["traceback"]
    assert "bad token ***" in entry["exception"]


def test_secret_that_json_escapes_is_still_scrubbed(log_lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log_lines
    secret = 'tok"with\\quote-91'
    redact_value(secret)

    logger.info("token was %s", secret, extra={"detail": f"header {secret}"})

    assert "with" not in stream.getvalue(), stream.getvalue()
    (entry,) = _entries(stream)
    assert entry["message"] == "token was ***"
    assert entry["detail"] == "header ***"


def test_line_without_exception_has_no_traceback_field(log_lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log_lines

    logger.info("decoded alarm", extra={"step": "decode"})

    (entry,) = _entries(stream)
    assert "traceback" not in entry and "exception" not in entry
    assert entry["step"] == "decode"
