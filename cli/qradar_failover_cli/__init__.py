"""``qradar-failover``: the operator's command line for the QRadar DataSync failover.

``status``, ``failover``, ``rearm`` and ``decode`` act on a deployed system through the same engine
(:mod:`qradar_failover`) and configuration as the Lambda function; ``drill`` runs a complete AZ
failure locally against the QRadar simulator and moto in server mode: it lives in the development
kit (``qradar_devkit.drill``, not shipped), loaded only when it runs.
"""
