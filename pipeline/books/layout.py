"""A book's PDF laid out by pieces: front matter, each chapter, back matter, in parallel, then joined.

One WeasyPrint layout of a whole book costs time in proportion to its length,
and every correction pass (notes off their call's page, notes too long for a
page) costs a whole layout more. Laid out piece by piece, the book uses every
core, a correction re-lays only the chapter that needs it, and a build after
one chapter changed re-lays only that chapter (each piece's PDF is kept in the
output folder, under the hash of its HTML, the styles and the fonts).

How the pieces are made whole again:

- **Pieces.** The front matter (title page, contents, whatever comes before the
  first chapter), each chapter (with the part title before it, if any) and the
  back matter (bibliography, anything after the last chapter) are each one
  WeasyPrint document. Each starts on a right-hand page and is padded to an
  even number of pages with a blank verso, so left and right pages (running
  heads, margins, margin notes) are the same as in one long document.
- **Page references.** The contents' page numbers and the "(p. N)" after a link
  to another chapter name pages of other pieces: each such link carries its
  number (``data-page``), filled in from the pieces already laid out (the
  scheduler lays a piece out once the pieces its links lead to are done), else
  from the previous build or an estimate; a piece whose numbers turn out wrong
  is laid out again (a few at most, as a number rarely changes a line).
- **Folios.** Pieces are laid out without their page numbers (each would start
  at 1); one light document of empty pages, laid out with the same page rules,
  gives the folios, stamped on the joined pages that had one.
- **Links, bookmarks.** WeasyPrint's internal links and outline are taken out of
  each piece and written once into the joined PDF (pypdf), with their pages in
  the whole book; named destinations are kept for every anchor.

PDF/A and PDF/UA editions are laid out as one document: their tagging and
metadata belong to the whole file, which pypdf does not join.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import multiprocessing
import os
import re
import resource
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from lxml import html as lxml_html
from lxml.html import HtmlElement
from lxml.html import builder as E

from .. import __version__
from ..errors import RenderError
from ..editions.hyphens import BLOCK_KEY, BLOCK_TAGS
from ..render import Rendered

log = logging.getLogger(__name__)

PIECES_DIR = ".make-book-pieces"
STATE_FILE = "state.json"
# A first guess of a piece's length, before any piece is laid out: characters per page of text.
CHARS_PER_PAGE = 1900
# Rounds of laying out again the pieces whose page references changed.
REFERENCE_ROUNDS = 3
PX_TO_PT = 0.75  # WeasyPrint's CSS pixel in PDF points
# Changes whenever the way a piece is laid out changes (a piece kept from before is then laid out again).
PIECE_RULES = "2: notes never deferred"


@dataclass
class Piece:
    """One part of the book laid out as its own document: ``front``, a chapter's anchor, or ``back``."""

    name: str
    tree: HtmlElement
    refs: list[HtmlElement]  # links whose text shows the page of an anchor (contents, "(p. N)")
    chars: int


@dataclass
class PieceJob:
    """What a worker needs to lay a piece out (it pickles: strings and paths only)."""

    name: str
    html: str
    base_url: str
    stylesheets: tuple[str, ...]
    css: tuple[str, ...]
    allowed: tuple[str, ...]
    identifier: bytes
    folio_sheet: bool = False  # the folio document: keep only the page numbers


@dataclass
class LaidPiece:
    """A piece laid out: its PDF and what joining needs. Coordinates in PDF points from the bottom left."""

    pdf: bytes
    pages: int
    size: tuple[float, float]
    anchors: dict[str, tuple[int, float, float]]  # id → (page in the piece, x, y)
    links: list[tuple[int, str, tuple[float, float, float, float]]]  # (page, anchor, rectangle)
    bookmarks: list  # (level, label, page, x, y, open), levels as bookmark-level gives them
    folios: list[str | None]  # per page: the named page when it carries a page number, else None
    first_side: str = "right"  # the side of its first page (a colophon opens on a verso)
    misplaced: list[str] = field(default_factory=list)
    overlong: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    layouts: int = 0
    cpu: float = 0.0  # CPU seconds the worker spent on it
    peak_mb: float = 0.0  # the worker's peak resident memory so far


def split_book(tree: HtmlElement) -> list[Piece]:
    """Cut the page made by :func:`pipeline.editions.pdf.book_tree` into pieces, in order.

    The front piece holds the body before ``<main>`` and what ``<main>`` holds
    before the first part or chapter; a chapter piece holds a ``section.chapter``
    (with the ``section.part`` just before it); the back piece holds the rest.
    Elements are moved out of ``tree``.
    """
    head = tree.find("head")
    body = tree.find("body")
    main = body.find("main")
    body_class = body.get("class") or ""
    groups: list[tuple[str, list[HtmlElement]]] = [("front", [])]
    for child in list(main):
        classes = (child.get("class") or "").split()
        name, members = groups[-1]
        after_part = name.startswith("part:") and "chapter" in classes
        if "part" in classes:
            groups.append((f"part:{child.get('id')}", [child]))
        elif "chapter" in classes and not after_part:
            groups.append((child.get("id") or f"chapter-{len(groups)}", [child]))
        elif after_part:
            groups[-1] = (child.get("id") or name, members + [child])
        elif name == "front" or name == "back":
            members.append(child)
        else:
            groups.append(("back", [child]))
    pieces = []
    for index, (name, members) in enumerate(groups):
        page_body = E.BODY(**{"class": body_class})
        if index == 0:
            for child in list(body):
                if child is not main:
                    page_body.append(child)
            if members:
                page_body.append(E.MAIN(*members))
        else:
            page_body.append(E.MAIN(*context_of(groups[:index]), *members))
        page = E.HTML(_copy(head), page_body, **dict(tree.attrib))
        for number, element in enumerate(page_body.iter(*BLOCK_TAGS)):  # hyphens.py's keys, per piece
            element.set(BLOCK_KEY, str(number))
        refs = page.xpath(".//nav[contains(concat(' ', @class, ' '), ' toc ')]//a[starts-with(@href, '#')]"
                          " | .//a[contains(concat(' ', @class, ' '), ' chapter-link ')][starts-with(@href, '#')]")
        if name.startswith("part:"):
            name = name[len("part:"):]
        if index and name != "back":
            name_notes(page, name)
        pieces.append(Piece(name=name, tree=page, refs=refs, chars=len(page_body.text_content())))
    if not pieces[0].tree.find("body").getchildren():
        pieces.pop(0)
    return pieces


