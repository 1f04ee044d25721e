"""A quick reader for the well-formed entries of a .bib file; bibtexparser reads the rest.

bibtexparser's splitter walks a file mark by mark in Python: about 0.15 ms an
entry, most of the cost of a first build with a library of thousands of
entries (a CI run, a fresh clone). Nearly every entry of a real library has
one shape — ``@type{key,`` then ``name = {value}`` / ``"value"`` / ``123``
fields separated by commas, then ``}`` — which one regular expression per
field reads in C. ``read_entry`` reads a block of that shape and gives the
same fields, values and lines bibtexparser would (``tests/test_bibscan.py``
compares the two on every .bib file of the tests); for anything else (a
brace left open, a missing comma or ``=``, a field given twice, ``@string``
names, ``#`` concatenation, ``@comment``, parentheses, stray text) it
returns None, and bibtexparser reads that block, so every problem is found
and explained exactly as before (``bibliography._parse``).
"""

from __future__ import annotations

import re

# Braces nest up to 6 levels here (deeper: bibtexparser); a backslash escapes the next character,
# as bibtexparser counts braces.
# Runs of plain characters are matched whole and never given back (possessive: Python 3.11).
_INNER = r"(?:[^{}\\]++|\\.)*+"  # inside the innermost braces
for _ in range(5):
    _INNER = r"(?:[^{}\\]++|\\.|\{" + _INNER + r"\})*+"
_GROUP = r"\{" + _INNER + r"\}"  # a braced group, 6 levels deep at most
# One field, read in one C-level match: `name = {value}` / `"value"` / a bare word, then an optional comma.
# Its line is the line of its '=', as bibtexparser counts it.
_FIELD = re.compile(r"\s*+([A-Za-z][\w:.+-]*+)\s*+(=)\s*+(?:\{(" + _INNER + r')\}|"((?:[^"{}\\]++|\\.|' + _GROUP
                    + r')*+)"|([A-Za-z0-9_.:+-]++))\s*+(,?)', re.S)
_OPENING = re.compile(r"[ \t]*@[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*\{[ \t]*([A-Za-z0-9_:.+/-][^\s,{}()=\"#%'\\]*)"
                      r"[ \t]*,")
_NOT_ENTRIES = {"comment", "string", "preamble"}
_MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}  # BibTeX's own


def read_entry(block: str, *, macros: bool, first_line: int = 0, leave_out: frozenset[str] | set[str] = frozenset()
               ) -> tuple[str, str, dict[str, str], int, dict[str, int]] | None:
    """(key, type, fields, line of '@', line of each field) of a well-formed entry, else None.

    ``block`` is one block of the file (from its ``@`` line to the next); lines
    count from ``first_line``, the block's first line. Field names are lower case;
    values are as bibtexparser leaves them (outer braces or quotes taken off,
    inner text verbatim); a field's line is the line of its ``=``. ``macros``:
    the file defines ``@string`` names, so a bare word may be one of them
    (bibtexparser substitutes it): None then. Fields named in ``leave_out``
    are read (a field given twice still hands the block over) but not kept.
    """
    opening = _OPENING.match(block)
    if opening is None or opening.group(1).lower() in _NOT_ENTRIES:
        return None
    fields: dict[str, str] = {}
    lines: dict[str, int] = {}
    skipped: set[str] = set()
    first = line = first_line + block.count("\n", 0, opening.start(1))
    counted = opening.start(1)  # newlines are counted up to here
    at = opening.end()
    match = _FIELD.match
    while (found := match(block, at)) is not None:
        name, _, braced, quoted, bare, comma = found.groups()
        field = name.lower()
        if field in fields or field in skipped:
            return None  # a field given twice: bibtexparser's DuplicateFieldKeyBlock, and its message
        if bare is not None and not bare.isdigit() and (macros or bare.lower() not in _MONTHS):
            return None  # an @string name, defined or not: bibtexparser and _parse settle it
        at = found.end()
        if field in leave_out:
            skipped.add(field)
        else:
            fields[field] = braced if braced is not None else quoted if quoted is not None else bare
            start = found.start(2)
            line += block.count("\n", counted, start)
            counted = start
            lines[field] = line
        if not comma:  # no comma: the entry must end here
            break
    if block[at:].strip() != "}":
        return None  # no closing brace where the fields end, a value it cannot read, or text after the entry
    return opening.group(2), opening.group(1).lower(), fields, first, lines
