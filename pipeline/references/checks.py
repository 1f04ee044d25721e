"""Bibliography lint (``make-book check``): what a careful editor would flag in the .bib files."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .bibliography import TODO_FIELD, load_bibliography, parent_key, read_text
from ..errors import BibliographyError, where
from .identifiers import entry_identifiers

ERROR, WARNING, INFO = "error", "warning", "info"

# Fields each entry type needs (BibTeX's rules, with BibLaTeX's alternatives after '|').
REQUIRED: dict[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal|journaltitle", "year|date"),
    "book": ("author|editor", "title", "publisher", "year|date"),
    "inbook": ("author|editor", "title", "chapter|pages", "publisher", "year|date"),
    "incollection": ("author", "title", "booktitle", "publisher", "year|date"),
    # Scopus names a conference paper's proceedings `journal`; make-book prints it as the container.
    "inproceedings": ("author", "title", "booktitle|journal|journaltitle", "year|date"),
    "conference": ("author", "title", "booktitle|journal|journaltitle", "year|date"),
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
        return f"{self.level}: {where(self.path, self.line, root=root)}: {self.message}"


_CITABLE_KEY = re.compile(r"^[\w][\w:.#$%&+?<>~/-]*$")  # what pandoc's Markdown reads after '@'
_GRANULAR_REF = re.compile(r"\s*xdata\s*=", re.I)  # biblatex's `field = {xdata=KEY-FIELD}`
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
ADDRESS_FIELDS = ("doi", "url", "eprint")
WEB_TYPES = {"online", "www", "electronic", "webpage", "misc"}


def check_bibliography(files: list[Path], cited: set[str] | None = None, *,
                       uncited: str = "cited by no manuscript") -> list[Finding]:
    """Every problem of ``files``, sorted by file and line. ``cited`` lists the keys the manuscripts use.

    ``uncited`` says what the count of uncited entries means (``"not cited in
    the book 'carnets'"`` when ``make-book check carnets`` checks a book).

    A problem that makes an entry unreadable (or ambiguous) is an error when a
    manuscript cites the entry, a warning otherwise. Required fields are checked
    after ``crossref``/``xdata`` inheritance (biblatex §4.5.3), ISBNs identify a
    work only between book-level entries, and a URL only between web pages.
    """
    from .latex import has_escapes, verbatim
    from .csl_json import latex_left

    findings: list[Finding] = []
    readable: list[Path] = []
    for path in files:
        try:
            read_text(path)
        except BibliographyError as exc:  # an undecodable file: one finding, then the next file
            findings.append(Finding(ERROR, path, exc.line, exc.message))
            continue
        readable.append(path)
    bibliography = load_bibliography(readable)
    errors, _ = bibliography.problems_of(set(cited or ()))
    for problem in bibliography.problems:
        level = ERROR if problem in errors or cited is None else WARNING
        findings.append(Finding(level, problem.path, problem.line, f"{problem.message} ({problem.hint})"))
    entries = list(bibliography.entries.values())
    # A missing comma merges two fields into one value: that entry's "has no title" would be false.
    merged = {(problem.path, problem.key) for problem in bibliography.problems
              if problem.key and "missing comma" in problem.message}
    by_work: dict = defaultdict(list)
    for entry in entries:
        resolved = bibliography.resolved(entry.key)
        for identifier in entry_identifiers(resolved.fields, entry.type):
            if identifier.kind == "url" and entry.type not in WEB_TYPES:
                continue  # one PDF may hold a whole issue: a shared address alone is not one work
            if identifier.kind == "isbn" and "isbn" not in entry.fields:
                continue  # inherited from a crossref parent: the volume's, not this entry's
            by_work[identifier].append(entry)
    reported: set[frozenset[str]] = set()
    for identifier, same in by_work.items():
        keys = frozenset(e.key for e in same)
        if len(keys) > 1 and keys not in reported:
            reported.add(keys)
            later = same[-1]
            findings.append(Finding(WARNING, later.path, later.line,
                                    f"{later.key!r} is the same work as {same[0].key!r} ({identifier}): keep one key"))
    not_cited: dict[Path, int] = defaultdict(int)
    for entry in entries:
        resolved = bibliography.resolved(entry.key)
        for parent in ("crossref", "xdata"):
            for name in (entry.get(parent) or "").split(","):
                name = name.strip()
                found = parent_key(name, bibliography.entries) if name else name
                if name and found is None:
                    findings.append(Finding(WARNING, entry.path, entry.where(parent),
                                            f"{entry.key!r}: its {parent} {name!r} is not in the bibliography"))
                elif name and found != name:
                    findings.append(Finding(INFO, entry.path, entry.where(parent),
                                            f"{entry.key!r}: its {parent} {name!r} is the key {found!r} written in "
                                            "another case (BibTeX finds it; biber may not): write it as the key is"))
        for name, value in entry.fields.items():
            if name not in ("xdata", "crossref") and _GRANULAR_REF.match(value) and resolved.fields.get(name) == value:
                findings.append(Finding(WARNING, entry.path, entry.where(name),
                                        f"{entry.key!r}, field {name!r}: {value.strip()!r} names no field of an "
                                        "entry (write xdata=KEY-FIELD, with KEY an @xdata entry of the bibliography)"))
        for needed in REQUIRED.get(entry.type, ()) if (entry.path, entry.key) not in merged else ():
            names = needed.split("|")
            if entry.type == "online" and "url" in names:
                names.append("eprint")  # biblatex: an @online needs url, or eprint, or doi
                names.append("doi")
            if not any(resolved.get(name) for name in names):
                findings.append(Finding(WARNING, entry.path, entry.line,
                                        f"{entry.key!r} ({entry.type}) has no {' or '.join(needed.split('|'))}"))
        if not _CITABLE_KEY.match(entry.key):
            findings.append(Finding(WARNING, entry.path, entry.line,
                                    f"key {entry.key!r} has characters a citation cannot use; "
                                    "use letters, digits and _ - : . only"))
        for name in entry.fields:
            if not _FIELD_NAME.match(name):
                findings.append(Finding(WARNING, entry.path, entry.where(name),
                                        f"{entry.key!r}: field name {name!r} has characters BibTeX field names "
                                        "do not use (letters, digits, _ and - only); it is ignored"))
        for name in ADDRESS_FIELDS:
            value = entry.fields.get(name)
            if value and has_escapes(value):
                findings.append(Finding(INFO, entry.path, entry.where(name),
                                        f"{entry.key!r}: {name} holds LaTeX escapes, read as "
                                        f"{verbatim(value)!r} (you may write it so)"))
        for name, command in latex_left(entry):
            findings.append(Finding(WARNING, entry.path, entry.where(name),
                                    f"{entry.key!r}, field {name!r}: the LaTeX command \\{command} cannot be "
                                    "converted and is left out (write the character itself)"))
        if TODO_FIELD in entry.fields:
            findings.append(Finding(WARNING, entry.path, entry.field_lines.get(TODO_FIELD, entry.line),
                                    f"{entry.key!r} is a stub still to be completed (remove its todo field when done)"))
    for key in bibliography.uncited(cited) if cited is not None else ():  # the count `make-book refs` gives
        not_cited[bibliography.entries[key].path] += 1
    counts: dict[Path, int] = defaultdict(int)
    for entry in entries:
        counts[entry.path] += 1
    for path, number in not_cited.items():
        findings.append(Finding(INFO, path, None, f"{number} of {counts[path]} entries are {uncited} "
                                                  "(make-book refs lists the cited ones)"))
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    return sorted(findings, key=lambda f: (str(f.path), f.line if f.line is not None else 10**9, order[f.level]))
