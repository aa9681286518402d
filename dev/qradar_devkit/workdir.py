"""The drills' temporary directory: it holds the drill CA's private keys, so it goes at the end;
only a failed run's handler log is kept, to look into."""

from __future__ import annotations

import shutil
from pathlib import Path


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
