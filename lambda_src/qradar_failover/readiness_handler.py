"""Lambda entry point of the readiness function: ``qradar_failover.readiness_handler.lambda_handler``.

Run on a schedule and by hand. Builds the readers afresh every run, runs every check
(:mod:`qradar_failover.readiness`), and reports the result three ways: returned, logged as one JSON
line, and emitted as EMF metrics: ``Ready`` (1/0), ``ReplicationLagSeconds`` (the RPO measured, when the
Main console reports it), one ``CheckFailed`` per failing check and ``CheckWarned`` (1 or 0) per check that
can warn (dimension ``Check``), all with the dimension ``FailoverFunction``.
Never raises for anything the environment, QRadar or AWS can do: a broken configuration is check 1's
failure and still reports ``Ready`` = 0.
"""

from __future__ import annotations

import logging
import os
import uuid
from typing import Any

from .config import log_level_or_default, readiness_metric_target
from .deadline import Deadline, LambdaContext
from .observability import FUNCTION_DIMENSION, Metrics, configure_logging
from .readiness import ReadinessReport, check_readiness
from .readiness_checks import WARNING_CHECKS, Check
from .runtime import build_readiness_collaborators

logger = logging.getLogger(__name__)

READY_METRIC = "Ready"
CHECK_FAILED_METRIC = "CheckFailed"
CHECK_WARNED_METRIC = "CheckWarned"
REPLICATION_LAG_METRIC = "ReplicationLagSeconds"
CHECK_DIMENSION = "Check"
DEFAULT_TIME_BUDGET_SECONDS = 60.0  # the module's readiness function timeout
SAFETY_MARGIN_SECONDS = 5.0  # leave time to log and flush metrics


def lambda_handler(event: Any, context: LambdaContext | None) -> dict[str, Any]:
    environ = os.environ
    configure_logging(log_level_or_default(environ))
    run_id = getattr(context, "aws_request_id", None) or str(uuid.uuid4())
    # Built afresh every run (unlike the failover function's warm runtime): a token secret deleted or
    # rotated since the last run must fail this run, not hide behind a cached token.
    deadline = Deadline.for_invocation(context, DEFAULT_TIME_BUDGET_SECONDS, SAFETY_MARGIN_SECONDS)
    report = check_readiness(environ, build_readiness_collaborators, deadline, run_id)
    emit_metrics(report, *readiness_metric_target(environ))
    result = report.as_dict()
    logger.info("readiness: %s", report.verdict, extra={"run_id": run_id, "readiness": result})
    return result


def emit_metrics(report: ReadinessReport, namespace: str, failover_function: str) -> None:
    """``Ready`` (1/0), ``ReplicationLagSeconds`` when measured, ``CheckFailed`` = 1 per failing check, and
    ``CheckWarned`` for every check that can warn: 1 when it warns, 0 when it does not. Always both values, so
    the module's alarm on it changes state only on what readiness said (notified once when a warning starts,
    once when it ends), never because a run is missing. EMF documents on stdout."""
    ready = Metrics(namespace, {FUNCTION_DIMENSION: failover_function})
    ready.add(READY_METRIC, 1 if report.ready else 0)
    ready.property("run_id", report.run_id)
    ready.flush()
    if report.replication_lag_seconds is not None:
        lag = Metrics(namespace, {FUNCTION_DIMENSION: failover_function})
        lag.add(REPLICATION_LAG_METRIC, round(report.replication_lag_seconds), unit="Seconds")
        lag.property("run_id", report.run_id)
        lag.flush()
    warned = {check.name for check in report.warnings}
    per_check = [(CHECK_FAILED_METRIC, check.name, 1) for check in report.failing]
    per_check += [(CHECK_WARNED_METRIC, name, int(name in warned)) for name in Check if name in WARNING_CHECKS]
    for metric, name, value in per_check:
        document = Metrics(namespace, {FUNCTION_DIMENSION: failover_function, CHECK_DIMENSION: name.value})
        document.add(metric, value)
        document.property("run_id", report.run_id)
        document.flush()
