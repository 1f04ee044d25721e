"""A book of essays as one document: each essay a chapter, links between them made internal.

Each essay goes through the steps of an essay's build (read, references,
typography) on its own, so its warnings name its own file and line; then the
chapters are joined into one pandoc tree that the writers of the PDF and the
EPUB take as they take an essay:

- a part is a level-2 heading of class ``part`` (a part title page);
- a chapter opens with a level-2 heading of class ``chapter`` (its title,
  with the id ``chapter-SLUG``) and the essay's date; the essay's own
  headings move one level down (its sections become level 3);
- every id of a chapter gets the chapter's slug in front, so two essays may
  both have a section "Introduction" or a note 1;
- a link from one essay to another of the book — by file name
  (``autre.md``), by its address on the blog (``/autre/``, ``base_url`` +
  ``autre/``) or by an alias in its front matter — points to that chapter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ..config import BookSettings, build_time, merge
from ..document import Document
from ..errors import ConfigError, MakeBookError
from ..pandoc import Node, iter_nodes, walk
from ..project import MARKDOWN_SUFFIXES, Project
from ..sources.manuscript import Manuscript, slug_for

log = logging.getLogger(__name__)

PARSED_DIR = ".make-book-parsed"  # in the output folder: parsed chapters, one folder per book


@dataclass
class Chapter:
    """One essay of the book, read and prepared, with where it sits."""

    document: Document
    slug: str
    part: str | None

    @property
    def anchor(self) -> str:
        return f"chapter-{self.slug}"


def chapter_paths(project: Project, book: BookSettings) -> list[Path]:
    """The manuscripts of ``book`` in order; :class:`ConfigError` naming the book for one that is missing."""
    paths = []
    for name in book.chapters:
        # An essay file, or a page bundle (manuscripts/NAME/index.md), as a build names them.
        candidate = project.named_manuscript(name)
        if candidate is None:
            import difflib

            stems = [p.parent.name if p.stem in ("index", "_index") else p.stem for p in project.manuscripts()]
            close = difflib.get_close_matches(name, stems, n=1)
            key = "parts" if any(part.title for part in book.parts) else "chapters"
            raise ConfigError(f"books.{book.name}: {key}: the chapter {name!r} is not in manuscripts/"
                              + (f": did you mean {close[0]!r}?" if close else ""),
                              path=project.root / "make-book.toml", line=book.key_line(key),
                              hint=f"name essays of manuscripts/ without .md (found: {', '.join(stems) or 'none'})")
        paths.append(candidate)
    return paths


def prepare_chapters(project: Project, book: BookSettings, *, draft: bool, out_dir: Path) -> list[Chapter]:
    """Read each essay and take it through its references and passages, as its own build would.

    Citations are formatted and typography applied once, over the whole book
    (:func:`pipeline.books.build_book`), so that the bibliography is one.
    """
    from .. import preload
    from ..builder import prepare
    from ..document import ParsedStore
    from ..passages import mark_passages
    from ..references.citations import resolve_references

    bibliographies: dict = {}
    chapters: list[Chapter] = []
    paths = chapter_paths(project, book)
    part_of = {name: part.title for part in book.parts for name in part.chapters}
    # An unchanged chapter's parsed body is read back (only what its own text, the settings, the
    # bibliography's keys and make-book's code decide); all that follows is done over the whole book.
    parsed = ParsedStore(out_dir / PARSED_DIR / book.name)
    for name, path in zip(book.chapters, paths):
        document = prepare(project, path, draft=draft, bibliographies=bibliographies, cache_dir=out_dir,
                           parsed=parsed)
        chapters.append(Chapter(document=document, slug=slug_for(path), part=part_of[name]))
    parsed.prune()
    log.info("chapters parsed: %d of %d (the others read back)", parsed.parsed, len(paths),
             extra={"chapters_parsed": parsed.parsed})
    targets = chapter_targets(chapters)
    preload.start("language scorer")
    for chapter in chapters:
        link_chapters(chapter, targets)
        resolve_references(chapter.document, project_root=project.root)
        restore_chapter_links(chapter)
        for other, words in mark_passages(chapter.document.ast, chapter.document.lang,
                                          preload.result("language scorer")):
            log.info("%s: a passage in %r: %s", chapter.document.manuscript.where(), other, words)
    return chapters


def chapter_targets(chapters: list[Chapter]) -> dict[str, str]:
    """Every way a link may name an essay of the book → the anchor of its chapter.

    Keys are normalised addresses: a file name (``autre.md``), a blog path
    (``/autre/`` → ``autre``), and each front-matter alias or slug.
    """
    targets: dict[str, str] = {}
    for chapter in chapters:
        for name in essay_addresses(chapter.document.manuscript):
            targets[_address_key(name)] = chapter.anchor
    return targets


def essay_addresses(manuscript: Manuscript) -> set[str]:
    """Every name a link may give an essay: its file name and stem, and its front matter's slug, url, aliases."""
    names = {slug_for(manuscript.path), manuscript.path.stem, manuscript.path.name}
    front = raw_front_matter(manuscript)
    for key in ("slug", "url", "permalink"):
        if isinstance(front.get(key), str):
            names.add(front[key])
    aliases = front.get("aliases") or ()
    names.update(alias for alias in ([aliases] if isinstance(aliases, str) else aliases) if isinstance(alias, str))
    return names


