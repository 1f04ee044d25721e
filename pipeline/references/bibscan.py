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
_GROUP = r"\{(?:[^{}\\]++|\\.)*+\}"
for _ in range(5):
    _GROUP = r"\{(?:[^{}\\]++|\\.|" + _GROUP + r")*+\}"
_BRACED = re.compile(_GROUP, re.S)
_QUOTED = re.compile(r'"((?:[^"{}\\]++|\\.|' + _GROUP + r')*+)"', re.S)
_BARE = re.compile(r"[A-Za-z0-9_.:+-]+")
_OPENING = re.compile(r"[ \t]*@[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*\{[ \t]*([A-Za-z0-9_:.+/-][^\s,{}()=\"#%'\\]*)"
                      r"[ \t]*,")
_FIELD_NAME = re.compile(r"\s*([A-Za-z][\w:.+-]*)\s*=\s*")
_AFTER_VALUE = re.compile(r"\s*(,?)\s*")
_NOT_ENTRIES = {"comment", "string", "preamble"}
_MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}  # BibTeX's own


def read_entry(block: str, *, macros: bool) -> tuple[str, str, dict[str, str], int, dict[str, int]] | None:
    """(key, type, fields, line offset of '@', line offset of each field) of a well-formed entry, else None.

    ``block`` is one block of the file (from its ``@`` line to the next); line
    offsets count from the block's first line. Field names are lower case;
    values are as bibtexparser leaves them (outer braces or quotes taken off,
    inner text verbatim). ``macros``: the file defines ``@string`` names, so a
    bare word may be one of them (bibtexparser substitutes it): None then.
    """
    opening = _OPENING.match(block)
    if opening is None or opening.group(1).lower() in _NOT_ENTRIES:
        return None
    fields: dict[str, str] = {}
    starts: dict[str, int] = {}
    at = opening.end()
    while True:
        name = _FIELD_NAME.match(block, at)
        if name is None:
            break
        field = name.group(1).lower()
        if field in fields:
            return None  # a field given twice: bibtexparser's DuplicateFieldKeyBlock, and its message
        at = name.end()
        char = block[at:at + 1]
        if char == "{":
            value = _BRACED.match(block, at)
            if value is None:
                return None
            text = value.group(0)[1:-1]
        elif char == '"':
            value = _QUOTED.match(block, at)
            if value is None:
                return None
            text = value.group(1)
        else:
            value = _BARE.match(block, at)
            word = value.group(0) if value else ""
            if not word.isdigit() and (macros or word.lower() not in _MONTHS):
                return None  # an @string name, defined or not: bibtexparser and _parse settle it
            text = value.group(0)
        fields[field] = text
        starts[field] = name.start(1)
        after = _AFTER_VALUE.match(block, value.end())
        at = after.end()
        if not after.group(1):  # no comma: the entry must end here
            break
    if block[at:at + 1] != "}" or block[at + 1:].strip():
        return None  # no closing brace where the fields end, or text after it (left to bibtexparser)
    line = block.count("\n", 0, opening.start(1))
    lines = {field: block.count("\n", 0, start) for field, start in starts.items()}
    return opening.group(2), opening.group(1).lower(), fields, line, lines
