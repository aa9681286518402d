"""Changing a site's DR state through its console, the way every runbook does it: read the state, start
the deploy of a staged change and wait for it to complete, then read the *deployed* configuration back
until it shows the change (a 200 or a COMPLETE deploy status is not proof).

The failover (:mod:`qradar_failover.failover`) and the failback (:mod:`qradar_failover.failback`) both
act through :class:`SiteDeployer`, so both deploy and verify alike, with the same bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .deadline import Deadline
from .ledger import StepLedger
from .qradar import DeployStart, DeployStatus, DRConfig, QRadarError
from .report import FailureKind


class DeployingConsole(Protocol):
    """The console calls a deploy and its read-back make."""

    def read_dr_config(self, deadline: Deadline, step: str = ...) -> DRConfig: ...
    def start_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStart: ...
    def await_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStatus | None: ...


@dataclass
class SiteDeployer:
    ledger: StepLedger
    deadline: Deadline  # the run's: no wait goes past it
    poll_interval: float  # DEPLOY_POLL_INTERVAL_SECONDS
    sleep: Callable[[float], None]

    def read_state(
        self, console: DeployingConsole, site: str, budget: Deadline, step: str = "read DR config"
    ) -> DRConfig:
        current = console.read_dr_config(budget, step)
        self.ledger.site(site).state = current.describe()
        return current

    def deploy(
        self, console: DeployingConsole, site: str, budget: Deadline, *, wait_seconds: float | None = None
    ) -> Deadline:
        """Start the deploy of the staged change within ``budget`` and wait until it reports COMPLETE:
        within ``budget`` too, or, with ``wait_seconds``, within that long from the moment the deploy
        started (and the run's deadline). Returns the budget the wait ran within."""
        progress = self.ledger.site(site)
        with self.ledger.step(site, "deploy and wait") as detail:
            start = console.start_deploy(budget, self.poll_interval)
            if start.nothing_to_deploy:
                detail.append("nothing to deploy")
                return budget
            progress.deploy_started = True
            self.ledger.milestone(f"{site}_deploy_started")
            detail.append(f"via {start.endpoint}")
            if wait_seconds is not None:
                budget = self.deadline.within(wait_seconds)
            console.await_deploy(budget, self.poll_interval)
        return budget

    def await_deployed(
        self, console: DeployingConsole, site: str, budget: Deadline, reached: Callable[[DRConfig], bool]
    ) -> DRConfig:
        """Re-read the *deployed* DR config until it shows what the deploy was for, within ``budget``."""
        while True:
            deployed = self.read_state(console, site, budget, step="verify DR config")
            if reached(deployed):
                return deployed
            if budget.remaining() <= self.poll_interval + 1:
                raise QRadarError(
                    site=site,
                    step="verify DR config",
                    kind=FailureKind.DEADLINE,  # the time to wait for it ran out; a later read may show it
                    detail=f"deployed configuration is still {deployed.describe()} after the deploy",
                )
            self.sleep(self.poll_interval)
