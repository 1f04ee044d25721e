"""Parsed .bib entries kept between builds: the whole file's, and the odd blocks bibtexparser read.

A library of thousands of entries costs bibtexparser most of a second to read;
a build needs it on every run. The file is cut where a line starts a new
``@type{`` block; a block of the usual shape is read by ``bibscan.read_entry``
(a few microseconds), every other block by bibtexparser, in one call. The
cache keeps two things in the output folder:

- the file's result (entries and problems, with their lines), under the hash
  of the file's bytes and its status (device, inode, size, modification and
  change times): a build whose .bib has the same status does not even read
  it, one whose bytes are the same reads them back and cuts nothing;
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
import time
from pathlib import Path

from .bibliography import Entry, Problem, _parse, decode_text
from .bibscan import read_entry

VERSION = "7"
_BLOCK_START = re.compile(r"[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]")
# Long fields no citation style prints: not kept in the cache, so that reading it stays fast.
LEFT_OUT = {"abstract", "keywords", "file", "annote", "annotation", "mendeley-tags", "mendeley-groups",
            "author_keywords", "index_keywords", "references", "funding_text", "funding_details", "affiliation",
            "affiliations", "correspondence_address", "chemicals_cas", "tradenames", "manufacturers"}
_MACROS = re.compile(r"^[ \t]*@[ \t]*(string|preamble)\b", re.I)


def parse_cached(path: Path, text: str | None, cache_dir: Path | None) -> tuple[list[Entry], list[Problem]]:
    """``_parse(path, text)``'s result, read back from ``cache_dir`` when the file has not changed.

    ``text`` None: the file is read here (its status first, for the cache:
    see ``_status``). Otherwise blocks of the usual shape are read by
    ``bibscan.read_entry``, the others taken from the cache or, never seen,
    read by bibtexparser in one call. Without ``cache_dir`` nothing is kept
    (and long unused fields are not left out). Raises ``BibliographyError``
    for a file that is not UTF-8.
    """
    store = cache_dir / f".make-book-bib-{hashlib.blake2b(str(path).encode(), digest_size=8).hexdigest()}.json" \
        if cache_dir is not None else None
    cached = _load(store) if store is not None else {}
    status = None
    if text is None:
        status = _status(path)  # before reading: an edit after it changes what the next build sees
        if status is not None and cached.get("status") == status[0]:
            try:  # the same file, untouched since the last build saw it: not even read
                return _from_record(path, cached)
            except (KeyError, TypeError, ValueError):  # a damaged cache: read the file again
                cached = {}
        data = path.read_bytes()
        whole = hashlib.sha256(VERSION.encode() + b"\0" + data).hexdigest()
        text = decode_text(data, path)
    else:
        whole = hashlib.sha256((VERSION + "\0" + text).encode("utf-8")).hexdigest()
    recorded = status[0] if status is not None and status[1] else None
    if cached.get("file") == whole:  # the text has not changed since the last build
        try:
            entries, problems = _from_record(path, cached)
        except (KeyError, TypeError, ValueError):
            cached = {}
        else:
            if store is not None and recorded is not None:  # touched, not changed: keep its new status
                _save(store, {**cached, "status": recorded})
            return entries, problems
    leave_out = LEFT_OUT if store is not None else frozenset()
    starts = _block_starts(text)
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    blocks = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
    macro_blocks = [block for block in blocks if _MACROS.match(block)]
    salt = hashlib.blake2b((VERSION + "\0" + "".join(macro_blocks)).encode("utf-8"), digest_size=16).hexdigest()
    known = cached.get("blocks", {}) if isinstance(cached.get("blocks"), dict) else {}
    read: list[Entry | None] = []  # one per block: its entry, if the quick reader read it
    firsts: list[int] = []
    keys: dict[int, str] = {}  # the blocks bibtexparser reads (@string and @preamble too: their problems)
    line = 1
    for index, block in enumerate(blocks):
        firsts.append(line)
        found = None if _MACROS.match(block) else read_entry(block, macros=bool(macro_blocks), first_line=line,
                                                             leave_out=leave_out)
        if found is None:
            keys[index] = hashlib.blake2b((salt + block).encode("utf-8"), digest_size=16).hexdigest()
            read.append(None)
        else:
            key, kind, fields, at, lines = found
            read.append(Entry(key=key, type=kind, fields=fields, path=path, line=at, field_lines=lines))
        line += block.count("\n")
    if any(key not in known for key in keys.values()):
        macros = [(key, blocks[index]) for index, key in keys.items() if _MACROS.match(blocks[index])]
        others = {key: blocks[index] for index, key in keys.items()
                  if key not in known and not _MACROS.match(blocks[index])}
        known.update(_parse_blocks(path, macros, list(others.items()), leave_out=leave_out))
    entries: list[Entry] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, (quick, first) in enumerate(zip(read, firsts)):
        record = None if quick is not None else known.get(keys[index]) or {"entries": [], "problems": []}
        found = [quick] if record is None else [
            Entry(key=raw["key"], type=raw["type"], fields=raw["fields"], path=path, line=first + raw["line"],
                  field_lines={k: first + v for k, v in raw["lines"].items()}) for raw in record["entries"]]
        for entry in found:
            if entry.key in seen:
                problems.append(Problem(path, entry.line, f"duplicate key {entry.key!r}, first defined on line "
                                                          f"{seen[entry.key]}; the first entry is used",
                                        "rename one of the two entries, or delete the copy", key=entry.key))
                continue
            seen[entry.key] = entry.line
            entries.append(entry)
        if record is not None:
            problems += [Problem(path, first + p["line"], p["message"], p["hint"], p["key"], p["blocking"])
                         for p in record["problems"]]
    problems.sort(key=lambda p: p.line)
    if store is not None:
        _save(store, {"version": VERSION, "file": whole, "status": recorded,
                      "entries": [[e.key, e.type, e.fields, e.line, e.field_lines] for e in entries],
                      "problems": [[p.line, p.message, p.hint, p.key, p.blocking] for p in problems],
                      "blocks": {key: known[key] for key in keys.values() if key in known}})
    return entries, problems


#: A file changed less than this long before a build may change again within the same tick of the
#: file system's clock, keeping its status: its status is not trusted then (git's "racily clean" rule).
RACY_NS = 2_000_000_000
_now = time.time_ns


def _status(path: Path) -> tuple[list[int], bool] | None:
    """(device, inode, size, modification and change times in ns; whether it can be trusted), or None.

    The change time (``ctime``) is set by the kernel on every write, rename or
    ``utime`` and cannot be set back: with the inode and size, an edited file
    never shows the status it had, even with its modification time restored.
    Trusted only when the file was last changed ``RACY_NS`` before now: an
    edit in the same clock tick as the one before (a coarse clock, a script)
    would keep both times.
    """
    try:
        info = os.stat(path)
    except OSError:
        return None
    changed = max(info.st_mtime_ns, info.st_ctime_ns)
    return ([info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns],
            _now() - changed > RACY_NS)


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
                  leave_out: frozenset[str] | set[str] = frozenset()) -> dict[str, dict]:
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
            records[key]["entries"].append({
                "key": entry.key, "type": entry.type, "line": entry.line - first,
                "fields": {k: v for k, v in entry.fields.items() if k not in leave_out},
                "lines": {k: v - first for k, v in entry.field_lines.items() if k not in leave_out}})
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
        temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), check_circular=False),
                             encoding="utf-8")
        os.replace(temporary, store)
    except OSError:  # a read-only output folder: the next build parses again
        temporary.unlink(missing_ok=True)
