"""Read a manuscript: UTF-8 text, front matter (YAML, TOML, JSON or Pelican), pandoc Markdown body."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import NOT_XML, FRONT_MATTER_ONLY, PROJECT_ONLY, SETTING_NAMES, validate
from ..errors import ManuscriptError, where
from .frontmatter import mkdocs_authors, normalise, split_front_matter

log = logging.getLogger(__name__)

FRONT_MATTER_KEYS = (set(SETTING_NAMES) - PROJECT_ONLY) | FRONT_MATTER_ONLY


@dataclass(frozen=True)
class Manuscript:
    """A manuscript as read from disk, before any interpretation of its body."""

    path: Path
    text: str
    body: str
    body_line: int  # line number, in the file, of the body's first line
    front_matter: dict[str, Any] = field(default_factory=dict)  # typed, validated values
    front_matter_form: str | None = None  # YAML, TOML, JSON, Pelican; None without front matter
    draft: bool = False  # the generator's draft flag (draft: true, Status: draft, published: false)
    warnings: tuple[tuple[str, int | None], ...] = ()  # (message, line) found while reading
    metadata: dict[str, Any] = field(default_factory=dict)  # the front matter as written (all keys)
    markdown: str | None = None  # the body as pandoc reads it, blog syntax converted (sources.dialects)
    markdown_lines: tuple[int, ...] = ()  # the file line of each line of ``markdown``
    root: Path | None = None  # the project folder: messages name the file relative to it

    def where(self, line: int | None = None) -> str:
        """``manuscripts/x.md:12``: this file (relative to the project) and ``line``, for messages; a
        manuscript read without its project is named by its file name."""
        return where(self.path, line, root=self.root or self.path.parent)

    @property
    def slug(self) -> str:
        return slug_for(self.path)

    def line_of(self, needle: str, occurrence: int = 0) -> int | None:
        """The file line of the ``occurrence``-th appearance of ``needle`` in the body.

        Pandoc's Markdown reader keeps no source positions, so messages locate
        what the document tree names (a key, a URL) in the text it came from.
        """
        found = _find(self.body, needle, occurrence)
        if found is not None:
            return self.body_line + self.body.count("\n", 0, found)
        if self.markdown is not None:  # text a dialect wrote (a shortcode's link): the tag's line
            found = _find(self.markdown, needle, occurrence)
            if found is not None:
                index = self.markdown.count("\n", 0, found)
                return self.markdown_lines[index] if index < len(self.markdown_lines) else None
        return None


def _find(text: str, needle: str, occurrence: int) -> int | None:
    start = -1
    for _ in range(occurrence + 1):
        start = text.find(needle, start + 1)
        if start < 0:
            return None
    return start


def slug_for(path: Path) -> str:
    """The name of a manuscript's editions: dist/<slug>.pdf."""
    from slugify import slugify

    name = path.parent.name if path.stem in ("index", "_index") else path.stem  # a page bundle: its folder
    return slugify(name) or "manuscript"


def read_manuscript(path: Path, *, lenient: bool = False, root: Path | None = None) -> Manuscript:
    """Read and check ``path``; raise :class:`ManuscriptError` with file and line.

    ``root`` is the project folder, so that messages name ``manuscripts/sub/x.md:12``.

    With ``lenient`` (``make-book refs`` and ``check``), a front matter value
    make-book cannot use is dropped and kept as a warning instead of stopping.
    """
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ManuscriptError("this is not a text file (it contains NUL bytes)", path=path,
                              hint="a manuscript must be a Markdown text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ManuscriptError(f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} cannot be read)",
                              path=path, line=line,
                              hint="save the file as UTF-8 (in most editors: Save with encoding > UTF-8)") from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    bad = NOT_XML.search(text)
    if bad:
        raise ManuscriptError(f"the file holds the control character U+{ord(bad.group()):04X}, which no edition "
                              "can contain", path=path, line=text.count("\n", 0, bad.start()) + 1,
                              hint="delete it (it is often invisible: retype the line)")
    if not text.strip():
        raise ManuscriptError("the manuscript is empty", path=path, line=1,
                              hint="write a title in front matter and some text, or remove the file")
    front = split_front_matter(text, path)
    read = normalise(front, own_keys=FRONT_MATTER_KEYS)
    warnings = list(read.warnings)
    if lenient:  # refs and check go on past a bad value: it is dropped with a warning
        values = {}
        for key, raw in read.values.items():
            try:
                values.update(validate({key: raw}, source=path, allowed=FRONT_MATTER_KEYS, lines=read.lines,
                                       error=ManuscriptError, strict=False))
            except ManuscriptError as exc:
                warnings.append((f"front matter: {exc.message}; ignored", read.lines.get(key)))
    else:
        values = validate(read.values, source=path, allowed=FRONT_MATTER_KEYS, lines=read.lines,
                          error=ManuscriptError, strict=False)
    if values.get("author"):  # MkDocs Material names authors by an id of its .authors.yml
        names = mkdocs_authors(path, root)
        if names:
            values["author"] = tuple(names.get(author, author) for author in values["author"])
    if "date" in values and "date" in read.lines:
        log.info("%s: date '%s' read as %s", where(path, read.lines["date"], root=root),
                 _raw_date(front.data), values["date"].isoformat())
    body, body_line = front.body, front.body_line
    if not body.strip():
        raise ManuscriptError("the manuscript has front matter but no text", path=path, line=body_line,
                              hint="write the essay below the front matter")
    return Manuscript(path=path, text=text, body=body, body_line=body_line, front_matter=values,
                      front_matter_form=front.form, draft=read.draft, warnings=tuple(warnings),
                      metadata=dict(front.data), root=root)


def _raw_date(data: dict[str, Any]) -> Any:
    return next((v for k, v in data.items() if k.lower() in ("date", "publishdate", "pubdate")), None)

