"""Inline marks of blog Markdown that pandoc's Markdown reader does not know.

Pandoc reads (see ``pipeline.pandoc.MARKDOWN``) ``==highlight==`` (the ``mark``
extension: Obsidian, Quarto, Typora, MkDocs ``pymdownx.mark``) as a ``mark``
span, ``^sup^``, ``~sub~``, ``~~strikeout~~`` and ``[text]{.smallcaps}``. What
is left is read here, on pandoc's tree:

* ``++inserted++`` (markdown-it-ins, Typora) and ``^^inserted^^`` (MkDocs
  ``pymdownx.caret``, which pandoc reads as two empty superscripts) become
  pandoc ``Underline`` (HTML ``<u>``);
* CriticMarkup (``{++ ++}``, ``{-- --}``, ``{~~ ~> ~~}``, ``{>> <<}``,
  ``{== ==}``; MkDocs ``pymdownx.critic``) is an editor's proposal, not text:
  it is reported with its line, so that the writer accepts or rejects it.

Nothing here looks inside code, math or link targets (they are not ``Str``).
"""

from __future__ import annotations

import re
from typing import Any

from . import Context, Dialect
from ...pandoc import Ast, stringify

_OPEN = re.compile(r"^([(«\"“‘']*)\+\+(?=[^\s+])(.*)$", re.S)
_CLOSE = re.compile(r"^(.*?[^\s+])\+\+([.,;:!?»)\"”’']*)$", re.S)
_CRITIC = re.compile(r"\{(\+\+|--|–|—|~~|>>|==)")


def _str(text: str) -> list[dict[str, Any]]:
    return [{"t": "Str", "c": text}] if text else []


def _pair(items: list[Any], i: int) -> tuple[list[Any], int] | None:
    """The nodes that replace an insert mark opening at ``items[i]`` and the index after it, or None."""
    node = items[i]
    kind = node.get("t")
    if kind == "Superscript" and not node["c"]:  # pymdownx.caret ^^ins^^: two empty superscripts
        for j in range(i + 1, len(items)):
            other = items[j]
            if other.get("t") in ("SoftBreak", "LineBreak", "Space") and j == i + 1:
                return None
            if other.get("t") == "Superscript" and not other["c"]:
                return ([{"t": "Underline", "c": items[i + 1:j]}], j + 1) if j > i + 1 else None
        return None
    if kind != "Str":
        return None
    opened = _OPEN.match(node["c"])
    if not opened:
        return None
    before, rest = opened.group(1), opened.group(2)
    closed = _CLOSE.match(rest)
    if closed:  # ++word++ in one Str
        return _str(before) + [{"t": "Underline", "c": _str(closed.group(1))}] + _str(closed.group(2)), i + 1
    for j in range(i + 1, len(items)):
        other = items[j]
        if other.get("t") in ("SoftBreak", "LineBreak", "Para", "Plain"):
            return None
        if other.get("t") == "Str":
            if _OPEN.match(other["c"]):
                return None
            closed = _CLOSE.match(other["c"])
            if closed:
                inner = _str(rest) + items[i + 1:j] + _str(closed.group(1))
                return _str(before) + [{"t": "Underline", "c": inner}] + _str(closed.group(2)), j + 1
    return None


def _inserts(items: list[Any]) -> list[Any]:
    """``++…++`` and ``^^…^^`` in one list of inlines, as Underline nodes (a new list)."""
    out: list[Any] = []
    i = 0
    while i < len(items):
        found = _pair(items, i)
        if found:
            out += found[0]
            i = found[1]
        else:
            out.append(items[i])
            i += 1
    return out


class Marks(Dialect):
    name = "inline marks"

    def transform(self, ast: Ast, context: Context) -> None:
        self._walk(ast["blocks"], context)

    def _walk(self, value: Any, context: Context) -> Any:
        if isinstance(value, list):
            if value and all(isinstance(item, dict) and "t" in item for item in value) and \
                    any(item["t"] in ("Str", "Superscript") for item in value):
                value[:] = _inserts(value)
                self._critic(value, context)
            for item in value:
                self._walk(item, context)
        elif isinstance(value, dict):
            if value.get("t") in ("Code", "CodeBlock", "Math", "RawInline", "RawBlock"):
                return
            if "c" in value:
                self._walk(value["c"], context)

    def _critic(self, items: list[Any], context: Context) -> None:
        for index, node in enumerate(items):
            if node.get("t") != "Str":
                continue
            text = node["c"]
            found = bool(_CRITIC.search(text))
            following = items[index + 1] if index + 1 < len(items) else {}
            if not found and text.endswith("{") and (following.get("t") in ("Subscript", "Strikeout") or (
                    following.get("t") == "Span" and "mark" in following["c"][0][1])):
                found = True  # {==…==} and {~~…~>…~~}, which pandoc read as a highlight or a subscript
                text += stringify(items[index + 1:index + 4])
            if found:
                words = re.findall(r"\w+", text)
                context.warn(f"CriticMarkup edit {text!r} is printed as written: accept or reject the edit "
                             "in the manuscript (make-book does not apply editors' proposals)",
                             context.line_of(max(words, key=len)) if words else None)


DIALECT = Marks()
