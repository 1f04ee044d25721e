"""The EPUB 3 edition, written with ebooklib from the HTML body.

One XHTML file per top-level section; notes sit at the end of the file that
calls them (so reading systems can show them as pop-ups); the bibliography has
its own file; every internal link is rewritten to the file that holds its
target. The zip is repacked with fixed timestamps so that the same inputs and
``SOURCE_DATE_EPOCH`` give the same bytes.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import logging
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from lxml import etree
from lxml.builder import ElementMaker
from lxml.html import HtmlElement, html_to_xhtml
from lxml.html import builder as E

from ..config import build_time
from ..errors import RenderError
from ..sanitize import css_references, remote_or_outside
from ..render import Rendered, remove_keeping_tail, title_page
from ..terms import authors_line, format_date
from ..terms import localised
from .xhtml import describe_images, heading_text, make_valid_by_chapter

log = logging.getLogger(__name__)

XHTML_NS = "http://www.w3.org/1999/xhtml"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
EPUB_NS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = "data-epub-type"  # becomes epub:type when the page is serialised
STYLESHEET = "book.css"
FRAGMENT_SAFE = "-._~!$&'()*+,;=:@/?"  # RFC 3986 fragment characters kept as they are; the rest percent-encoded
FONT_MEDIA = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
IMAGE_MEDIA = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}


@dataclass
class Page:
    """One XHTML file of the book."""

    name: str  # file name inside the EPUB, e.g. "ch01.xhtml"
    title: str
    body: HtmlElement  # the <section> (or <div>) that becomes the page's body
    epub_type: str = "bodymatter chapter"
    toc: list[tuple[str, str, list]] = field(default_factory=list)  # (title, fragment, children)
    in_toc: bool = True
    part: str | None = None  # a book's chapter: the name of its part's page, under which the nav lists it


def write_epub(rendered: Rendered, target: Path, *, stylesheet: Path, fonts: list[Path],
               cover: Path | None) -> None:
    """Build the EPUB for ``rendered`` and write it to ``target``."""
    from ebooklib import epub

    doc = rendered.document
    settings = doc.settings
    lang = doc.lang
    body = copy.deepcopy(rendered.body)
    make_valid_by_chapter(body, doc, rendered.chapters)
    undescribed = describe_images(body, lang)
    keep_abbreviations_whole(body)
    wrap_tables(body)
    margin_notes_as_asides(body)
    pages = split_pages(body, doc.title, lang)
    attach_notes(body, pages, lang)
    link_across_pages(pages)
    images = collect_images(pages)

    book = epub.EpubBook()
    book.set_identifier(book_identifier(doc.manuscript.slug))
    book.set_title(doc.edition_title)
    book.set_language(lang)
    for index, author in enumerate(settings.author):
        book.add_author(author, uid=f"creator{index + 1}")
    book.add_metadata("DC", "date", settings.date.isoformat())
    if settings.description:
        book.add_metadata("DC", "description", settings.description)
    for keyword in settings.keywords:
        book.add_metadata("DC", "subject", keyword)
    add_accessibility_metadata(book, lang, has_images=bool(images),
                               conforms=not undescribed and all_images_described(pages))

    css = stylesheet.read_bytes()
    if any(remote_or_outside(address) for address in css_references(css.decode("utf-8", "replace"))):
        raise RenderError(f"the e-book stylesheet {stylesheet.name} loads something from the network or from outside the book",
                          path=stylesheet, hint="an EPUB must hold all its files: put fonts and images in styles/")
    book.add_item(epub.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css", content=css))
    text = "".join(page.body.text_content() for page in pages) + doc.title + "".join(settings.author)
    for index, font in enumerate(fonts):
        book.add_item(epub.EpubItem(uid=f"font{index}", file_name=f"fonts/{font.name}",
                                    media_type=FONT_MEDIA.get(font.suffix.lower(), "font/ttf"),
                                    content=subset_font(font, text)))
    for index, (name, source) in enumerate(sorted(images.items())):
        book.add_item(epub.EpubItem(uid=f"img{index}", file_name=name,
                                    media_type=IMAGE_MEDIA[Path(name).suffix.lower()], content=source.read_bytes()))

    cover_bytes, cover_name = cover_image(rendered, cover)
    cover_item = epub.EpubItem(uid="cover-image", file_name=cover_name,
                               media_type=IMAGE_MEDIA[Path(cover_name).suffix.lower()], content=cover_bytes)
    cover_item.properties = ["cover-image"]
    book.add_item(cover_item)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})

    cover_page = Page("cover.xhtml", localised("cover", lang), E.SECTION(
        E.IMG(src=cover_name, alt=f"{doc.title} — {authors_line(settings.author, lang)}".rstrip(" —"),
              **{"class": "cover"}), **{EPUB_TYPE: "cover"}), epub_type="cover", in_toc=False)
    title_page = Page("titlepage.xhtml", localised("titlepage", lang), title_page_body(rendered),
                      epub_type="frontmatter titlepage", in_toc=False)
    # A book opens as a printed one does: title page, contents (the navigation document, in the spine),
    # then the half-title just before the text, as Standard Ebooks places it (its "halftitlepage").
    front = [title_page, half_title_page(doc.title, settings.subtitle, lang)] if doc.book else [title_page]
    all_pages = [cover_page, *front, *pages]
    if doc.draft:
        for page in all_pages[1:]:
            page.body.insert(0, E.P(localised("draft", lang).upper(), **{"class": "draft-banner"}))
    items = {}
    for index, page in enumerate(all_pages):
        item = epub.EpubItem(uid=f"p{index}", file_name=page.name, media_type="application/xhtml+xml",
                             content=xhtml_page(page, lang))
        item.properties = ["svg"] if page.body.xpath(".//svg") else []
        if page.body.xpath(".//math"):
            item.properties.append("mathml")
        book.add_item(item)
        items[page.name] = item

    nav = epub.EpubItem(uid="nav", file_name="nav.xhtml", media_type="application/xhtml+xml",
                        content=nav_page(doc.title, all_pages, lang, in_spine=doc.book))
    nav.properties = ["nav"]
    book.add_item(nav)
    book.toc = ncx_toc(all_pages)
    book.add_item(epub.EpubNcx())
    book.spine = [items[page.name] for page in all_pages]
    if doc.book:  # the book's contents, read after its title page as in print
        book.spine.insert(2, nav)

    stream = io.BytesIO()
    try:
        epub.write_epub(stream, book, {"mtime": modified_time(), "epub3_pages": False})
    except Exception as exc:
        raise RenderError(f"the EPUB could not be written: {exc}", path=doc.manuscript.path,
                          hint="run with --debug for details") from exc
    target.write_bytes(repack(stream.getvalue(), lang))


# -- structure ---------------------------------------------------------------------


def split_pages(body: HtmlElement, title: str, lang: str) -> list[Page]:
    """The text's pages: what precedes the first section, each section, the bibliography."""
    pages: list[Page] = []
    prelude = E.SECTION(**{EPUB_TYPE: "bodymatter chapter", "role": "doc-chapter", "class": "prelude"})
    prelude.append(E.H1(title, **{"class": "title"}))
    has_prelude = False
    part: Page | None = None
    for child in list(body):
        if child.get("role") == "doc-endnotes":
            continue
        classes = (child.get("class") or "").split()
        if child.tag == "section" and "colophon" in classes:  # a book's colophon: back matter, in the landmarks
            child.set(EPUB_TYPE, "colophon")
            child.set("role", "doc-colophon")
            heading = child.find("h2")
            pages.append(Page("colophon.xhtml", heading_text(heading) if heading is not None else title, child,
                              epub_type="backmatter colophon", in_toc=False))
            part = None
        elif child.tag == "section" and "level2" in classes:
            heading = child.find("h2")
            head_text = (heading_text(heading) if heading is not None else "") or title
            if child.get("id") == "bibliography":
                child.set(EPUB_TYPE, "bibliography")
                child.set("role", "doc-bibliography")
                pages.append(Page("bibliography.xhtml", head_text, child, epub_type="backmatter bibliography",
                                  toc=[]))
                part = None
                continue
            if "part" in classes:  # a part of a book: its page, and the chapters after it nest under it
                child.set(EPUB_TYPE, "part")
                child.set("role", "doc-part")
                part = Page(f"part{sum(p.epub_type == 'bodymatter part' for p in pages) + 1:02d}.xhtml", head_text,
                            child, epub_type="bodymatter part")
                pages.append(part)
                continue
            child.set(EPUB_TYPE, "chapter")
            child.set("role", "doc-chapter")
            name = f"ch{sum(p.epub_type == 'bodymatter chapter' for p in pages) + 1:02d}.xhtml"
            pages.append(Page(name, head_text, child, toc=subsections(child),
                              part=part.name if part is not None else None))
        else:
            prelude.append(child)
            has_prelude = True
    if has_prelude or not pages:
        prelude_page = Page("ch00.xhtml", title, prelude)
        pages.insert(0, prelude_page)
    return pages


