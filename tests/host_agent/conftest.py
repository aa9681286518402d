"""Fixtures for the host agent tests; the harness itself is in support/host_agent.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.host_agent import Agent, make_agent


@pytest.fixture
def agent(tmp_path: Path) -> Agent:
    return make_agent(tmp_path)
