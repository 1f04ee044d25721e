"""The errors a user can cause, each carrying where it happened and how to fix it.

The library raises these; only the CLI turns them into a message and an exit
code. Anything else that escapes is a bug in make-book, not in the manuscript.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable


class MakeBookError(Exception):
    """A problem in the user's input or environment that the user can fix.

    ``path`` and ``line`` (1-based) say where; ``hint`` says what to do.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __reduce__(self):
        # Keep path, line and hint when an error travels back from a worker process.
        return (_rebuild, (type(self), self.message, self.path, self.line, self.hint))

    def location(self, relative_to: Path | None = None, show: Callable[[Path], str] | None = None) -> str:
        """``file:line`` as a user reads it: through ``show`` (the CLI shows paths as the user typed
        the project folder), else relative to the project when possible."""
        if self.path is None:
            return ""
        if show is not None:
            shown = show(self.path)
            return f"{shown}:{self.line}" if self.line else str(shown)
        return where(self.path, self.line, root=relative_to)

    def format(self, relative_to: Path | None = None, show: Callable[[Path], str] | None = None) -> str:
        where = self.location(relative_to, show)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  How to fix: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.format()


def where(path: Path | str, line: int | None = None, *, root: Path | None = None) -> str:
    """``file:line`` as every message names a place: the path relative to the project ``root``
    (``manuscripts/essais/quai.md:12``), or as given when it lies outside ``root`` or no root is known.

    The path as named is tried first (a symbolic link is shown where it sits), then its real path.
    ``line`` is 1-based; without it, the path alone.
    """
    path = Path(path)
    shown: Path = path
    if root is not None:
        bases = {Path(os.path.abspath(root)), root.resolve()}
        for candidate in (Path(os.path.abspath(path)), path.resolve()):
            base = next((b for b in bases if candidate.is_relative_to(b)), None)
            if base is not None:
                shown = candidate.relative_to(base)
                break
    return f"{shown}:{line}" if line else str(shown)


def _rebuild(cls: type[MakeBookError], message: str, path: Path | None, line: int | None,
             hint: str | None) -> MakeBookError:
    return cls(message, path=path, line=line, hint=hint)


class ConfigError(MakeBookError):
    """The project configuration (make-book.toml) or a command-line option is wrong."""


class ProjectError(MakeBookError):
    """The project folder is not usable (missing folders, paths outside the root)."""


class ManuscriptError(MakeBookError):
    """A manuscript cannot be read: encoding, front matter, structure."""


class BibliographyError(MakeBookError):
    """A BibTeX file is malformed or inconsistent."""


class CitationError(MakeBookError):
    """A manuscript cites something the bibliography does not have."""


class RenderError(MakeBookError):
    """Pandoc, WeasyPrint or the EPUB writer refused the document."""
