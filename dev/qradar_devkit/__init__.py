"""Development kit: the local world the drills and the test suites run in (moto plus simulated consoles),
and the drills themselves (``qradar-failover drill`` loads :mod:`qradar_devkit.drill` when it runs)."""
