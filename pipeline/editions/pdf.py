"""The printed edition: a book page laid out by WeasyPrint from the HTML body."""

from __future__ import annotations

import copy
import functools
import logging
import re
import unicodedata
from pathlib import Path

from lxml import etree
from lxml.html import HtmlElement
from lxml.html import builder as E

from ..errors import RenderError
from .fetch import SafeFetcher
from .blocks import BROKEN, LANDSCAPE, LEGIBLE_PT, fit_tables, overflowing_tables, shape_blocks, small_images
from .breaks import impose_breaks, needs_breaks, plan_breaks, settle_breaks
from .hyphens import BLOCK_KEY, KEEP_CLASS, SPLIT_CLASS, hyphen_faults, mark_words, number_blocks
from .lines import break_addresses, keep_names_whole
from ..render import Rendered, heading_label, remove_keeping_tail, title_page
from .math import typeset_math
from ..terms import authors_line
from ..terms import localised

log = logging.getLogger(__name__)

# Block elements a note may hold become spans: a note sits inside a paragraph,
# where HTML parsing would otherwise close the paragraph at the first block.
# Blocks whose widows and orphans may be relaxed to keep a note on its call's page.
RELAXABLE = {"p", "li", "dd", "blockquote", "h2", "h3", "h4", "figcaption"}
LAYOUT_PASSES = 5
TEXT_SIZE = 10.5  # points: the body text of book.css, which formulas are drawn at
NOTE_BLOCKS = {"p", "div", "blockquote", "ul", "ol", "li", "pre", "dl", "dt", "dd", "table", "figure", "hr"}


def book_html(rendered: Rendered) -> str:
    """The whole HTML page WeasyPrint lays out: title page, contents, text."""
    return serialise(book_tree(rendered))


def serialise(page: HtmlElement) -> str:
    return "<!DOCTYPE html>\n" + etree.tostring(page, encoding="unicode", method="html")


# A short essay is set as an article: its title opens the first page of text,
# with no separate title and contents pages.
ARTICLE_SECTIONS = 3
ARTICLE_PAGES = 5


def sections_of(body: HtmlElement) -> list[HtmlElement]:
    """The top-level sections of the text (an ``h2`` each), the bibliography left out."""
    return [h for h in body.iter("h2") if h.getparent() is not None and h.getparent().get("id")
            and h.getparent().get("id") not in ("bibliography", "refs")]


def book_tree(rendered: Rendered, *, article: bool | None = None) -> HtmlElement:
    """The page as an lxml tree, so layout passes can adjust it.

    ``article``: set the essay as an article (title at the head of the first
    page of text, no contents page); by default, when it has at most
    ``ARTICLE_SECTIONS`` sections. Otherwise it is set as a book: title page,
    contents, and the text opening on a right-hand page.
    """
    doc = rendered.document
    settings = doc.settings
    body = copy.deepcopy(rendered.body)
    typeset_math(body, font_size=TEXT_SIZE,
                 warn=lambda message, tex: doc.warn(message, doc.manuscript.line_of(tex) if tex else None))
    print_addresses(body, doc.settings.print_urls)
    inline_footnotes(body)
    number_margin_notes(body)
    break_addresses(body)
    keep_names_whole(body)
    shape_blocks(body)
    number_blocks(body)
    for heading in body.xpath(".//h1 | .//h2 | .//h3 | .//h4 | .//h5 | .//h6"):
        heading.set("data-label", heading_label(heading))  # running heads and bookmarks: no notes
    for image in body.iter("img"):
        image.set("src", Path(image.get("src")).as_uri() if image.get("src", "").startswith("/") else image.get("src"))

    head = E.HEAD(E.META(charset="utf-8"), E.TITLE(doc.edition_title))
    if settings.author:
        head.append(E.META(name="author", content=authors_line(settings.author, doc.lang)))
    if settings.description:
        head.append(E.META(name="description", content=settings.description))
    if settings.keywords:
        head.append(E.META(name="keywords", content=", ".join(settings.keywords)))
    head.append(E.META(name="dcterms.created", content=settings.date.isoformat()))
    head.append(E.META(name="dcterms.modified", content=settings.date.isoformat()))
    head.append(E.META(name="generator", content="make-book"))

    if article is None:  # a book of essays is always set as a book
        article = not doc.book and len(sections_of(body)) <= ARTICLE_SECTIONS
    opening = title_page(rendered)
    page_body = E.BODY(opening)
    if doc.book:  # a book of essays: its half-title, then its contents of parts and chapters
        from ..books.matter import book_contents, half_title

        page_body.insert(0, half_title(doc.title))
    front = front_matter_pages(rendered)
    if front is not None:
        page_body.append(front)
    toc = None if article else book_contents(body, doc.lang) if doc.book else table_of_contents(body, doc.lang)
    if toc is not None:
        page_body.append(toc)
    main = E.MAIN(*list(body))
    page_body.set("class", " ".join(["article" if article else "book"] + (["collection"] if doc.book else [])
                                    + (["draft"] if doc.draft else [])))
    page_body.append(main)
    return E.HTML(head, page_body, lang=doc.lang)


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
        items.append(E.LI(E.A(heading_label(heading), href=f"#{target}")))
    return E.NAV(E.CLASS("toc"), E.H2(localised("contents", lang)), E.OL(*items))