def subsections(section: HtmlElement) -> list[tuple[str, str, list]]:
    entries = []
    for child in section:
        if child.tag == "section" and child.get("id"):
            heading = next((c for c in child if c.tag in ("h3", "h4", "h5", "h6")), None)
            if heading is not None:
                text = heading_text(heading)
                if text:
                    entries.append((text, child.get("id"), subsections(child)))
    return entries


def margin_notes_as_asides(body: HtmlElement) -> None:
    """A margin note leaves its paragraph and follows it as an aside."""
    for note in body.xpath(".//span[contains(concat(' ', @class, ' '), ' marginnote ')]"):
        block = next((a for a in note.iterancestors() if a.tag in ("p", "li", "blockquote", "dd", "td", "th",
                                                                  "h2", "h3", "h4", "h5", "h6")), None)
        if block is None:
            continue
        while block.getparent() is not None and block.getparent().tag in ("li", "blockquote", "ul", "ol", "dl",
                                                                           "table", "tbody", "tr"):
            block = block.getparent()
        aside = E.ASIDE(E.P(*[copy.deepcopy(c) for c in note]), **{"class": "marginnote", "role": "note"})
        aside[0].text = note.text
        remove_keeping_tail(note)
        block.addnext(aside)


def attach_notes(body: HtmlElement, pages: list[Page], lang: str) -> None:
    """Put each note at the end of the page that calls it, as an EPUB footnote."""
    notes = {li.get("id"): li for li in body.xpath(".//section[@role='doc-endnotes']//li[@id]")}
    for page in pages:
        asides = []
        for call in page.body.xpath(".//a[@role='doc-noteref']"):
            note_id = (call.get("href") or "").lstrip("#")
            source = notes.pop(note_id, None)
            if source is None:
                continue
            call.set(EPUB_TYPE, "noteref")
            aside = E.ASIDE(id=note_id, role="doc-footnote", **{EPUB_TYPE: "footnote", "class": "footnote"})
            if source.text and source.text.strip():
                aside.append(E.P(source.text))
            for child in list(source):
                aside.append(child)
            number_note(aside, call.text_content().strip())
            for back in aside.xpath(".//a[@role='doc-backlink']"):
                back.text = "↩"
                back.set("title", localised("back_to_text", lang))
                back.set("aria-label", localised("back_to_text", lang))
            asides.append(aside)
        if asides:
            notes_block = E.SECTION(E.CLASS("footnotes"), **{EPUB_TYPE: "footnotes"})
            notes_block.extend(asides)
            page.body.append(notes_block)