def context_of(groups: list[tuple[str, list[HtmlElement]]]) -> list[HtmlElement]:
    """Empty, hidden stand-ins for the elements of ``<main>`` before a piece, so its selectors still match.

    The house style places what follows chapters and parts with sibling
    selectors (``section.chapter ~ #bibliography``): one element of each
    kind met before (tag and class; no id, no content, ``display: none``, so
    it makes no box, counts nothing and is not in the outline), the one just
    before last (``+``).
    """
    earlier = [element for _, members in groups for element in members if element.getparent() is None
               or element.getparent().tag == "main"]
    kinds: dict[tuple[str, str], None] = {}
    for element in earlier:
        kinds.pop((element.tag, element.get("class") or ""), None)
        kinds[(element.tag, element.get("class") or "")] = None
    return [lxml_html.Element(tag, {"class": classes, "style": "display: none", "data-context": ""})
            if classes else lxml_html.Element(tag, {"style": "display: none", "data-context": ""})
            for tag, classes in kinds]


def name_notes(page: HtmlElement, chapter: str) -> None:
    """Give each note of a chapter an id of its own chapter and number (``CHAPTER-fn2``, ``CHAPTER-url1``).

    pandoc numbers notes through the whole book (``fn41``): a note added to
    one chapter would change the ids, hence the HTML, of every chapter after
    it, and none of their laid-out pieces could be reused.
    """
    renamed = {}
    for kind, notes in (("fn", page.xpath(".//span[contains(concat(' ', @class, ' '), ' footnote ')]"
                                          "[starts-with(@id, 'fn')]")),
                        ("url", page.xpath(".//span[contains(concat(' ', @class, ' '), ' url-note ')][@id]")),
                        ("marginnote-", page.xpath(".//span[contains(concat(' ', @class, ' '), ' marginnote ')]"
                                                   "[starts-with(@id, 'marginnote-')]"))):
        for number, note in enumerate((n for n in notes if "continued" not in n.get("id")), start=1):
            renamed[note.get("id")] = f"{chapter}-{kind}{number}"
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue
        old = element.get("id")
        if old in renamed:
            element.set("id", renamed[old])
        elif old and "-continued" in old and old.split("-continued")[0] in renamed:
            base, rest = old.split("-continued", 1)
            element.set("id", f"{renamed[base]}-continued{rest}")
        href = element.get("href")
        if href and href.startswith("#") and href[1:] in renamed:
            element.set("href", "#" + renamed[href[1:]])


def _copy(element: HtmlElement) -> HtmlElement:
    import copy

    return copy.deepcopy(element)


def piece_css(title: str) -> str:
    """The rules a piece adds to the house style: the book's title for the running heads, printed page numbers.

    ``string(booktitle)`` is set by the title page, which only the front piece
    has; page references read the number make-book gives them, as
    ``target-counter()`` cannot see another piece.
    """
    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ") + '"'
    return ("html { string-set: booktitle %s; }\n"
            "nav.toc a[data-page]::after { content: leader('. ') attr(data-page); }\n"
            "a.chapter-link[data-page]::after { content: '\\00a0(p.\\00a0' attr(data-page) ')'; }\n" % quoted)


# --- the workers ------------------------------------------------------------------------------------

_SHEETS: dict = {}


def _stylesheets(paths: tuple[str, ...], css: tuple[str, ...], fetcher):
    """The fonts and style sheets of a worker, parsed once per process and kept for every piece."""
    key = (paths, css)
    if key not in _SHEETS:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        sheets = [CSS(filename=path, font_config=fonts, url_fetcher=fetcher) for path in paths]
        sheets += [CSS(string=text, font_config=fonts) for text in css]
        _SHEETS.clear()
        _SHEETS[key] = (fonts, sheets)
    return _SHEETS[key]


