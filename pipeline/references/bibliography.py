"""Read BibTeX and BibLaTeX files with bibtexparser: index their entries, collect their problems.

A real library (Zotero, Mendeley, JabRef, Scopus exports of thousands of
entries) always holds a few faulty entries. Reading never stops at one: each
problem is kept with its file, line, entry key and a fix, and the build
decides what it means — an error when the manuscript cites that entry, a
warning otherwise (``problems_of``). ``make-book check`` lists them all.
"""

from __future__ import annotations

import bisect
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable

from ..errors import BibliographyError
from .identifiers import IDENTIFIER_FIELDS, Identifier, entry_identifiers, probes, searchable

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

    @cached_property
    def own_identifiers(self) -> tuple[Identifier, ...]:
        """``entry_identifiers`` of the entry's own fields (crossref parents left out)."""
        return tuple(entry_identifiers(self.fields, self.type))

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
        """DOI, arXiv id, ISBN, Wikipedia article and URL of every entry → its key (the first entry wins).

        Takes every entry apart (about 30 µs each): to find the entry of a few
        links, ``key_for`` is much cheaper.
        """
        index: dict[Identifier, str] = {}
        for entry in self.entries.values():
            for identifier in self.identifiers_of(entry):
                index.setdefault(identifier, entry.key)
        return index

    def identifiers_of(self, entry: Entry) -> tuple[Identifier, ...]:
        """What ``entry`` identifies, with what it inherits through ``crossref`` and ``xdata``."""
        if "crossref" in entry.fields or "xdata" in entry.fields:
            return tuple(entry_identifiers(self.resolved(entry.key).fields, entry.type))
        return entry.own_identifiers

    def key_for(self, identifier: Identifier) -> str | None:
        """``identifiers.get(identifier)``, without taking apart more than the entries that may hold it.

        Link matching asks for the few identifiers of an essay's links; a
        library has thousands of entries. Each entry's fields that can hold an
        identifier are reduced once to a cheap text (``identifiers.searchable``);
        only the entries whose text holds the identifier's ``probes`` (and
        those that inherit fields) are taken apart, in file order, so the
        first entry that identifies it wins, as in ``identifiers``.
        """
        pieces = sorted((piece for piece in probes(identifier) if piece), key=len, reverse=True)
        if "identifiers" in self.__dict__ or not pieces:  # every entry taken apart already, or to be
            return self.identifiers.get(identifier)
        text, starts, inheriting = self._searchable
        candidates = set(inheriting)
        at = text.find(pieces[0])
        while at != -1:
            candidates.add(bisect.bisect_right(starts, at) - 1)
            at = text.find(pieces[0], at + 1)
        entries = list(self.entries.values()) if candidates else []
        for index in sorted(candidates):
            own = text[starts[index]:starts[index + 1]]
            if (index in inheriting or all(piece in own for piece in pieces[1:])) \
                    and identifier in self.identifiers_of(entries[index]):
                return entries[index].key
        return None

    @cached_property
    def _searchable(self) -> tuple[str, list[int], frozenset[int]]:
        """(the ``identifiers.searchable`` texts of the entries, one a line; where each starts, with the
        end; the indexes of the entries that inherit fields)."""
        texts = [searchable("\n".join(entry.fields.get(name) or "" for name in IDENTIFIER_FIELDS))
                 for entry in self.entries.values()]
        starts = [0]
        for text in texts:
            starts.append(starts[-1] + len(text) + 1)
        inheriting = frozenset(index for index, entry in enumerate(self.entries.values())
                               if "crossref" in entry.fields or "xdata" in entry.fields)
        return "\n".join(texts) + "\n", starts, inheriting

    def is_stub(self, key: str) -> bool:
        entry = self.entries.get(key)
        return entry is not None and TODO_FIELD in entry.fields

    def todo_parents(self, key: str) -> list[Entry]:
        """The ``crossref``/``xdata`` parents (transitively) of ``key`` still marked todo, nearest first."""
        found: list[Entry] = []
        seen = {key}
        todo = [key]
        while todo:
            entry = self.entries.get(todo.pop(0))
            for name in _parents(entry) if entry is not None else ():
                parent = parent_key(name, self.entries)
                if parent is None or parent in seen:
                    continue
                seen.add(parent)
                todo.append(parent)
                if TODO_FIELD in self.entries[parent].fields:
                    found.append(self.entries[parent])
        return found

    def resolved(self, key: str) -> Entry:
        """The entry with what it inherits through ``crossref`` and ``xdata`` (biblatex §4.5.3)."""
        cache = self.__dict__.setdefault("_resolved", {})
        if key not in cache:
            cache[key] = inherit(self.entries[key], self.entries)
        return cache[key]

    def used_keys(self, cited: Iterable[str]) -> set[str]:
        """The keys ``cited`` (``*``: every entry) with, transitively, the entries they take fields from.

        A cited entry uses its ``crossref`` and ``xdata`` parents and the
        entries its granular ``xdata=KEY-FIELD`` values name (biblatex §3.13.6,
        §4.5.3), so those are not "uncited". Keys absent from the files stay in
        the set as given.
        """
        cited = set(cited)
        if "*" in cited:
            return set(self.entries) | cited
        used = set(cited)
        todo = [key for key in cited if key in self.entries]
        while todo:
            for name in _sources(self.entries[todo.pop()]):
                key = parent_key(name, self.entries)
                if key is not None and key not in used:
                    used.add(key)
                    todo.append(key)
        return used

    def uncited(self, cited: Iterable[str]) -> list[str]:
        """Keys, in file order, of the entries that neither ``cited`` nor what they inherit from use.

        The one count ``make-book refs`` and ``make-book check`` both print.
        """
        used = self.used_keys(cited)
        return [key for key in self.entries if key not in used]

    def problems_of(self, keys: set[str]) -> tuple[list[Problem], list[Problem]]:
        """(errors, warnings): the problems of the cited ``keys`` (and their crossref parents), and the others."""
        involved = self.used_keys(keys - {"*"})
        errors = [p for p in self.problems if p.key in involved and p.blocking]
        return errors, [p for p in self.problems if p not in errors]


