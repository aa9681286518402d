"""QRadar DataSync failover engine: the Lambda payload.

Entry point: :func:`qradar_failover.handler.lambda_handler`. The runbook lives in
:mod:`qradar_failover.failover`; AWS and QRadar I/O sit behind the interfaces it declares.
"""

__version__ = "0.1.0"