def lay_out_piece(job: PieceJob) -> LaidPiece:
    """Lay a piece out (with the note passes of :mod:`pipeline.editions.pdf`) and write its PDF.

    Runs in a worker process. Notes too long for a page are cut and continued;
    where a note falls on another page than its call, the blocks around the call
    are relaxed and the piece laid out again (at most ``LAYOUT_PASSES`` times),
    keeping the layout with the fewest misplaced notes.
    """
    from weasyprint import HTML

    from ..editions.fetch import SafeFetcher
    from ..editions.footnotes import keep_notes_with_their_calls
    from ..editions.pdf import (LAYOUT_PASSES, continue_notes, misplaced_notes, overlong_notes,
                                place_margin_notes, relax_around, serialise)

    started = time.process_time()
    keep_notes_with_their_calls()
    fetcher = SafeFetcher([Path(p) for p in job.allowed])
    fonts, sheets = _stylesheets(job.stylesheets, job.css, fetcher)
    tree = lxml_html.document_fromstring(job.html)
    best = None
    layouts = 0
    for attempt in range(LAYOUT_PASSES):
        document = HTML(string=serialise(tree), base_url=job.base_url, url_fetcher=fetcher).render(
            stylesheets=sheets, font_config=fonts)
        layouts += 1
        overlong = overlong_notes(document)
        if overlong and attempt < LAYOUT_PASSES - 1:
            continue_notes(tree, overlong)
            best = None
            continue
        misplaced = misplaced_notes(document)
        flipped = place_margin_notes(document, tree)
        if best is None or len(misplaced) < len(best[1]) or not flipped and len(misplaced) == len(best[1]):
            best = (document, misplaced)
        if (not misplaced and not flipped) or attempt == LAYOUT_PASSES - 1:
            break
        if misplaced:
            log.debug("%s: notes %s off their call's page; relaxing widows there (pass %d)", job.name,
                      ", ".join(sorted(misplaced)), attempt + 2)
            relax_around(tree, misplaced)
    document, misplaced = best
    laid = take_apart(document, folio_sheet=job.folio_sheet)
    output = io.BytesIO()
    document.write_pdf(output, pdf_identifier=job.identifier, uncompressed_pdf=False)
    laid.pdf = output.getvalue()
    laid.misplaced = sorted(misplaced)
    laid.overlong = sorted(overlong_notes(document))
    laid.refused = list(dict.fromkeys(fetcher.refused))
    laid.layouts = layouts
    laid.cpu = time.process_time() - started
    laid.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return laid


def take_apart(document, *, folio_sheet: bool = False) -> LaidPiece:
    """Take the page numbers, internal links, anchors and bookmarks out of a laid-out document.

    They are written once into the joined book (:func:`join_pieces`); the
    margin boxes showing ``counter(page)`` are removed (each piece would count
    from 1) and the pages that had one are noted with their named page. In the
    ``folio_sheet``, only those margin boxes are kept.
    """
    folios: list[str | None] = []
    anchors: dict[str, tuple[int, float, float]] = {}
    links = []
    bookmarks = [(level, label, number, x * PX_TO_PT, (page.height - y) * PX_TO_PT, state != "closed")
                 for number, page in enumerate(document.pages)
                 for level, label, (x, y), state in page.bookmarks]
    for number, page in enumerate(document.pages):
        box = page._page_box
        counters = [child for child in box.children if type(child).__name__ == "MarginBox"
                    and _shows_page_number(child.style["content"])]
        if folio_sheet:
            box.children = counters
        else:
            box.children = [child for child in box.children if not any(child is c for c in counters)]
        folios.append((box.page_type.name or "") if counters else None)
        height = page.height
        for name, (x, y, _, _) in page.anchors.items():
            anchors.setdefault(name, (number, x * PX_TO_PT, (height - y) * PX_TO_PT))
        for kind, target, (x1, y1, x2, y2), _ in page.links:
            if kind == "internal":
                links.append((number, target, (x1 * PX_TO_PT, (height - y2) * PX_TO_PT,
                                               x2 * PX_TO_PT, (height - y1) * PX_TO_PT)))
        page.links = [link for link in page.links if link[0] != "internal"]
        page.anchors = {}
        page.bookmarks = []
    first = document.pages[0]
    return LaidPiece(pdf=b"", pages=len(document.pages), size=(first.width * PX_TO_PT, first.height * PX_TO_PT),
                     anchors=anchors, links=links, bookmarks=bookmarks, folios=folios,
                     first_side=first._page_box.page_type.side)


def _shows_page_number(content) -> bool:
    return isinstance(content, (list, tuple)) and any(
        isinstance(item, tuple) and item[0] in ("counter()", "counters()") and item[1][0] in ("page", "pages")
        for item in content)


# --- the scheduler ----------------------------------------------------------------------------------

class Workers:
    """The worker processes that lay pieces out, started early so their imports overlap the build's first steps.

    ``forkserver``: the workers start from a clean process that has imported
    WeasyPrint once, never from a copy of a process with threads running.
    As with any ``multiprocessing`` code, a script that builds a book must keep
    its top level under ``if __name__ == "__main__":`` (each worker imports the
    main module). With ``count`` 1 (one core) pieces are laid out in this process.
    """

    def __init__(self, count: int | None = None) -> None:
        self.count = count if count is not None else min(4, len(os.sched_getaffinity(0)))
        self.pool: ProcessPoolExecutor | None = None
        if self.count > 1:
            try:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["weasyprint", "pipeline.books.layout"])
                self.pool = ProcessPoolExecutor(self.count, mp_context=context)
                for _ in range(self.count):
                    self.pool.submit(_warm_up)
            except (OSError, ValueError, RuntimeError) as exc:  # no processes here: lay out in this one
                log.debug("no layout workers (%s); pieces laid out one after the other", exc)
                self.close()
                self.count = 1

    def submit(self, job: PieceJob) -> Future:
        if self.pool is None:
            future: Future = Future()
            try:
                future.set_result(lay_out_piece(job))
            except Exception as exc:  # reported as a worker's would be
                future.set_exception(exc)
            return future
        return self.pool.submit(lay_out_piece, job)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def _warm_up() -> None:
    import weasyprint  # noqa: F401  (the import is the warm-up)


