"""Books of essays (recueils): several manuscripts laid out as one book, declared in make-book.toml.

``build_book(project, book, …)`` builds ``dist/NAME.pdf`` and ``dist/NAME.epub``
for one ``[books.NAME]`` table; :mod:`pipeline.books.assemble` joins the essays
into one document.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from .. import preload
from ..config import BookSettings
from ..errors import MakeBookError
from ..project import Project

log = logging.getLogger(__name__)


def build_book(project: Project, book: BookSettings, *, formats: tuple[str, ...], out_dir: Path, draft: bool,
               pdf_variant: str | None):
    """Build one book; its errors end up in the result (a ``BuildResult``), not raised."""
    from ..builder import BuildResult, citation_style, typeset_settings, write_editions
    from ..render import format_citations, render_html
    from ..typography import apply_typography
    from .assemble import book_document, prepare_chapters
    from .citations import format_chapter_citations

    from .layout import Workers

    started = time.perf_counter()
    result = BuildResult(manuscript=project.root / "make-book.toml", book=book.name)
    # The layout workers start now: their imports overlap the steps before the PDF.
    workers = Workers() if "pdf" in formats and not pdf_variant else None
    try:
        log.info("building the book %s", book.name)
        if "pdf" in formats:
            preload.start("weasyprint")
        # 1–5 for each essay: read it, settle its references and passages; then one document of chapters.
        chapters = prepare_chapters(project, book, draft=draft, out_dir=out_dir)
        document = book_document(project, book, chapters, draft=draft)
        # 6. Citations in the book's style: one citeproc run over the whole book and one bibliography at
        #    its end (bibliography = "book"), or one run per chapter, each ending with its own.
        style = citation_style(project, document, result.manuscript)
        if book.bibliography == "chapter":
            format_chapter_citations(document, style, {c.slug: c.document for c in chapters})
        else:
            format_citations(document, style)
        # 7. Typography of the book's language (a chapter in another language keeps its own).
        apply_typography(document.ast, document.lang)
        document.settings = typeset_settings(document.settings, document.lang)
        rendered = render_html(document)
        rendered.chapters = tuple(chapter.document for chapter in chapters)
        sanitize_by_chapter(rendered.body, document, chapters, project.root)
        number_notes_by_chapter(rendered.body)
        # The colophon closes the book (the last verso of the PDF, a back-matter page of the EPUB).
        rendered.body.append(book_colophon(project, document, rendered.body))
        # 8. The editions, as for an essay.
        name = f"{book.name}.draft" if draft else book.name
        write_editions(project, rendered, result, name=name, formats=formats, out_dir=out_dir,
                       pdf_variant=pdf_variant, cover=None, workers=workers)
        result.meta = {**({"draft_edition": True} if draft else {}), "title": document.title,
                       "subtitle": document.settings.subtitle, "author": list(document.settings.author),
                       "date": document.settings.date.isoformat(), "lang": document.lang, "book": True,
                       "chapters": [c.slug for c in chapters]}
    except MakeBookError as exc:
        result.error = exc
    finally:
        if workers is not None:
            workers.close()
    result.seconds = time.perf_counter() - started
    return result


def sanitize_by_chapter(body, document, chapters, root: Path) -> None:
    """Clean the book's HTML chapter by chapter, each with its own manuscript, so that a warning names
    that essay's file and line (``manuscripts/ch2.md:14``), not make-book.toml; then what lies outside
    the chapters (parts, bibliography) with the book's document.

    ``body`` holds one ``section.chapter`` per chapter, in order (pandoc's ``--section-divs``).
    """
    from ..sanitize import sanitize

    sections = body.xpath(".//section[contains(concat(' ', @class, ' '), ' chapter ')]")
    if len(sections) == len(chapters):
        for section, chapter in zip(sections, chapters):
            own = chapter.document
            saved, own.math_class = own.math_class, document.math_class  # the book's MathML is pandoc's own
            before = len(own.warnings)
            try:
                sanitize(section, own, root)
            finally:
                own.math_class = saved
            document.warnings.extend(own.warnings[before:])
    sanitize(body, document, root)


def number_notes_by_chapter(body) -> None:
    """Number the note calls afresh in each chapter (pandoc numbers them through the whole book).

    The EPUB writer opens each note with its call's number; the PDF counts
    its footnotes with a CSS counter that each chapter resets (book.css).
    """
    for chapter in body.xpath(".//section[contains(concat(' ', @class, ' '), ' chapter ')]"):
        for number, call in enumerate(chapter.xpath(".//a[@role='doc-noteref']"), start=1):
            target = call.find("sup") if call.find("sup") is not None else call
            for child in list(target):
                target.remove(child)
            target.text = str(number)


def book_colophon(project: Project, document, body):
    """The book's colophon: its title, author and date, the typefaces its text is set in, make-book's version."""
    from .. import __version__
    from ..builder import PDF_STYLESHEET, style
    from .matter import colophon, typefaces

    settings = document.settings
    return colophon(title=document.title, subtitle=settings.subtitle, authors=tuple(settings.author),
                    date=settings.date, lang=document.lang, typefaces=typefaces(style(project, PDF_STYLESHEET), body),
                    version=__version__)


def find_book(project: Project, name: str) -> BookSettings | None:
    """The ``[books.NAME]`` table called ``name``, if there is one."""
    return next((book for book in project.config.books if book.name == name), None)
