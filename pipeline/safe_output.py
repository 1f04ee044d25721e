"""Output that a manuscript cannot turn into commands for CI or into Markdown.

make-book prints titles, file names and messages that come from manuscripts
written by strangers. In GitHub Actions a line of a step's output starting
with ``::`` is a workflow command (``::add-mask::``, ``::stop-commands::``,
``::error file=…::``), and the workflow copies ``make-book refs`` into a
fenced code block of the job summary, which a line of three backquotes or
tildes would close. :class:`LineGuard` wraps a text stream and puts ``> `` in
front of any line that, leading spaces aside, starts with ``::``, `````` or
``~~~``; a carriage return is written as ``\\r`` so it cannot start a line
either.
"""

from __future__ import annotations

import io
import re
from typing import TextIO

#: Line starts that GitHub Actions (workflow commands) or CommonMark (a closing code fence) would obey.
DANGEROUS = re.compile(r"[ \t\f\v]*(::|```|~~~)")
_PREFIXES = ("::", "```", "~~~")


def neutralise(text: str) -> str:
    """``text`` with each dangerous line prefixed by ``> `` and carriage returns made visible."""
    text = text.replace("\r\n", "\n").replace("\r", "\\r")
    return "\n".join(f"> {line}" if DANGEROUS.match(line) else line for line in text.split("\n"))


class LineGuard(io.TextIOBase):
    """A text stream that writes through to ``stream`` after :func:`neutralise`, line by line.

    A partial line is held back only while it could still become a dangerous
    start (``:``, `````, spaces…); anything else is written at once, so
    progress and prompts are not delayed.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self.pending = ""  # the start of the current line, held while undecided
        self.decided = False  # the current line's start has been checked and written

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.stream, "errors", None)

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        out = []
        for piece in re.split(r"(\n)", text.replace("\r\n", "\n").replace("\r", "\\r")):
            if piece == "\n":
                if not self.decided:
                    out.append(neutralise(self.pending))
                out.append("\n")
                self.pending, self.decided = "", False
            elif piece:
                if self.decided:
                    out.append(piece)
                    continue
                self.pending += piece
                start = self.pending.lstrip(" \t\f\v")
                if any(p.startswith(start) for p in _PREFIXES) and len(start) < 3:
                    continue  # still undecided: "", ":", "`", "``", "~", "~~"
                out.append(neutralise(self.pending))
                self.pending, self.decided = "", True
        if out:
            self.stream.write("".join(out))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        if self.pending and not self.decided:
            self.stream.write(neutralise(self.pending))
            self.pending = ""
        self.flush()


def guard_standard_streams() -> None:
    """Wrap ``sys.stdout`` and ``sys.stderr`` in a :class:`LineGuard` (once)."""
    import sys

    if not isinstance(sys.stdout, LineGuard):
        sys.stdout = LineGuard(sys.stdout)
    if not isinstance(sys.stderr, LineGuard):
        sys.stderr = LineGuard(sys.stderr)
