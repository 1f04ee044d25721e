"""MkDocs / Python-Markdown: ``!!! type "Title"`` admonitions (``???`` collapsible ones from
pymdownx.details) with a body indented by four spaces, and ``*[ABBR]: expansion`` abbreviations.

Both are line constructs, rewritten outside code blocks with the line count kept:
an admonition becomes a fenced div on the same lines (its body de-indented), an
abbreviation definition becomes an empty line and each use of the abbreviation
a span with the expansion as its title (``<abbr>``-like in both editions).
"""

from __future__ import annotations

import re

from . import Context, Dialect, div, outside_code
from .admonitions import canonical
from typing import Any, Callable

from ...pandoc import Ast, Node

_OPEN = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)\s+(?P<kinds>[\w-]+(?:\s+[\w-]+)*)\s*(?:"(?P<title>[^"]*)")?\s*$')
_ABBR = re.compile(r"^\*\[(?P<abbr>[^\]\n]+)\]:\s*(?P<text>.*)$")


class MkDocs(Dialect):
    name = "MkDocs"

    def rewrite_lines(self, text: str, first_line: int, context: Context) -> str:
        out: list[str] = []
        abbreviations: dict[str, str] = {}
        for start, end, is_code in outside_code(text):
            chunk = text[start:end]
            if is_code:
                out.append(chunk)
                continue
            out.append(self._rewrite(chunk, abbreviations, context,
                                     first_line + text.count("\n", 0, start)))
        context.abbreviations.update(abbreviations)
        return "".join(out)

    def transform(self, ast: Ast, context: Context) -> None:
        if context.abbreviations:
            _abbreviate(ast, context.abbreviations)

    def _rewrite(self, chunk: str, abbreviations: dict[str, str], context: Context, first_line: int) -> str:
        lines = chunk.split("\n")
        index = 0
        while index < len(lines):
            line = lines[index]
            abbr = _ABBR.match(line)
            if abbr:
                abbreviations[abbr.group("abbr").strip()] = abbr.group("text").strip()
                lines[index] = ""
                index += 1
                continue
            match = _OPEN.match(line)
            if not match:
                index += 1
                continue
            indent = match.group("indent")
            inner = indent + "    "
            end = index + 1
            while end < len(lines) and (lines[end].startswith(inner) or lines[end].startswith(indent + "\t")
                                         or not lines[end].strip()):
                end += 1
            while end > index + 1 and not lines[end - 1].strip():
                end -= 1  # trailing blank lines belong to what follows
            if end == index + 1:
                context.warn(f"admonition '{line.strip()}' has no indented text under it; printed as its title",
                             first_line + index)
            kinds = match.group("kinds").split()
            title = match.group("title")
            kind = canonical(kinds[0])
            body = [re.sub(r"^(?:    |\t)", "", l[len(indent):]) if l.strip() else "" for l in lines[index + 1:end]]
            fence = div(["admonition", kind], "\n" + "\n".join(body) + "\n", title=title)
            head, _, tail = fence.partition("\n")
            closing = tail.rsplit("\n", 1)[-1]
            lines[index] = indent + head
            lines[index + 1:end] = body
            if end < len(lines) and not lines[end].strip():
                lines[end] = closing  # the blank line after the body holds the closing fence
            else:
                lines.insert(end, closing)
            index = end
        return "\n".join(lines)


def _abbreviate(ast: Ast, abbreviations: dict[str, str]) -> None:
    """Each whole-word use of an abbreviation in the text (not in code) as a span titled with its expansion."""
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(a) for a in sorted(abbreviations, key=len, reverse=True))
                         + r")(?!\w)")

    def split(text: str) -> list[Node]:
        out: list[Node] = []
        position = 0
        for match in pattern.finditer(text):
            if match.start() > position:
                out.append({"t": "Str", "c": text[position:match.start()]})
            word = match.group(1)
            out.append({"t": "Span", "c": [["", ["abbr"], [["title", abbreviations[word]]]],
                                           [{"t": "Str", "c": word}]]})
            position = match.end()
        if position < len(text):
            out.append({"t": "Str", "c": text[position:]})
        return out

    map_strings(ast["blocks"], split)


def map_strings(value: Any, split: Callable[[str], list[Node]]) -> None:
    """Replace, in place, each ``Str`` of the tree by the nodes ``split(text)`` gives; what it
    gives is not visited again (pandoc's ``walk`` would, and loop on a Str it wraps)."""
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict) and item.get("t") == "Str":
                out.extend(split(item["c"]))
            else:
                map_strings(item, split)
                out.append(item)
        value[:] = out
    elif isinstance(value, dict):
        for item in value.values():
            if isinstance(item, (list, dict)):
                map_strings(item, split)


DIALECT = MkDocs()