def number_note(aside: HtmlElement, number: str) -> None:
    """Open the note with its number, as the call shows it (a pop-up or end note read alone says which it is)."""
    if not number:
        return
    label = E.SPAN(f"{number}.", **{"class": "note-number"})
    label.tail = " "
    first = aside[0] if len(aside) else None
    if first is not None and first.tag == "p":
        label.tail = " " + (first.text or "")
        first.text = None
        first.insert(0, label)
    else:
        aside.insert(0, E.P(label))


# An abbreviation whose pieces are joined by hyphens, one piece at least ending with its point:
# c.-à-d., J.-C., J.-P. (never peut-être, vis-à-vis).
ABBREVIATION = re.compile(r"(?<![\w.-])\w{1,3}\.?(?:-\w{1,3}\.?)+(?![\w-])")
NOT_TEXT = ("code", "pre", "kbd", "samp", "math", "script", "style")


def keep_abbreviations_whole(body: HtmlElement) -> None:
    """No line break inside an abbreviation such as « c.-à-d. » or « J.-C. »: its hyphens become U+2011.

    Reading systems break a line after any hyphen, which splits "c.-" from "à-d." on a phone
    screen; French typography never divides an abbreviation (Lexique des règles typographiques
    en usage à l'Imprimerie nationale, "Division des mots"). The PDF is WeasyPrint's affair.
    """
    def whole(text: str) -> str:
        return ABBREVIATION.sub(lambda m: m.group(0).replace("-", "\u2011") if ".-" in m.group(0) else m.group(0),
                                text)

    def literal(element: HtmlElement) -> bool:  # code, or an address written out (a.uri, a.email)
        return element.tag in NOT_TEXT or element.tag == "a" and bool(
            {"uri", "email"} & set((element.get("class") or "").split()))

    for node in body.iter():
        if not isinstance(node.tag, str):
            continue
        outer_literal = any(literal(a) for a in node.iterancestors())
        if node.text and "-" in node.text and not outer_literal and not literal(node):
            node.text = whole(node.text)
        if node.tail and "-" in node.tail and not outer_literal:
            node.tail = whole(node.tail)


