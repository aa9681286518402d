"""Lambda entry point: ``qradar_failover.handler.lambda_handler``.

Reads the environment contract once per distinct environment, reuses AWS clients and HTTP
sessions across warm invocations, runs the failover runbook and returns its report. It raises in two
cases only: a configuration error (so the event goes to the function's on-failure destination and
can be replayed once fixed), and :class:`RetryRequested`, when the run could not conclude or failed
for a reason that may pass and Lambda will run the alarm again (an alarm acts only on a state
change: raising is the only way another attempt comes). Everything else is decided, logged, counted
and notified, and returns.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Mapping
from typing import Any

from .config import Config, ConfigError, load_config
from .deadline import Deadline, LambdaContext
from .failover import SAFETY_MARGIN_SECONDS, fail_over
from .observability import FUNCTION_DIMENSION, Metrics, configure_logging
from .runtime import Runtime, build_runtime

logger = logging.getLogger(__name__)

DEFAULT_TIME_BUDGET_SECONDS = 300.0

_runtimes: dict[Config, Runtime] = {}


class RetryRequested(RuntimeError):
    """Not a crash: the run ended without concluding, its notice is sent, and Lambda is asked to run the
    same alarm again (the message says when)."""


def lambda_handler(event: Any, context: LambdaContext | None) -> dict[str, Any]:
    return handle(event, context, _runtime(_config(os.environ)))


def handle(event: Any, context: LambdaContext | None, runtime: Runtime) -> dict[str, Any]:
    """One invocation with a built runtime (the dev kit's simulated outages hand in their own)."""
    config = runtime.config
    run_id = getattr(context, "aws_request_id", None) or str(uuid.uuid4())
    if not config.qradar_tls_verify:
        logger.warning(
            "TLS verification of the QRadar consoles is OFF (QRADAR_TLS_VERIFY=false); trust their CA with "
            "QRADAR_CA_BUNDLE instead",
            extra={"run_id": run_id},
        )
    clocks = runtime.clocks
    started_at = clocks.wall()
    report = fail_over(
        event,
        config,
        runtime.collaborators,
        Deadline.for_invocation(context, DEFAULT_TIME_BUDGET_SECONDS, SAFETY_MARGIN_SECONDS, clocks.monotonic),
        run_id,
        clocks,
    )
    function_name = str(getattr(context, "function_name", None) or "unknown")
    metrics = Metrics(config.metrics_namespace, {"Outcome": report.outcome.value, FUNCTION_DIMENSION: function_name})
    metrics.add("Runs", 1)
    metrics.add("DurationSeconds", report.duration_seconds, unit="Seconds")
    if report.notified is False:
        metrics.add("NotificationFailed", 1)
    if "destination_active" in report.milestones:
        metrics.add("TimeToDestinationActiveSeconds", report.milestones["destination_active"], unit="Seconds")
    if report.recovery is not None and report.recovery.seconds_from_alarm is not None:
        metrics.add("RecoverySeconds", report.recovery.seconds_from_alarm, unit="Seconds")
    if report.recovery is not None and report.recovery.seconds_from_breach is not None:
        metrics.add("RecoveryFromBreachSeconds", report.recovery.seconds_from_breach, unit="Seconds")
    metrics.property("run_id", run_id)
    metrics.flush()
    retry = report.next_attempt is not None and report.next_attempt.follows
    if retry:
        # Its own dimension set, so the module's function-errors alarm can tell these raises from crashes.
        retries = Metrics(config.metrics_namespace, {FUNCTION_DIMENSION: function_name})
        retries.add("RetriesRequested", 1)
        retries.flush(at=started_at)  # Lambda's Errors datapoint of this invocation carries its start
    result = report.as_dict()
    logger.info("run finished: %s", report.outcome.value, extra={"run_id": run_id, "report": result})
    if retry:
        assert report.next_attempt is not None
        raise RetryRequested(f"{report.outcome.value}, not concluded: {report.next_attempt.describe()}")
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


def _runtime(config: Config) -> Runtime:
    runtime = _runtimes.get(config)
    if runtime is None:
        runtime = build_runtime(config)
        _runtimes.clear()  # one configuration per function; keep memory flat if the environment changes
        _runtimes[config] = runtime
    return runtime


def reset_runtime() -> None:
    """Forget cached clients and sessions (tests, and the CLI when it switches profiles)."""
    _runtimes.clear()
