"""``bibliography = "chapter"``: one citeproc run per chapter, each chapter ending with its own bibliography.

The book's document holds every chapter (:func:`pipeline.books.assemble.book_document`);
each chapter keeps the bibliography its own build would place (where its author
put it, else at its end under its language's heading), its ids already prefixed
with the chapter's slug (``SLUG-refs``, ``SLUG-bibliography``). Here each
chapter's blocks go through pandoc's citeproc alone, in the book's citation
style and language, and the ids citeproc writes (``ref-KEY`` for each entry,
``#ref-KEY`` for each citation's link) get the slug too: two chapters citing
the same work each list it, and their entries never share an id.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..document import Document
from ..pandoc import Node, walk
from ..references.styles import CitationStyle

REFS = "refs"  # the div pandoc's citeproc fills with the bibliography
ENTRY_PREFIX = "ref-"  # pandoc's id of each entry: ref-KEY


def chapter_spans(blocks: list[Node]) -> list[tuple[str, int, int]]:
    """``(slug, start, stop)`` of each chapter in the book's blocks: from its opening heading to the next one.

    A chapter opens with a level-2 heading of class ``chapter`` (id
    ``chapter-SLUG``); a part heading (class ``part``) or the next chapter ends it.
    """
    openings = [(i, block) for i, block in enumerate(blocks)
                if block["t"] == "Header" and block["c"][0] == 2 and {"chapter", "part"} & set(block["c"][1][1])]
    spans = []
    for number, (start, block) in enumerate(openings):
        if "chapter" not in block["c"][1][1]:
            continue
        stop = openings[number + 1][0] if number + 1 < len(openings) else len(blocks)
        spans.append((block["c"][1][0].removeprefix("chapter-"), start, stop))
    return spans


def format_chapter_citations(document: Document, style: CitationStyle | None) -> None:
    """Run citeproc on each chapter of ``document`` alone, in place (``bibliography = "chapter"``)."""
    from ..render import format_citations

    blocks = document.ast["blocks"]
    formatted: list[Node] = []
    done = 0
    for slug, start, stop in chapter_spans(blocks):
        formatted += blocks[done:start]
        chapter = replace(document, ast={**document.ast, "blocks": _renamed(blocks[start:stop], f"{slug}-{REFS}", REFS)},
                          warnings=document.warnings)
        format_citations(chapter, style)
        formatted += _prefixed_entries(chapter.ast["blocks"], slug)
        done = stop
    document.ast["blocks"] = formatted + blocks[done:]


def _renamed(blocks: list[Node], old: str, new: str) -> list[Node]:
    """The blocks with the div ``old`` renamed ``new`` (``walk`` goes on into what an action returns)."""

    def action(kind: str, content: Any, fmt: str, meta: Any):
        if kind == "Div" and content[0][0] == old:
            return {"t": "Div", "c": [[new, *content[0][1:]], content[1]]}
        return None

    return walk(blocks, action, "html", {})


def _prefixed_entries(blocks: list[Node], slug: str) -> list[Node]:
    """Citeproc's ids in one chapter get its slug: ``refs`` → ``SLUG-refs``, ``ref-KEY`` → ``SLUG-ref-KEY``."""

    def action(kind: str, content: Any, fmt: str, meta: Any):
        if kind == "Div" and (content[0][0] == REFS or content[0][0].startswith(ENTRY_PREFIX)):
            return {"t": "Div", "c": [[f"{slug}-{content[0][0]}", *content[0][1:]], content[1]]}
        if kind == "Link" and content[2][0].startswith(f"#{ENTRY_PREFIX}"):
            return {"t": "Link", "c": [content[0], content[1], [f"#{slug}-{content[2][0][1:]}", content[2][1]]]}
        return None

    return walk(blocks, action, "html", {})