def print_addresses(body: HtmlElement, mode: str) -> None:
    """Give paper readers the address of each external link that is not already a citation.

    ``note``: the address in a footnote; ``after``: in brackets after the text.
    Citations already lead to the bibliography, and a link whose text is its
    address needs nothing more.
    """
    if mode == "none":
        return
    for link in body.xpath(".//a[starts-with(@href, 'http')]"):
        href = link.get("href")  # tracking parameters already removed by sanitize
        text = link.text_content().strip()
        following = link.getnext()
        cited = following is not None and "citation" in (following.get("class") or "") and not (link.tail or "").strip()
        if cited or text.rstrip("/") in (href.rstrip("/"), href.split("://", 1)[-1].rstrip("/")):
            continue
        if link.xpath("ancestor::*[contains(@class, 'csl-entry') or @role='doc-endnotes' or @class='draft-note']"):
            if mode == "note" and link.xpath("ancestor::*[@role='doc-endnotes']"):
                _append_after(link, f" ({href})")
            continue
        if mode == "after" or not takes_note(link):
            _append_after(link, f" ({href})")
        else:
            note = E.SPAN(E.CLASS("footnote url-note"), E.SPAN(href, **{"class": "url"}))
            note.tail = link.tail
            link.tail = None
            link.addnext(note)


# Where a note cannot go: a caption is kept whole with its figure, so its note
# is often pushed off the page; in a heading it would reach the contents.
NO_NOTE_ANCESTORS = ("figcaption", "caption", "figure", "h1", "h2", "h3", "h4", "h5", "h6")


def takes_note(link: HtmlElement) -> bool:
    """Whether a link's address may go in a footnote rather than in brackets after it.

    Not in captions or headings, and not after a digit, where a call
    reads as an exponent ("chapitre 10²").
    """
    if any(a.tag in NO_NOTE_ANCESTORS for a in link.iterancestors()):
        return False
    text = link.text_content().rstrip()
    return not (text and text[-1].isdigit())


def _append_after(link: HtmlElement, text: str) -> None:
    shown = E.SPAN(text.strip(), **{"class": "url-after"})
    shown.tail = link.tail
    link.tail = " "
    link.addnext(shown)


def inline_footnotes(body: HtmlElement) -> None:
    """Move each note's text to its call, where ``float: footnote`` can place it."""
    notes = {li.get("id"): li for li in body.xpath(".//section[@role='doc-endnotes']//li[@id]")}
    for call in body.xpath(".//a[@role='doc-noteref']"):
        note_id = (call.get("href") or "").lstrip("#")
        source = notes.get(note_id)
        if source is None:
            continue
        note = E.SPAN(E.CLASS("footnote"), id=note_id)
        note.text = (source.text or "").lstrip() or None  # nothing between the number and the note's text
        for child in list(source):
            note.append(child)
        for back in note.xpath(".//a[@role='doc-backlink']"):
            remove_keeping_tail(back)
        for element in note.iter():
            if element is not note and element.tag in NOTE_BLOCKS:
                element.set("class", f"fn-{element.tag} " + (element.get("class") or ""))
                element.tag = "span"
        note.tail = call.tail
        glue_to_previous(call)
        call.getparent().replace(call, note)
    for section in body.xpath(".//section[@role='doc-endnotes']"):
        section.getparent().remove(section)
    for index, note in enumerate(body.xpath(".//span[contains(@class, 'url-note')]")):
        note.set("id", f"url{index + 1}")