class PieceStore:
    """Laid-out pieces kept in the output folder: ``KEY.pdf`` and ``KEY.json``, KEY a hash of the piece's inputs."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def get(self, key: str) -> LaidPiece | None:
        if self.folder is None:
            return None
        meta, pdf = self.folder / f"{key}.json", self.folder / f"{key}.pdf"
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            data["pdf"] = pdf.read_bytes()
        except (OSError, ValueError):
            return None
        if hashlib.sha256(data["pdf"]).hexdigest() != data.pop("sha256", None):
            return None
        data["anchors"] = {k: tuple(v) for k, v in data["anchors"].items()}
        data["links"] = [(p, t, tuple(r)) for p, t, r in data["links"]]
        data["size"] = tuple(data["size"])
        data["layouts"], data["cpu"], data["peak_mb"] = 0, 0.0, 0.0  # nothing laid out for it in this build
        return LaidPiece(**data)

    def put(self, key: str, laid: LaidPiece) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {k: v for k, v in laid.__dict__.items() if k != "pdf"}
        data["sha256"] = hashlib.sha256(laid.pdf).hexdigest()
        (self.folder / f"{key}.pdf").write_bytes(laid.pdf)
        (self.folder / f"{key}.json").write_text(json.dumps(data), encoding="utf-8")

    def state(self) -> dict:
        try:
            return json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8")) if self.folder else {}
        except (OSError, ValueError):
            return {}

    def keep_only(self, keys: set[str], state: dict) -> None:
        """Remove the pieces this build did not end with; remember the pages for the next build's guesses."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix in (".pdf", ".json") and path.stem not in keys and path.name != STATE_FILE:
                path.unlink(missing_ok=True)
        (self.folder / STATE_FILE).write_text(json.dumps(state, sort_keys=True), encoding="utf-8")


def piece_key(job: PieceJob, styles_key: str) -> str:
    digest = hashlib.sha256()
    for part in (__version__, PIECE_RULES, styles_key, job.html, *job.css, job.base_url,
                 job.identifier.decode("ascii"), str(job.folio_sheet)):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def styles_digest(stylesheets: list[Path]) -> str:
    """A hash of the style sheets and every file beside them (fonts, imported sheets), and of WeasyPrint's version."""
    import weasyprint

    digest = hashlib.sha256(weasyprint.__version__.encode())
    for folder in sorted({path.parent for path in stylesheets}):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode("utf-8"))
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass
class Layout:
    """The state of a book's layout: which pieces are laid out, with which page references."""

    pieces: list[Piece]
    laid: dict[int, LaidPiece] = field(default_factory=dict)
    used: dict[int, dict[str, str]] = field(default_factory=dict)  # the numbers each piece was laid out with
    keys: dict[int, str] = field(default_factory=dict)
    guesses: dict[str, int] = field(default_factory=dict)  # anchor → page, from the previous build
    sizes: dict[str, int] = field(default_factory=dict)  # piece name → its pages in the previous build
    owners: dict[str, int] = field(default_factory=dict)  # id → the piece holding it

    def __post_init__(self) -> None:
        for index, piece in enumerate(self.pieces):
            for element in piece.tree.iter():
                if isinstance(element.tag, str) and element.get("id"):
                    self.owners.setdefault(element.get("id"), index)

    def piece_of(self, anchor: str) -> int | None:
        return self.owners.get(anchor)

    def start(self, index: int) -> int:
        """The first page (0-based) of piece ``index`` in the book, from laid-out pieces and estimates."""
        shape = [(laid.pages, laid.first_side) if (laid := self.laid.get(i)) is not None
                 else (self.estimate(i), "right") for i in range(index + 1)]
        return placements(shape)[0][index]

    @property
    def front_sized(self) -> bool:
        """Whether the front matter's length is known before it is laid out (from the previous build)."""
        return bool(self.pieces) and self.pieces[0].name == "front" and "front" in self.sizes

    def estimate(self, index: int) -> int:
        """A piece's page count before it is laid out: its length in the previous build, else its characters
        at the rate of the chapters laid out."""
        if self.pieces[index].name in self.sizes:
            return self.sizes[self.pieces[index].name]
        chars = pages = 0
        for other, laid in self.laid.items():
            if other and self.pieces[other].name != "back":
                chars, pages = chars + self.pieces[other].chars, pages + laid.pages
        rate = chars / pages if pages else CHARS_PER_PAGE
        return max(1, round(self.pieces[index].chars / rate))

    def known(self, anchor: str, laying: int | None = None) -> bool:
        """Whether the page of ``anchor`` is known, or will be once piece ``laying`` is laid out (its own length
        is then the only guess: a link to a later chapter cannot wait for it)."""
        index = self.piece_of(anchor)
        return index is not None and all(i in self.laid or i == laying or (i == 0 and self.front_sized)
                                         for i in range(index + 1))

    def page_of(self, anchor: str) -> int | None:
        """The printed number of the page holding ``anchor`` (1 for the book's first page), or a guess."""
        index = self.piece_of(anchor)
        if index is None:
            return None
        laid = self.laid.get(index)
        within = laid.anchors[anchor][0] if laid is not None and anchor in laid.anchors else 0
        if laid is not None and all(i in self.laid for i in range(index)):
            return self.start(index) + within + 1
        if anchor in self.guesses:  # the previous build's page: right unless a chapter before changed length
            return self.guesses[anchor]
        return self.start(index) + within + 1

    def numbers(self, index: int) -> dict[str, str]:
        found = {}
        for ref in self.pieces[index].refs:
            target = ref.get("href")[1:]
            page = self.page_of(target)
            found[target] = str(page) if page is not None else ""
        return found

    def ready(self, index: int) -> bool:
        return all(self.known(ref.get("href")[1:], laying=index) for ref in self.pieces[index].refs)