def wrap_tables(body: HtmlElement) -> None:
    """Put each table in a box of its own that scrolls sideways when the table is wider than the screen."""
    for table in list(body.iter("table")):
        parent = table.getparent()
        if parent is None or (parent.tag == "div" and "table-wrap" in (parent.get("class") or "").split()):
            continue
        if any(a.tag in ("table", "p", "span") for a in table.iterancestors()):
            continue
        wrapper = E.DIV(**{"class": "table-wrap", "tabindex": "0"})  # a box that scrolls must take focus (WCAG 2.1.1)
        table.addprevious(wrapper)
        wrapper.tail = table.tail
        table.tail = None
        wrapper.append(table)


def link_across_pages(pages: list[Page]) -> None:
    """Rewrite ``#id`` links to ``file.xhtml#id`` when the target is in another file."""
    where: dict[str, str] = {}
    for page in pages:
        for element in page.body.iter():
            if isinstance(element.tag, str) and element.get("id"):
                where.setdefault(element.get("id"), page.name)
    for page in pages:
        for link in page.body.iter("a"):
            href = link.get("href") or ""
            if not href.startswith("#"):
                continue
            target = where.get(href[1:])
            if target is None:
                link.attrib.pop("href")
                link.tag = "span"
            elif target != page.name:
                link.set("href", f"{target}{href}")


def collect_images(pages: list[Page]) -> dict[str, Path]:
    """Image files used by the pages, renamed by content into images/."""
    images: dict[str, Path] = {}
    for page in pages:
        for img in page.body.iter("img"):
            source = Path(img.get("src", ""))
            if not source.is_absolute() or not source.is_file():
                continue
            suffix = source.suffix.lower()
            if suffix not in IMAGE_MEDIA:
                raise RenderError(f"image format {suffix!r} cannot go in an EPUB", path=source,
                                  hint="use PNG, JPEG, GIF, SVG or WebP")
            digest = hashlib.sha1(source.read_bytes()).hexdigest()[:12]
            name = f"images/{source.stem[:40]}-{digest}{suffix}"
            images[name] = source
            img.set("src", name)
    return images


def half_title_page(title: str, subtitle: str | None, lang: str) -> Page:
    """A book's half-title: its title alone (and subtitle), ``epub:type="halftitlepage"`` (EPUB 3 Structural
    Semantics Vocabulary), not in the contents; the PDF prints it on page 1 (:func:`pipeline.books.matter.half_title`)."""
    section = E.SECTION(E.H1(title, **{"class": "title"}), **{EPUB_TYPE: "halftitlepage", "class": "halftitle"})
    if subtitle:
        section.append(E.P(subtitle, **{"class": "subtitle"}))
    return Page("halftitle.xhtml", title, section, epub_type="frontmatter halftitlepage", in_toc=False)


def title_page_body(rendered: Rendered) -> HtmlElement:
    """The title page, with the epigraph and abstract that the PDF prints on a page of their own."""
    doc = rendered.document
    settings = doc.settings
    section = title_page(rendered, **{EPUB_TYPE: "titlepage"})
    if settings.epigraph:
        section.append(E.BLOCKQUOTE(E.CLASS("epigraph"), E.P(settings.epigraph)))
    if settings.abstract:
        section.append(E.SECTION(E.CLASS("abstract"), E.H2(localised("abstract", doc.lang)), E.P(settings.abstract)))
    return section


# -- serialisation -------------------------------------------------------------------


def xhtml_page(page: Page, lang: str) -> bytes:
    body = to_xhtml(page.body)
    return xhtml_document(page.title, lang, body)


