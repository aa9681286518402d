"""Structured logs (one JSON object per line) and CloudWatch metrics in Embedded Metric Format.

The package logs through the ``qradar_failover`` logger, which writes JSON lines to stdout so
CloudWatch Logs Insights can query every field. Token values registered with
:func:`redact_value` are scrubbed from every record as a last line of defence.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

LOGGER_NAME = "qradar_failover"
_REDACTED = "***"
_secret_values: set[str] = set()
_secret_lock = threading.Lock()
_RESERVED = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def iso_utc(epoch_seconds: float) -> str:
    """ISO-8601 UTC with milliseconds, e.g. ``2026-11-28T00:38:41.800Z``: log lines and the lock record."""
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return moment.isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


def utc_clock(epoch_seconds: float, *, seconds: bool = False) -> str:
    """The UTC time of day, ``03:05`` (or ``03:05:20``): what notices and evidence notes say."""
    return iso_utc(epoch_seconds)[11 : 19 if seconds else 16]


def human_duration(seconds: float | None) -> str:
    """A duration as a person reads it: 45 s, 35 min, 3 h 05 min, 2 d 4 h."""
    whole = round(seconds or 0.0)
    if whole < 60:
        return f"{whole} s"
    minutes, hours, days = whole // 60, whole // 3600, whole // 86400
    if whole < 3600:
        return f"{minutes} min"
    if whole < 86400:
        return f"{hours} h {minutes % 60:02d} min" if minutes % 60 else f"{hours} h"
    return f"{days} d {hours % 24} h" if hours % 24 else f"{days} d"


def redact_value(value: str) -> None:
    """Never let this string reach a log line (used for tokens once they are read)."""
    if len(value) >= 4:
        with _secret_lock:
            _secret_values.add(value)


def scrub(text: str) -> str:
    with _secret_lock:
        values = sorted(_secret_values, key=len, reverse=True)
    for value in values:
        text = text.replace(value, _REDACTED)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per record; ``logger.exception`` adds ``exception`` (type and message, for
    queries) and ``traceback`` (the formatted traceback, for diagnosis). Every string is scrubbed."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "timestamp": iso_utc(record.created),
        }
        entry.update({key: value for key, value in record.__dict__.items() if key not in _RESERVED})
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = f"{record.exc_info[0].__name__}: {record.exc_info[1]}"
            entry["traceback"] = self.formatException(record.exc_info)
        encoded = json.dumps(scrub_values(entry), default=lambda value: scrub(str(value)), ensure_ascii=False)
        return scrub(encoded)


def scrub_values(value: Any) -> Any:
    """A copy of a JSON-like value with every string scrubbed. Scrub before encoding: JSON escaping
    would hide a secret that contains a quote or a backslash from :func:`scrub`'s text search."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {key: scrub_values(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_values(item) for item in value]
    return value


def configure_logging(level: str, stream: TextIO | None = None) -> logging.Logger:
    """Route the package's logger to JSON lines on stdout (idempotent across warm invocations)."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level)
    target = stream or sys.stdout
    handler = next((h for h in logger.handlers if getattr(h, "_qradar_json", False)), None)
    if handler is None or getattr(handler, "stream", None) is not target:
        if handler is not None:
            logger.removeHandler(handler)
        handler = logging.StreamHandler(target)
        handler._qradar_json = True  # type: ignore[attr-defined]
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.propagate = False
    return logger


# The dimension that tells one deployment's metrics from another's in the same account, region and
# namespace: the failover function's name (the module's dashboard and alarms select by it).
FUNCTION_DIMENSION = "FailoverFunction"


class Metrics:
    """Collects metrics for one invocation and flushes them as one EMF document."""

    def __init__(self, namespace: str, dimensions: Mapping[str, str], stream: TextIO | None = None) -> None:
        self._namespace = namespace
        self._dimensions = dict(dimensions)
        self._stream = stream
        self._values: dict[str, tuple[float, str]] = {}
        self._properties: dict[str, str] = {}

    def add(self, name: str, value: float, unit: str = "Count") -> None:
        self._values[name] = (value, unit)

    def property(self, name: str, value: str) -> None:
        self._properties[name] = value

    def flush(self, at: float | None = None) -> None:
        """Write the EMF document; ``at``: the metrics' time (epoch seconds), now by default."""
        if not self._values:
            return
        document: dict[str, Any] = {
            "_aws": {
                "Timestamp": int((time.time() if at is None else at) * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": self._namespace,
                        "Dimensions": [sorted(self._dimensions)],
                        "Metrics": [{"Name": name, "Unit": unit} for name, (_, unit) in self._values.items()],
                    }
                ],
            },
            **self._dimensions,
            **self._properties,
            **{name: value for name, (value, _) in self._values.items()},
        }
        stream = self._stream or sys.stdout
        stream.write(scrub(json.dumps(document)) + "\n")
        stream.flush()
        self._values.clear()