def write_book_pdf(rendered: Rendered, target: Path, *, stylesheets: list[Path], fetcher, variant: str | None = None,
                   cache_dir: Path | None = None, workers: Workers | None = None) -> int:
    """Lay the book out by pieces and write its PDF to ``target``; return the page count.

    ``cache_dir``: the output folder, where laid-out pieces are kept between
    builds (``.make-book-pieces/``). ``workers``: processes already started by
    the caller (:class:`Workers`), else started here and stopped at the end.
    Warnings (misplaced or overlong notes, missing glyphs, refused files) go to
    the document as for an essay; :class:`RenderError` when WeasyPrint fails.
    """
    from ..editions import pdf

    if variant:  # PDF/A and PDF/UA: one document, tagged and described as a whole
        return pdf.write_pdf(rendered, target, stylesheets=stylesheets, fetcher=fetcher, variant=variant)
    document = rendered.document
    tree = pdf.book_tree(rendered)
    pdf.report_missing_glyphs(rendered, tree, [path.parent / "fonts" for path in stylesheets])
    css = [pdf.page_size_css(document.settings.paper), piece_css(document.title)]
    if document.draft:
        css.append(pdf.draft_css(rendered.lang))
    layout = Layout(split_book(tree))
    # One folder per book and kind of edition: a build keeps only its own pieces, never another book's.
    edition = pdf._identifier(rendered).decode("ascii")[:16] + ("-draft" if document.draft else "")
    store = PieceStore(cache_dir / PIECES_DIR / edition if cache_dir is not None else None)
    layout.guesses = {k: v for k, v in store.state().get("pages", {}).items()}
    layout.sizes = {k: v for k, v in store.state().get("sizes", {}).items()}
    styles_key = styles_digest(stylesheets)
    base = dict(base_url=str(document.manuscript.path), stylesheets=tuple(str(p) for p in stylesheets),
                css=tuple(css), allowed=tuple(str(p) for p in fetcher.allowed), identifier=pdf._identifier(rendered))
    own = workers is None
    workers = workers or Workers()
    laid_out: list[str] = []
    layouts = 0
    cpu = 0.0
    try:
        for round_ in range(REFERENCE_ROUNDS + 1):
            pending = [i for i in range(len(layout.pieces))
                       if i not in layout.laid or layout.used.get(i) != layout.numbers(i)]
            if not pending:
                break
            running: dict[Future, int] = {}
            while pending or running:
                while pending and len(running) < workers.count:
                    index = next_piece(layout, pending, bool(running), first_round=round_ == 0)
                    if index is None:
                        break
                    pending.remove(index)
                    job = make_job(layout, index, base)
                    key = piece_key(job, styles_key)
                    layout.keys[index] = key
                    cached = store.get(key)
                    if cached is not None:
                        layout.laid[index] = cached
                        continue
                    running[workers.submit(job)] = index
                if not running:
                    continue
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in done:
                    index = running.pop(future)
                    laid = future.result()
                    store.put(layout.keys[index], laid)
                    layout.laid[index] = laid
                    laid_out.append(layout.pieces[index].name)
                    layouts += laid.layouts
                    cpu += laid.cpu
        else:
            log.warning("%s: some page references may be off by a page after %d rounds of layout",
                        document.manuscript.path.name, REFERENCE_ROUNDS)
        pieces = [layout.laid[i] for i in range(len(layout.pieces))]
        folios = stamp_layout(pieces, base, workers, store, styles_key)
        cpu += folios.laid.cpu if folios is not None else 0.0
        join_pieces(pieces, layout, folios, target)
    except RenderError:
        raise
    except Exception as exc:  # WeasyPrint raises many kinds; report them for this book
        log.debug("%s: the PDF layout failed", document.manuscript.path.name, exc_info=True)
        raise RenderError(f"WeasyPrint could not lay out the PDF: {exc}", path=document.manuscript.path,
                          hint="run with --debug for details; check the styles and images") from exc
    finally:
        if own:
            workers.close()
    report(rendered, layout, pieces, fetcher)
    store.keep_only(set(layout.keys.values()) | ({folios.key} if folios is not None else set()),
                    {"pages": {target: layout.page_of(target) for piece in layout.pieces
                               for target in (ref.get("href")[1:] for ref in piece.refs)},
                     "sizes": {piece.name: laid.pages for piece, laid in zip(layout.pieces, pieces)}})
    total = book_pages(pieces)[1]
    log.info("%s: %d pieces; %d layouts of %d pieces%s; the others from the cache",
             document.manuscript.path.name, len(pieces), layouts, len(laid_out),
             f" ({', '.join(laid_out)})" if laid_out else "",
             extra={"layout_stats": {"pieces": len(pieces), "laid_out": laid_out, "layouts": layouts,
                                     "pages": total, "worker_cpu": cpu,
                                     "folios": folios.source if folios is not None else None,
                                     "folio_pages": folios.laid.pages if folios is not None else 0,
                                     "worker_peak_mb": max((p.peak_mb for p in pieces), default=0.0)}})
    return total


