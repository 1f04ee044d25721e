"""What WeasyPrint may read while it lays out a book: project and style files only."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher

log = logging.getLogger(__name__)


class SafeFetcher(URLFetcher):
    """Serve ``file:`` URLs inside the allowed folders and ``data:`` URLs; refuse the rest.

    Nothing is fetched from the network, and no file outside the project (or the
    house styles) is read, whatever the manuscript's raw HTML or CSS asks for.
    Refused addresses are kept in :attr:`refused` so the build can report them.
    """

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", "data"))
        self.allowed = [folder.resolve() for folder in allowed]
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file":
            path = Path(url2pathname(unquote(parts.path))).resolve()
            if any(path.is_relative_to(folder) for folder in self.allowed):
                return super().fetch(url, headers)
        self.refused.append(url)
        log.debug("refused to fetch %s", url)
        raise ValueError(f"make-book does not read {url}: only files inside the project are used")
