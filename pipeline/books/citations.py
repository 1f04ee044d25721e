"""``bibliography = "chapter"``: one citeproc run per chapter, each chapter ending with its own bibliography.

The book's document holds every chapter (:func:`pipeline.books.assemble.book_document`);
each chapter keeps the bibliography its own build would place (where its author
put it, else at its end under its language's heading), its ids already prefixed
with the chapter's slug (``SLUG-refs``, ``SLUG-bibliography``). Here each
chapter's blocks go through pandoc's citeproc alone, in the book's citation
style and language, and the ids citeproc writes (``ref-KEY`` for each entry,
``#ref-KEY`` for each citation's link) get the slug too: two chapters citing
the same work each list it, and their entries never share an id.

``nocite`` follows where it is written, as a Pandoc or Quarto user expects of
a document made of documents: a chapter's own front matter lists its works in
that chapter's bibliography; the book's (its table's ``nocite``, else
make-book.toml's) is about no chapter in particular, so its works that no
chapter lists close the book in one more section, "Further reading"
(« Bibliographie complémentaire »). With ``bibliography = "book"`` every
``nocite`` goes to the one bibliography.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..config import BookSettings, Settings
from ..document import Document
from ..pandoc import Node, inlines, iter_nodes, walk
from ..references.styles import CitationStyle
from ..terms import localised

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


def book_nocite(config: Settings, book: BookSettings) -> tuple[str, ...]:
    """The book-wide ``nocite``: the book table's, else make-book.toml's (keys; ``*`` for every entry)."""
    return book.nocite if book.nocite is not None else config.nocite


def chapter_nocite(document: Document) -> tuple[str, ...]:
    """The ``nocite`` of the chapter's own front matter (not the one make-book.toml gives every essay)."""
    return tuple(document.manuscript.front_matter.get("nocite", ()))


def joined_nocite(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """Several ``nocite`` lists as one, in order, each key once; ``("*",)`` if any lists every entry."""
    keys = [key for group in groups for key in group]
    return ("*",) if "*" in keys else tuple(dict.fromkeys(keys))


def format_chapter_citations(document: Document, style: CitationStyle | None,
                             chapters: dict[str, Document] | None = None) -> None:
    """Run citeproc on each chapter of ``document`` alone, in place (``bibliography = "chapter"``).

    ``chapters``: each chapter's own document by slug. Its front matter's
    ``nocite`` is listed in its bibliography, and its language gives citeproc's
    terms (« et », "and", « éd. », "ed."), as the chapter's text and its
    bibliography heading are in that language; the style stays the book's.
    ``document.settings.nocite`` is the book's: its works that no chapter cites
    or lists go to a last section, :func:`further_reading`.
    """
    from ..render import format_citations

    chapters = chapters or {}
    nocite = {slug: chapter_nocite(own) for slug, own in chapters.items()}
    langs = {slug: own.lang for slug, own in chapters.items()}
    blocks = document.ast["blocks"]
    formatted: list[Node] = []
    listed: set[str] = set()
    done = 0
    for slug, start, stop in chapter_spans(blocks):
        formatted += blocks[done:start]
        own = nocite.get(slug, ())
        listed |= {c["citationId"] for node in iter_nodes(blocks[start:stop]) if node["t"] == "Cite"
                   for c in node["c"][0]} | set(own)
        chapter = replace(document, ast={**document.ast, "blocks": _renamed(blocks[start:stop], f"{slug}-{REFS}", REFS)},
                          settings=replace(document.settings, nocite=own, lang=langs.get(slug, document.lang)),
                          warnings=document.warnings)
        format_citations(chapter, style)
        formatted += _prefixed_entries(chapter.ast["blocks"], slug)
        done = stop
    document.ast["blocks"] = formatted + blocks[done:] + further_reading(document, style, listed)


def further_reading(document: Document, style: CitationStyle | None, listed: set[str]) -> list[Node]:
    """The book-wide ``nocite``'s works that no chapter cites or lists: a last section of the book
    (id ``bibliography``, as the book's bibliography), or nothing.

    ``*`` stands for every entry of the book's .bib files. The section's title is
    the term ``further_reading`` in the book's language.
    """
    from ..render import format_citations

    wanted = document.settings.nocite
    if not wanted or document.settings.suppress_bibliography or "*" in listed:
        return []
    keys = document.bibliography.entries if "*" in wanted else wanted
    remaining = tuple(key for key in keys if key not in listed)
    if not remaining:
        return []
    title = localised("further_reading", document.lang)
    section = replace(document, ast={**document.ast, "blocks": [
        {"t": "Header", "c": [2, ["bibliography", ["unnumbered", "bibliography", "further-reading"], []],
                              inlines(title)]},
        {"t": "Div", "c": [[REFS, [], []], []]}]}, settings=replace(document.settings, nocite=remaining),
        warnings=document.warnings)
    format_citations(section, style)
    return section.ast["blocks"]


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
