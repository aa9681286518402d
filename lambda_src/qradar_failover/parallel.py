"""Reads side by side: each in a thread of its own, so reads that wait together cost the longest of their
bounds, not the sum."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def at_once(*reads: Callable[[], Any]) -> list[Any]:
    """Each read in a thread of its own, their results in order; a read's exception is raised again here.

    The threads are daemons: an interrupt (Ctrl-C at the command line) ends the caller at once instead of
    waiting for each read to give up. So only reads belong here: every one bounded, none that changes a thing.
    """
    results: list[Any] = [None] * len(reads)
    failures: list[BaseException | None] = [None] * len(reads)

    def run(index: int) -> None:
        try:
            results[index] = reads[index]()
        except BaseException as error:  # raised again in the caller's thread, below
            failures[index] = error

    threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in range(len(reads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for failure in failures:
        if failure is not None:
            raise failure
    return results
