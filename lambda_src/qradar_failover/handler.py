"""Lambda entry point: ``qradar_failover.handler.lambda_handler``.

Reads the environment contract once per distinct environment, reuses AWS clients and HTTP
sessions across warm invocations, runs the failover runbook and returns its report. Only a
configuration error raises (so the event goes to the function's on-failure destination and can
be replayed once fixed); everything else is decided, logged, counted and notified.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Mapping
from typing import Any

from .config import Config, ConfigError, load_config
from .deadline import Deadline, LambdaContext
from .failover import fail_over
from .observability import FUNCTION_DIMENSION, Metrics, configure_logging
from .runtime import Runtime, build_runtime

logger = logging.getLogger(__name__)

DEFAULT_TIME_BUDGET_SECONDS = 300.0
SAFETY_MARGIN_SECONDS = 10.0  # leave time to record, notify and flush metrics before Lambda's timeout

_runtimes: dict[Config, Runtime] = {}


def lambda_handler(event: Any, context: LambdaContext | None) -> dict[str, Any]:
    config = _config(os.environ)
    runtime = _runtime(config, os.environ)
    run_id = getattr(context, "aws_request_id", None) or str(uuid.uuid4())
    if not config.qradar_tls_verify:
        logger.warning(
            "TLS verification of the QRadar consoles is OFF (QRADAR_TLS_VERIFY=false); trust their CA with "
            "QRADAR_CA_BUNDLE instead",
            extra={"run_id": run_id},
        )
    report = fail_over(
        event,
        config,
        runtime.collaborators,
        Deadline.for_invocation(context, DEFAULT_TIME_BUDGET_SECONDS, SAFETY_MARGIN_SECONDS),
        run_id,
    )
    function_name = str(getattr(context, "function_name", None) or "unknown")
    metrics = Metrics(config.metrics_namespace, {"Outcome": report.outcome.value, FUNCTION_DIMENSION: function_name})
    metrics.add("Runs", 1)
    metrics.add("DurationSeconds", report.duration_seconds, unit="Seconds")
    if report.notified is False:
        metrics.add("NotificationFailed", 1)
    if "destination_active" in report.milestones:
        metrics.add("TimeToDestinationActiveSeconds", report.milestones["destination_active"], unit="Seconds")
    metrics.property("run_id", run_id)
    metrics.flush()
    result = report.as_dict()
    logger.info("run finished: %s", report.outcome.value, extra={"run_id": run_id, "report": result})
    return result


def _config(environ: Mapping[str, str]) -> Config:
    try:
        config = load_config(environ)
    except ConfigError as error:
        configure_logging("INFO")
        logger.error("configuration error: %s", error)  # noqa: TRY400 (the message is the whole story)
        raise
    configure_logging(config.log_level)
    return config


def _runtime(config: Config, environ: Mapping[str, str]) -> Runtime:
    runtime = _runtimes.get(config)
    if runtime is None:
        runtime = build_runtime(config, environ)
        _runtimes.clear()  # one configuration per function; keep memory flat if the environment changes
        _runtimes[config] = runtime
    return runtime


def reset_runtime() -> None:
    """Forget cached clients and sessions (tests, and the CLI when it switches profiles)."""
    _runtimes.clear()