WORD_JOINER = "\u2060"


def glue_to_previous(call: HtmlElement) -> None:
    """Forbid a line break before a note call: no space before it, a word joiner (U+2060) instead.

    A call belongs to the word or sign before it and never opens a line: the
    call becomes a floated box, before which WeasyPrint would otherwise allow a
    break; U+2060 is a no-break character under UAX #14 (class WJ).
    """
    previous = call.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "").rstrip() + WORD_JOINER
    else:
        parent = call.getparent()
        parent.text = (parent.text or "").rstrip() + WORD_JOINER


def write_pdf(rendered: Rendered, target: Path, *, stylesheets: list[Path], fetcher: SafeFetcher,
              variant: str | None = None) -> int:
    """Lay out and write the PDF to ``target``; return its page count."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from .footnotes import keep_notes_with_their_calls, number_note_pages

    keep_notes_with_their_calls()  # a note is never deferred to the next page to fit a line
    number_note_pages()  # the pages that carry only the end of a long note keep head and folio
    tree = book_tree(rendered)
    article = "article" in tree.find("body").get("class").split()
    fonts = FontConfiguration()
    try:
        sheets = [CSS(filename=str(path), font_config=fonts, url_fetcher=fetcher) for path in stylesheets]
        sheets.append(CSS(string=page_size_css(rendered.document.settings.paper), font_config=fonts))
        if rendered.document.draft:
            sheets.append(CSS(string=draft_css(rendered.lang), font_config=fonts))
        best = None
        hyphen_rounds = 0
        planned: dict = {}  # block key -> (Plan, the block as it was before its breaks were imposed)
        table_steps: dict[str, str] = {}
        for attempt in range(LAYOUT_PASSES):
            final = attempt == LAYOUT_PASSES - 1
            document = HTML(string=serialise(tree), base_url=str(rendered.document.manuscript.path),
                            url_fetcher=fetcher).render(stylesheets=sheets, font_config=fonts)
            if not article and not rendered.document.book and text_pages(document) < ARTICLE_PAGES and not final:
                # Under five pages of text: an article after all (no title or contents page).
                log.debug("%s: %d pages of text; set as an article", rendered.document.manuscript.where(),
                          text_pages(document))
                tree, article, best = book_tree(rendered, article=True), True, None
                continue
            overlong = overlong_notes(document)
            if overlong and not final:
                # WeasyPrint never splits a note: make-book cuts it into parts that each fit.
                log.debug("%s: notes %s too long for one page; continued on the next (pass %d)",
                          rendered.document.manuscript.where(), ", ".join(sorted(overlong)), attempt + 2)
                continue_notes(tree, overlong)
                best = None
                continue
            wide = overflowing_tables(document, BLOCK_KEY)
            if wide and not final:
                taken = fit_tables(tree.find("body"), wide, BLOCK_KEY)
                if taken:
                    log.debug("%s: tables too wide, %s (pass %d)", rendered.document.manuscript.where(),
                              ", ".join(sorted(taken.values())), attempt + 2)
                    table_steps.update(taken)
                    best = None
                    continue
            # The corrections of one layout go into the next together: each new layout costs as much as the first.
            misplaced = misplaced_notes(document)
            flipped = place_margin_notes(document, tree)
            faults: list = []  # what the next layout corrects: imposed or restored plans, words marked
            if hyphen_rounds < HYPHEN_PASSES and not final and len(document.pages) <= HYPHEN_PASS_PAGES:
                hyphen_rounds += 1
                body = tree.find("body")
                if hyphen_rounds == 1 and needs_breaks(document):
                    # Paragraph-wide breaks (Knuth-Plass) where WeasyPrint's greedy ones hyphenate or loosen lines.
                    for plan, saved in impose_breaks(body, plan_breaks(document)):
                        planned[plan.block] = (plan, saved)
                        faults.append(plan)
                    log.debug("%s: paragraph-wide breaks imposed on %d paragraphs (pass %d)",
                              rendered.document.manuscript.where(), len(planned), attempt + 2)
                elif planned:
                    # Paragraphs that did not take their breaks, or end a page with a hyphen, are set again.
                    changed = settle_breaks(document, body, planned)
                    faults.extend(changed)
                    if changed:
                        log.debug("%s: paragraph-wide breaks set again in %d paragraphs (pass %d)",
                                  rendered.document.manuscript.where(), len(changed), attempt + 2)
                keep, split = hyphen_faults(document, split_loose=hyphen_rounds < HYPHEN_PASSES)
                keep = {fault for fault in keep if fault.block not in planned}
                split = {fault for fault in split if fault.block not in planned}
                faults.extend(keep | split)
                if keep or split:
                    log.debug("%s: keeping %s whole (hyphen rules), letting %s split (loose lines), pass %d",
                              rendered.document.manuscript.where(), ", ".join(sorted(f.word for f in keep)),
                              ", ".join(sorted(f.word for f in split)), attempt + 2)
                    mark_words(tree.find("body"), keep, KEEP_CLASS)
                    mark_words(tree.find("body"), split, SPLIT_CLASS)
            if not final:
                starved = [note for note in starved_pages(document) if not _relaxed(tree, note)]
                if starved:
                    # A page left mostly empty: the paragraph after it moved whole because its notes did not fit
                    # under its first line with two lines of it (orphans); one line and its notes stay instead.
                    log.debug("%s: a page left mostly empty before the call of notes %s; relaxing orphans there "
                              "(pass %d)", rendered.document.manuscript.where(), ", ".join(starved), attempt + 2)
                    relax_around(tree, set(starved))
                    faults.append(starved)
            if best is None or len(misplaced) < len(best[1]) or (
                    not flipped and not faults and len(misplaced) == len(best[1])):
                best = (document, misplaced)
            if (not misplaced and not flipped and not faults) or final:
                break
            if misplaced:
                log.debug("%s: notes %s off their call's page; relaxing widows there (pass %d)",
                          rendered.document.manuscript.where(), ", ".join(sorted(misplaced)), attempt + 2)
                relax_around(tree, misplaced)
        # Each correction moves every page after it: keep the layout with the fewest misplaced notes.
        document, misplaced = best
        report_refused(rendered, fetcher)
        report_missing_glyphs(rendered, tree, [path.parent / "fonts" for path in stylesheets])
        report_misplaced(rendered, tree, misplaced)
        report_overlong(rendered, overlong_notes(document))
        report_wide_tables(rendered, tree, table_steps, overflowing_tables(document, BLOCK_KEY))
        report_small_images(rendered, small_images(document, rendered.document.manuscript.path.as_uri()))
        document.write_pdf(target, pdf_variant=variant, pdf_identifier=_identifier(rendered),
                           uncompressed_pdf=False)
    except RenderError:
        raise
    except Exception as exc:  # WeasyPrint raises many kinds; report them for this manuscript
        log.debug("%s: the PDF layout failed", rendered.document.manuscript.where(), exc_info=True)
        raise RenderError(f"WeasyPrint could not lay out the PDF: {exc}", path=rendered.document.manuscript.path,
                          hint="run with --debug for details; check the styles and images") from exc
    return len(document.pages)


# A whole new layout costs as much as the first: books longer than this keep WeasyPrint's hyphens.
HYPHEN_PASS_PAGES = 40
HYPHEN_PASSES = 2


def text_pages(document) -> int:
    """The number of pages from the first page of the text (``<main>``) to the end."""
    for number, page in enumerate(document.pages):
        if any(getattr(box, "element_tag", None) == "main" for box in _boxes(page._page_box)):
            return len(document.pages) - number
    return len(document.pages)


def report_refused(rendered: Rendered, fetcher: SafeFetcher) -> None:
    """What WeasyPrint asked for and did not get: a file outside the project stops the build."""
    document = rendered.document
    for url in dict.fromkeys(fetcher.refused):
        line = document.manuscript.line_of(url) or document.manuscript.line_of(url.split("/")[-1] or url)
        if url.startswith("file:"):
            raise RenderError(f"the book asks for {url}, which is outside the project folder",
                              path=document.manuscript.path, line=line,
                              hint="only files inside the project can be used; copy the file into the project")
        message = f"{url[:100]} is on the network and was not fetched"
        if document.settings.remote_resources == "error":
            raise RenderError(message, path=document.manuscript.path, line=line,
                              hint="save the resource in the project, or set remote_resources = \"warn\"")
        document.warn(message, line)


def report_wide_tables(rendered: Rendered, tree: HtmlElement, steps: dict[str, str], still: set[str]) -> None:
    """Say so, with its line, when a table did not fit the text block at 7pt (the legibility limit).

    A table set on a landscape page, or whose words had to break anywhere in
    its cells, or that still runs past its cells, is named by its first cell.
    """
    document = rendered.document
    tables = tree.xpath("//table")
    for key in sorted(set(steps) | still, key=int):
        found = [t for t in tables if t.get(BLOCK_KEY) == key]
        cells = [c.text_content().strip() for c in found[0].iter("th", "td")] if found else []
        first = next((c for c in cells if c), "")
        same = sum(1 for t in tables[:tables.index(found[0])] if first in t.text_content()) if found else 0
        line = document.manuscript.line_of(first, same) if first else None
        label = f"the table starting \"{first[:40]}\"" if first else "a table"
        if key in still:
            document.warn(f"{label} is too wide for the page and runs past its cells in the PDF; "
                          "give it fewer or narrower columns", line)
        elif steps.get(key) == BROKEN:
            document.warn(f"{label} is too wide even on a landscape page at 7pt: its cells break words anywhere; "
                          "give it fewer or narrower columns", line)
        elif steps.get(key) == LANDSCAPE:
            document.warn(f"{label} is too wide for the text block at 7pt and is set on a landscape page; "
                          "give it fewer or narrower columns to keep it in the text", line)


def report_small_images(rendered: Rendered, small: list[tuple[str, float, float]]) -> None:
    """Warn, with its line, about each image scaled down so far that the text in it is under the limit."""
    from urllib.parse import unquote

    document = rendered.document
    for src, scale, smallest in small:
        name = unquote(src.rsplit("/", 1)[-1])
        document.warn(f"image {name} is scaled to {scale:.0%} to fit the page: its text prints at about "
                      f"{smallest:.1f}pt, under the {LEGIBLE_PT:g}pt legibility limit; crop it, split it or "
                      "enlarge its text", document.manuscript.line_of(name))


def report_misplaced(rendered: Rendered, tree: HtmlElement, misplaced: set[str]) -> None:
    """Warn about notes printed on another page than their call, naming each one and its line.

    Footnotes are named by their number (``fn3`` is note 3); the note that
    gives a link's address (``url2``) by that address.
    """
    if not misplaced:
        return
    document = rendered.document
    numbered = sorted((n for n in misplaced if n.startswith("fn") and n[2:].isdigit()), key=lambda n: int(n[2:]))
    if numbered:
        numbers = ", ".join(n[2:] for n in numbered)
        document.warn(f"note(s) {numbers} printed on the page after their call (WeasyPrint could not "
                      "fit them); shortening those notes or the paragraph around them helps",
                      note_line(document.manuscript, int(numbered[0][2:])))
    for note_id in sorted(misplaced - set(numbered)):
        found = tree.xpath("//span[@id=$id]", id=note_id)
        address = found[0].text_content().strip() if found else note_id
        document.warn(f"the address of the link to {address} is printed on the page after the link (WeasyPrint "
                      "could not fit it); shortening the text around the link helps",
                      document.manuscript.line_of(address))


NOTE_REFERENCE = re.compile(r"\[\^[^\]\s]+\](?!:)|\^\[")


def note_line(manuscript, number: int) -> int | None:
    """The line of the ``number``-th note call (``[^label]`` or ``^[inline]``) in the manuscript, if found."""
    calls = list(NOTE_REFERENCE.finditer(manuscript.body))
    if not 0 < number <= len(calls):
        return None
    return manuscript.body_line + manuscript.body.count("\n", 0, calls[number - 1].start())


# The share of a page's text block one part of a long note may take.
NOTE_PART = 0.45
CONTINUED = "continued"


def overlong_notes(document) -> dict[str, float]:
    """Notes taller than a page can show, as {note id: note height / room for one part}.

    WeasyPrint lays each note out whole (``@footnote`` is never split across
    pages, WeasyPrint issue #1833): a note taller than the footnote area runs
    off the page and its end is printed nowhere.
    """
    found: dict[str, float] = {}
    for page in document.pages:
        page_box = page._page_box
        bottom = page_box.content_box_y() + page_box.height
        for area in page_box.children:
            if type(area).__name__ != "FootnoteAreaBox":
                continue
            area_bottom = area.content_box_y() + area.height
            for note in area.children:
                element = getattr(note, "element", None)
                if element is None or not element.get("id"):
                    continue
                note_bottom = note.position_y + note.margin_height()
                if note_bottom > min(bottom, area_bottom) + 1 or note.position_y < page_box.content_box_y() - 1:
                    found[element.get("id")] = note.margin_height() / (NOTE_PART * page_box.height)
    return found


SENTENCE_END = re.compile(r"[.!?…](?:[»”)\]\u202f\u00a0 ]*)\s+")


def continue_notes(tree: HtmlElement, overlong: dict[str, float]) -> None:
    """Cut each overlong note into parts; the parts after the first continue on the next pages.

    A part ends at a sentence end where one falls in the last third of its
    share, else between words. The parts after the first are notes with no call
    and no number (class ``continued``), set just after the first part: the
    room left on the call's page cannot hold them, so WeasyPrint carries them
    to the foot of the following page(s), as a book continues a long note.
    """
    import math

    for note_id, ratio in overlong.items():
        found = tree.xpath("//span[@id=$id]", id=note_id)
        if not found:
            continue
        note = found[0]
        text = note.text_content()
        parts = max(2, math.ceil(ratio))
        cuts = []
        for k in range(1, parts):
            target = len(text) * k // parts
            floor = len(text) * (k - 1) // parts + (len(text) // parts) * 2 // 3
            ends = [m.end() for m in SENTENCE_END.finditer(text, floor, target + 1) if m.end() <= target]
            if ends:
                cuts.append(ends[-1])
            else:
                space = text.rfind(" ", 0, target)
                cuts.append(space + 1 if space > floor else target)
        bounds = [0, *cuts, len(text)]
        pieces = []
        for index, (start, stop) in enumerate(zip(bounds, bounds[1:])):
            piece = copy.deepcopy(note)
            piece.tail = None
            _keep_range(piece, start, stop)
            if index:
                piece.set("id", f"{note_id}-{CONTINUED}{index}")
                _add_class(piece, CONTINUED)
                piece.text = (piece.text or "").lstrip()
            pieces.append(piece)
        pieces[-1].tail = note.tail
        parent = note.getparent()
        position = parent.index(note)
        parent.remove(note)
        for offset, piece in enumerate(pieces):
            parent.insert(position + offset, piece)


def _keep_range(element: HtmlElement, start: int, stop: int, position: int = 0) -> int:
    """Keep only the characters in [start, stop) of ``element``'s text content; return the end position."""

    def cut(text: str | None, at: int) -> str:
        text = text or ""
        return text[max(0, start - at):max(0, stop - at)]

    text = element.text or ""
    element.text = cut(text, position) or None
    position += len(text)
    for child in list(element):
        if not isinstance(child.tag, str):
            continue
        child_start = position
        position = _keep_range(child, start, stop, position)
        tail = child.tail or ""
        child.tail = cut(tail, position) or None
        outside = position <= start if position > child_start else not start <= child_start < stop
        if outside or child_start >= stop:
            remove_keeping_tail(child)
        position += len(tail)
    return position


def report_overlong(rendered: Rendered, overlong: dict[str, float]) -> None:
    """Say so, naming each note, when a note still runs off its page: part of its text is not printed."""
    for note_id in sorted(overlong):
        base = note_id.split(f"-{CONTINUED}")[0]
        number = base[2:] if base.startswith("fn") and base[2:].isdigit() else None
        line = note_line(rendered.document.manuscript, int(number)) if number else None
        name = f"note {number}" if number else f"the note {note_id}"
        rendered.document.warn(f"{name} is too long for the page and its end is cut off in the PDF; "
                               "split it into shorter notes", line)


FALLBACK_FONTS = ("Debian packages: fonts-noto-color-emoji (emoji), fonts-noto-cjk (Chinese, Japanese, Korean), "
                  "fonts-noto-core (other scripts), fonts-symbola (symbols)")


def report_missing_glyphs(rendered: Rendered, tree: HtmlElement, font_dirs: list[Path]) -> None:
    """Warn, with its line, about each character that neither the house fonts nor any installed font has.

    WeasyPrint (Pango) takes a missing glyph from any font fontconfig knows, so
    an emoji prints when an emoji font is installed; when none has it, the
    page shows an empty box while the text layer is right. The check reads the
    house fonts' character maps (fontTools) and asks fontconfig (``fc-list
    :charset=…``) about the rest.
    """
    chars = sorted({c for c in tree.text_content() if _outside_latin(c) and _printable(c)})
    if not chars:
        return  # the usual case: reading the fonts' maps would cost a tenth of a second
    covered: set[int] = set()
    for folder in font_dirs:
        for font in sorted(folder.glob("*.[ot]tf")) if folder.is_dir() else ():
            covered |= _character_map(font)
    missing = [c for c in chars if ord(c) not in covered and not _installed_font_has(c)]
    manuscript = rendered.document.manuscript
    for char in missing[:20]:
        rendered.document.warn(f"character {char} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}) has no glyph "
                               "in any installed font and prints as an empty box; install a font that has it "
                               f"({FALLBACK_FONTS}) or leave the character out", manuscript.line_of(char))
    if len(missing) > 20:
        rendered.document.warn(f"{len(missing) - 20} more characters have no glyph in any installed font")


def _outside_latin(char: str) -> bool:
    """Beyond Latin letters (up to Latin Extended-B) and general punctuation and currency signs,
    which any text face for a Latin-script book draws; those are not checked."""
    code = ord(char)
    return code > 0x24F and not 0x2000 <= code <= 0x20CF


def _printable(char: str) -> bool:
    """Whether a character is drawn (not a control, format character, space or variation selector)."""
    return unicodedata.category(char) not in ("Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cs") and not (
        "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef")


@functools.lru_cache(maxsize=None)
def _character_map(font: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(font, lazy=True) as face:
            return frozenset(face.getBestCmap() or ())
    except Exception:  # an unreadable font covers nothing; WeasyPrint reports it itself
        return frozenset()


@functools.lru_cache(maxsize=None)
def _installed_font_has(char: str) -> bool:
    """Whether fontconfig knows a font with ``char``; True when fontconfig cannot be asked."""
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True
    found = subprocess.run([fc_list, f":charset={ord(char):x}", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip()) or found.returncode != 0


def misplaced_notes(document) -> set[str]:
    """Ids of notes whose text does not start on the page of their call."""
    calls: dict[str, int] = {}
    starts: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for box in _boxes(page._page_box):
            tag = getattr(box, "element_tag", None) or ""
            element = getattr(box, "element", None)
            if element is None:
                continue
            if CONTINUED in (element.get("class") or "").split():
                continue  # a continued note's parts are on later pages by design
            if tag.endswith("::footnote-call"):
                calls.setdefault(element.get("id"), number)
            elif tag.endswith("::footnote-marker"):
                starts.setdefault(element.get("id"), number)
    return {note for note, page in calls.items() if starts.get(note) != page}


#: A page whose text stops this far (share of the page's height) above the room it has is left "mostly empty".
STARVED_SHARE = 0.4


def starved_pages(document) -> list[str]:
    """Notes called in the first paragraph of a page that follows a page left mostly empty.

    WeasyPrint moves a line to the next page when its notes do not fit under
    it (``footnote-policy: line``), and orphans then take the paragraph's
    first line along: a long note called early in a paragraph can leave the
    page before it nearly blank. Returns the ids of the notes called in that
    first paragraph (block of ``RELAXABLE``), in page order; a page followed by
    a block without note calls (a chapter's heading, a figure) is not counted.
    """
    found: list[str] = []
    pages = [page._page_box for page in document.pages]
    for before, after in zip(pages, pages[1:]):
        flow = [child for child in before.children if type(child).__name__ not in ("FootnoteAreaBox", "MarginBox")]
        lines = [box for child in flow for box in _boxes(child) if type(box).__name__ == "LineBox"]
        if not lines:
            continue
        room = before.content_box_y() + before.height
        for area in before.children:
            if type(area).__name__ == "FootnoteAreaBox" and area.children:
                room -= area.margin_height()
        text_bottom = max(line.position_y + line.height for line in lines)
        if room - text_bottom < STARVED_SHARE * before.height:
            continue
        first = next((box for child in after.children if type(child).__name__ not in ("FootnoteAreaBox", "MarginBox")
                      for box in _boxes(child) if getattr(box, "element_tag", None) in RELAXABLE
                      and type(box).__name__.endswith("BlockBox")), None)
        if first is None:
            continue
        for box in _boxes(first):
            element = getattr(box, "element", None)
            if (getattr(box, "element_tag", None) or "").endswith("::footnote-call") and element is not None:
                if element.get("id") and element.get("id") not in found:
                    found.append(element.get("id"))
                break  # the first call is enough: relaxing its paragraph lets the first line stay
    return found


def _relaxed(tree: HtmlElement, note_id: str) -> bool:
    """Whether the block holding the call of ``note_id`` is already relaxed (so relaxing again changes nothing)."""
    found = tree.xpath("//span[@id=$id]", id=note_id)
    holder = next((a for a in found[0].iterancestors() if a.tag in RELAXABLE), None) if found else None
    return holder is None or "relaxed" in (holder.get("class") or "").split()


def place_margin_notes(document, tree: HtmlElement) -> bool:
    """Put each margin note in the outer margin: the left one on left-hand pages.

    Which page a note falls on is only known after layout; a note's side does
    not change the text's layout, so one more pass settles it. Returns whether
    any note changed side.
    """
    verso: dict[str, bool] = {}
    for number, page in enumerate(document.pages):
        left_page = number % 2 == 1  # the first page is a right-hand page
        for box in _boxes(page._page_box):
            element = getattr(box, "element", None)
            if element is not None and "marginnote" in (element.get("class") or "").split() and element.get("id"):
                verso.setdefault(element.get("id"), left_page)
    changed = False
    for note in tree.iter("span"):
        classes = (note.get("class") or "").split()
        if "marginnote" not in classes or note.get("id") not in verso:
            continue
        if verso[note.get("id")] != ("verso" in classes):
            classes = [c for c in classes if c != "verso"] + (["verso"] if verso[note.get("id")] else [])
            note.set("class", " ".join(classes))
            changed = True
    return changed


def number_margin_notes(body: HtmlElement) -> None:
    for index, note in enumerate(body.xpath(".//span[contains(concat(' ', @class, ' '), ' marginnote ')]")):
        note.set("id", note.get("id") or f"marginnote-{index + 1}")


def relax_around(tree: HtmlElement, notes: set[str]) -> None:
    """Let the blocks around each misplaced note's call take single widows and orphans.

    WeasyPrint 70 can lose track of a note when it moves lines to satisfy
    widows or orphans after the note was placed; relaxing only there keeps
    two-line widows and orphans everywhere else. When a heading follows the
    call closely, moving it back with the text it must not leave is what loses
    the note: that heading then starts a new page.
    """
    blocks = [e for e in tree.iter() if isinstance(e.tag, str) and e.tag in RELAXABLE
              and not any(a.get("class") == "footnote" for a in e.iterancestors())]
    for note_id in notes:
        found = tree.xpath(f"//span[@id='{note_id}']")
        if not found:
            continue
        holder = next((a for a in found[0].iterancestors() if a.tag in RELAXABLE), None)
        if holder is None or holder not in blocks:
            continue
        start = blocks.index(holder)
        for block in blocks[max(0, start - 1):start + 4]:
            _add_class(block, "relaxed")
        heading = next((b for b in blocks[start + 1:start + 4] if b.tag in ("h2", "h3", "h4")), None)
        if heading is not None:
            _add_class(heading.getparent() if heading.getparent().tag == "section" else heading, "new-page")


def _add_class(element: HtmlElement, name: str) -> None:
    classes = (element.get("class") or "").split()
    if name not in classes:
        element.set("class", " ".join([*classes, name]))


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


PAPER = {"A5": "148mm 210mm", "A4": "210mm 297mm", "6x9in": "6in 9in", "letter": "8.5in 11in"}


def draft_css(lang: str) -> str:
    """A 'draft' mark at the foot of every page, title page included.

    At the foot, between the page numbers: at the head it would share the line
    with the running head, which then wraps to two lines beside it.
    """
    mark = localised("draft", lang).upper()
    return ("@page { @bottom-center { content: '%s'; font: bold 7pt/1 'Charis SIL', serif; color: #a11; "
            "letter-spacing: 0.2em; vertical-align: top; padding-top: 5.5mm; } }" % mark)


def page_size_css(paper: str) -> str:
    """The paper size, and the same paper turned sideways for the named page ``landscape`` (wide tables)."""
    width, height = PAPER[paper].split()
    return f"@page {{ size: {width} {height}; }} @page landscape {{ size: {height} {width}; }}"


def _identifier(rendered: Rendered) -> bytes:
    import hashlib

    seed = f"{rendered.document.manuscript.slug}|{rendered.document.title}"
    return hashlib.md5(seed.encode("utf-8")).hexdigest().encode("ascii")
