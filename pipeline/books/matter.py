"""The pages of a book of essays around its chapters: half-title, contents, colophon.

- The half-title (French *faux-titre*): the book's title alone on the first
  recto, before the title page (PDF only; an e-book opens on its cover).
- The contents of a book: its parts, the chapters of each part indented under
  it, the sections of each chapter (its bibliography among them when each
  chapter has its own), the book's bibliography; page numbers by
  ``target-counter``.
- The colophon (*achevé d'imprimer*): title, author, the date of the edition,
  the typefaces, the make-book version, in the book's language; the last
  verso of the PDF, a back-matter page of the EPUB (``epub:type="colophon"``).

Each is an lxml element; :mod:`pipeline.editions.pdf` and
:mod:`pipeline.editions.epub` place them (classes ``halftitle``, ``toc``,
``colophon``; pages in ``styles/book.css``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lxml.html import HtmlElement
from lxml.html import builder as E

from ..render import heading_label
from ..terms import authors_line, format_date, localised

COLOPHON_ID = "colophon"
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math", "emoji",
                    "fangsong", "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded", "inherit", "initial"}


def half_title(title: str) -> HtmlElement:
    """The half-title page: the title alone (``section.halftitle``)."""
    return E.SECTION(E.CLASS("halftitle"), E.P(E.CLASS("title"), title))


def book_contents(body: HtmlElement, lang: str) -> HtmlElement | None:
    """The contents of a book: ``nav.toc > ol > li.part > ol > li.chapter > ol > li.section``.

    Parts (``section.part``) take the chapters that follow them until the next
    part or the back matter (the book's bibliography); a chapter lists its
    sections (its ``h3``), among them its own bibliography. Every entry is a link
    to its section's id, which book.css follows with the page number.
    """
    top = E.OL()
    part_list: HtmlElement | None = None
    for section in body.iterchildren("section"):
        heading = next((h for h in section if h.tag == "h2"), None)
        identifier = section.get("id")
        if heading is None or not identifier:
            continue
        classes = (section.get("class") or "").split()
        if "colophon" in classes:
            continue
        entry = E.LI(E.A(heading_label(heading), href=f"#{identifier}"))
        if "part" in classes:
            entry.set("class", "part")
            part_list = E.OL()
            entry.append(part_list)
            top.append(entry)
            continue
        if "chapter" in classes:
            entry.set("class", "chapter")
            sections = [E.LI(E.A(heading_label(h), href=f"#{s.get('id')}"), **{"class": "section"})
                        for s in section.iterchildren("section") if s.get("id")
                        for h in s.iterchildren("h3")]
            if sections:
                entry.append(E.OL(*sections))
            (part_list if part_list is not None else top).append(entry)
        else:  # back matter (the book's bibliography): no longer inside the last part
            entry.set("class", "chapter backmatter")
            part_list = None
            top.append(entry)
    if not len(top):
        return None
    return E.NAV(E.CLASS("toc book-toc"), E.H2(localised("contents", lang)), top)


def colophon(*, title: str, subtitle: str | None, authors: tuple[str, ...], date: dt.date, lang: str,
             typefaces: list[str], version: str) -> HtmlElement:
    """The colophon (``section#colophon.colophon``), in ``lang`` (English where make-book has no words for it).

    What French books print as the *achevé d'imprimer* and Quarto/Manubot books
    as a colophon: the work, the date of this edition, how it was set.
    """
    section = E.SECTION(E.CLASS("colophon"), E.H2(localised("colophon", lang)), id=COLOPHON_ID)
    section.append(E.P(E.CLASS("colophon-title"), E.I(title), *([". ", subtitle] if subtitle else [])))
    if authors:
        section.append(E.P(authors_line(authors, lang)))
    section.append(E.P(localised("edition_of", lang).format(date=format_date(date, lang))))
    setting = localised("set_with", lang).format(version=version)
    if typefaces:
        faces = authors_line(tuple(typefaces), lang)  # a list in the language's way: « A et B », "A and B"
        setting = localised("set_in_with", lang).format(typefaces=faces, version=version)
    section.append(E.P(setting))
    return section


def typefaces(stylesheet: Path, body: HtmlElement | None = None) -> list[str]:
    """The typefaces a stylesheet sets text in: the first family of each ``font-family``, in order.

    Reads the stylesheet and those it ``@import``s from its own folder (parsed
    with tinycss2, WeasyPrint's CSS parser). Generic families (``serif``) are
    not typefaces and are left out. With ``body`` (the book's text), only rules
    whose selector matches something in it count (cssselect2, WeasyPrint's
    selector engine), so a book without code does not name the code face;
    without it, ``@font-face`` rules count too. An unreadable file gives what
    was found so far.
    """
    import cssselect2
    import tinycss2

    found: list[str] = []
    seen: set[Path] = set()
    trees = None
    if body is not None:  # the text, and a bare page for html, body, :root
        trees = [cssselect2.ElementWrapper.from_html_root(E.HTML(E.BODY())),
                 cssselect2.ElementWrapper.from_html_root(body)]

    def used(prelude) -> bool:
        if trees is None:
            return True
        try:
            selectors = cssselect2.compile_selector_list(prelude)
        except cssselect2.SelectorError:
            return False
        return any(selector.test(element) for tree in trees for element in tree.iter_subtree()
                   for selector in selectors)

    def read(path: Path) -> None:
        if path in seen or not path.is_file():
            return
        seen.add(path)
        rules = tinycss2.parse_stylesheet(path.read_text(encoding="utf-8", errors="replace"),
                                          skip_comments=True, skip_whitespace=True)
        for rule in rules:
            if rule.type == "at-rule" and rule.lower_at_keyword == "import":
                target = next((t for t in rule.prelude if t.type in ("string", "url")), None)
                if target is not None and "://" not in target.value:
                    read((path.parent / target.value).resolve())
            elif rule.content is not None and (rule.type == "qualified-rule" or trees is None
                                               and rule.lower_at_keyword == "font-face"):
                for declaration in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                                   skip_whitespace=True):
                    if declaration.type == "declaration" and declaration.lower_name == "font-family":
                        family = _first_family(declaration.value)
                        if (family and family.lower() not in GENERIC_FAMILIES and family not in found
                                and (rule.type != "qualified-rule" or used(rule.prelude))):
                            found.append(family)

    read(stylesheet.resolve())
    return found


def _first_family(tokens) -> str | None:
    """``"Charis SIL", serif`` → ``Charis SIL``; ``Noto Serif, serif`` → ``Noto Serif``."""
    words: list[str] = []
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            break
        if token.type == "string":
            return token.value
        if token.type == "ident":
            words.append(token.value)
    return " ".join(words) or None
