"""Where a command's output goes: :class:`Io`, human lines fitted to the terminal (to stderr with
``--json``, so stdout stays one JSON document), and the ticking "waiting for ..." line."""

from __future__ import annotations

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
        answer = self.stdin.readline()
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