def _parents(entry: Entry) -> list[str]:
    names = []
    for name in ("xdata", "crossref"):  # xdata counts as the entry's own fields; crossref fills the rest
        value = entry.get(name)
        if value:
            names += [part.strip() for part in value.split(",") if part.strip()]
    return names


def _sources(entry: Entry) -> list[str]:
    """Every key ``entry`` takes fields from: crossref and xdata parents, granular xdata references."""
    names = _parents(entry)
    for name, value in entry.fields.items():
        if name != "xdata" and _XDATA_REF.search(value):
            parts = _AND.split(value.strip()) if name in _LIST_FIELDS else [value]
            names += [m.group(1) for m in map(_GRANULAR.match, parts) if m]
    return names


def parent_key(name: str, entries: dict[str, Entry]) -> str | None:
    """The key ``name`` (a crossref, xdata or related key) refers to, or None.

    BibTeX matches crossref keys without regard to case (``Colloque2016`` finds
    ``colloque2016``, as JabRef and BibTeX resolve it); an exact match wins.
    """
    if name in entries:
        return name
    folded = name.casefold()
    found = [key for key in entries if key.casefold() == folded]
    return found[0] if len(found) == 1 else None


# biblatex's granular XDATA reference (manual §3.13.6, "Data Containers"): a field whose value is
# `xdata=KEY-FIELD` takes that field of entry KEY; in a name or literal list, `xdata=KEY-FIELD-N` its Nth item.
_GRANULAR = re.compile(r"^\s*xdata\s*=\s*(\S+)-([A-Za-z]+)(?:-(\d+))?\s*$")
_LIST_FIELDS = {"author", "editor", "translator", "bookauthor", "director", "commentator", "afterword",
                "foreword", "introduction", "annotator", "holder", "location", "address", "publisher",
                "institution", "organization", "language"}
_AND = re.compile(r"\s+and\s+", re.I)
_XDATA_REF = re.compile(r"xdata\s*=", re.I)


def _granular(value: str, name: str, entries: dict[str, Entry]) -> str:
    """``value`` with its granular ``xdata=KEY-FIELD[-N]`` references replaced (unresolved ones kept)."""
    if "xdata" not in value:
        return value

    def one(part: str) -> str:
        match = _GRANULAR.match(part)
        if not match:
            return part
        key = parent_key(match.group(1), entries)
        source = entries[key].fields.get(match.group(2).lower()) if key else None
        if source is None:
            return part
        if match.group(3):
            items = _AND.split(source.strip())
            index = int(match.group(3)) - 1
            return items[index] if 0 <= index < len(items) else part
        return source

    if name in _LIST_FIELDS:
        return " and ".join(one(part) for part in _AND.split(value.strip()))
    return one(value)


