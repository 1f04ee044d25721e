"""Parsed .bib entries kept between builds: the whole file's, and the odd blocks bibtexparser read.

A library of thousands of entries costs bibtexparser most of a second to read;
a build needs it on every run. The file is cut where a line starts a new
``@type{`` block; a block of the usual shape is read by ``bibscan.read_entry``
(a few microseconds), every other block by bibtexparser, in one call. The
cache keeps two things in the output folder:

- the file's result (entries and problems, with their lines), under the hash
  of the file's text: a build whose .bib has not changed reads it back and
  cuts nothing;
- each block bibtexparser read, under the hash of its text and of the file's
  ``@string`` definitions, with lines relative to the block: after an edit,
  only the blocks never seen go to bibtexparser again (moving one costs nothing).

The cache is JSON (never pickle: an output folder may come from elsewhere),
written atomically; an unreadable cache is ignored. Long fields no style
prints (``LEFT_OUT``: abstract, keywords, file…) are not kept, in a build with
a cache or without one alike.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
from pathlib import Path

from .bibliography import Entry, Problem, _parse
from .bibscan import read_entry

VERSION = "7"
_BLOCK_START = re.compile(r"[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]")
# Long fields no citation style prints: not kept in the cache, so that reading it stays fast.
LEFT_OUT = {"abstract", "keywords", "file", "annote", "annotation", "mendeley-tags", "mendeley-groups",
            "author_keywords", "index_keywords", "references", "funding_text", "funding_details", "affiliation",
            "affiliations", "correspondence_address", "chemicals_cas", "tradenames", "manufacturers"}
_MACROS = re.compile(r"^[ \t]*@[ \t]*(string|preamble)\b", re.I)


def parse_cached(path: Path, text: str, cache_dir: Path | None) -> tuple[list[Entry], list[Problem]]:
    """``_parse(path, text)``'s result, read back from ``cache_dir`` when the file has not changed.

    Otherwise blocks of the usual shape are read by ``bibscan.read_entry``,
    the others taken from the cache or, never seen, read by bibtexparser in one
    call. Without ``cache_dir`` nothing is kept (and long unused fields are
    not left out).
    """
    store = cache_dir / f".make-book-bib-{hashlib.blake2b(str(path).encode(), digest_size=8).hexdigest()}.json" \
        if cache_dir is not None else None
    whole = hashlib.sha256((VERSION + "\0" + text).encode("utf-8")).hexdigest()
    cached = _load(store) if store is not None else {}
    if cached.get("file") == whole:  # the file has not changed since the last build
        try:
            return _from_record(path, cached)
        except (KeyError, TypeError, ValueError):  # a damaged cache: read the file again
            cached = {}
    keep = store is not None
    starts = _block_starts(text)
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    blocks = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
    macro_blocks = [block for block in blocks if _MACROS.match(block)]
    salt = hashlib.blake2b((VERSION + "\0" + "".join(macro_blocks)).encode("utf-8"), digest_size=16).hexdigest()
    known = cached.get("blocks", {}) if isinstance(cached.get("blocks"), dict) else {}
    records: list[dict | None] = []  # one per block: its entries and problems, lines relative to the block
    firsts: list[int] = []
    keys: dict[int, str] = {}  # the blocks bibtexparser reads (@string and @preamble too: their problems)
    line = 1
    for index, block in enumerate(blocks):
        firsts.append(line)
        line += block.count("\n")
        read = None if _MACROS.match(block) else read_entry(block, macros=bool(macro_blocks))
        if read is None:
            keys[index] = hashlib.blake2b((salt + block).encode("utf-8"), digest_size=16).hexdigest()
            records.append(None)
            continue
        key, kind, fields, at, lines = read
        if keep:
            fields = {k: v for k, v in fields.items() if k not in LEFT_OUT}
        records.append({"entries": [{"key": key, "type": kind, "fields": fields, "line": at, "lines": lines}],
                        "problems": []})
    if any(key not in known for key in keys.values()):
        macros = [(key, blocks[index]) for index, key in keys.items() if _MACROS.match(blocks[index])]
        others = {key: blocks[index] for index, key in keys.items()
                  if key not in known and not _MACROS.match(blocks[index])}
        known.update(_parse_blocks(path, macros, list(others.items()), keep=keep))
    for index, key in keys.items():
        records[index] = known.get(key)
    entries: list[Entry] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for record, first in zip(records, firsts):
        if record is None:
            continue
        for raw in record["entries"]:
            entry = Entry(key=raw["key"], type=raw["type"], fields=raw["fields"], path=path,
                          line=first + raw["line"], field_lines={k: first + v for k, v in raw["lines"].items()})
            if entry.key in seen:
                problems.append(Problem(path, entry.line, f"duplicate key {entry.key!r}, first defined on line "
                                                          f"{seen[entry.key]}; the first entry is used",
                                        "rename one of the two entries, or delete the copy", key=entry.key))
                continue
            seen[entry.key] = entry.line
            entries.append(entry)
        problems += [Problem(path, first + p["line"], p["message"], p["hint"], p["key"], p["blocking"])
                     for p in record["problems"]]
    problems.sort(key=lambda p: p.line)
    if store is not None:
        _save(store, {"version": VERSION, "file": whole,
                      "entries": [[e.key, e.type, e.fields, e.line, e.field_lines] for e in entries],
                      "problems": [[p.line, p.message, p.hint, p.key, p.blocking] for p in problems],
                      "blocks": {key: known[key] for key in keys.values() if key in known}})
    return entries, problems


def _from_record(path: Path, record: dict) -> tuple[list[Entry], list[Problem]]:
    """The entries and problems of a file as a build kept them (absolute lines)."""
    entries = [Entry(key=key, type=kind, fields=fields, path=path, line=line, field_lines=lines)
               for key, kind, fields, line, lines in record["entries"]]
    problems = [Problem(path, line, message, hint, key, blocking)
                for line, message, hint, key, blocking in record["problems"]]
    return entries, problems


def _block_starts(text: str) -> list[int]:
    """Offsets of the lines that open a block (``@type{`` after blanks); a regex with ``^`` costs 10× more."""
    starts = []
    at = text.find("@")
    while at != -1:
        line_start = text.rfind("\n", 0, at) + 1
        if not text[line_start:at].strip(" \t") and _BLOCK_START.match(text, line_start):
            starts.append(line_start)
        at = text.find("@", at + 1)
    return starts


def _parse_blocks(path: Path, macros: list[tuple[str, str]], blocks: list[tuple[str, str]], *,
                  keep: bool = True) -> dict[str, dict]:
    """Read ``blocks`` in one bibtexparser call, after the file's @string/@preamble ``macros``; records by key.

    ``macros`` and ``blocks`` are (key, text) pairs. Every block, macros
    included, gets a record: its entries and problems, with lines relative to
    its first line (a broken @string is reported like a broken entry).
    """
    pieces = []
    offsets = []  # first line of each piece in the joined text
    owners = []
    line = 1
    for key, block in macros + blocks:
        offsets.append(line)
        owners.append(key)
        text = block if block.endswith("\n") else block + "\n"
        pieces.append(text)
        line += text.count("\n")
    entries, problems = _parse(path, "".join(pieces), keep_duplicates=True)
    records: dict[str, dict] = {key: {"entries": [], "problems": []} for key in owners}

    def owner(at: int) -> tuple[str, int] | None:
        index = bisect.bisect_right(offsets, at) - 1
        return (owners[index], offsets[index]) if index >= 0 else None

    for entry in entries:
        found = owner(entry.line)
        if found:
            key, first = found
            fields = {k: v for k, v in entry.fields.items() if k not in LEFT_OUT} if keep else entry.fields
            records[key]["entries"].append({"key": entry.key, "type": entry.type, "fields": fields,
                                            "line": entry.line - first,
                                            "lines": {k: v - first for k, v in entry.field_lines.items()}})
    for problem in problems:
        found = owner(problem.line)
        if found:
            key, first = found
            records[key]["problems"].append({"line": problem.line - first, "message": problem.message,
                                             "hint": problem.hint, "key": problem.key, "blocking": problem.blocking})
    return records


def _load(store: Path) -> dict:
    try:
        data = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == VERSION else {}


def _save(store: Path, data: dict) -> None:
    temporary = store.with_name(f".{store.name}.part")
    try:
        temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, store)
    except OSError:  # a read-only output folder: the next build parses again
        temporary.unlink(missing_ok=True)
