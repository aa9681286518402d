"""Development kit: the local world the drill and the test suites run in (moto plus simulated consoles)."""