def to_xhtml(element: HtmlElement) -> etree._Element:
    """A copy of an HTML element in the XHTML namespace, with ``epub:type`` attributes."""
    tree = copy.deepcopy(element)
    html_to_xhtml(tree)
    for math in list(tree.iter(f"{{{XHTML_NS}}}math")):  # pandoc's MathML, in its own namespace (EPUB 3)
        mathml = _mathml(math)
        tex = "".join(mathml.xpath(".//*[local-name()='annotation']/text()")).strip()
        if tex and not mathml.get("alttext"):
            mathml.set("alttext", tex)  # what a reading system without MathML shows or reads aloud
        mathml.tail = math.tail
        math.getparent().replace(math, mathml)
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        value = node.attrib.pop(EPUB_TYPE, None)
        if value:
            node.set(f"{{{EPUB_NS}}}type", value)
    return tree


def _mathml(element: etree._Element) -> etree._Element:
    """A copy of ``element`` and its children in the MathML namespace, declared as the default on ``<math>``."""
    name = f"{{{MATHML_NS}}}{etree.QName(element).localname}"
    copy_ = etree.Element(name, nsmap={None: MATHML_NS}) if etree.QName(element).localname == "math" \
        else etree.Element(name)
    for key, value in element.attrib.items():
        if key != "xmlns":
            copy_.set(key, value)
    copy_.text = element.text
    for child in element:
        if isinstance(child.tag, str):
            node = _mathml(child)
            node.tail = child.tail
            copy_.append(node)
    return copy_


def xhtml_document(title: str, lang: str, *content: etree._Element, extra_head: str = "") -> bytes:
    parts = [etree.tostring(node, encoding="unicode") for node in content]
    # Serialised children carry their own xmlns declarations; they are made
    # redundant by the root's, so parse the whole page back once to clean them.
    page = (
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}" lang={quoteattr(lang)} xml:lang={quoteattr(lang)}>'
        f"<head><meta charset=\"utf-8\"/><title>{escape(title)}</title>"
        f'<link rel="stylesheet" type="text/css" href="{STYLESHEET}"/>{extra_head}</head>'
        f"<body>{''.join(parts)}</body></html>"
    )
    tree = etree.fromstring(page.encode("utf-8"))
    etree.cleanup_namespaces(tree, top_nsmap={None: XHTML_NS, "epub": EPUB_NS})
    return b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + etree.tostring(tree, encoding="utf-8")


def nav_page(title: str, pages: list[Page], lang: str, *, in_spine: bool = False) -> bytes:
    """The EPUB 3 navigation document: nested contents and landmarks, in the book's language.

    ``in_spine``: the document is also read as the book's contents page (a book
    of essays), so the landmarks name it (``toc``), between the title page and the text.

    Built as an lxml tree: titles and fragment ids from the manuscript are text
    and attribute values, never markup.
    """
    x = ElementMaker(namespace=XHTML_NS, nsmap={None: XHTML_NS, "epub": EPUB_NS})

    def entries(page_name: str, children: list) -> list:
        if not children:
            return []
        return [x.ol(*(x.li(x.a(text, href=f"{page_name}#{quote(fragment, safe=FRAGMENT_SAFE)}"),
                            *entries(page_name, sub))
                       for text, fragment, sub in children))]

    def item(page: Page):
        chapters = [item(p) for p in pages if p.in_toc and p.part == page.name]  # a part's chapters under it
        return x.li(x.a(page.title, href=page.name), *([x.ol(*chapters)] if chapters else entries(page.name, page.toc)))

    toc_items = [item(p) for p in pages if p.in_toc and p.part is None]
    landmarks = [("cover", "cover.xhtml", localised("cover", lang)),
                 ("titlepage", "titlepage.xhtml", localised("titlepage", lang))]
    if in_spine:
        landmarks.append(("toc", "nav.xhtml#toc", localised("contents", lang)))
    text_pages = [p for p in pages if p.in_toc and "bibliography" not in p.epub_type]
    if text_pages:
        landmarks.append(("bodymatter", text_pages[0].name, localised("start", lang)))
    landmarks += [(kind, p.name, p.title) for p in pages for kind in ("bibliography", "colophon")
                  if kind in p.epub_type.split()]
    landmark_items = [x.li(x.a(text, {f"{{{EPUB_NS}}}type": kind}, href=href)) for kind, href, text in landmarks]
    contents = localised("contents", lang)
    toc = x.nav(x.h1(contents), x.ol(*toc_items), {f"{{{EPUB_NS}}}type": "toc"}, id="toc", role="doc-toc")
    marks = x.nav(x.h2(localised("landmarks", lang)), x.ol(*landmark_items), {f"{{{EPUB_NS}}}type": "landmarks"},
                  id="landmarks", hidden="hidden")
    return xhtml_document(contents, lang, toc, marks)