def raw_front_matter(manuscript: Manuscript) -> dict:
    """The front matter as written (``slug``, ``aliases``… are not settings, so the manuscript drops them)."""
    from ..sources.frontmatter import split_front_matter

    try:
        return dict(split_front_matter(manuscript.text, manuscript.path).data or {})
    except MakeBookError:  # read once already without error; a surprise here only loses the aliases
        return {}


def _address_key(address: str) -> str:
    """``/blog/autre/``, ``autre.md``, ``../autre.md#x`` → ``autre``: the last piece of a path, no suffix."""
    path = urlsplit(address).path.rstrip("/")
    name = PurePosixPath(path).name if path else ""
    for suffix in (*MARKDOWN_SUFFIXES, ".html", ".htm"):
        name = name.removesuffix(suffix)
    return name.lower()


def essay_named(url: str, targets: dict[str, str], base_url: str | None) -> str | None:
    """What ``targets`` (address keys → value) holds for the essay a link names, if it names one.

    A link names an essay by its file name, a path on the blog, or an address
    on the blog's own site (``base_url``'s host); a page elsewhere on the web,
    ``mailto:`` or a fragment of the same essay names none.
    """
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        base = urlsplit(base_url or "")
        if not base.netloc or parts.netloc != base.netloc:
            return None  # a page elsewhere on the web
    elif parts.scheme or url.startswith("#") or not parts.path:
        return None  # mailto:, a fragment of this essay
    return targets.get(_address_key(url))


def link_chapters(chapter: Chapter, targets: dict[str, str]) -> None:
    """Links to another essay of the book point to its chapter (an anchor of the book)."""
    settings = chapter.document.settings

    def action(kind: str, content: Any, fmt: str, meta: Any):
        if kind != "Link":
            return None
        attributes, text, (url, title) = content
        anchor = essay_named(url, targets, settings.base_url)
        if anchor is None:
            return None
        # Held as a span while the essay's own references are checked (where an anchor
        # of another chapter would be a dead link), and made a link again by
        # :func:`restore_chapter_links`.
        return {"t": "Span", "c": [["", [BOOK_LINK], [["data-target", anchor]]], text]}

    chapter.document.ast["blocks"] = walk(chapter.document.ast["blocks"], action, "html", {})


BOOK_LINK = "book-link"


def restore_chapter_links(chapter: Chapter) -> None:
    """The spans :func:`link_chapters` made become links to the chapters they name."""

    def action(kind: str, content: Any, fmt: str, meta: Any):
        if kind == "Span" and BOOK_LINK in content[0][1]:
            target = dict(content[0][2])["data-target"]
            return {"t": "Link", "c": [["", ["chapter-link"], []], content[1], [f"#{target}", ""]]}
        return None

    chapter.document.ast["blocks"] = walk(chapter.document.ast["blocks"], action, "html", {})


def book_document(project: Project, book: BookSettings, chapters: list[Chapter], *, draft: bool) -> Document:
    """One document holding every chapter, with the book's settings (title, author, language, date)."""
    from ..references.citations import element_ids, place_bibliography
    from ..terms import format_date
    from ..typography import typeset_text
    from .citations import book_nocite, chapter_nocite, joined_nocite

    first = chapters[0].document
    lang = book.lang or project.config.lang or first.lang
    # nocite: the book's own with one bibliography per chapter (each chapter lists its own, see
    # books.citations); with one bibliography for the book, every chapter's too.
    nocite = book_nocite(project.config, book)
    if book.bibliography == "book":
        nocite = joined_nocite(nocite, *(chapter_nocite(c.document) for c in chapters))
    settings = merge(project.config, {"title": book.title, "subtitle": book.subtitle, "author": book.author or
                                      first.settings.author, "lang": lang, "date": book.date or build_time().date(),
                                      "nocite": nocite})
    blocks: list[Node] = []
    current_part: str | None = None
    for chapter in chapters:
        if chapter.part is not None and chapter.part != current_part:
            current_part = chapter.part
            blocks.append(_header(2, f"part-{len(blocks)}", ["part", "unnumbered"], chapter.part))
        blocks += chapter_blocks(chapter, format_date(chapter.document.settings.date, lang),
                                 typeset_text(chapter.document.title, chapter.document.lang), lang,
                                 own_bibliography=book.bibliography == "chapter")
    config = project.root / "make-book.toml"
    manuscript = Manuscript(path=config, text="", body="", body_line=1, front_matter={}, root=project.root)
    document = Document(manuscript=manuscript, settings=settings, ast={**first.ast, "blocks": blocks},
                        bibliography=_union_bibliography([c.document for c in chapters]), draft=draft,
                        book=True)
    for chapter in chapters:
        document.warnings.extend(chapter.document.warnings)
    if book.bibliography == "book":
        place_bibliography(document, element_ids(document.ast))  # one, at the end, in the book's language
    return document