def placements(shape: list[tuple[int, str]]) -> tuple[list[int], int]:
    """Where each piece starts (0-based page) and the book's page count, given (pages, side of its first page).

    A piece opening on a recto starts on an even index (page 1, 3, …), on a
    verso on an odd one: a blank page is put before it when needed.
    """
    starts, page = [], 0
    for pages, side in shape:
        if page % 2 != (1 if side == "left" else 0):
            page += 1
        starts.append(page)
        page += pages
    return starts, page


def next_piece(layout: Layout, pending: list[int], running: bool, *, first_round: bool) -> int | None:
    """The piece to lay out next, or None to wait for one running.

    First round: the front matter first (its length places every chapter),
    then the pieces whose page references are known, in order; when none is
    and nothing runs, the first with guessed numbers. When the front's length
    is known from the previous build, the front comes last instead, alone,
    with every page number known: laid out once. Later rounds (numbers
    that changed): the chapters first, each placed by the others' last layout,
    and the front matter last, once every page is known.
    """
    if first_round:
        front_waits = layout.front_sized and (running or len(pending) > 1)
        candidates = [i for i in pending if not (i == 0 and front_waits)]
        index = next((i for i in candidates if i == 0 or layout.ready(i)), None)
        return candidates[0] if index is None and not running and candidates else index
    index = next((i for i in pending if i != 0), None)
    return 0 if index is None and not running and 0 in pending else index


def make_job(layout: Layout, index: int, base: dict) -> PieceJob:
    piece = layout.pieces[index]
    numbers = layout.numbers(index)
    for ref in piece.refs:
        ref.set("data-page", numbers[ref.get("href")[1:]])
    layout.used[index] = numbers
    from ..editions.pdf import serialise

    return PieceJob(name=piece.name, html=serialise(piece.tree), **base)


def book_pages(pieces: list[LaidPiece]) -> tuple[list[str | None], int]:
    """Each page of the joined book: its named page if it shows a folio, else None (blanks included)."""
    starts, total = placements([(laid.pages, laid.first_side) for laid in pieces])
    folios: list[str | None] = [None] * total
    for start, laid in zip(starts, pieces):
        folios[start:start + laid.pages] = laid.folios
    return folios, total


# Figures shown by the sample pages of the folio templates: two numbers of each length differing in
# every figure (their drawings must differ only in the glyphs), and one holding every figure.
SAMPLE_FIGURES = ("1234567890", "9876543210")


@dataclass
class FolioStamps:
    """What draws the folios on the joined book: per page, the content operators and their /Resources.

    ``contents[i]`` is None where page ``i`` shows no folio; ``resources[i]``
    is the /Resources dictionary (of the laid-out folio document) its
    operators name. ``laid`` and ``key``: that document, kept in the store.
    """

    contents: list[bytes | None]
    resources: list
    laid: LaidPiece
    key: str
    source: str  # "samples" (templates from a few pages) or "sheet" (one page per book page)


def stamp_layout(pieces: list[LaidPiece], base: dict, workers: Workers, store: PieceStore,
                 styles_key: str) -> FolioStamps | None:
    """The book's folios, laid out apart from the pieces (each of which counts its pages from 1).

    First choice, a few sample pages (:func:`sample_plan`): for each named page
    and side that shows a folio, and each count of figures, two pages showing
    numbers of that length, and one page showing every figure. When the two
    samples of a kind draw the same operators but for the glyphs, and a figure
    is always the same glyph (a plain number, figures of one width or set
    flush left), every folio of the book is its kind's operators with its own
    glyphs (:func:`stamps_from_samples`). Otherwise (proportional figures set
    flush right, roman numerals, "p. 3", "3 / 120"), one empty page per book
    page, with the same named pages, each showing its own number: about 6 ms
    of layout a page, where the samples cost a few dozen pages once.
    Either document is kept in the piece store like a piece.
    """
    names = book_pages(pieces)[0]
    if all(name is None for name in names):
        return None
    if names[0] is None:  # the book's first page (:first) shows no folio: the samples need not be first
        plan = sample_plan(names)
        laid, key = _folio_document(plan, base, workers, store, styles_key)
        stamps = stamps_from_samples(laid, plan, names)
        if stamps is not None:
            return FolioStamps(*stamps, laid=laid, key=key, source="samples")
        log.debug("folios: the samples are not one template per kind; one folio page per book page")
    plan = [(name or "", None) for name in names]
    laid, key = _folio_document(plan, base, workers, store, styles_key)
    return FolioStamps(*stamps_from_sheet(laid, names), laid=laid, key=key, source="sheet")


def sample_plan(names: list[str | None]) -> list[tuple[str, str | None]]:
    """The pages of the folio samples: (named page, number it shows, None for a filler), in order.

    A page at an even index is a right-hand page, as in the book: fillers put
    each sample on its side; the first page (``:first``) is a filler.
    """
    kinds = sorted({(name, "left" if index % 2 else "right") for index, name in enumerate(names)
                    if name is not None})
    figures = len(str(len(names)))
    wanted = [(name, side, sample[:count]) for name in sorted({name for name, _ in kinds})
              for count in range(1, figures + 1) for sample in SAMPLE_FIGURES
              for side in ("right", "left") if (name, side) in kinds]  # sides alternate: few fillers
    wanted.append((*kinds[0], SAMPLE_FIGURES[0]))  # every figure, for the glyph of each
    plan: list[tuple[str, str | None]] = [("", None)]
    for name, side, number in wanted:
        if len(plan) % 2 != (1 if side == "left" else 0):
            plan.append(("", None))
        plan.append((name, number))
    return plan


