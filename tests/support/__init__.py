"""Test support shared by the suites: event fixtures, the AWS world, fakes, and each suite's rig."""
