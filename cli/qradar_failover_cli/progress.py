"""Progress while the engine works, built on its existing interfaces.

* every QRadar call: the runbook hands each console an observer; :class:`ProgressConsoles` wraps
  the runtime's consoles so the same calls are also shown as they finish;
* deploy polling: the console adapter logs each poll (``deploy IN_PROGRESS ...`` with a
  ``percent_complete`` field); :class:`DeployProgress` shows those records.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from qradar_failover.config import SiteConfig
from qradar_failover.failover import Console, Consoles
from qradar_failover.observability import LOGGER_NAME
from qradar_failover.qradar import CallObserver, CallRecord

Say = Callable[[str], None]


@dataclass
class ProgressConsoles:
    inner: Consoles
    say: Say

    def open(self, site: SiteConfig, observer: CallObserver) -> Console:
        def observe(call: CallRecord) -> None:
            observer(call)
            if call.step != "read deploy status" or call.error:
                status = f"HTTP {call.http_status}" if call.http_status is not None else "no answer"
                error = f"  {call.error}" if call.error else ""
                self.say(f"  {call.site:11}  {call.step:34} {status:9} {call.duration_seconds:6.2f}s{error}")

        return self.inner.open(site, observe)


class DeployProgress(logging.Handler):
    def __init__(self, say: Say) -> None:
        super().__init__(logging.INFO)
        self._say = say

    def emit(self, record: logging.LogRecord) -> None:
        percent = getattr(record, "percent_complete", None)
        if percent is None:
            return
        self._say(f"  {getattr(record, 'site', ''):11}  {record.getMessage()} ({percent}% complete)")


@contextmanager
def deploy_progress(say: Say) -> Iterator[None]:
    logger = logging.getLogger(LOGGER_NAME)
    handler = DeployProgress(say)
    previous = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
