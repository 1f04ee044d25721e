"""Parsed .bib entries kept between builds, one cache record per entry's text.

A library of thousands of entries costs bibtexparser most of a second to read;
a build needs it on every run. The file is cut where a line starts a new
``@type{`` block, each block is keyed by its text and the file's ``@string``
definitions, and only blocks not seen before go to bibtexparser, in one call.
Lines are stored relative to the block, so moving an entry costs nothing.
The cache is JSON (never pickle: an output folder may come from elsewhere),
written atomically; an unreadable cache is ignored. Long fields no style
prints (``LEFT_OUT``: abstract, keywords, file…) are not kept.
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
from .identifiers import Identifier, entry_identifiers

VERSION = "6"
_BLOCK_START = re.compile(r"[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]")
# Long fields no citation style prints: not kept in the cache, so that reading it stays fast.
LEFT_OUT = {"abstract", "keywords", "file", "annote", "annotation", "mendeley-tags", "mendeley-groups",
            "author_keywords", "index_keywords", "references", "funding_text", "funding_details", "affiliation",
            "affiliations", "correspondence_address", "chemicals_cas", "tradenames", "manufacturers"}
_MACROS = re.compile(r"^[ \t]*@[ \t]*(string|preamble)\b", re.I)


def parse_cached(path: Path, text: str, cache_dir: Path | None) -> tuple[list[Entry], list[Problem]]:
    """``_parse(path, text)``'s result, read from ``cache_dir`` for blocks already parsed once.

    Blocks not in the cache are read by ``bibscan.read_entry`` when they have
    the usual shape, the others by bibtexparser, in one call. Without
    ``cache_dir`` nothing is kept (and long unused fields are not left out).
    """
    store = cache_dir / f".make-book-bib-{hashlib.blake2b(str(path).encode(), digest_size=8).hexdigest()}.json" \
        if cache_dir is not None else None
    whole = hashlib.blake2b((VERSION + "\0" + text).encode("utf-8"), digest_size=16).hexdigest()
    cached = _load(store) if store is not None else {}
    known = cached.get("blocks", {})
    missing: list[int] = []
    if cached.get("file") == whole:  # the file has not changed: no need to cut it again
        order = [(key, first) for key, first in cached["order"]]
    else:
        starts = _block_starts(text)
        if not starts or starts[0] != 0:
            starts.insert(0, 0)
        blocks = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
        first_lines = []
        line = 1
        for block in blocks:
            first_lines.append(line)
            line += block.count("\n")
        macros = "".join(b if b.endswith("\n") else b + "\n" for b in blocks if _MACROS.match(b))
        salt = hashlib.blake2b((VERSION + "\0" + macros).encode("utf-8"), digest_size=16).hexdigest()
        keys = [hashlib.blake2b((salt + block).encode("utf-8"), digest_size=16).hexdigest() for block in blocks]
        missing = [i for i, key in enumerate(keys) if key not in known and not _MACROS.match(blocks[i])]
        keep = store is not None
        hard = []
        for i in missing:
            read = read_entry(blocks[i], macros=bool(macros))
            if read is None:
                hard.append(i)
                continue
            key, kind, fields, line, lines = read
            if keep:
                fields = {k: v for k, v in fields.items() if k not in LEFT_OUT}
            known[keys[i]] = {"entries": [{"key": key, "type": kind, "fields": fields, "line": line, "lines": lines,
                                           "ids": _ids(fields, kind) if keep else None}], "problems": []}
        if hard:
            known.update(_parse_blocks(path, macros, [(keys[i], blocks[i]) for i in hard], keep=keep))
        order = [(key, first) for key, first in zip(keys, first_lines)]
    entries: list[Entry] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for key, first in order:
        record = known.get(key)
        if record is None:
            continue
        for raw in record["entries"]:
            entry = Entry(key=raw["key"], type=raw["type"], fields=raw["fields"], path=path,
                          line=first + raw["line"], field_lines={k: first + v for k, v in raw["lines"].items()},
                          known_identifiers=None if raw["ids"] is None
                          else tuple(Identifier(kind, value) for kind, value in raw["ids"]))
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
    if store is not None and cached.get("file") != whole:
        _save(store, {"version": VERSION, "file": whole, "order": order,
                      "blocks": {key: known[key] for key, _first in order if key in known}})
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


def _ids(fields: dict[str, str], kind: str) -> list[list[str]]:
    return [[i.kind, i.value] for i in entry_identifiers(fields, kind)]


def _parse_blocks(path: Path, macros: str, blocks: list[tuple[str, str]], *, keep: bool = True) -> dict[str, dict]:
    """Parse ``blocks`` in one bibtexparser call (after the file's @string macros); records by block key."""
    pieces = [macros]
    offsets = []  # first line of each block in the joined text
    line = 1 + macros.count("\n")
    for _key, block in blocks:
        offsets.append(line)
        text = block if block.endswith("\n") else block + "\n"
        pieces.append(text)
        line += text.count("\n")
    entries, problems = _parse(path, "".join(pieces), keep_duplicates=True)
    records: dict[str, dict] = {key: {"entries": [], "problems": []} for key, _block in blocks}

    def owner(at: int) -> tuple[str, int] | None:
        index = bisect.bisect_right(offsets, at) - 1
        return (blocks[index][0], offsets[index]) if index >= 0 else None

    for entry in entries:
        found = owner(entry.line)
        if found:
            key, first = found
            fields = {k: v for k, v in entry.fields.items() if k not in LEFT_OUT} if keep else entry.fields
            records[key]["entries"].append({"key": entry.key, "type": entry.type, "fields": fields,
                                            "line": entry.line - first,
                                            "lines": {k: v - first for k, v in entry.field_lines.items()},
                                            "ids": _ids(entry.fields, entry.type) if keep else None})
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
