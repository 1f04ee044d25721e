"""Read BibTeX files with bibtexparser: validate them and index their entries.

Pandoc's citeproc formats the references; this module makes sure the files it
will read are sound, and reports problems with file and line, which pandoc
does not.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import bibtexparser
from bibtexparser import model

from ..errors import BibliographyError
from .identifiers import Identifier, entry_identifiers

log = logging.getLogger(__name__)

_BARE_VALUE = re.compile(r"\s*[\w.:+-]+(\s*#\s*(\{[^{}]*\}|\"[^\"]*\"|[\w.:+-]+))*\s*")


@dataclass(frozen=True)
class Entry:
    key: str
    type: str  # lower case: article, book, online…
    fields: dict[str, str]
    path: Path
    line: int  # 1-based line of the '@type{' opening
    field_lines: dict[str, int] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value.strip() if value and value.strip() else None


TODO_FIELD = "todo"  # marks a stub written by `make-book refs --stubs`, still to be completed


@dataclass(frozen=True)
class Bibliography:
    files: tuple[Path, ...]
    entries: dict[str, Entry]

    @property
    def keys(self) -> list[str]:
        return list(self.entries)

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    @cached_property
    def identifiers(self) -> dict[Identifier, str]:
        """DOI, arXiv id, ISBN and URL of every entry → its key (the first entry wins)."""
        index: dict[Identifier, str] = {}
        for entry in self.entries.values():
            for identifier in entry_identifiers(entry.fields):
                index.setdefault(identifier, entry.key)
        return index

    def is_stub(self, key: str) -> bool:
        entry = self.entries.get(key)
        return entry is not None and TODO_FIELD in entry.fields


def read_bib_file(path: Path) -> list[Entry]:
    """Parse one .bib file; raise once, listing its malformed entries and duplicate keys."""
    entries, problems = parse_bib_file(path)
    if problems:
        line, message = problems[0]
        more = f" (and {len(problems) - 1} more problem(s): " + "; ".join(
            f"line {n}: {m}" for n, m in problems[1:4]) + ")" if len(problems) > 1 else ""
        raise BibliographyError(message + more, path=path, line=line,
                                hint="each entry reads @type{key, field = {value}, ...}: check braces and commas")
    return entries


def parse_bib_file(path: Path) -> tuple[list[Entry], list[tuple[int, str]]]:
    """The entries of one .bib file and its problems as (line, message), sorted by line."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BibliographyError(
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); it may be Latin-1",
            path=path, line=line,
            hint="convert it to UTF-8, e.g. iconv -f latin1 -t utf-8 FILE > NEW && mv NEW FILE",
        ) from None
    library = bibtexparser.parse_string(text)
    problems: list[tuple[int, str]] = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        opening = (block.raw or "").strip().split("\n", 1)[0][:60]
        if isinstance(block, model.DuplicateBlockKeyBlock):
            first = library.entries_dict[block.key]
            problems.append((line, f"duplicate key {block.key!r}, first defined on line {first.start_line + 1}"))
        else:
            reason = _reason(block.error)
            problems.append((line, f"malformed entry {opening!r}: {reason}"))
    for entry in library.entries:
        for name, value in entry.fields_dict.items():
            # bibtexparser reads `title = {A}  year = 2000` as one bare value: a
            # bare value can only be a number or @string names joined by '#'.
            if getattr(value, "enclosing", None) == "no-enclosing" and not _BARE_VALUE.fullmatch(str(value.value)):
                line = (value.start_line if value.start_line is not None else entry.start_line) + 1
                problems.append((line, f"entry {entry.key!r}, field {name!r}: missing comma after this field's "
                                       "value (it runs into the next field)"))
    problems.sort()
    entries = []
    for entry in library.entries:
        fields = {name.lower(): str(f.value) for name, f in entry.fields_dict.items()}
        lines = {name.lower(): f.start_line + 1 for name, f in entry.fields_dict.items()
                 if f.start_line is not None}
        entries.append(Entry(key=entry.key, type=entry.entry_type.lower(), fields=fields, path=path,
                             line=entry.start_line + 1, field_lines=lines))
    return entries, problems


def load_bibliography(files: list[Path]) -> Bibliography:
    """Read ``files`` in order; a key defined in two places is an error naming both."""
    entries: dict[str, Entry] = {}
    for path in files:
        for entry in read_bib_file(path):
            if entry.key in entries:
                first = entries[entry.key]
                raise BibliographyError(
                    f"duplicate key {entry.key!r}: also defined in {first.path.name} line {first.line}",
                    path=path, line=entry.line,
                    hint="rename one of the two keys, or delete the copy",
                )
            entries[entry.key] = entry
    log.debug("bibliography: %d entries from %d file(s)", len(entries), len(files))
    return Bibliography(files=tuple(files), entries=entries)


def _reason(error: Exception | None) -> str:
    text = " ".join(str(error or "syntax error").split())
    # bibtexparser's wording starts with the block and line; keep the cause only.
    _, _, cause = text.partition("due to syntactical error in bibtex:")
    return (cause or text).strip()
