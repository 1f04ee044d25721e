"""Passages in another language than the text's: found, and marked with ``lang``.

An English quotation in a French essay must be printed by English rules (no
space before ``;``, “ ” quotation marks) and hyphenated with English patterns;
the reverse for French inside English. A passage the author marked
(``[text]{lang=en}``, ``::: {lang=en}``) already carries its language. Others
are found with the language identifier make-book already loads (fastText's
compact model): a paragraph, list item or block quotation, or a quotation of
some length inside a paragraph, whose language differs from the text's with
high confidence is wrapped in a ``Div`` or ``Span`` with ``lang``, which both
editions write as the ``lang`` attribute (WeasyPrint hyphenates by it; EPUB
reading systems choose their voice and dictionary by it).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Callable

from .pandoc import Ast, Node, stringify

log = logging.getLogger(__name__)

MIN_WORDS = 6  # shorter passages are too often misread (names, titles, "OK")
MIN_LETTERS = 30
CONFIDENCE = 0.85  # fastText probability: above this, a passage's language is taken as found
_SKIPPED = {"Code", "CodeBlock", "Math", "RawInline", "RawBlock", "Cite", "Note", "Link", "Image"}
_URL = re.compile(r"\S+://\S+|\S+@\S+\.\S+")

Identify = Callable[[str], tuple[str, float]]


def mark_passages(ast: Ast, lang: str, identify: Identify) -> list[tuple[str, str]]:
    """Wrap each passage whose language is not ``lang`` in a Div/Span with ``lang``; in place.

    ``identify(text) -> (language, probability)``. Returns (language, first
    words) for each passage marked, for the log. Passages already marked, code,
    citations, links and notes' calls are left as they are (notes' own
    paragraphs are looked at).
    """
    primary = lang.split("-")[0].lower()
    found: list[tuple[str, str]] = []
    ast["blocks"] = _blocks(ast["blocks"], primary, identify, found)
    return found


def _blocks(blocks: list[Node], primary: str, identify: Identify, found: list) -> list[Node]:
    out = []
    for block in blocks:
        kind = block["t"]
        if kind in ("CodeBlock", "RawBlock", "Header", "HorizontalRule", "Table", "Figure"):
            out.append(block)
            continue
        if kind == "Div" and any(key == "lang" for key, _ in block["c"][0][2]):
            out.append(block)  # the author said which language it is
            continue
        other = _other_language(block, primary, identify) if kind in ("Para", "Plain", "BlockQuote", "LineBlock") \
            else None
        if other:
            found.append((other, _first_words(block)))
            out.append({"t": "Div", "c": [["", [], [["lang", other]]], [block]]})
            continue
        if kind in ("Para", "Plain"):
            block = {"t": kind, "c": _inlines(block["c"], primary, identify, found)}
        elif kind in ("BlockQuote", "Div"):
            inner = block["c"] if kind == "BlockQuote" else block["c"][1]
            inner = _blocks(inner, primary, identify, found)
            block = {"t": kind, "c": inner if kind == "BlockQuote" else [block["c"][0], inner]}
        elif kind in ("BulletList",):
            block = {"t": kind, "c": [_blocks(item, primary, identify, found) for item in block["c"]]}
        elif kind == "OrderedList":
            block = {"t": kind, "c": [block["c"][0], [_blocks(item, primary, identify, found)
                                                      for item in block["c"][1]]]}
        out.append(block)
    return out


def _inlines(items: list[Node], primary: str, identify: Identify, found: list) -> list[Node]:
    """Quotations of some length in another language become Spans with ``lang``; notes are looked into."""
    out = []
    for item in items:
        if item["t"] == "Quoted":
            other = _other_language(item, primary, identify)
            if other:
                found.append((other, _first_words(item)))
                item = {"t": "Span", "c": [["", [], [["lang", other]]], [item]]}
        elif item["t"] == "Note":
            item = {"t": "Note", "c": _blocks(item["c"], primary, identify, found)}
        out.append(item)
    return out


def _other_language(node: Node, primary: str, identify: Identify) -> str | None:
    text = _text(node)
    if len(text.split()) < MIN_WORDS or sum(c.isalpha() for c in text) < MIN_LETTERS:
        return None
    found, probability = identify(text)
    found = found.split("-")[0].lower()
    if found != primary and probability >= CONFIDENCE and re.fullmatch(r"[a-z]{2,3}", found):
        return found
    return None


def _text(node: Any) -> str:
    """The words of ``node``, without code, citations, links, notes or addresses."""
    if isinstance(node, list):
        return " ".join(_text(n) for n in node)
    if not isinstance(node, dict) or "t" not in node or node["t"] in _SKIPPED:
        return ""
    if node["t"] == "Str":
        return "" if _URL.match(node["c"]) else node["c"]
    if node["t"] in ("Space", "SoftBreak", "LineBreak"):
        return " "
    content = node.get("c")
    if node["t"] in ("Quoted",):
        return _text(content[1])
    if node["t"] in ("Span", "Div"):
        return _text(content[1])
    return _text(content) if isinstance(content, list) else ""


def _first_words(node: Node) -> str:
    words = stringify(node).split()
    return " ".join(words[:6]) + ("…" if len(words) > 6 else "")