def _folio_document(plan: list[tuple[str, str | None]], base: dict, workers: Workers, store: PieceStore,
                    styles_key: str) -> tuple[LaidPiece, str]:
    """Lay out (or take from the store) a document of empty pages: ``plan`` gives each its named page and,
    when not None, the number its folio shows (``counter-set`` on that page)."""
    from ..editions.pdf import serialise

    blank = E.BODY()
    for number, (name, _) in enumerate(plan):
        style = "break-before: page;" if number else ""
        if name:
            style += f" page: {name};"
        blank.append(E.DIV(style=style) if style else E.DIV())
    numbers = "".join(f"@page :nth({index + 1}) {{ counter-set: page {shown}; }}\n"
                      for index, (_, shown) in enumerate(plan) if shown is not None)
    job = PieceJob(name="folios", html=serialise(E.HTML(E.HEAD(), blank)),
                   **{**base, "css": base["css"][:1] + ((numbers,) if numbers else ())}, folio_sheet=True)
    key = piece_key(job, styles_key)
    laid = store.get(key)
    if laid is None:
        laid = workers.submit(job).result()
        store.put(key, laid)
    return laid, key


def stamps_from_samples(laid: LaidPiece, plan: list[tuple[str, str | None]], names: list[str | None]):
    """Each book page's folio operators made from its kind's sample, or None when the samples do not make
    one template per kind (see :func:`stamp_layout`). Returns (contents, resources) per book page."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(laid.pdf))
    if len(reader.pages) != len(plan):
        return None
    glyphs: dict[str, bytes] = {}
    templates: dict[tuple[str, str, int], tuple[bytes, bytes, object]] = {}
    for index, (name, number) in enumerate(plan):
        if number is None:
            continue
        page = reader.pages[index]
        operations, _ = _renamed_operations(page)
        shown = [i for i, (_, operator) in enumerate(operations) if operator in (b"TJ", b"Tj")]
        if len(shown) != 1:
            return None
        drawn = _glyphs(*operations[shown[0]], len(number))
        if drawn is None:
            return None
        for figure, glyph in zip(number, drawn):
            if glyphs.setdefault(figure, glyph) != glyph:
                return None
        template = (_serialised(operations[:shown[0]]), _serialised(operations[shown[0] + 1:]),
                    page["/Resources"])
        kind = (name, "left" if index % 2 else "right", len(number))
        if templates.setdefault(kind, template)[:2] != template[:2]:
            return None
    contents: list[bytes | None] = []
    resources: list = []
    for index, name in enumerate(names):
        number = str(index + 1)
        template = templates.get((name or "", "left" if index % 2 else "right", len(number)))
        if name is None or template is None or not set(number) <= set(glyphs):
            if name is not None:
                return None
            contents.append(None)
            resources.append(None)
            continue
        before, after, page_resources = template
        contents.append(before + b"[" + b"".join(glyphs[figure] for figure in number) + b"] TJ\n" + after)
        resources.append(page_resources)
    return contents, resources


def stamps_from_sheet(laid: LaidPiece, names: list[str | None]):
    """Each book page's folio operators from the folio document's page of the same number."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(laid.pdf))
    contents: list[bytes | None] = []
    resources: list = []
    for page, name in zip(reader.pages, names):
        contents.append(_serialised(_renamed_operations(page)[0]) if name is not None else None)
        resources.append(page["/Resources"] if name is not None else None)
    return contents, resources


def _renamed_operations(page) -> tuple[list, dict]:
    """A page's content operations, each resource it names renamed ``/folio…`` (the joined page has its own)."""
    from pypdf.generic import DictionaryObject, NameObject

    renamed = {}
    for entries in page["/Resources"].get_object().values():
        if isinstance(entries.get_object(), DictionaryObject):
            renamed.update({name: NameObject("/folio" + name[1:]) for name in entries.get_object()})
    content = page.get_contents()
    return [([renamed.get(o, o) if isinstance(o, NameObject) else o for o in operands], operator)
            for operands, operator in content.operations], renamed


def _serialised(operations: list) -> bytes:
    from pypdf.generic import ContentStream

    stream = ContentStream(None, None)
    stream.operations = operations
    return stream.get_data()


def _glyphs(operands: list, operator: bytes, count: int) -> list[bytes] | None:
    """The ``count`` glyphs a text-showing operator draws, each as TJ array items (its code and the
    adjustment after it, if any), or None unless its codes split evenly into ``count`` codes of 1 or 2 bytes."""
    from pypdf.generic import ArrayObject, ByteStringObject, FloatObject, NumberObject, TextStringObject

    items = list(operands[0]) if operator == b"TJ" and isinstance(operands[0], ArrayObject) else list(operands[:1])
    strings: list[tuple[bytes, bytes]] = []  # (codes, the adjustment written after them)
    for item in items:
        if isinstance(item, (NumberObject, FloatObject)) and strings:
            written = io.BytesIO()
            item.write_to_stream(written)
            strings[-1] = (strings[-1][0], strings[-1][1] + b" " + written.getvalue())
        elif isinstance(item, (TextStringObject, ByteStringObject)):
            raw = item.original_bytes if isinstance(item, TextStringObject) else bytes(item)
            strings.append((raw, b""))
        else:
            return None
    total = sum(len(raw) for raw, _ in strings)
    width = total // count if count else 0
    if width not in (1, 2) or total != width * count or any(len(raw) % width for raw, _ in strings):
        return None
    glyphs = []
    for raw, after in strings:
        codes = [raw[start:start + width] for start in range(0, len(raw), width)]
        glyphs += [b"<" + code.hex().encode("ascii") + b">" for code in codes]
        glyphs[-1] += after
    return glyphs


