"""Where a command's output goes: :class:`Io`, human lines fitted to the terminal (to stderr with
``--json``, so stdout stays one JSON document), and the ticking "waiting for ..." line; and
:class:`Output`, a stream whose reader may go away without the command noticing."""

from __future__ import annotations

import io
import os
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TextIO

from .progress import WaitFor, Waiting
from .render import fit, terminal_width


@dataclass
class Io:
    out: TextIO
    err: TextIO
    stdin: TextIO
    json: bool
    width: int = field(default_factory=terminal_width)
    progress: bool | None = None  # ticking "waiting for ..." lines; None: when stderr is a terminal
    waiting: Waiting = field(init=False)

    def __post_init__(self) -> None:
        self.waiting = Waiting(self.err, self.progress if self.progress is not None else _is_terminal(self.err))

    @property
    def wait_for(self) -> WaitFor:
        return self.waiting

    def confirm(self, prompt: str, expected: str = "y", *, without_answer: str = "") -> bool:
        """Ask on the human stream (stderr with --json); True when the answer is ``expected`` (``y``:
        also ``yes``). A closed stdin is no, and ``without_answer`` says how to go on without the question."""
        stream = self.err if self.json else self.out
        self.waiting.interrupt()
        stream.write(prompt)
        stream.flush()
        try:
            answer = self.stdin.readline()
        except KeyboardInterrupt:
            stream.write("\n")  # end the question's line; the caller says what the interruption left
            raise
        if not answer:
            self.say(f"(no answer: stdin is closed{'; ' + without_answer if without_answer else ''})")
        accepted = {"y", "yes"} if expected == "y" else {expected}
        return answer.strip().lower() in accepted

    def say(self, text: str = "") -> None:
        """Human output, fitted to the width; in --json mode it goes to stderr so stdout stays one JSON document."""
        self.waiting.interrupt()
        stream = self.err if self.json else self.out
        for line in fit(text, self.width):
            stream.write(line + "\n")
        stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Output(io.TextIOBase):
    """A stream whose reader may go away (``| head``, a pager that is quit, a terminal that closed):
    writing to it never raises. After the first write or flush that fails, the rest is dropped, and a
    real file descriptor is pointed at /dev/null, so the interpreter's own flush at exit cannot fail
    either. What a command does, records and exits with never depends on whether anyone still reads."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                self.stream.write(text)
            except (OSError, ValueError):  # EPIPE, EIO; ValueError: the stream was closed
                self._lose_reader()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self.stream.flush()
            except (OSError, ValueError):
                self._lose_reader()

    def isatty(self) -> bool:
        return not self.reader_gone and _is_terminal(self.stream)

    def writable(self) -> bool:
        return True

    def _lose_reader(self) -> None:
        self.reader_gone = True
        with suppress(OSError, ValueError):  # not a file descriptor (a StringIO): nothing is left to fail
            descriptor = self.stream.fileno()
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, descriptor)
            finally:
                os.close(devnull)