def ncx_toc(pages: list[Page]) -> list:
    """The same contents for ebooklib's NCX, which older reading systems use."""
    from ebooklib import epub

    def entry(page: Page, text: str, fragment: str, children: list, uid: str):
        link = epub.Link(f"{page.name}#{fragment}", text, uid)
        if not children:
            return link
        return (epub.Section(text, f"{page.name}#{fragment}"),
                [entry(page, t, f, c, f"{uid}-{i}") for i, (t, f, c) in enumerate(children)])

    listed = [p for p in pages if p.in_toc]

    def page_entry(page: Page, uid: str):
        chapters = [page_entry(p, f"{uid}-{i}") for i, p in enumerate(p for p in listed if p.part == page.name)]
        if chapters:  # a part, its chapters under it
            return (epub.Section(page.title, page.name), chapters)
        if page.toc:
            return (epub.Section(page.title, page.name),
                    [entry(page, t, f, c, f"{uid}-{i}") for i, (t, f, c) in enumerate(page.toc)])
        return epub.Link(page.name, page.title, uid)

    return [page_entry(page, f"n{index}") for index, page in enumerate(p for p in listed if p.part is None)]


# -- metadata, fonts, cover, zip -----------------------------------------------------


def book_identifier(slug: str) -> str:
    """A ``urn:uuid:`` that stays the same for every build of the same manuscript."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'make-book:{slug}')}"


SUMMARY = {
    "fr": "Texte structuré par titres, avec table des matières navigable, notes liées à leur appel et "
          "bibliographie liée aux citations. Mise en page ajustable par le lecteur. Aucun danger connu.",
    "en": "Text structured by headings, with a navigable table of contents, notes linked to their calls "
          "and a bibliography linked from each citation. Reflowable layout the reader can adjust. No known hazards.",
    "de": "Durch Überschriften gegliederter Text mit navigierbarem Inhaltsverzeichnis, mit ihren Verweisen "
          "verknüpften Anmerkungen und einer mit den Zitaten verknüpften Bibliographie. Vom Leser anpassbares "
          "Layout. Keine bekannten Gefahren.",
    "es": "Texto estructurado por títulos, con tabla de contenido navegable, notas enlazadas con su llamada y "
          "bibliografía enlazada desde cada cita. Diseño adaptable por el lector. Sin riesgos conocidos.",
    "it": "Testo strutturato per titoli, con indice navigabile, note collegate al loro richiamo e bibliografia "
          "collegata a ogni citazione. Impaginazione adattabile dal lettore. Nessun rischio noto.",
    "pt": "Texto estruturado por títulos, com sumário navegável, notas ligadas à sua chamada e bibliografia "
          "ligada a cada citação. Layout ajustável pelo leitor. Sem riscos conhecidos.",
}
SUMMARY_IMAGES = {
    "fr": " Chaque image a une description textuelle.",
    "en": " Every image has a text description.",
    "de": " Jedes Bild hat eine Textbeschreibung.",
    "es": " Cada imagen tiene una descripción textual.",
    "it": " Ogni immagine ha una descrizione testuale.",
    "pt": " Cada imagem tem uma descrição textual.",
}
SUMMARY_CONFORMANCE = {
    "fr": " Conforme à EPUB Accessibility 1.1 et aux WCAG 2.2 niveau AA, vérifié par EPUBCheck et DAISY Ace.",
    "en": " Meets EPUB Accessibility 1.1 and WCAG 2.2 Level AA, as checked with EPUBCheck and DAISY Ace.",
    "de": " Erfüllt EPUB Accessibility 1.1 und WCAG 2.2 Stufe AA, geprüft mit EPUBCheck und DAISY Ace.",
    "es": " Cumple EPUB Accessibility 1.1 y WCAG 2.2 nivel AA, verificado con EPUBCheck y DAISY Ace.",
    "it": " Conforme a EPUB Accessibility 1.1 e WCAG 2.2 livello AA, verificato con EPUBCheck e DAISY Ace.",
    "pt": " Em conformidade com EPUB Accessibility 1.1 e WCAG 2.2 nível AA, verificado com EPUBCheck e DAISY Ace.",
}
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
CERTIFIER = "make-book"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def all_images_described(pages: list[Page]) -> bool:
    """Whether every image has alt text, or ``alt=""`` for decoration (WCAG 2.2 success criterion 1.1.1,
    technique H67), the one thing the text can miss."""
    alts = [img.get("alt") for page in pages for img in page.body.iter("img")]
    return all(alt is not None and (alt == "" or alt.strip()) for alt in alts)


def add_accessibility_metadata(book, lang: str, *, has_images: bool, conforms: bool) -> None:
    """EPUB Accessibility 1.1 metadata: schema.org terms, conformance and its certifier.

    The summary is written in the book's language (English, marked ``xml:lang="en"``,
    for languages make-book has no text for). ``dcterms:conformsTo`` and
    ``a11y:certifiedBy`` are written only when ``conforms``: the book's images all have
    alt text, the rest of WCAG 2.2 AA being settled by the house styles and checked
    by the test suite with DAISY Ace (EPUB Accessibility 1.1, section 2.1 and 4).
    """
    def meta(prop: str, value: str, **attributes: str) -> None:
        book.add_metadata(None, "meta", value, {"property": prop, **attributes})

    meta("schema:accessMode", "textual")
    if has_images:
        meta("schema:accessMode", "visual")
    meta("schema:accessModeSufficient", "textual" if conforms or not has_images else "textual,visual")
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    if has_images and conforms:
        features.append("alternativeText")
    for feature in features:
        meta("schema:accessibilityFeature", feature)
    meta("schema:accessibilityHazard", "none")
    primary = lang.split("-")[0].lower()
    summary_lang = primary if primary in SUMMARY else "en"
    summary = SUMMARY[summary_lang]
    if has_images and conforms:
        summary += SUMMARY_IMAGES[summary_lang]
    if conforms:
        summary += SUMMARY_CONFORMANCE[summary_lang]
    extra = {} if summary_lang == primary else {XML_LANG: "en"}
    meta("schema:accessibilitySummary", summary, **extra)
    if conforms:
        meta("dcterms:conformsTo", CONFORMS_TO)
        meta("a11y:certifiedBy", CERTIFIER)


def package_language(opf: bytes, lang: str) -> bytes:
    """``content.opf`` with ``xml:lang`` on its ``package`` (ebooklib writes none; Ace requires it)."""
    root = etree.fromstring(opf)
    root.set(XML_LANG, lang)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def subset_font(path: Path, text: str) -> bytes:
    """The font cut down to the characters the book uses (plus ASCII and common punctuation)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    keep = set(text) | {chr(c) for c in range(0x20, 0x7F)} | set("«»“”‘’…–—\u00a0\u202f↩éèêàçùôîœæÉÈÀÇ")
    subsetter.populate(text="".join(sorted(keep)))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def cover_image(rendered: Rendered, cover: Path | None) -> tuple[bytes, str]:
    """The author's cover, or one drawn from the title, author and date."""
    if cover is not None:
        suffix = cover.suffix.lower()
        if suffix not in (".png", ".jpg", ".jpeg"):
            raise RenderError(f"cover {cover.name!r} must be a PNG or JPEG image", path=cover,
                              hint="convert the cover to PNG or JPEG")
        return cover.read_bytes(), f"images/cover{suffix}"
    from .cover import draw_cover

    doc = rendered.document
    return draw_cover(doc.title, doc.settings.subtitle, authors_line(doc.settings.author, doc.lang),
                      format_date(doc.settings.date, doc.lang)), "images/cover.png"


def modified_time() -> dt.datetime:
    """``dcterms:modified`` (naive UTC, as ebooklib writes it)."""
    return build_time().replace(tzinfo=None)


def repack(data: bytes, lang: str) -> bytes:
    """The same zip with ``mimetype`` first and stored, fixed timestamps, the package's language set."""
    stamp = modified_time()
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        ordered = ["mimetype"] + [n for n in names if n != "mimetype"]
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            content = source.read(name)
            if name.endswith(".opf"):
                content = package_language(content, lang)
            target.writestr(info, content)
    return out.getvalue()
