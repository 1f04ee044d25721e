"""make-book: Markdown essays and their BibTeX bibliography, typeset as PDF and EPUB 3.

The public API is small: open a project, build it.

    >>> from pipeline import open_project, build
    >>> results = build(open_project("."))
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str):
    # Lazy: importing the package must stay cheap for `make-book --help`.
    if name == "build":
        from .builder import build

        return build
    if name == "open_project":
        from .project import open_project

        return open_project
    if name == "MakeBookError":
        from .errors import MakeBookError

        return MakeBookError
    raise AttributeError(name)


__all__ = ["build", "open_project", "MakeBookError", "__version__"]
