"""QRadar DataSync failover engine: the Lambda payload.

Entry points: :func:`qradar_failover.handler.lambda_handler` (the failover) and
:func:`qradar_failover.readiness_handler.lambda_handler` (the readiness checks). The runbook lives in
:mod:`qradar_failover.failover`, the checks in :mod:`qradar_failover.readiness`; AWS and QRadar I/O
sit behind the interfaces they declare, wired in :mod:`qradar_failover.runtime`.
"""

__version__ = "0.1.0"
