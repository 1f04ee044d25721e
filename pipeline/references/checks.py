"""Bibliography lint (``make-book check``): what a careful editor would flag in the .bib files."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .bibliography import TODO_FIELD, Entry, parse_bib_file
from ..errors import BibliographyError
from .identifiers import entry_identifiers

ERROR, WARNING, INFO = "error", "warning", "info"

# Fields each entry type needs (BibTeX's rules, with BibLaTeX's alternatives after '|').
REQUIRED: dict[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal|journaltitle", "year|date"),
    "book": ("author|editor", "title", "publisher", "year|date"),
    "inbook": ("author|editor", "title", "chapter|pages", "publisher", "year|date"),
    "incollection": ("author", "title", "booktitle", "publisher", "year|date"),
    "inproceedings": ("author", "title", "booktitle", "year|date"),
    "conference": ("author", "title", "booktitle", "year|date"),
    "phdthesis": ("author", "title", "school|institution", "year|date"),
    "mastersthesis": ("author", "title", "school|institution", "year|date"),
    "thesis": ("author", "title", "type", "institution|school", "year|date"),
    "techreport": ("author", "title", "institution", "year|date"),
    "report": ("author", "title", "type", "institution", "year|date"),
    "online": ("title", "url", "year|date|urldate"),
    "unpublished": ("author", "title", "note"),
    "manual": ("title",),
    "misc": ("title",),
}


@dataclass(frozen=True)
class Finding:
    level: str
    path: Path
    line: int | None
    message: str

    def format(self, root: Path | None = None) -> str:
        shown = self.path
        if root is not None:
            try:
                shown = self.path.relative_to(root)
            except ValueError:
                pass
        where = f"{shown}:{self.line}" if self.line else str(shown)
        return f"{self.level}: {where}: {self.message}"


def check_bibliography(files: list[Path], cited: set[str] | None = None) -> list[Finding]:
    """Every problem of ``files``, sorted by file and line. ``cited`` lists the keys the manuscripts use."""
    findings: list[Finding] = []
    entries: list[Entry] = []
    for path in files:
        try:
            parsed, problems = parse_bib_file(path)
        except BibliographyError as exc:  # an undecodable file: one finding, then the next file
            findings.append(Finding(ERROR, path, exc.line, exc.message))
            continue
        findings += [Finding(ERROR, path, line, message) for line, message in problems]
        entries += parsed
    first: dict[str, Entry] = {}
    for entry in entries:
        if entry.key in first and first[entry.key].path != entry.path:
            other = first[entry.key]
            findings.append(Finding(ERROR, entry.path, entry.line,
                                    f"duplicate key {entry.key!r}, also in {other.path.name} line {other.line}"))
        first.setdefault(entry.key, entry)
    by_work: dict = defaultdict(list)
    for entry in entries:
        for identifier in entry_identifiers(entry.fields):
            by_work[identifier].append(entry)
    reported: set[frozenset[str]] = set()
    for identifier, same in by_work.items():
        keys = frozenset(e.key for e in same)
        if len(keys) > 1 and keys not in reported:
            reported.add(keys)
            later = same[-1]
            findings.append(Finding(WARNING, later.path, later.line,
                                    f"{later.key!r} is the same work as {same[0].key!r} ({identifier}): keep one key"))
    for entry in entries:
        for needed in REQUIRED.get(entry.type, ()):
            if not any(entry.get(name) for name in needed.split("|")):
                findings.append(Finding(WARNING, entry.path, entry.line,
                                        f"{entry.key!r} ({entry.type}) has no {' or '.join(needed.split('|'))}"))
        if TODO_FIELD in entry.fields:
            findings.append(Finding(WARNING, entry.path, entry.field_lines.get(TODO_FIELD, entry.line),
                                    f"{entry.key!r} is a stub still to be completed (remove its todo field when done)"))
        if cited is not None and entry.key not in cited:
            findings.append(Finding(INFO, entry.path, entry.line, f"{entry.key!r} is cited by no manuscript"))
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    return sorted(findings, key=lambda f: (str(f.path), f.line or 0, order[f.level]))
