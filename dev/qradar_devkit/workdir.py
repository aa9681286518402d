"""Where a drill runs: a moto server the engine reaches over HTTP, with this process's AWS environment
pointed at it, and a temporary directory. The directory holds the drill CA's private keys, so it goes at
the end; only a failed run's handler log is kept, to look into."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import world as w


@dataclass
class DrillPlace:
    workdir: Path
    endpoint_url: str
    passed: bool = False  # the drill says so when it ends well; otherwise its handler log is kept
    note: str = ""  # what became of the directory, once the place is left (empty when the caller owns it)


@contextmanager
def drill_place(
    say: Callable[[str], None], workdir: Path | None = None, endpoint: w.MotoEndpoint | None = None
) -> Iterator[DrillPlace]:
    """A drill's moto server and directory. ``endpoint`` and ``workdir`` may be shared across drills (the
    tests do); the endpoint is reset first either way, and only what this call made is removed at the end."""
    own_workdir, own_endpoint = workdir is None, endpoint is None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="qradar-drill-"))
    endpoint = endpoint or w.MotoEndpoint()
    place = DrillPlace(workdir, endpoint.url)
    try:
        endpoint.reset()  # moto's backends live in this process: start from nothing even on a new server
        with w.aws_environment(endpoint.url):
            say(f"AWS:  moto in server mode at {endpoint.url} (AWS_ENDPOINT_URL; fake credentials, {w.REGION})")
            yield place
    finally:
        if own_endpoint:
            endpoint.stop()
        if own_workdir:
            place.note = clean_up(workdir, keep_log=not place.passed)


def clean_up(workdir: Path, *, keep_log: bool) -> str:
    """Remove the drill's temporary directory (the CA's private keys are in it); keep only a failed run's log."""
    log = workdir / "handler.log"
    if keep_log and log.is_file():
        for entry in workdir.iterdir():
            if entry != log:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        return f"kept {log} to look into (the drill CA's keys were removed); delete {workdir} when done"
    shutil.rmtree(workdir, ignore_errors=True)
    return f"removed {workdir} (the drill CA and its private keys, the handler log)"