def inherit(entry: Entry, entries: dict[str, Entry], _seen: frozenset[str] = frozenset()) -> Entry:
    """``entry`` completed from its ``xdata`` and ``crossref`` parents; its own fields win.

    Follows biblatex's defaults: a book-level parent's title becomes the child's
    ``booktitle`` (``maintitle`` from an ``mv*`` parent), a periodical's title the
    ``journaltitle``, a book's author the ``bookauthor`` of an ``@inbook``.
    Cycles and missing parents are ignored here (``make-book check`` reports them).
    """
    parents = [key for key in (parent_key(p, entries) for p in _parents(entry))
               if key is not None and key not in _seen and key != entry.key]
    granular = any(name != "xdata" and _XDATA_REF.search(value) for name, value in entry.fields.items())
    if not parents and not granular:
        return entry
    fields = {name: _granular(value, name, entries) for name, value in entry.fields.items()} if granular \
        else dict(entry.fields)
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
    return decode_text(path.read_bytes(), path)


def decode_text(data: bytes, path: Path) -> str:
    """``data``, the bytes of ``path``, as text (``read_text``)."""
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

    Entries of the usual shape are read by ``bibscan.read_entry`` (about
    15 µs each), the others by bibtexparser (about 0.15 ms each), which
    also finds and places every problem. With ``cache_dir``, the file's result
    is kept there (JSON, under the file's status and the hash of its bytes),
    and so is the reading of each block bibtexparser read (under its text and
    the file's @string definitions): a build reads back an unchanged file, and
    bibtexparser reads only the odd blocks never seen. Entries read so leave
    out the long fields no style prints (``bibcache.LEFT_OUT``).
    """
    from .bibcache import parse_cached

    return parse_cached(path, None, cache_dir)


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
            # bibtexparser's raw text stops where it gave up: read the block up to the next '@' line.
            problems.append(_malformed(path, line, _block_text(text, block.start_line or 0) or raw, key,
                                       block.error))
    strings = {name.lower() for name in library.strings_dict}
    for entry in raw_entries:
        for name, value in entry.fields_dict.items():
            fault = _unbalanced(str(value.value))
            if fault:
                # `title = "Un {titre",`: bibtexparser takes it, BibTeX and Biber stop there, and the
                # printed value silently loses the brace.
                line = (value.start_line if value.start_line is not None else entry.start_line) + 1
                problems.append(Problem(path, line, f"entry {entry.key!r}, field {name!r}: {fault} in its value "
                                                    f"({_shorten(str(value.value))}); BibTeX and Biber reject it",
                                        "balance the braces inside the quotes, or write \\{ for a literal brace",
                                        key=entry.key))
            # bibtexparser reads `title = {A}  year = 2000` as one bare value: a
            # bare value can only be a number or @string names joined by '#'.
            if getattr(value, "enclosing", None) != "no-enclosing":
                continue
            line = (value.start_line if value.start_line is not None else entry.start_line) + 1
            bare = str(value.value)
            if not bare.strip() or bare.lstrip().startswith(","):
                problems.append(Problem(path, line, f"entry {entry.key!r}, field {name!r} has no value",
                                        f"write {name} = {{…}}, or delete the field", key=entry.key))
                continue
            if not _BARE_VALUE.fullmatch(bare):
                problems.append(Problem(path, line, f"entry {entry.key!r}, field {name!r}: missing comma after "
                                                    "this field's value (it runs into the next field)",
                                        "put a comma after the closing brace or quote of this field", key=entry.key))
                continue
            unknown = [word for word in re.split(r"\s*#\s*", bare.strip()) if not word.isdigit()
                       and word.lower() not in strings and word.lower() not in MONTH_MACROS and word[:1] not in "{\""]
            if unknown:
                # BibTeX: "undefined string", an empty value; biber: an error. Never print the bare name.
                problems.append(Problem(path, line, f"entry {entry.key!r}, field {name!r}: {unknown[0]!r} is "
                                                    "neither a number nor a name defined by @string",
                                        f"write {name} = {{{bare.strip()}}} (braces keep it as text), or define it: "
                                        f"@string{{{unknown[0]} = {{…}}}}", key=entry.key))
    after_failed = {id(block) for previous, block in zip(library.blocks, library.blocks[1:])
                    if type(previous) is model.ParsingFailedBlock}  # what is left of a block already reported
    before = {id(block): previous for previous, block in zip(library.blocks, library.blocks[1:])}
    for comment in library.comments:  # text between entries, which BibTeX ignores
        if not isinstance(comment, model.ImplicitComment):
            continue  # an @comment{…} block (JabRef's and BibDesk's metadata): meant as it is
        stray = " ".join(str(getattr(comment, "comment", "") or "").split())
        previous = before.get(id(comment))
        lost = re.findall(r"(?:^|,)\s*([A-Za-z][\w:.+-]*)\s*=", stray)
        if lost and isinstance(previous, model.Entry) and previous.key:
            # `title = {A}},`: an extra '}' closed the entry early; the fields after it are lost.
            problems.append(Problem(path, (comment.start_line or 0) + 1,
                                    f"entry {previous.key!r} is closed before its last fields "
                                    f"({', '.join(lost[:4])}): an extra '}}' ends it early",
                                    "delete the extra '}' at the end of the line above these fields",
                                    key=previous.key))
        elif stray and not stray.startswith("%") and (len(stray) <= 3 or re.search(r"[{}]", stray)) \
                and id(comment) not in after_failed:
            problems.append(Problem(path, (comment.start_line or 0) + 1,
                                    f"text outside any entry ({stray[:40]!r}), ignored by BibTeX: a leftover of "
                                    "an entry?", "delete it, or begin the line with % to keep it as a comment",
                                    blocking=False))
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


# BibTeX's predefined @string names (plain.bst, biblatex): the months.
MONTH_MACROS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}


def _unbalanced(value: str) -> str | None:
    """What is wrong with the braces of a field's value (a backslash escapes a brace), or None."""
    if "{" not in value and "}" not in value:
        return None
    depth = 0
    escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return "a '}' closes no brace"
    if depth:
        return "a '{' is never closed" if depth == 1 else f"{depth} '{{' are never closed"
    return None


def _block_text(text: str, start_line: int) -> str:
    """The lines of ``text`` from ``start_line`` (0-based) up to the next line that starts with '@'."""
    at = 0
    for _ in range(start_line):
        at = text.find("\n", at) + 1
        if at == 0:
            return ""
    end = re.compile(r"\n[ \t]*@").search(text, at + 1)
    return text[at:end.start() + 1 if end else len(text)]


def _shorten(value: str, width: int = 40) -> str:
    value = " ".join(value.strip('{}"').split())
    return repr(value if len(value) <= width else value[:width - 1] + "…")


def _malformed(path: Path, line: int, raw: str, key: str | None, error: Exception | None) -> Problem:
    """A block bibtexparser could not read, explained in the author's terms at the right line."""
    name = f"entry {key!r}" if key else "an entry"
    opening = _OPENING.match(raw.lstrip())
    if opening and opening.group(1).lower() == "comment":
        return Problem(path, line, "the brace that opens this @comment is never closed: biber takes what follows "
                                   "as part of the comment (make-book reads on at the next @entry)", "close the comment with '}', or "
                                   "write the comment on lines that start with % instead", blocking=False)
    if key is None and opening:
        unfinished = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s{}()=]+)\s+[A-Za-z][\w:.+-]*\s*=", raw)
        if unfinished:
            return Problem(path, line, f"the key {unfinished.group(1)!r} is not followed by a comma",
                           f"write @type{{{unfinished.group(1)}, then the fields", key=unfinished.group(1))
        return Problem(path, line, "an entry has no key: it should start @type{key,",
                       "give the entry a key after its opening brace, followed by a comma")
    unclosed = _unclosed_brace(raw)
    fault = _syntax_fault(raw) if unclosed is None or unclosed == (0, None) else None
    if fault is not None:
        offset, message, hint = fault
        return Problem(path, line + offset, f"{name}: {message}", hint, key=key)
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


