"""TOML front matter mistakes explained in plain words, at the line where the writer made them.

``tomllib`` says where its parser stopped, in its own terms ("Illegal character
'\\n'", "Expected '=' after a key in a key/value pair"). This module reads the
TOML text line by line, the way a person wrote it (Hugo and Zola ``+++``
blocks), to name the mistake: a quote never closed, a missing ``=``, a YAML
``key: value``, a text value without quotes, a date not in ``YYYY-MM-DD``, a
key or a ``[table]`` given twice, a list or table never closed. Each
:class:`TomlProblem` gives the line, what is wrong and the fix; the TOML rules
are those of TOML 1.0.0 (https://toml.io/en/v1.0.0).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

_BARE_KEY = r"[A-Za-z0-9_-]+"
_KEY = rf"(?:{_BARE_KEY}|\"[^\"\n]*\"|'[^'\n]*')"
_KEY_PATH = re.compile(rf"^\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*$")
_NUMBER = re.compile(r"^[+-]?(?:\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?|0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|inf|nan)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?$")
_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}(?:\.\d+)?$")
_LOOSE_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(.*)$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


@dataclass(frozen=True)
class TomlProblem:
    """A TOML mistake: ``line`` is 1-based within the TOML text; ``message`` and ``hint`` are plain words."""

    line: int
    message: str
    hint: str


def explain_toml_error(text: str, error: tomllib.TOMLDecodeError) -> TomlProblem:
    """Name the mistake behind ``error``, raised by ``tomllib`` while reading ``text``.

    Line numbers count from 1 at ``text``'s first line. When no known mistake
    is found, the line tomllib stopped at is given with its reason, in a
    sentence of ours and a hint on TOML's ``key = value`` form.
    """
    found = re.search(r"line (\d+)", str(error))
    stopped = int(found.group(1)) if found else 1
    problems = list(_problems(text))
    for problem in problems:
        if problem.line == stopped:
            return problem
    before = [p for p in problems if p.line <= stopped]
    if before:
        return before[0]
    if problems:
        return problems[0]
    reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error)).rstrip(".")
    return TomlProblem(stopped, f"this line is not valid TOML ({reason[:1].lower() + reason[1:]})",
                       'write one key = value per line, texts in quotes: title = "Mon essai", date = 2024-05-01')


def _problems(text: str):
    lines = text.split("\n")
    tables: dict[str, int] = {}
    keys: dict[tuple[str, str], int] = {}
    table = ""
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            array = stripped.startswith("[[")
            close = "]]" if array else "]"
            body = _strip_comment(stripped)
            if not body.endswith(close):
                yield TomlProblem(number, f"the table name {body!r} is not closed",
                                  f"end the line with '{close}': {body.rstrip(']')}{close}")
                continue
            table = body.strip("[] ")
            if array:  # each [[entry]] of an array of tables has keys of its own
                table = f"{table}[{number}]"
            else:
                if table in tables:
                    yield TomlProblem(number, f"the table [{table}] is declared twice (first on line {tables[table]})",
                                      f"put all its keys under the first [{table}] and remove this one")
                tables.setdefault(table, number)
            continue
        key, equals, value = line.partition("=")
        if not equals or not _KEY_PATH.match(key):
            colon = re.match(rf"^\s*({_BARE_KEY})\s*:\s*(.*)$", line)
            if colon:
                yield TomlProblem(number, f"'{colon.group(1)}:' is written as in YAML, but this front matter "
                                  "is TOML (between +++ lines)",
                                  f"write {colon.group(1)} = {_quoted(colon.group(2))}")
            elif not equals:
                words = stripped.split(None, 1)
                shown = _quoted(words[1]) if len(words) > 1 else '"…"'
                yield TomlProblem(number, "the '=' between the key and its value is missing",
                                  f"write {words[0]} = {shown}")
            else:
                yield TomlProblem(number, f"the key {key.strip()!r} is not a valid TOML key",
                                  f"use letters, digits, '_' and '-' only, or quote it: \"{key.strip()}\" = …")
            continue
        name = re.sub(r"\s*\.\s*", ".", key.strip())
        if (table, name) in keys:
            yield TomlProblem(number, f"the key '{name}' is given twice (first on line {keys[table, name]})",
                              "keep only one of the two lines")
        keys.setdefault((table, name), number)
        value = value.strip()
        problem, extra = _value_problem(name, value, number, lines[number:])
        number += extra
        if problem:
            yield problem


def _value_problem(name: str, value: str, number: int, rest: list[str]) -> tuple[TomlProblem | None, int]:
    """The problem with ``value`` (the text after '=' on line ``number``) and how many more lines it spans."""
    if not value or value.startswith("#"):
        return TomlProblem(number, f"the key '{name}' has no value", f'write {name} = "…", or remove the line'), 0
    for triple in ('"""', "'''"):
        if value.startswith(triple):
            if value.count(triple) >= 2:
                return None, 0
            for extra, line in enumerate(rest, start=1):
                if triple in line:
                    return None, extra
            return TomlProblem(number, f"the text opened with {triple} on line {number} is never closed",
                               f"add {triple} where the text ends"), len(rest)
    if value[0] in "\"'":
        quote = value[0]
        end = _string_end(value, quote)
        if end is None:
            return TomlProblem(number, f"the quote opened on line {number} is never closed",
                               f"add '{quote}' at the end of the value"), 0
        after = _strip_comment(value[end + 1:]).strip()
        if after:
            return TomlProblem(number, f"the value of '{name}' goes on after its closing quote ({after!r})",
                               f"put the whole text inside the quotes, writing \\{quote} for a quote inside it"), 0
        return None, 0
    if value[0] in "[{":
        closer = "]" if value[0] == "[" else "}"
        what = "list" if value[0] == "[" else "inline table"
        depth, extra = _depth(value), 0
        while depth > 0 and value[0] == "[" and extra < len(rest):
            depth += _depth(rest[extra])
            extra += 1
        if depth > 0:
            return TomlProblem(number, f"the {what} opened with '{value[0]}' on line {number} is never closed",
                               f"add '{closer}' at the end of the {what}"), extra
        return None, extra
    bare = _strip_comment(value).strip()
    if bare in ("true", "false") or _NUMBER.match(bare) or _DATE.match(bare) or _TIME.match(bare):
        return None, 0
    if bare.lower() in ("true", "false", "yes", "no", "on", "off"):
        return TomlProblem(number, f"'{bare}' is not a TOML true/false value",
                           f"write {name} = {'true' if bare.lower() in ('true', 'yes', 'on') else 'false'} "
                           f"(lower case), or {name} = \"{bare}\" for a text"), 0
    loose = _LOOSE_DATE.match(bare)
    day_first = _DAY_FIRST.match(bare)
    if loose or day_first:
        year, month, day = (loose.group(1), loose.group(2), loose.group(3)) if loose else \
            (day_first.group(3), day_first.group(2), day_first.group(1))
        return TomlProblem(number, f"the date {bare} is not written as TOML dates are (year-month-day, "
                           "two digits for month and day)",
                           f"write {name} = {year}-{int(month):02d}-{int(day):02d}"), 0
    return TomlProblem(number, f"the value of '{name}' is a text without quotes",
                       f"write {name} = {_quoted(bare)}"), 0


def _string_end(value: str, quote: str) -> int | None:
    """Index of the quote closing the string that opens ``value``, or None."""
    index = 1
    while index < len(value):
        if quote == '"' and value[index] == "\\":
            index += 2
            continue
        if value[index] == quote:
            return index
        index += 1
    return None


def _depth(text: str) -> int:
    depth, index = 0, 0
    text = _strip_comment(text)
    while index < len(text):
        char = text[index]
        if char in "\"'":
            end = _string_end(text[index:], char)
            if end is None:
                return depth
            index += end + 1
            continue
        depth += char in "[{"
        depth -= char in "]}"
        index += 1
    return depth


def _strip_comment(text: str) -> str:
    """``text`` without a trailing '# comment' (a '#' inside quotes is kept)."""
    index = 0
    while index < len(text):
        char = text[index]
        if char in "\"'":
            end = _string_end(text[index:], char)
            if end is None:
                return text
            index += end + 1
            continue
        if char == "#":
            return text[:index].rstrip()
        index += 1
    return text


def _quoted(value: str) -> str:
    value = value.strip().strip("\"'")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
