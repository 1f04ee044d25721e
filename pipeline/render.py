"""Render the document tree to HTML with pandoc's citeproc, as an lxml tree.

Both editions start from this one HTML body; each writer then shapes it for
its medium (notes at the foot of the page, or one file per section).
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import html as lxml_html
from lxml.html import HtmlElement

from .document import Document
from .errors import where
from .pandoc import iter_nodes, run

if TYPE_CHECKING:
    from .references.styles import CitationStyle

log = logging.getLogger(__name__)


@dataclass
class Rendered:
    """The HTML body of a document (a ``<div>`` of pandoc's sections) and its document."""

    document: Document
    body: HtmlElement
    # A book of essays: each chapter's own document, in the order of the body's ``section.chapter``
    # (so that what the EPUB writer changes in a chapter is warned with that essay's file and line).
    chapters: tuple[Document, ...] = ()

    @property
    def lang(self) -> str:
        return self.document.lang


def format_citations(document: Document, style: CitationStyle | None = None) -> None:
    """Run pandoc's citeproc on the document tree, in place: citations and bibliography become text.

    The result is still a pandoc tree (JSON in, JSON out), so the typography
    pass that follows reaches what citeproc wrote (citations, their prefixes
    and suffixes, notes made by a note style, the bibliography) as it reaches
    the author's text. Citeproc reads the cited entries only (and ``nocite``'s),
    as CSL JSON written by make-book (``references.csl_json``), never the .bib
    files themselves. ``style`` None is pandoc's built-in Chicago author-date.
    The citation settings (``nocite``, ``link-citations``…) go to pandoc as
    metadata: see :func:`citation_metadata`.
    """
    from .references.csl_json import doi_as_link, entry_in_message, references_for

    if not any(node["t"] == "Cite" for node in iter_nodes(document.ast["blocks"])) and not document.settings.nocite:
        return
    document.ast["meta"] = {**document.ast.get("meta", {}), **citation_metadata(document)}
    args = ["-f", "json", "-t", "json", "--citeproc"]
    items = references_for(document, style.name if style is not None else None)
    if style is not None:  # a type whose entry the style prints with its URL but never its DOI: DOI as a link
        items = doi_as_link(items, style.types_printing_url_not_doi())
    with tempfile.TemporaryDirectory(prefix="make-book-") as folder:
        if items:
            references = Path(folder) / "references.json"
            references.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
            args += ["--bibliography", str(references)]
        if style is not None:
            csl = style.path
            if style.xml is not None:
                csl = Path(folder) / f"{style.path.stem}.csl"
                csl.write_bytes(style.xml)
            args += ["--csl", str(csl)]
        if document.settings.citation_abbreviations:
            args += ["--citation-abbreviations", str(document.settings.citation_abbreviations)]
        out, stderr = run(json.dumps(document.ast), args, what=document.manuscript.path)
    for line in stderr.splitlines():
        if line.strip():
            entry = entry_in_message(line, document.bibliography, items)
            source = (f" ({where(entry.path, entry.line, root=document.manuscript.root)}, entry {entry.key!r})"
                      if entry else "")
            log.warning("%s: pandoc: %s%s", document.manuscript.where(), line.strip(), source)
    document.ast = json.loads(out)


def citation_metadata(document: Document) -> dict[str, Any]:
    """Pandoc's citation settings as document metadata, from the effective settings.

    Keys as in pandoc's manual (« Citation rendering »): ``lang`` (with its
    region: fr-CA, fr-CH), ``link-citations``, ``link-bibliography``,
    ``notes-after-punctuation``, ``suppress-bibliography``,
    ``reference-section-title`` and ``nocite`` (keys, or ``*`` for every entry).
    """
    settings = document.settings
    meta: dict[str, Any] = {
        "lang": {"t": "MetaString", "c": document.lang},
        "link-citations": {"t": "MetaBool", "c": settings.link_citations},
        "link-bibliography": {"t": "MetaBool", "c": settings.link_bibliography},
        "suppress-bibliography": {"t": "MetaBool", "c": settings.suppress_bibliography},
        # French books put the note call before the punctuation (Imprimerie nationale); pandoc's
        # default moves it after, as English does.
        "notes-after-punctuation": {"t": "MetaBool", "c": settings.notes_after_punctuation
                                    if settings.notes_after_punctuation is not None else not document.is_french},
    }
    if settings.nocite:
        cites = [{"citationId": key, "citationPrefix": [], "citationSuffix": [],
                  "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 0, "citationHash": 0}
                 for key in settings.nocite]
        meta["nocite"] = {"t": "MetaInlines", "c": [{"t": "Cite", "c": [cites, [{"t": "Str", "c": "@"}]]}]}
    return meta


def render_html(document: Document) -> Rendered:
    """Pandoc's HTML writer on the (formatted, typeset) document tree, as an lxml tree; formulas as MathML."""
    ast = dict(document.ast)
    ast["blocks"] = mark_math(ast["blocks"], document.math_class)
    args = ["-f", "json", "-t", "html5", "--section-divs", "--wrap=none", "--mathml"]
    out, stderr = run(json.dumps(ast), args, what=document.manuscript.path)
    for line in _without_math_reports(stderr.splitlines()):
        if line.strip():
            log.warning("%s: pandoc: %s", document.manuscript.where(), line.strip())
    body = lxml_html.fragment_fromstring(out, create_parent="div") if out.strip() else lxml_html.Element("div")
    mark_attributions(body)
    return Rendered(document=document, body=body)


def mark_math(blocks: list, math_class: str) -> list:
    """Each formula in a span of class ``math_class`` and ``math inline``/``math display``.

    Pandoc's ``--mathml`` writes a ``<math>`` element for each; the span tells
    make-book's own MathML (kept) from raw ``<math>`` in the text (removed by
    sanitize), and holds the TeX when pandoc cannot convert it.
    """
    from .pandoc import walk

    wrapped: set[int] = set()

    def action(kind, value, _fmt, _meta):
        # walk visits the children of what an action returns: wrap each formula once
        if kind != "Math" or id(value) in wrapped:
            return None
        wrapped.add(id(value))
        display = value[0]["t"] == "DisplayMath"
        return {"t": "Span", "c": [["", [math_class, "math", "display" if display else "inline"],
                                    [["data-tex", value[1]]]], [{"t": "Math", "c": value}]]}

    return walk(blocks, action, "html", {})


def _without_math_reports(lines: list[str]) -> list[str]:
    """pandoc's stderr less its "Could not convert TeX math" reports: make-book reports each with its line."""
    out: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith("[WARNING] Could not convert TeX math"):
            skipping = True
            continue
        if skipping and (line.startswith("  ") or not line.strip()):
            continue
        skipping = False
        out.append(line)
    return out


ATTRIBUTION_DASHES = ("—", "―", "–", "-- ")


def mark_attributions(body: HtmlElement) -> None:
    """A paragraph opening with a dash right after a quotation is its source line."""
    for quote in body.iter("blockquote"):
        following = quote.getnext()
        if following is not None and following.tag == "p" and (following.text or "").lstrip().startswith(
                ATTRIBUTION_DASHES):
            following.set("class", ((following.get("class") or "") + " attribution").strip())


def title_page(rendered: Rendered, **attributes: str) -> HtmlElement:
    """The title page both editions open with: title, subtitle, author(s), date."""
    from lxml.html import builder as E

    from .terms import authors_line, format_date

    doc = rendered.document
    settings = doc.settings
    section = E.SECTION(E.CLASS("titlepage"), E.H1(E.CLASS("title"), doc.title), **attributes)
    if settings.subtitle:
        section.append(E.P(E.CLASS("subtitle"), settings.subtitle))
    if settings.author:
        section.append(E.P(E.CLASS("author"), authors_line(settings.author, doc.lang)))
    section.append(E.P(E.CLASS("date"), format_date(settings.date, doc.lang)))
    return section


def remove_keeping_tail(element: HtmlElement) -> None:
    """Remove ``element`` from its tree but keep the text that follows it."""
    parent = element.getparent()
    previous = element.getprevious()
    if element.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# What a heading carries that belongs to the text only: note calls (pandoc's, or
# the PDF's inline notes), margin notes, the address printed after a link.
NOT_IN_LABELS = (".//a[@role='doc-noteref'] | .//*[contains(concat(' ', @class, ' '), ' footnote ')]"
                 " | .//*[contains(concat(' ', @class, ' '), ' marginnote ')] | .//*[contains(concat(' ', @class, ' '), ' url-after ')]")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\u00ad"))


def heading_label(heading: HtmlElement) -> str:
    """A heading's text as contents, running heads, bookmarks and navigation show it: without its notes.

    A note or a link's address inside a heading stays in the text only
    (pandoc copies it everywhere, jgm/pandoc#2883).
    """
    import copy

    label = copy.deepcopy(heading)
    label.tail = None
    for mark in label.xpath(NOT_IN_LABELS):
        remove_keeping_tail(mark)
    return " ".join(label.text_content().translate(INVISIBLE).split())