_NAME = re.compile(r"[A-Za-z][\w:.+-]*")
_NEXT_FIELD = re.compile(r"\n[ \t]*[A-Za-z][\w:.+-]*[ \t]*=")
_SPACE = re.compile(r"\s*")


def _syntax_fault(raw: str) -> tuple[int, str, str] | None:
    """(line offset, what is wrong, how to fix) for an entry that is not ``@type{key, name = value, …}``.

    Reads the entry as BibTeX does (biblatex manual §2.1.1; Patashnik, "BibTeXing"
    §2.1): ``name = value`` pairs separated by commas, a value being ``{…}``,
    ``"…"`` (a ``"`` inside braces does not end it), a number or an @string
    name, joined by ``#``. Finds a quote never closed, a missing ``=`` or
    comma, a missing closing brace of the entry, a stray character. None when
    the fault is an unclosed brace (``_unclosed_brace`` places it) or none is found.
    """
    opening = _OPENING.match(raw)
    if opening is None or not opening.group(2):
        return None
    closer = "}" if "{" in raw[opening.start():opening.end()] else ")"

    def line_at(at: int) -> int:
        return raw.count("\n", 0, at)

    at = opening.end()
    last_value_end: int | None = None
    last_field: str | None = None
    while True:
        at = _SPACE.match(raw, at).end()
        if at >= len(raw):
            where = last_value_end if last_value_end is not None else opening.end()
            return (line_at(where), f"its closing '{closer}' is missing after its last field",
                    f"add '{closer}' on the line after the last field")
        if raw[at] == closer:
            return None
        name = _NAME.match(raw, at)
        if name is None:
            return (line_at(at), f"unexpected {raw[at]!r} where a field name should be"
                    + (f" (after field {last_field!r})" if last_field else ""),
                    "delete it: each field reads name = {value}, and fields are separated by commas")
        field_name = name.group(0).lower()
        at = _SPACE.match(raw, name.end()).end()
        if raw[at:at + 1] != "=":
            shown = raw[at:at + 1] or "the end of the entry"
            return (line_at(name.start()), f"field {field_name!r} has no '=' before its value (found {shown!r})",
                    f"write {name.group(0)} = {{…}}")
        at += 1
        while True:  # the value: parts joined by '#'
            at = _SPACE.match(raw, at).end()
            char = raw[at:at + 1]
            if char == "{":
                end = _value_end(raw, at)
                if end is None:
                    return None  # an unclosed brace: placed by _unclosed_brace
                at = end
            elif char == '"':
                end = _value_end(raw, at)
                if end is None:
                    return (line_at(at), f"the quote that opens the value of field {field_name!r} is never closed",
                            'end the value with " (or write it in braces: ' + field_name + " = {…})")
                at = end
            else:
                bare = _NAME.match(raw, at) or re.compile(r"\d+").match(raw, at)
                if bare is None:
                    return (line_at(at), f"field {field_name!r} has no value", f"write {field_name} = {{…}}")
                at = bare.end()
            after = _SPACE.match(raw, at).end()
            if raw[after:after + 1] == "#":
                at = after + 1
                continue
            break
        last_value_end, last_field = at, field_name
        at = _SPACE.match(raw, at).end()
        if raw[at:at + 1] == ",":
            at += 1
            continue
        if raw[at:at + 1] == closer or at >= len(raw):
            continue  # the loop ends the entry or reports its missing close
        if _NAME.match(raw, at) and re.compile(r"[A-Za-z][\w:.+-]*\s*=").match(raw, at):
            return (line_at(last_value_end), f"missing comma after the value of field {field_name!r} "
                                             "(it runs into the next field)",
                    "put a comma after this field's value")
        return (line_at(at), f"unexpected {raw[at]!r} after the value of field {field_name!r}",
                "delete it, or put the fields' separating comma there")


def _value_end(raw: str, at: int) -> int | None:
    """The offset after the value that opens at ``at`` with ``{`` or ``"``; None if it is never closed.

    A backslash escapes the next character, as bibtexparser counts braces. A
    braced value ends at the brace that closes the one at ``at``. A quoted
    value ends at the next ``"`` outside braces (a ``"`` inside braces does
    not close it); it is never closed if the entry's own closing brace comes
    first, or a line starts a new ``name =`` field while no brace is open.
    """
    quoted = raw[at] == '"'
    depth = 0
    i = at + 1 if quoted else at
    while i < len(raw):
        char = raw[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and not quoted:
                return i + 1
            if depth < 0:
                return None  # the entry's own closing brace, inside a quoted value
        elif quoted and depth == 0 and char == '"':
            return i + 1
        elif quoted and depth == 0 and char == "\n" and _NEXT_FIELD.match(raw, i):
            return None
        i += 1
    return None


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
