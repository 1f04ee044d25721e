"""YAML mistakes explained in plain words, at the line where the writer made them.

PyYAML reports where its parser gave up, in its own terms ("expected <block
end>, but found '<scalar>'"), often lines after the real mistake: a quote left
open on line 2 swallows the next lines until another quote turns up. This
module looks at the front matter's tokens and lines to name the mistake a
person actually made (an unclosed quote, a tab in the indentation or before a
comment, a colon inside a value, a list
left open…), the line where it is, and the fix.

It is independent of how the front matter was split from the body, so any
reader of YAML front matter (``---`` blocks, python-frontmatter…) can call
:func:`explain_yaml_error` with the YAML text and the exception it raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

# YAML's reserved indicators: a plain (unquoted) value cannot begin with them.
RESERVED_STARTS = {"@": "an at sign", "`": "a backquote", "%": "a percent sign", "*": "an asterisk",
                   "&": "an ampersand", "!": "an exclamation mark", "|": "a vertical bar", ">": "a '>' sign"}
_KEY = re.compile(r"^(?P<indent>[ \t]*)(?:- +)?(?P<key>[^\s:#'\"\[\]{}][^:#]*?):(?P<rest>.*)$")


@dataclass(frozen=True)
class YamlProblem:
    """A YAML mistake: ``line`` is 0-based within the YAML text; ``message`` and ``hint`` are plain words."""

    line: int
    message: str
    hint: str


def explain_yaml_error(text: str, error: yaml.YAMLError) -> YamlProblem:
    """Name the mistake behind ``error``, raised by PyYAML while reading ``text``.

    Returns the 0-based line of the mistake (where a quote or bracket opens,
    where a tab is) with a message and a fix in plain words. Never raises.
    """
    lines = text.split("\n")
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    at = min(mark.line, len(lines) - 1) if mark is not None else 0
    problem = str(getattr(error, "problem", "") or "")
    context = str(getattr(error, "context", "") or "")

    # A tab in the indentation, anywhere up to the failure: YAML forbids it.
    for number, line in enumerate(lines[:at + 1]):
        indent = line[:len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return YamlProblem(number, "a tab is used to indent this line; YAML allows only spaces",
                               "indent with spaces instead of the tab (most editors convert tabs on request)")
    # A tab elsewhere on the failing line (before a comment, after a colon, inside or after a value).
    if "'\\t'" in problem and mark is not None and "\t" in lines[at]:
        column = mark.column if lines[at][mark.column:mark.column + 1] == "\t" else lines[at].index("\t")
        return _tab_problem(lines[at], at, column)

    # A quote opened and never closed, either up to the end or up to a later quote.
    quote = _unclosed_quote(text, error)
    if quote is not None:
        number, char = quote
        opened = lines[number].rstrip()
        return YamlProblem(number, f"the quote ({char}) opened on this line is never closed",
                           f"end the value with {char} on the same line: {opened}{char}")

    # A list [ or a table { opened and never closed.
    if context.startswith(("while parsing a flow sequence", "while parsing a flow mapping")):
        number = error.context_mark.line if error.context_mark else at
        opener, closer, what = ("[", "]", "list") if "sequence" in context else ("{", "}", "table")
        example = "tags: [lecture, outils]" if opener == "[" else "author: {name: Anne Bé}"
        return YamlProblem(number, f"the {what} opened with '{opener}' on this line is never closed",
                           f"close it with '{closer}', e.g. {example}")

    # A value beginning with a character YAML reserves.
    found = re.search(r"found character '(.)' that cannot start any token", problem) or (
        re.search(r"but found '(\*)'", problem) if context.startswith("while scanning an alias") else None)
    if found and found.group(1) in RESERVED_STARTS:
        char = found.group(1)
        example = _quoted_example(lines[at])
        return YamlProblem(at, f"a value cannot begin with {RESERVED_STARTS[char]} ({char}) unless it is in quotes",
                           f"put the value in quotes: {example}" if example else "put the value in quotes")

    if problem.startswith("mapping values are not allowed"):
        return _stray_colon(lines, at)

    if problem.startswith("could not find expected ':'"):
        number = error.context_mark.line if error.context_mark else at
        return YamlProblem(number, "this line is not of the form 'key: value'",
                           "write 'key: value', indent it under the key it belongs to, "
                           "or remove it (a comment starts with '#')")

    if problem.startswith("expected <block end>"):
        after = _text_after_closing_quote(lines[at], at)
        if after is not None:
            return after
        return YamlProblem(at, "this line is not indented like the lines around it",
                           "start every key at the beginning of the line, and indent the items of a list "
                           "('- item') by the same number of spaces under their key")

    words = problem or context or str(error)
    return YamlProblem(at, f"the front matter is not valid YAML ({words})",
                       "write one 'key: value' per line; put values containing ': ', '#' or quotes in quotes")


def _tab_problem(line: str, number: int, column: int) -> YamlProblem:
    """The tab at ``column`` of ``line``, outside its indentation, named by what surrounds it.

    YAML 1.2 allows tabs as separation between tokens, but PyYAML (YAML 1.1), which
    reads front matter, stops at a tab outside quotes and comments, so each place
    gets its own fix: a space before a comment's '#', after a key's ':', inside a value.
    """
    start = column
    while start > 0 and line[start - 1] in " \t":
        start -= 1
    end = column
    while end < len(line) and line[end] in " \t":
        end += 1
    before, after = line[:start], line[end:]
    fixed = f"{before} {after}".rstrip()
    if not after.strip():
        return YamlProblem(number, "a tab ends this line, after the value; the YAML reader refuses a tab there",
                           f"remove the tab at the end of the line: {before}")
    if after.startswith("#"):
        return YamlProblem(number, "a tab separates the value from its comment ('#'); the YAML reader accepts "
                           "only spaces there",
                           f"put a space instead of the tab before the '#': {fixed}")
    if before.rstrip().endswith(":") or before.rstrip().endswith("-") and not before.strip(" -"):
        what = "the ':' of this key" if before.rstrip().endswith(":") else "the '-' of this list item"
        return YamlProblem(number, f"a tab follows {what}; the YAML reader accepts only spaces there",
                           f"put a space instead of the tab: {fixed}")
    return YamlProblem(number, "a tab is inside this value; the YAML reader accepts a tab only inside quotes",
                       f"write a space instead of the tab: {fixed} (or put the value in double quotes, "
                       "writing the tab as \\t, if it belongs there)")


def _unclosed_quote(text: str, error: yaml.YAMLError) -> tuple[int, str] | None:
    """(line, quote) of a quoted value that never closes, or that runs over lines and so caused the error."""
    context = str(getattr(error, "context", "") or "")
    if context.startswith("while scanning a quoted scalar") and getattr(error, "context_mark", None):
        mark = error.context_mark
        return mark.line, text[mark.index] if mark.index < len(text) else '"'
    # The scanner paired the opening quote with one on a later line: the value then
    # swallowed whole lines (keys included), and the parser failed after it.
    spanning = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if (isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
                    and token.end_mark.line > token.start_mark.line and _swallows_a_key(token.value)):
                spanning = (token.start_mark.line, token.style)
    except yaml.YAMLError:
        pass
    return spanning


def _swallows_a_key(value: str) -> bool:
    """Whether a quoted value running over lines holds something that reads like a later line's key."""
    return any(_KEY.match(part.strip()) for part in value.split(" ")[1:]) or bool(
        re.search(r"(^|\s)[A-Za-z_][\w-]*: ", value))


