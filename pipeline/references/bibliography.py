"""Read BibTeX and BibLaTeX files with bibtexparser: index their entries, collect their problems.

A real library (Zotero, Mendeley, JabRef, Scopus exports of thousands of
entries) always holds a few faulty entries. Reading never stops at one: each
problem is kept with its file, line, entry key and a fix, and the build
decides what it means — an error when the manuscript cites that entry, a
warning otherwise (``problems_of``). ``make-book check`` lists them all.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..errors import BibliographyError
from .identifiers import Identifier, entry_identifiers

log = logging.getLogger(__name__)

_BARE_VALUE = re.compile(r"\s*[\w.:+-]+(\s*#\s*(\{[^{}]*\}|\"[^\"]*\"|[\w.:+-]+))*\s*")
_OPENING = re.compile(r"@\s*(\w+)\s*[{(]\s*(?:([^,\s{}()=]+)\s*,)?")
_FIELD_START = re.compile(r"\n[ \t]*([A-Za-z][\w:.+-]*)[ \t]*=[ \t]*[{\"\w]")

# Fields exporters add that no citation style prints (Zotero, Mendeley, JabRef, Scopus, DBLP).
UNUSED_FIELDS = {"abstract", "keywords", "file", "mendeley-tags", "mendeley-groups", "annote", "annotation", "owner",
                 "timestamp", "groups", "comment", "priority", "readstatus", "ranking", "qualityassured", "pdf",
                 "funding_details", "funding_text", "art_number", "document_type", "source", "affiliation",
                 "affiliations", "correspondence_address", "references", "chemicals_cas", "tradenames",
                 "manufacturers", "coden", "pubmed_id", "abbrev_source_title", "author_keywords", "index_keywords",
                 "bibsource", "biburl", "shortjournal", "todo", "zotero_key", "copyright"}

TODO_FIELD = "todo"  # marks a stub written by `make-book refs --stubs`, still to be completed

# Fields biblatex does not pass from a parent (crossref/xdata) to its children
# (biblatex manual, §4.5.3 "Cross-referencing", and its default inheritance setup).
NOT_INHERITED = {"ids", "crossref", "xref", "xdata", "entryset", "entrysubtype", "execute", "label", "options",
                 "presort", "related", "relatedoptions", "relatedstring", "relatedtype", "shorthand",
                 "shorthandintro", "sortkey", "sortname", "sorttitle", "sortyear"}
# Parent fields that change name in the child (biblatex's default `\DeclareDataInheritance`).
BOOK_PARENTS = {"book", "collection", "proceedings", "reference", "mvbook", "mvcollection", "mvproceedings",
                "mvreference", "periodical"}
_RENAMED_FROM_PARENT = {"title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon"}


@dataclass(frozen=True)
class Entry:
    """One entry as written: raw field values (LaTeX kept), where it is, where each field is."""

    key: str
    type: str  # lower case: article, book, online…
    fields: dict[str, str]
    path: Path
    line: int  # 1-based line of the '@type{' opening
    field_lines: dict[str, int] = field(default_factory=dict)
    # What the entry's own fields identify, when already known (kept in the parse cache).
    known_identifiers: tuple[Identifier, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def own_identifiers(self) -> tuple[Identifier, ...]:
        """``entry_identifiers`` of the entry's own fields (crossref parents left out)."""
        if self.known_identifiers is None:
            object.__setattr__(self, "known_identifiers", tuple(entry_identifiers(self.fields, self.type)))
        return self.known_identifiers

    def get(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value.strip() if value and value.strip() else None

    def where(self, name: str | None = None) -> int:
        """The line of field ``name`` (the entry's first line if it has no such field)."""
        return self.field_lines.get(name, self.line) if name else self.line


@dataclass(frozen=True)
class Problem:
    """Something wrong in a .bib file: where, what, how to fix, and which entry (when known)."""

    path: Path
    line: int
    message: str
    hint: str
    key: str | None = None
    blocking: bool = True  # False: harmless even in a cited entry (a repeated field make-book does not use)

    def error(self) -> BibliographyError:
        return BibliographyError(self.message, path=self.path, line=self.line, hint=self.hint)

    def format(self, root: Path | None = None) -> str:
        return self.error().format(root)


@dataclass(frozen=True)
class Bibliography:
    """The entries of a manuscript's .bib files, in order, and every problem met reading them."""

    files: tuple[Path, ...]
    entries: dict[str, Entry]
    problems: tuple[Problem, ...] = ()

    @property
    def keys(self) -> list[str]:
        return list(self.entries)

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    @cached_property
    def identifiers(self) -> dict[Identifier, str]:
        """DOI, arXiv id, ISBN, Wikipedia article and URL of every entry → its key (the first entry wins)."""
        index: dict[Identifier, str] = {}
        for entry in self.entries.values():
            inherits = "crossref" in entry.fields or "xdata" in entry.fields
            found = entry_identifiers(self.resolved(entry.key).fields, entry.type) if inherits \
                else entry.own_identifiers
            for identifier in found:
                index.setdefault(identifier, entry.key)
        return index

    def is_stub(self, key: str) -> bool:
        entry = self.entries.get(key)
        return entry is not None and TODO_FIELD in entry.fields

    def resolved(self, key: str) -> Entry:
        """The entry with what it inherits through ``crossref`` and ``xdata`` (biblatex §4.5.3)."""
        cache = self.__dict__.setdefault("_resolved", {})
        if key not in cache:
            cache[key] = inherit(self.entries[key], self.entries)
        return cache[key]

    def problems_of(self, keys: set[str]) -> tuple[list[Problem], list[Problem]]:
        """(errors, warnings): the problems of the cited ``keys`` (and their crossref parents), and the others."""
        involved = set(keys)
        for key in keys:
            entry = self.entries.get(key)
            if entry is not None:
                involved |= set(_parents(entry))
        errors = [p for p in self.problems if p.key in involved and p.blocking]
        return errors, [p for p in self.problems if p not in errors]


def _parents(entry: Entry) -> list[str]:
    names = []
    for name in ("xdata", "crossref"):  # xdata counts as the entry's own fields; crossref fills the rest
        value = entry.get(name)
        if value:
            names += [part.strip() for part in value.split(",") if part.strip()]
    return names


def inherit(entry: Entry, entries: dict[str, Entry], _seen: frozenset[str] = frozenset()) -> Entry:
    """``entry`` completed from its ``xdata`` and ``crossref`` parents; its own fields win.

    Follows biblatex's defaults: a book-level parent's title becomes the child's
    ``booktitle`` (``maintitle`` from an ``mv*`` parent), a periodical's title the
    ``journaltitle``, a book's author the ``bookauthor`` of an ``@inbook``.
    Cycles and missing parents are ignored here (``make-book check`` reports them).
    """
    parents = [p for p in _parents(entry) if p in entries and p not in _seen and p != entry.key]
    if not parents:
        return entry
    fields = dict(entry.fields)
    lines = dict(entry.field_lines)
    for name in parents:
        parent = inherit(entries[name], entries, _seen | {entry.key})
        for field_name, value in parent.fields.items():
            if field_name in NOT_INHERITED:
                continue
            target = field_name
            if parent.type.startswith("mv") and field_name in ("title", "subtitle", "titleaddon"):
                target = "main" + field_name
            elif parent.type in BOOK_PARENTS and entry.type not in BOOK_PARENTS | {"xdata"}:
                if parent.type == "periodical" and field_name == "title":
                    target = "journaltitle"
                elif field_name in _RENAMED_FROM_PARENT:
                    target = _RENAMED_FROM_PARENT[field_name]
                elif field_name == "author" and parent.type in ("book", "mvbook") and entry.type in (
                        "inbook", "bookinbook", "suppbook"):
                    target = "bookauthor"
            if target not in fields or not fields[target].strip():
                fields[target] = value
                lines.setdefault(target, parent.field_lines.get(field_name, parent.line))
    return Entry(key=entry.key, type=entry.type, fields=fields, path=entry.path, line=entry.line, field_lines=lines)


@contextmanager
def _quiet_bibtexparser():
    """bibtexparser logs each failed block itself; make-book reports them in its own words."""
    loggers = [logging.getLogger(name) for name in ("bibtexparser", "bibtexparser.splitter")]
    states = [logger.disabled for logger in loggers]
    for logger in loggers:
        logger.disabled = True
    try:
        yield
    finally:
        for logger, state in zip(loggers, states):
            logger.disabled = state


def read_text(path: Path) -> str:
    """The file's text; a file that is not UTF-8 raises, naming the line of the first bad byte."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BibliographyError(
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); it may be Latin-1",
            path=path, line=line,
            hint="convert it to UTF-8, e.g. iconv -f latin1 -t utf-8 FILE > NEW && mv NEW FILE",
        ) from None


def parse_bib_file(path: Path, *, cache_dir: Path | None = None) -> tuple[list[Entry], list[Problem]]:
    """The readable entries of one .bib file, in order, and its problems sorted by line.

    An entry that cannot be read is left out, with a problem naming its key
    when it can be told. A duplicate key keeps the first entry (as pandoc and
    biber do); a field given twice keeps its first value. Raises
    ``BibliographyError`` only when the file as a whole cannot be read.

    With ``cache_dir``, each entry's parse is kept there (JSON, keyed by the
    entry's text and the file's @string definitions), so a build re-reads only
    the entries that changed: bibtexparser takes about 0.3 ms an entry. Entries
    read so leave out the long fields no style prints (``bibcache.LEFT_OUT``).
    """
    text = read_text(path)
    if cache_dir is None:
        return _parse(path, text)
    from .bibcache import parse_cached

    return parse_cached(path, text, cache_dir)


def _parse(path: Path, text: str, *, keep_duplicates: bool = False) -> tuple[list[Entry], list[Problem]]:
    """bibtexparser's reading of ``text``, its faults as problems (``keep_duplicates``: duplicate keys as entries)."""
    import bibtexparser
    from bibtexparser import model

    with _quiet_bibtexparser():
        library = bibtexparser.parse_string(text)
    problems: list[Problem] = []
    raw_entries: list = list(library.entries)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        raw = block.raw or ""
        opening = _OPENING.match(raw.lstrip())
        key = opening.group(2) if opening and opening.group(2) else None
        if isinstance(block, model.DuplicateBlockKeyBlock) and keep_duplicates:
            raw_entries.append(block.ignore_error_block)
        elif isinstance(block, model.DuplicateBlockKeyBlock):
            first = library.entries_dict[block.key]
            problems.append(Problem(path, line, f"duplicate key {block.key!r}, first defined on line "
                                                f"{first.start_line + 1}; the first entry is used",
                                    "rename one of the two entries, or delete the copy", key=block.key))
        elif isinstance(block, model.DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
            seen: dict[str, tuple[int, str]] = {}
            kept = []
            for f in entry.fields:
                name = f.key.lower()
                if name in seen:
                    first_line, first_value = seen[name]
                    # Scopus repeats funding_details: harmless unless the values differ in a field citeproc prints.
                    blocking = name not in UNUSED_FIELDS and str(f.value).strip() != first_value
                    problems.append(Problem(path, (f.start_line or entry.start_line) + 1,
                                            f"field {f.key!r} given twice in {entry.key!r}; the first value "
                                            f"({_shorten(first_value)}) is used",
                                            "keep one of the two, or merge their values", key=entry.key,
                                            blocking=blocking))
                    continue
                seen[name] = ((f.start_line or entry.start_line) + 1, str(f.value).strip())
                # This entry skipped bibtexparser's middlewares: take off the enclosing braces or quotes.
                value = str(f.value).strip()
                if len(value) > 1 and (value[0], value[-1]) in (("{", "}"), ('"', '"')):
                    f.value = value[1:-1]
                kept.append(f)
            entry.fields = kept
            raw_entries.append(entry)
        else:
            problems.append(_malformed(path, line, raw, key, block.error))
    for entry in raw_entries:
        for name, value in entry.fields_dict.items():
            # bibtexparser reads `title = {A}  year = 2000` as one bare value: a
            # bare value can only be a number or @string names joined by '#'.
            if getattr(value, "enclosing", None) == "no-enclosing" and not _BARE_VALUE.fullmatch(str(value.value)):
                line = (value.start_line if value.start_line is not None else entry.start_line) + 1
                problems.append(Problem(path, line, f"entry {entry.key!r}, field {name!r}: missing comma after "
                                                    "this field's value (it runs into the next field)",
                                        "put a comma after the closing brace or quote of this field", key=entry.key))
    raw_entries.sort(key=lambda e: e.start_line)
    entries = []
    for entry in raw_entries:
        fields = {name.lower(): str(f.value) for name, f in entry.fields_dict.items()}
        lines = {name.lower(): f.start_line + 1 for name, f in entry.fields_dict.items()
                 if f.start_line is not None}
        entries.append(Entry(key=entry.key, type=entry.entry_type.lower(), fields=fields, path=path,
                             line=entry.start_line + 1, field_lines=lines))
    problems.sort(key=lambda p: p.line)
    return entries, problems


def _shorten(value: str, width: int = 40) -> str:
    value = " ".join(value.strip('{}"').split())
    return repr(value if len(value) <= width else value[:width - 1] + "…")


def _malformed(path: Path, line: int, raw: str, key: str | None, error: Exception | None) -> Problem:
    """A block bibtexparser could not read, explained in the author's terms at the right line."""
    name = f"entry {key!r}" if key else "an entry"
    if key is None and _OPENING.match(raw.lstrip()):
        return Problem(path, line, "an entry has no key: it should start @type{key,",
                       "give the entry a key after its opening brace, followed by a comma")
    unclosed = _unclosed_brace(raw)
    if unclosed is not None:
        offset, field_name = unclosed
        if offset == 0 and field_name is None:
            return Problem(path, line, f"the brace that opens {name} is never closed",
                           "end the entry with '}' (or check that each field's value closes its own braces)",
                           key=key)
        where = f"in field {field_name!r} of {name}" if field_name else f"in {name}"
        escaped = " (a \\} is an escaped brace and does not close it)" if "\\}" in raw else ""
        return Problem(path, line + offset, f"the brace opened here {where} is never closed{escaped}",
                       "add the missing '}' at the end of this field's value", key=key)
    reason = " ".join(str(error or "").split())
    _, _, cause = reason.partition("due to syntactical error in bibtex:")
    cause = (cause or reason).strip()
    if not cause or "failed_block" in cause:
        cause = "its fields cannot be read"
    return Problem(path, line, f"{name} is malformed: {cause}",
                   "each entry reads @type{key, field = {value}, ...}: check its braces, quotes and commas", key=key)


def _unclosed_brace(raw: str) -> tuple[int, str | None] | None:
    """(line offset, field) of the field value whose brace is never closed, if that is the fault.

    Braces are counted as bibtexparser counts them (a backslash escapes the next
    character). A field value still open when a line starts a new ``name = {``
    field, or when the entry ends, is the unclosed one.
    """
    depth = 0
    opened: list[tuple[int, str | None]] = []  # (offset, field) of each open brace
    field_name: str | None = None
    last_value: tuple[int, str | None] | None = None  # a multi-line value closed by a lone '}'
    i = 0
    n = len(raw)
    line = 0
    while i < n:
        char = raw[i]
        if char == "\\":
            i += 2
            continue
        if char == "\n":
            line += 1
            if depth >= 2:
                starting = _FIELD_START.match(raw, i)
                if starting and opened:
                    return opened[1]
        elif char == "{":
            depth += 1
            if depth == 2:
                match = re.search(r"([A-Za-z][\w:.+-]*)\s*=\s*$", raw[max(0, i - 80):i])
                field_name = match.group(1).lower() if match else None
            opened.append((line, field_name))
        elif char == "}":
            depth -= 1
            if opened:
                closed = opened.pop()
                line_start = raw.rfind("\n", 0, i) + 1
                if depth == 1 and closed[0] < line and not raw[line_start:i].strip():
                    last_value = closed
                elif depth == 1:
                    last_value = None
        i += 1
    if depth >= 2 and len(opened) >= 2:
        return opened[1]
    if depth == 1 and opened:
        # The entry's own brace is left open: the field whose value was closed by the
        # entry's closing line (a lone '}') is the one missing its brace.
        if last_value is not None:
            return last_value
        return opened[0][0], None
    return None


def read_bib_file(path: Path) -> list[Entry]:
    """The entries of one .bib file (problems left out: see ``parse_bib_file``)."""
    return parse_bib_file(path)[0]


def load_bibliography(files: list[Path], *, cache_dir: Path | None = None) -> Bibliography:
    """Read ``files`` in order. A key defined twice keeps its first entry, with a problem naming both places.

    ``cache_dir``: where parsed entries are kept between builds (see ``parse_bib_file``).
    """
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    for path in files:
        parsed, found = parse_bib_file(path, cache_dir=cache_dir)
        problems += found
        for entry in parsed:
            if entry.key in entries:
                first = entries[entry.key]
                if first.path != path:
                    problems.append(Problem(path, entry.line, f"duplicate key {entry.key!r}: also defined in "
                                                              f"{first.path.name} line {first.line}, which is used",
                                            "rename one of the two keys, or delete the copy", key=entry.key))
                continue
            entries[entry.key] = entry
    log.debug("bibliography: %d entries from %d file(s), %d problem(s)", len(entries), len(files), len(problems))
    return Bibliography(files=tuple(files), entries=entries, problems=tuple(problems))
