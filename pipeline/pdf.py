"""The printed edition: a book page laid out by WeasyPrint from the HTML body."""

from __future__ import annotations

import copy
import logging
from pathlib import Path

from lxml import etree
from lxml.html import HtmlElement
from lxml.html import builder as E

from .errors import RenderError
from .fetch import SafeFetcher
from .render import Rendered, authors_line, format_date
from .terms import localised

log = logging.getLogger(__name__)

# Block elements a note may hold become spans: a note sits inside a paragraph,
# where HTML parsing would otherwise close the paragraph at the first block.
NOTE_BLOCKS = {"p", "div", "blockquote", "ul", "ol", "li", "pre", "dl", "dt", "dd", "table", "figure", "hr"}


def book_html(rendered: Rendered) -> str:
    """The whole HTML page WeasyPrint lays out: title page, contents, text."""
    doc = rendered.document
    settings = doc.settings
    body = copy.deepcopy(rendered.body)
    inline_footnotes(body)
    for image in body.iter("img"):
        image.set("src", Path(image.get("src")).as_uri() if image.get("src", "").startswith("/") else image.get("src"))

    head = E.HEAD(E.META(charset="utf-8"), E.TITLE(doc.title))
    if settings.author:
        head.append(E.META(name="author", content=authors_line(settings.author, doc.lang)))
    if settings.description:
        head.append(E.META(name="description", content=settings.description))
    if settings.keywords:
        head.append(E.META(name="keywords", content=", ".join(settings.keywords)))
    head.append(E.META(name="dcterms.created", content=settings.date.isoformat()))
    head.append(E.META(name="dcterms.modified", content=settings.date.isoformat()))
    head.append(E.META(name="generator", content="make-book"))

    title_page = E.SECTION(E.CLASS("titlepage"), E.H1(E.CLASS("title"), doc.title))
    if settings.subtitle:
        title_page.append(E.P(E.CLASS("subtitle"), settings.subtitle))
    if settings.author:
        title_page.append(E.P(E.CLASS("author"), authors_line(settings.author, doc.lang)))
    title_page.append(E.P(E.CLASS("date"), format_date(settings.date, doc.lang)))

    page_body = E.BODY(title_page)
    front = front_matter_pages(rendered)
    if front is not None:
        page_body.append(front)
    toc = table_of_contents(body, doc.lang)
    if toc is not None:
        page_body.append(toc)
    main = E.MAIN(*list(body))
    if doc.draft:
        page_body.set("class", "draft")
    page_body.append(main)
    page = E.HTML(head, page_body, lang=doc.lang)
    return "<!DOCTYPE html>\n" + etree.tostring(page, encoding="unicode", method="html")


def front_matter_pages(rendered: Rendered) -> HtmlElement | None:
    settings = rendered.document.settings
    if not (settings.abstract or settings.epigraph):
        return None
    section = E.SECTION(E.CLASS("frontmatter"))
    if settings.epigraph:
        section.append(E.BLOCKQUOTE(E.CLASS("epigraph"), E.P(settings.epigraph)))
    if settings.abstract:
        section.append(E.DIV(E.CLASS("abstract"), E.H2(localised("abstract", rendered.lang)),
                             E.P(settings.abstract)))
    return section


def table_of_contents(body: HtmlElement, lang: str) -> HtmlElement | None:
    """Contents with page numbers, from the top-level sections (two or more)."""
    headings = [h for h in body.iter("h2") if h.getparent() is not None and h.getparent().get("id")]
    if len(headings) < 2:
        return None
    items = []
    for heading in headings:
        target = heading.getparent().get("id")
        items.append(E.LI(E.A(heading.text_content(), href=f"#{target}")))
    return E.NAV(E.CLASS("toc"), E.H2(localised("contents", lang)), E.OL(*items))


def inline_footnotes(body: HtmlElement) -> None:
    """Move each note's text to its call, where ``float: footnote`` can place it."""
    notes = {li.get("id"): li for li in body.xpath(".//section[@role='doc-endnotes']//li[@id]")}
    for call in body.xpath(".//a[@role='doc-noteref']"):
        note_id = (call.get("href") or "").lstrip("#")
        source = notes.get(note_id)
        if source is None:
            continue
        note = E.SPAN(E.CLASS("footnote"), id=note_id)
        note.text = source.text
        for child in list(source):
            note.append(child)
        for back in note.xpath(".//a[@role='doc-backlink']"):
            _drop(back)
        for element in note.iter():
            if element is not note and element.tag in NOTE_BLOCKS:
                element.set("class", f"fn-{element.tag} " + (element.get("class") or ""))
                element.tag = "span"
        note.tail = call.tail
        call.getparent().replace(call, note)
    for section in body.xpath(".//section[@role='doc-endnotes']"):
        section.getparent().remove(section)


def write_pdf(rendered: Rendered, target: Path, *, stylesheets: list[Path], fetcher: SafeFetcher,
              variant: str | None = None) -> int:
    """Lay out and write the PDF to ``target``; return its page count."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    page = book_html(rendered)
    fonts = FontConfiguration()
    try:
        sheets = [CSS(filename=str(path), font_config=fonts, url_fetcher=fetcher) for path in stylesheets]
        sheets.append(CSS(string=page_size_css(rendered.document.settings.paper), font_config=fonts))
        document = HTML(string=page, base_url=str(rendered.document.manuscript.path), url_fetcher=fetcher).render(
            stylesheets=sheets, font_config=fonts)
        document.write_pdf(target, pdf_variant=variant, pdf_identifier=_identifier(rendered),
                           uncompressed_pdf=False)
    except RenderError:
        raise
    except Exception as exc:  # WeasyPrint raises many kinds; report them for this manuscript
        raise RenderError(f"WeasyPrint could not lay out the PDF: {exc}", path=rendered.document.manuscript.path,
                          hint="run with --debug for details; check the styles and images") from exc
    return len(document.pages)


PAPER = {"A5": "148mm 210mm", "A4": "210mm 297mm", "6x9in": "6in 9in", "letter": "8.5in 11in"}


def page_size_css(paper: str) -> str:
    return f"@page {{ size: {PAPER[paper]}; }}"


def _identifier(rendered: Rendered) -> bytes:
    import hashlib

    seed = f"{rendered.document.manuscript.slug}|{rendered.document.title}"
    return hashlib.md5(seed.encode("utf-8")).hexdigest().encode("ascii")


def _drop(element: HtmlElement) -> None:
    """Remove ``element`` but keep the text that follows it."""
    parent = element.getparent()
    previous = element.getprevious()
    if element.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