def _stray_colon(lines: list[str], at: int) -> YamlProblem:
    line = lines[at]
    indent = len(line) - len(line.lstrip(" "))
    previous = next((n for n in range(at - 1, -1, -1) if lines[n].strip()), None)
    if previous is not None:
        before = lines[previous]
        before_indent = len(before) - len(before.lstrip(" "))
        match = _KEY.match(before)
        if match and match.group("rest") and not match.group("rest").startswith(" "):
            return YamlProblem(previous, "there is no space after the ':' of this key",
                               f"write a space after the colon: {match.group('indent')}{match.group('key')}: "
                               f"{match.group('rest')}")
        if indent > before_indent and not before.rstrip().endswith(":"):
            return YamlProblem(at, "this line is indented as if it continued the value above, but holds a key",
                               "start the key at the beginning of the line, like the keys above it")
    match = _KEY.match(line)
    if match:
        value = match.group("rest").strip()
        return YamlProblem(at, "the value contains ': ', which YAML reads as the start of another key",
                           f'put the value in quotes: {match.group("indent")}{match.group("key")}: '
                           f'"{value.replace(chr(34), chr(92) + chr(34))}"')
    return YamlProblem(at, "a ': ' on this line is read as the start of a key",
                       "put the value in quotes, or write the key at the beginning of the line")


def _text_after_closing_quote(line: str, at: int) -> YamlProblem | None:
    match = re.match(r"^(?P<head>\s*(?:- +)?[^\s:#]+:\s+|\s*- +)(?P<q>['\"])(?P<inner>.*?)(?P=q)(?P<tail>\s*\S.*)$",
                     line.rstrip())
    if not match:
        return None
    head, char, inner, tail = match.group("head", "q", "inner", "tail")
    if char in tail:  # the same quote again further on: quotes inside the value, kept
        comment = re.search(re.escape(char) + r"(\s+#.*)$", tail)
        if comment:
            tail = tail[:comment.start() + 1]
        value = inner + char + (tail[:-1] if tail.endswith(char) else tail)
        fixed = f"{head.strip()} {_yaml_quoted(value)}{comment.group(1) if comment else ''}"
        if char == "'":
            return YamlProblem(at, "an apostrophe inside a value in single quotes ends the value early",
                               f"write the apostrophe twice ('') or use double quotes: {fixed}")
        return YamlProblem(at, "a double quote (\") inside a value in double quotes ends the value early",
                           f"put the value in single quotes (an apostrophe inside written twice, ''): {fixed}")
    return YamlProblem(at, "there is text after the closing quote of this value",
                       f"put the whole value inside the quotes: {head.strip()} {_yaml_quoted(inner + tail, char)}")


def _yaml_quoted(value: str, prefer: str | None = None) -> str:
    """``value`` as a YAML quoted scalar that reads back as ``value`` (single quotes unless it holds an apostrophe)."""
    if prefer == '"' and "\\" not in value and '"' not in value:
        return f'"{value}"'
    if "'" in value and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def _quoted_example(line: str) -> str | None:
    match = _KEY.match(line)
    if not match or not match.group("rest").strip():
        return None
    value = match.group("rest").strip().replace('"', '\\"')
    return f'{match.group("indent")}{match.group("key")}: "{value}"'