def chapter_blocks(chapter: Chapter, date: str, title: str, book_lang: str, *,
                   own_bibliography: bool = False) -> list[Node]:
    """The chapter's blocks: its opening (title, date), its text with headings one level down and ids prefixed.

    ``own_bibliography`` (``bibliography = "chapter"``): the chapter keeps the
    bibliography its essay's build placed (``SLUG-bibliography``, ``SLUG-refs``),
    which :func:`pipeline.books.citations.format_chapter_citations` fills.
    """
    document = chapter.document
    prefix = f"{chapter.slug}-"
    ids = {node["c"][0][0] for node in iter_nodes(document.ast["blocks"])
           if node["t"] in ("Header", "Div", "Span", "Image", "Link", "CodeBlock", "Table", "Figure")
           and isinstance(node.get("c"), list) and node["c"] and isinstance(node["c"][0], list)
           and node["c"][0] and isinstance(node["c"][0][0], str) and node["c"][0][0]}

    def action(kind: str, content: Any, fmt: str, meta: Any):
        if kind == "Header":
            level, (identifier, classes, attributes), inlines = content
            return {"t": "Header", "c": [min(6, level + 1), [prefix + identifier if identifier else "", classes,
                                                             attributes], inlines]}
        if kind == "Link":
            attributes, text, (url, title) = content
            if url.startswith("#") and url[1:] in ids and "chapter-link" not in attributes[1]:
                return {"t": "Link", "c": [_prefixed(attributes, prefix), text, [f"#{prefix}{url[1:]}", title]]}
        if kind in ("Div", "Span", "Image", "CodeBlock", "Figure", "Table"):
            attributes = content[0]
            if attributes[0]:
                return {"t": kind, "c": [_prefixed(attributes, prefix), *content[1:]]}
        return None

    blocks = document.ast["blocks"] if own_bibliography else _without_bibliography(document.ast["blocks"])
    body = walk(blocks, action, "html", {})
    opening = [_header(2, chapter.anchor, ["chapter", "unnumbered"], title)]
    opening[0]["c"][1][2].append(["lang", document.lang])  # hyphenation of the chapter's language
    if document.settings.date:
        opening.append({"t": "Div", "c": [["", ["chapter-date"], []], [{"t": "Para", "c": _inlines(date)}]]})
    if document.lang != book_lang:
        # A chapter in another language than the book's: its own spacing and quotation marks.
        body = [{"t": "Div", "c": [["", ["chapter-text"], [["lang", document.lang]]], body]}]
    return opening + body


def _without_bibliography(blocks: list[Node]) -> list[Node]:
    """The chapter without the bibliography its own build would place: the book has one, at its end."""
    kept = []
    for block in blocks:
        if block["t"] == "Header" and "bibliography" in block["c"][1][1]:
            continue
        if block["t"] == "Div" and block["c"][0][0] == "refs":
            continue
        kept.append(block)
    return kept


def _prefixed(attributes: list, prefix: str) -> list:
    identifier, classes, pairs = attributes
    return [prefix + identifier if identifier else "", classes, pairs]


def _header(level: int, identifier: str, classes: list[str], text: str) -> Node:
    return {"t": "Header", "c": [level, [identifier, classes, []], _inlines(text)]}


def _inlines(text: str) -> list[Node]:
    from ..pandoc import inlines

    return inlines(text)


def _union_bibliography(documents: list[Document]):
    """The entries of every chapter's bibliography, in one (the same key in two files is one entry)."""
    from ..references.bibliography import Bibliography

    files: list[Path] = []
    entries: dict = {}
    for document in documents:
        for path in document.bibliography.files:
            if path not in files:
                files.append(path)
        for key, entry in document.bibliography.entries.items():
            entries.setdefault(key, entry)
    return replace(documents[0].bibliography, files=tuple(files), entries=entries)