def join_pieces(pieces: list[LaidPiece], layout: Layout, folios: FolioStamps | None, target: Path) -> None:
    """Join the pieces' PDFs into ``target``: blank versos, folios, links, named destinations, the outline."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link
    from pypdf.generic import Fit

    writer = PdfWriter()
    starts, _ = placements([(laid.pages, laid.first_side) for laid in pieces])
    first_reader = None
    for start, laid in zip(starts, pieces):
        reader = PdfReader(io.BytesIO(laid.pdf))
        first_reader = first_reader or reader
        if len(writer.pages) < start:  # a blank page so that the piece opens on its side
            writer.add_blank_page(*laid.size)
        for page in reader.pages:
            writer.add_page(page)
    if folios is not None:
        stamp_folios(writer, folios)
    anchors = {}
    for start, laid in zip(starts, pieces):
        for name, (page, x, y) in laid.anchors.items():
            anchors.setdefault(name, (start + page, x, y))
    for start, laid in zip(starts, pieces):
        for page, name, rectangle in laid.links:
            if name not in anchors:
                log.debug("no anchor #%s for a link on page %d", name, start + page + 1)
                continue
            to_page, x, y = anchors[name]
            writer.add_annotation(start + page, Link(rect=rectangle, target_page_index=to_page,
                                                     fit=Fit.xyz(left=x, top=y, zoom=0)))
    for name, (page, x, y) in sorted(anchors.items(), key=lambda item: (item[1][0], item[0])):
        writer.add_named_destination_object(_destination(writer, name, page, x, y))

    # One outline over the book: a chapter's entry goes under the part before it, though laid out apart.
    parents: list[tuple[int, object]] = []
    for start, laid in zip(starts, pieces):
        for level, label, page, x, y, is_open in laid.bookmarks:
            while parents and parents[-1][0] >= level:
                parents.pop()
            item = writer.add_outline_item(title=label, page_number=start + page,
                                           parent=parents[-1][1] if parents else None,
                                           fit=Fit.xyz(left=x, top=y, zoom=0), is_open=is_open)
            parents.append((level, item))
    if first_reader is not None and first_reader.metadata:
        writer.add_metadata({key: value for key, value in first_reader.metadata.items()})
    writer.page_mode = "/UseOutlines" if any(laid.bookmarks for laid in pieces) else None
    with open(target, "wb") as output:
        writer.write(output)


def stamp_folios(writer, stamps: FolioStamps) -> None:
    """Draw each page's folio (:class:`FolioStamps`) over the joined page that shows one.

    pypdf's ``merge_page`` parses the whole text of each page to rename its
    resources; here the page's own content is only wrapped in ``q … Q`` (its
    graphics state kept to itself) and followed by the folio's few operators,
    whose resources (the figures' font) are added under names of their own
    (``/folio…``), copied into the book once.
    """
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    def stream(data: bytes):
        made = DecodedStreamObject()
        made.set_data(data)
        return writer._add_object(made)

    save = stream(b"q\n")
    copies: dict = {}
    for page, content, source in zip(writer.pages, stamps.contents, stamps.resources):
        if content is None:
            continue
        resources = page[NameObject("/Resources")].get_object()
        for category, entries in source.get_object().items():
            entries = entries.get_object()
            if not isinstance(entries, DictionaryObject):
                continue
            if category not in resources:
                resources[NameObject(category)] = DictionaryObject()
            mine = resources[category].get_object()
            for name, value in entries.items():
                if (category, name) not in copies:
                    copies[(category, name)] = value.clone(writer)
                mine[NameObject("/folio" + name[1:])] = copies[(category, name)]
        own = page["/Contents"].get_object() if "/Contents" in page else ArrayObject()
        parts = list(own) if isinstance(own, ArrayObject) else [page.raw_get("/Contents")]
        page[NameObject("/Contents")] = ArrayObject([save, *parts, stream(b"\nQ\n" + content)])


def _destination(writer, name: str, page: int, x: float, y: float):
    from pypdf.generic import Destination, Fit, NumberObject, TextStringObject

    return Destination(TextStringObject(name), writer.pages[page].indirect_reference,
                       Fit.xyz(left=NumberObject(0) if x is None else x, top=y, zoom=0))


def report(rendered: Rendered, layout: Layout, pieces: list[LaidPiece], fetcher) -> None:
    """Warn about what the pieces could not do: notes off their page or cut short, files refused."""
    from ..editions import pdf

    document = rendered.document
    for piece, laid in zip(layout.pieces, pieces):
        for note in laid.misplaced:
            document.warn(f"{_chapter_label(piece)}: note {_note_name(note)} printed on the page after its call "
                          "(WeasyPrint could not fit it); shortening the note or the paragraph around it helps")
        for note in laid.overlong:
            document.warn(f"{_chapter_label(piece)}: note {_note_name(note)} is too long for the page and its end "
                          "is cut off in the PDF; split it into shorter notes")
        fetcher.refused.extend(laid.refused)
    pdf.report_refused(rendered, fetcher)


def _chapter_label(piece: Piece) -> str:
    heading = piece.tree.xpath(".//h2[contains(concat(' ', @class, ' '), ' chapter ')]")
    return f"chapter « {heading[0].get('data-label') or heading[0].text_content().strip()} »" if heading \
        else piece.name


def _note_name(note: str) -> str:
    found = re.search(r"fn(\d+)$", note.split("-continued")[0])
    return found.group(1) if found else note
