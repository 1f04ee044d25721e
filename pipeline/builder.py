"""The orchestrator: from manuscripts to editions, one step after another."""

from __future__ import annotations

import logging
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from . import preload
from .cache import BuildCache, CacheEntry, edition_key, file_digest, shared_key
from .config import CONFIG_FILE, Settings, merge
from .errors import ConfigError, MakeBookError, ManuscriptError, ProjectError, where
from .sources.manuscript import read_manuscript, slug_for
from .project import MARKDOWN_SUFFIXES, Project, house_styles

# The stages (pandoc, bibtexparser, lxml, WeasyPrint…) are imported where they
# run, so that a rebuild with nothing to do answers at once.
if TYPE_CHECKING:
    from .document import ParsedStore
    from .render import Rendered
    from .references.bibliography import Bibliography
    from .references.checks import Finding
    from .document import Document
    from .references.citations import ReferenceReport
    from .references.styles import CitationStyle

log = logging.getLogger(__name__)

FORMATS = ("pdf", "epub")
PDF_STYLESHEET = "book.css"
EPUB_STYLESHEET = "epub.css"
FONT_FILES = ("CharisSIL-Regular.ttf", "CharisSIL-Italic.ttf", "CharisSIL-Bold.ttf", "CharisSIL-BoldItalic.ttf")


@dataclass
class Edition:
    format: str
    path: Path
    size: int
    pages: int | None = None


@dataclass
class BuildResult:
    manuscript: Path
    editions: list[Edition] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: MakeBookError | None = None
    up_to_date: bool = False  # nothing changed: the editions on disk were kept
    meta: dict = field(default_factory=dict)  # title, author, date, lang: for the shelf
    book: str | None = None  # the name of a [books.NAME] table, when this result is a book's

    @property
    def label(self) -> str:
        """What messages call it: the manuscript's file name, or the book's name."""
        return f"book {self.book}" if self.book else self.manuscript.name

    @property
    def ok(self) -> bool:
        return self.error is None


def build(project: Project, names: list[str] | None = None, *, formats: tuple[str, ...] = FORMATS,
          out: Path | None = None, draft: bool = False, pdf_variant: str | None = None, jobs: int = 1,
          force: bool = False, on_result: Callable[[BuildResult], None] | None = None) -> list[BuildResult]:
    """Build the named manuscripts (default: all) into ``out`` (default: the project's output folder).

    Editions whose inputs have not changed since the last build are kept
    (``force`` rebuilds them). Manuscripts are built in up to ``jobs`` processes;
    one that fails is reported in its result and the others still build.
    Then the books of make-book.toml (``[books.NAME]``) are built: all of them
    when no name is given, else those named. ``on_result`` is called as each
    manuscript or book finishes.
    """
    books = [book for book in project.config.books if not names or book.name in names]
    essays = [name for name in names or [] if name not in {book.name for book in books}]
    paths = select_manuscripts(project, essays) if essays or not names else []
    out_dir = project.check_output(out) if out is not None else project.output_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    formats = tuple(f for f in FORMATS if f in formats)
    options = {"formats": formats, "draft": draft, "pdf_variant": pdf_variant}
    results: dict[Path, BuildResult] = {}

    def finish(result: BuildResult, key: str | None) -> None:
        results[result.book or result.manuscript] = result
        slug = (f"{result.book}.draft" if draft else result.book) if result.book else edition_name(result.manuscript,
                                                                                                     draft)
        if result.ok and key and not result.up_to_date:
            outputs = {e.format: {"file": e.path.name, "sha256": file_digest(e.path), "size": e.size, "pages": e.pages}
                       for e in result.editions}
            meta = {**result.meta, "warnings": result.warnings}
            cache.record(slug, CacheEntry(key=key, outputs=outputs, meta=meta))
        elif not result.ok and not (slug in cache.entries and cache.intact(cache.entries[slug])):
            # A failed build leaves the last good editions in place: their entry stays (the shelf keeps
            # listing them; the new key never matches it) unless the build replaced one of their files.
            cache.forget(slug)
        if on_result is not None:
            on_result(result)

    with output_lock(out_dir):
        cache = BuildCache(out_dir)
        todo: list[tuple[Path, str | None]] = []
        shared = shared_key(project, options)
        refused = refused_names(project, paths)
        for path in paths:
            if path in refused:  # its editions, and those of the file it collides with, are left as they are
                results[path] = BuildResult(manuscript=path, error=refused[path])
                if on_result is not None:
                    on_result(results[path])
                continue
            key = cache_key(project, path, shared)
            entry = cache.fresh(edition_name(path, draft), key, formats) if key and not force else None
            if entry is None:
                todo.append((path, key))
                continue
            editions = [Edition(f, out_dir / o["file"], o["size"], o["pages"]) for f, o in entry.outputs.items()]
            # The warnings of the build that made these editions, again: a CI log always carries them.
            warnings = list(entry.meta.get("warnings", []))
            for warning in warnings:
                log.warning("%s (from the last build: the editions are up to date)", warning)
            finish(BuildResult(manuscript=path, editions=editions, warnings=warnings, up_to_date=True,
                               meta=entry.meta), key)
        if jobs > 1 and len(todo) > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed

            preload.wait_all()  # a forked child must not inherit a half-done import
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context) as pool:
                futures = {pool.submit(build_one, project, path, formats=formats, out_dir=out_dir, draft=draft,
                                       pdf_variant=pdf_variant): (path, key) for path, key in todo}
                for future in as_completed(futures):
                    finish(_result_of(future, futures[future]), futures[future][1])
        else:
            bibliographies: dict[tuple[Path, ...], Bibliography] = {}
            for path, key in todo:
                finish(build_one(project, path, formats=formats, out_dir=out_dir, draft=draft,
                                 pdf_variant=pdf_variant, bibliographies=bibliographies), key)
        # Books, after the essays they are made of.
        refused_book = refused_books(project) if books else {}
        for book in books:
            if book.name in refused_book:  # its editions, and those it clashes with, are left as they are
                results[book.name] = BuildResult(manuscript=project.root / CONFIG_FILE, book=book.name,
                                                 error=refused_book[book.name])
                if on_result is not None:
                    on_result(results[book.name])
                continue
            key = book_key(project, book, shared)
            name = f"{book.name}.draft" if draft else book.name
            entry = cache.fresh(name, key, formats) if key and not force else None
            if entry is not None:
                editions = [Edition(f, out_dir / o["file"], o["size"], o["pages"]) for f, o in entry.outputs.items()]
                finish(BuildResult(manuscript=project.root / CONFIG_FILE, book=book.name, editions=editions,
                                   warnings=list(entry.meta.get("warnings", [])), up_to_date=True, meta=entry.meta),
                       key)
                continue
            from .books import build_book

            finish(build_book(project, book, formats=formats, out_dir=out_dir, draft=draft,
                              pdf_variant=pdf_variant), key)
        cache.save()
    return [results[path] for path in paths] + [results[book.name] for book in books]


def book_key(project: Project, book, shared: str) -> str | None:
    """The cache key of a book's editions: the book's table and every chapter's own key."""
    import hashlib
    import json

    digest = hashlib.sha256()
    digest.update(json.dumps([book.name, repr(book)], default=str).encode())
    for name in book.chapters:
        path = project.named_manuscript(name)
        key = cache_key(project, path, shared) if path is not None else None
        if key is None:
            return None  # a chapter that cannot be read: the build will say why
        digest.update(key.encode())
    return digest.hexdigest()


def refused_names(project: Project, paths: list[Path]) -> dict[Path, MakeBookError]:
    """The manuscripts of ``paths`` that cannot be built under their name, with the reason.

    A file name holding a control or bidirectional formatting character
    (newline, U+202E…) could forge lines of output or hide its real extension;
    two manuscripts whose names give one slug (``Été.md``, ``ete.md``) would
    write the same editions: each is refused, naming the other, and neither is
    built, so the edition already published stays as it was.
    """
    refused: dict[Path, MakeBookError] = {}
    for path in paths:
        if unsafe_name(path.name):
            refused[path] = ProjectError(f"the file name {path.name!r} holds a control or formatting character",
                                         path=path.with_name(ascii(path.name)[1:-1]),
                                         hint="rename the file with letters, digits, '-' and '_' only")
    by_slug: dict[str, list[Path]] = {}
    for path in project.manuscripts():
        if not unsafe_name(path.name):
            by_slug.setdefault(slug_for(path), []).append(path)
    books = {slug_for(Path(book.name)): book for book in project.config.books if book.error is None}
    for path in paths:
        book = books.get(slug_for(path))
        if book is not None and path not in refused:
            refused[path] = ProjectError(
                f"{path.name!r} and the book [books.{book.name}] ({where(project.root / CONFIG_FILE, book.line, root=project.root)}) "
                f"would both be published as {slug_for(path)}.pdf/.epub", path=path,
                hint=f"rename the book: its table's name [books.{book.name}] in {CONFIG_FILE} is its file name")
    for path in paths:
        others = [p for p in by_slug.get(slug_for(path), []) if p.name != path.name]
        if others and path not in refused:
            named = ", ".join(repr(p.name) for p in others)
            refused[path] = ProjectError(
                f"{path.name!r} and {named} would both be published as {slug_for(path)}.pdf/.epub",
                path=path, hint=f"rename one of them: the edition's name keeps only the letters and digits of the "
                                f"file name, without accents or case, so names that differ only by accents, case, "
                                f"spaces, '-', '_' or punctuation give the same name {slug_for(path)!r}")
    return refused


def refused_books(project: Project) -> dict[str, MakeBookError]:
    """The books of make-book.toml that cannot be built, by name, with the reason: a table with a bad
    value (:meth:`BookSettings.config_error`), or a name whose editions would be another's: an essay's
    (``[books.essai]`` beside manuscripts/essai.md) or another book's (``[books.Ete]``, ``[books.été]``).
    Neither is built, so the editions already published stay as they were.
    """
    from .sources.manuscript import slug_for

    refused: dict[str, MakeBookError] = {}
    config = project.root / CONFIG_FILE
    essays: dict[str, list[Path]] = {}
    for path in project.manuscripts():
        essays.setdefault(slug_for(path), []).append(path)
    by_slug: dict[str, list] = {}
    for book in project.config.books:
        error = book.config_error(project.root)
        if error is not None:
            refused[book.name] = error
            continue
        by_slug.setdefault(slug_for(Path(book.name)), []).append(book)
    for slug, books in by_slug.items():
        for book in books:
            others = [f"[books.{b.name}]" for b in books if b is not book]
            clash = [where(p, root=project.root) for p in essays.get(slug, [])] + others
            if clash:
                refused[book.name] = ConfigError(
                    f"books.{book.name}: this book and {', '.join(clash)} would both be published as {slug}.pdf/.epub",
                    path=config, line=book.line,
                    hint=f"rename the book [books.{book.name}] in {CONFIG_FILE}: its name is its file name, without "
                         f"accents or case, so names that differ only by these give the same {slug!r}")
    return refused


def reading_errors(project: Project, paths: list[Path]) -> dict[Path, MakeBookError]:
    """What the build refuses in ``paths`` before any work, by manuscript: its name
    (:func:`refused_names`) or reading its text and front matter (:func:`read_manuscript`,
    as strict as the build). ``make-book check`` reports these as errors."""
    refused = refused_names(project, paths)
    for path in paths:
        if path not in refused:
            try:
                read_manuscript(project.inside(path, what="manuscript", keep_name=True), root=project.root)
            except MakeBookError as exc:
                refused[path] = exc
    return refused


def unsafe_name(name: str) -> bool:
    """Whether a file name holds a character of Unicode category Cc (controls) or Cf (bidi overrides, ZWJ…)."""
    import unicodedata

    return any(unicodedata.category(c) in ("Cc", "Cf") for c in name)


def _result_of(future, job: tuple[Path, str | None]) -> BuildResult:
    """The result a worker process sent back, or a failure of that manuscript if the worker died."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a killed or broken worker fails its manuscript only
        return BuildResult(manuscript=job[0], error=MakeBookError(
            f"the process building this manuscript stopped ({type(exc).__name__}: {str(exc)[:200]})", path=job[0],
            hint="build it alone with -j 1 --debug to see why"))


def build_one(project: Project, path: Path, *, formats: tuple[str, ...], out_dir: Path, draft: bool,
              pdf_variant: str | None, bibliographies: dict | None = None) -> BuildResult:
    """Build one manuscript; its errors end up in the result, not raised."""
    started = time.perf_counter()
    result = BuildResult(manuscript=path)
    try:
        build_manuscript(project, path, result, formats=formats, out_dir=out_dir, draft=draft,
                         pdf_variant=pdf_variant, bibliographies={} if bibliographies is None else bibliographies)
    except MakeBookError as exc:
        result.error = exc
        log.debug("%s failed: %s", path.name, exc)
    except RecursionError:
        result.error = ManuscriptError("the text is nested too deeply (lists or quotations inside each "
                                       "other hundreds of times)", path=path,
                                       hint="flatten the nesting; books rarely need more than a few levels")
    except OSError as exc:  # a full disk, a read-only output folder, a file that vanished
        result.error = ProjectError(f"could not read or write a file ({exc.strerror or exc})",
                                    path=exc.filename or path, hint="check free space and permissions, then build again")
    except Exception as exc:  # a bug in make-book or a library: this manuscript fails, the others still build
        log.debug("%s failed unexpectedly", path.name, exc_info=True)
        result.error = MakeBookError(f"internal error while building this manuscript ({type(exc).__name__}: "
                                     f"{str(exc)[:200]})", path=path,
                                     hint="run again with --debug and report it, with this manuscript if you can")
    result.seconds = time.perf_counter() - started
    return result


def edition_name(manuscript: Path, draft: bool) -> str:
    """The name of a manuscript's editions in the output folder, without extension.

    A draft has its own name (``essai.draft.pdf``), so it never replaces the
    final edition nor passes for it.
    """
    return f"{slug_for(manuscript)}.draft" if draft else slug_for(manuscript)


def cache_key(project: Project, path: Path, shared: str) -> str | None:
    """The cache key of a manuscript's editions; None when it cannot be read (the build will say why)."""
    try:
        manuscript = read_manuscript(project.inside(path, what="manuscript", keep_name=True))
        settings = merge(project.config, manuscript.front_matter)
        return edition_key(shared, path, bibliography_files(project, settings, path), project)
    except Exception:  # noqa: BLE001 - whatever it is, build_one meets it again and reports it for this file
        return None


LOCK_FILE = ".make-book.lock"
#: Temporary files make-book writes in the output folder: atomic_target's ``.<slug>.<ext>.<random>.part``,
#: the shelf's ``.index.html.part`` and the cache's ``.make-book-cache.json.part``.
OWN_TEMPORARY = re.compile(r"\.(?:[a-z0-9-]+(?:\.draft)?\.(?:pdf|epub)\.[A-Za-z0-9_]+|index\.html|make-book-cache\.json)\.part")


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """One build at a time writes to ``out_dir``; a second one waits for the first.

    Under the lock, temporary files left by a killed build are removed.
    """
    import fcntl

    lock = out_dir / LOCK_FILE
    if lock.is_symlink():  # planted in the output folder: opening it would create or touch its target
        lock.unlink()
    with os.fdopen(os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            for stale in out_dir.glob(".*.part"):
                if OWN_TEMPORARY.fullmatch(stale.name):  # only what make-book itself left: never a user's file
                    stale.unlink(missing_ok=True)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare(project: Project, path: Path, *, draft: bool = False, extra_bib: tuple[Path, ...] = (),
            bibliographies: dict[tuple[Path, ...], Bibliography] | None = None, lenient: bool = False,
            cache_dir: Path | None = None, parsed: ParsedStore | None = None) -> Document:
    """Steps 1 to 3 of a build: what ``make-book refs`` analyses too.

    ``lenient`` (refs, check): a front matter value make-book cannot use is a warning, not an error.
    ``cache_dir``: where parsed .bib entries are kept between builds (the output folder).
    ``parsed``: where parsed bodies are kept between builds (a book's chapters, :class:`ParsedStore`).
    """
    from .references.bibliography import load_bibliography
    from .references.resolve import resolved_links
    from .document import parse_document

    # 1. Read the manuscript (its real path inside the project): UTF-8 text, front matter, body.
    manuscript = read_manuscript(project.inside(path, what="manuscript", keep_name=True), lenient=lenient,
                                 root=project.root)
    settings = merge(project.config, manuscript.front_matter)
    if not settings.lang:
        preload.start("language detector")  # detected in step 3, once pandoc has parsed the text

    # 2. Load the bibliography files it uses (once per set of files).
    files = bibliography_files(project, settings, path)
    files += tuple(f for f in extra_bib if f not in files and f.is_file())
    cache = bibliographies if bibliographies is not None else {}
    if files not in cache:
        cache[files] = load_bibliography(list(files), cache_dir=cache_dir)

    # 3. Parse the body into pandoc's tree; settle title, language, date, headings;
    #    note what `make-book resolve` found for its links (resolved.json).
    document = parse_document(manuscript, project.config, cache[files], draft=draft, parsed=parsed)
    document.resolved_links = resolved_links(project)
    return document


def build_manuscript(project: Project, path: Path, result: BuildResult, *, formats: tuple[str, ...],
                     out_dir: Path, draft: bool, pdf_variant: str | None,
                     bibliographies: dict[tuple[Path, ...], Bibliography]) -> None:
    from .references.citations import resolve_references
    from .passages import mark_passages
    from .render import format_citations, render_html
    from .sanitize import sanitize
    from .sources.images import report_missing_images
    from .typography import apply_typography

    log.info("building %s", path.name)
    if "pdf" in formats:
        preload.start("weasyprint")  # imported while pandoc runs, used in step 8
    preload.start("language scorer")  # loaded while pandoc runs, used in step 5
    document = prepare(project, path, draft=draft, bibliographies=bibliographies, cache_dir=out_dir)
    manuscript = document.manuscript

    # 4. Check citations, turn links to known works into citations, settle links and images.
    resolve_references(document, project_root=project.root)
    if draft:  # a draft shows its spelling and grammar findings where they occur
        mark_spelling(project, document, out_dir)

    # 5. Passages in another language than the text's get their lang (their typography, their hyphenation).
    for other, words in mark_passages(document.ast, document.lang, preload.result("language scorer")):
        log.info("%s: a passage in %r: %s", manuscript.where(), other, words)

    # 6. Format citations and bibliography in the citation style (pandoc's citeproc, on the tree).
    format_citations(document, citation_style(project, document, path))

    # 7. Typography of the text's language, citeproc's output included: spaces, quotation marks, ordinals.
    apply_typography(document.ast, document.lang)
    document.settings = typeset_settings(document.settings, document.lang)
    rendered = render_html(document)
    sanitize(rendered.body, document, project.root)
    report_missing_images(document)  # every missing image in one error (placeholders in a draft)

    # 8. Write each edition next to the previous one, replacing it only when complete.
    cover = None
    if document.settings.cover and "epub" in formats:
        line = _front_matter_line(path, "cover")
        cover = project.inside(project.root / document.settings.cover, what="cover image", source=path, line=line)
        check_cover(cover, source=path, line=line)
    write_editions(project, rendered, result, name=edition_name(path, draft), formats=formats, out_dir=out_dir,
                   pdf_variant=pdf_variant, cover=cover)
    result.meta = {**({"draft_edition": True} if draft else {}), "title": document.title, "subtitle": document.settings.subtitle,
                   "author": list(document.settings.author), "date": document.settings.date.isoformat(),
                   "lang": document.lang, "draft": manuscript.draft}


def write_editions(project: Project, rendered: Rendered, result: BuildResult, *, name: str,
                   formats: tuple[str, ...], out_dir: Path, pdf_variant: str | None, cover: Path | None,
                   workers=None) -> None:
    """Write ``out_dir/NAME.pdf`` and ``.epub`` from the rendered body (an essay's or a book's).

    A book's PDF is laid out by pieces (:mod:`pipeline.books.layout`), in ``workers``
    if the caller started them, its pieces kept in ``out_dir`` between builds.

    Each file is written aside and renamed onto the previous edition only when
    complete. A failed PDF does not stop the EPUB: its error is raised once the
    EPUB is written. The document's warnings go to ``result`` either way.
    """
    document = rendered.document
    pdf_error: MakeBookError | None = None
    if "pdf" in formats:
        preload.result("weasyprint")  # RenderError naming the system libraries when they are missing
        from .editions.fetch import SafeFetcher
        from .editions.pdf import write_pdf

        target = out_dir / f"{name}.pdf"
        fetcher = SafeFetcher([project.root, *project.style_dirs()])
        try:
            with atomic_target(target) as temporary:
                if document.book:
                    from .books.layout import write_book_pdf

                    pages = write_book_pdf(rendered, temporary, stylesheets=[style(project, PDF_STYLESHEET)],
                                           fetcher=fetcher, variant=pdf_variant, cache_dir=out_dir, workers=workers)
                else:
                    pages = write_pdf(rendered, temporary, stylesheets=[style(project, PDF_STYLESHEET)],
                                      fetcher=fetcher, variant=pdf_variant)
        except MakeBookError as exc:
            pdf_error = exc
        else:
            result.editions.append(Edition("pdf", target, target.stat().st_size, pages))
            log.info("wrote %s (%d pages)", target, pages)
    if "epub" in formats:
        from .editions.epub import write_epub

        target = out_dir / f"{name}.epub"
        with atomic_target(target) as temporary:
            write_epub(rendered, temporary, stylesheet=style(project, EPUB_STYLESHEET), fonts=fonts(project),
                       cover=cover)
        result.editions.append(Edition("epub", target, target.stat().st_size))
        log.info("wrote %s", target)
    result.warnings.extend(document.warnings)
    if pdf_error is not None:
        raise pdf_error


def mark_spelling(project: Project, document: Document, out_dir: Path) -> None:
    """Underline in a draft the words the spelling check flags, with the suggestion beside them."""
    from .spelling import mark_findings
    from .spelling.checker import SpellChecker, accepted_words, check_document
    from .references.citations import analyse

    bibliography = document.bibliography.entries
    cited = [bibliography[r.key].fields for r in analyse(document).references if r.key in bibliography]
    checker = SpellChecker(accepted_words(project, cited), cache_dir=out_dir)
    try:
        report = check_document(document, checker)
    finally:
        checker.close()
    marked = mark_findings(document, report.findings)
    log.info("%s: %d spelling or grammar finding(s) marked in the draft", document.manuscript.where(), marked)


def report_references(project: Project, names: list[str] | None = None, *,
                      extra_bib: tuple[Path, ...] = (),
                      failures: list[MakeBookError] | None = None) -> list[ReferenceReport]:
    """What ``make-book refs`` prints: every citation and link of each manuscript, with its status.

    With a ``failures`` list, a manuscript that cannot be read is added to it and
    the others are still reported; without one, its error is raised.
    """
    from .references.citations import analyse

    cache: dict[tuple[Path, ...], Bibliography] = {}
    reports = []
    for path in select_manuscripts(project, names):
        try:
            reports.append(analyse(prepare(project, path, extra_bib=extra_bib, bibliographies=cache, lenient=True)))
        except MakeBookError as exc:
            if failures is None:
                raise
            failures.append(exc)
    return reports


def write_stubs(project: Project, target: Path, names: list[str] | None = None) -> list[str]:
    """Append to ``target`` a stub for each linked work no bibliography file has; return their keys."""
    from .references.citations import analyse
    from .references.stubs import append_stubs, stubs_for

    target = project.inside(target if target.is_absolute() else project.root / target, what="stub file",
                            allow_missing=True)
    if target.suffix != ".bib":
        raise ConfigError(f"the stub file {target.name!r} must end in .bib", hint="e.g. bibliography/todo.bib")
    cache: dict[tuple[Path, ...], Bibliography] = {}
    documents = [prepare(project, path, extra_bib=(target,), bibliographies=cache, lenient=True)
                 for path in select_manuscripts(project, names)]
    known = {key for document in documents for key in document.bibliography.keys}
    reports = [analyse(document) for document in documents]
    return append_stubs(target, stubs_for(reports, known))


def check_project(project: Project, names: list[str] | None = None) -> list[Finding]:
    """Bibliography lint over every .bib file of the project, with the keys the manuscripts cite.

    ``names``: books of make-book.toml (``[books.NAME]``) or essays. Their
    references' problems come first, each with its file and line (a book's own
    checks too: :func:`pipeline.books.report.book_findings`), then the lint, with
    the keys they cite as the cited ones.
    """
    from .references.checks import ERROR, Finding, check_bibliography

    require_manuscripts_folder(project)
    if names:
        return _check_named(project, names)
    from .books.report import reference_findings

    cited: set[str] = set()
    failures: list[MakeBookError] = []
    reports = report_references(project, failures=failures) if project.manuscripts() else []
    for report in reports:
        cited |= set(report.cited) | {r.target for r in report.references if r.kind == "citation"}
    # A manuscript that cannot be read or built under its name is an error of the check too.
    unreadable = _unbuildable(project, project.manuscripts(), failures)
    # So are the references that stop a build (a key no bibliography has); the warnings a build
    # prints for links are `make-book refs`'s and `check NAME`'s to list.
    blocking = [finding for finding in reference_findings(reports) if finding.level == ERROR]
    return unreadable + list(_book_errors(project).values()) + blocking + check_bibliography(project.bibliography_files(), cited)


def _book_errors(project: Project, names: list[str] | None = None) -> dict[str, Finding]:
    """The books (all, or those of ``names``) the build refuses (:func:`refused_books`, a chapter
    missing from manuscripts/), as errors by book name."""
    from .references.checks import ERROR, Finding

    from .books.assemble import chapter_paths

    refused = refused_books(project)
    for book in project.config.books:
        if book.name not in refused:
            try:
                chapter_paths(project, book)  # a chapter missing from manuscripts/
            except MakeBookError as exc:
                refused[book.name] = exc
    return {name: Finding(ERROR, error.path, error.line, error.message + (f"; how to fix: {error.hint}" if error.hint
                                                                          else ""))
            for name, error in refused.items() if names is None or name in names}


def _unbuildable(project: Project, paths: list[Path], failures: list[MakeBookError]) -> list[Finding]:
    """The errors the build would stop ``paths`` on (:func:`reading_errors`), then the other
    ``failures`` of reading them for the check, once each."""
    from .references.checks import ERROR, Finding

    refused = reading_errors(project, paths)
    seen = {(str(e.path), e.line, e.message) for e in refused.values()}
    errors = list(refused.values()) + [f for f in failures if (str(f.path), f.line, f.message) not in seen]
    return [Finding(ERROR, error.path or project.manuscripts_dir, error.line,
                    error.message + (" (its citations are not counted)" if error in failures else "")
                    + (f"; how to fix: {error.hint}" if error.hint else ""))
            for error in errors]


def _check_named(project: Project, names: list[str]) -> list[Finding]:
    """``check NAME…``: the named books' and essays' references, then the bibliography lint for what they cite."""
    from .books import find_book
    from .books.report import book_findings, reference_findings, report_book
    from .references.checks import ERROR, Finding, check_bibliography

    failures: list[MakeBookError] = []
    findings: list[Finding] = []
    cited: set[str] = set()
    essays = [name for name in names if find_book(project, name) is None]
    paths = select_manuscripts(project, essays) if essays else []
    refused = _book_errors(project, names)
    findings += refused.values()
    for book in (find_book(project, name) for name in names):
        if book is not None and book.name not in refused:
            report = report_book(project, book, failures=failures)
            findings += book_findings(report)
            cited |= report.cited
            paths += [p for p in map(project.named_manuscript, book.chapters) if p is not None and p not in paths]
    if essays:
        reports = report_references(project, essays, failures=failures)
        findings += reference_findings(reports)
        cited |= {key for report in reports for key in report.cited}
        cited |= {r.target for report in reports for r in report.references if r.status == "unreadable entry"}
    unreadable = _unbuildable(project, paths, failures)
    scope = " or ".join(f"the book {name!r}" if find_book(project, name) else name for name in names)
    files = project.bibliography_files()
    lint = check_bibliography(files, cited, uncited=f"not cited in {scope}")
    return unreadable + findings + _about_cited(project, lint, cited, scope)


def _about_cited(project: Project, findings: list[Finding], cited: set[str], scope: str) -> list[Finding]:
    """The lint's findings that concern what ``scope`` cites; one note counting the others.

    A library of thousands of entries shared by many essays has warnings about
    entries a book never cites; they would bury the book's own. Kept: errors,
    findings about a whole file, and those inside a cited entry (or a
    ``crossref``/``xdata`` parent of one), found by line.
    """
    import bisect

    from .references.bibliography import load_bibliography
    from .references.checks import ERROR, INFO, Finding

    files = [path for path in project.bibliography_files() if path.is_file()]
    cache_dir = project.output_dir if project.output_dir.is_dir() else None
    try:
        bibliography = load_bibliography(files, cache_dir=cache_dir)
    except MakeBookError:
        return findings  # an unreadable file: its error is among the findings already
    used = bibliography.used_keys(cited)  # with crossref/xdata parents in any case, granular xdata sources
    starts: dict[Path, list[tuple[int, str]]] = {}
    for entry in bibliography.entries.values():
        starts.setdefault(entry.path, []).append((entry.line, entry.key))
    for spans in starts.values():
        spans.sort()
    kept, left_out = [], 0
    for finding in findings:
        spans = starts.get(finding.path, [])
        index = bisect.bisect_right(spans, (finding.line or 0, "\uffff")) - 1
        key = spans[index][1] if finding.line and index >= 0 else None
        if finding.level == ERROR or key is None or key in used:
            kept.append(finding)
        else:
            left_out += 1
    if left_out:
        kept.append(Finding(INFO, project.bibliography_dir, None,
                            f"{left_out} finding(s) about entries not cited in {scope} left out "
                            "(make-book check without a name lists the whole library's)"))
    return kept


def typeset_settings(settings: Settings, lang: str) -> Settings:
    """The front matter's texts (title, subtitle, abstract, epigraph) by the same typographic rules."""
    from .typography import typeset_text

    values = {name: typeset_text(getattr(settings, name), lang)
              for name in ("title", "subtitle", "abstract", "epigraph", "description") if getattr(settings, name)}
    return merge(settings, values)


def new_manuscript(project: Project, title: str, *, lang: str | None = None) -> Path:
    """Create manuscripts/<slug>.md with title, date and language; never overwrite."""
    import datetime as dt

    import yaml

    from .config import _lang

    slug = slug_for(Path(title))
    target = project.manuscripts_dir / f"{slug}.md"
    if target.exists():
        raise ProjectError(f"{target.relative_to(project.root)} already exists", path=target,
                           hint="choose another title, or open the existing file")
    language = _lang(lang) if lang else project.config.lang or "fr"
    front = yaml.safe_dump({"title": title, "date": dt.date.today().isoformat(), "lang": language},
                           allow_unicode=True, sort_keys=False)
    project.manuscripts_dir.mkdir(parents=True, exist_ok=True)
    project.bibliography_dir.mkdir(parents=True, exist_ok=True)
    # A first paragraph, not an empty heading: the file builds as it is into a PDF with no blank page.
    first = NEW_TEXT.get(language.split("-")[0].lower(), NEW_TEXT["en"])
    target.write_text(f"---\n{front}---\n\n{first}\n", encoding="utf-8")
    return target


NEW_TEXT = {
    "fr": "Le texte de l’essai commence ici. Citez un ouvrage de bibliography/ par sa clé, `[@cle]`, "
          "ou par un lien vers lui ; `make-book refs` dit ce que chaque lien devient.",
    "en": "The essay starts here. Cite a work of bibliography/ by its key, `[@key]`, or by a link to it; "
          "`make-book refs` says what each link becomes.",
}


def affected_manuscripts(project: Project, changed: list[Path]) -> list[str]:
    """The manuscripts a change touches: the changed ones, or all when shared inputs change."""
    names: list[str] = []
    for path in changed:
        if path.suffix in MARKDOWN_SUFFIXES and path.parent == project.manuscripts_dir:
            if path.is_file():
                names.append(path.name)
        elif path.suffix in (".tmp", ".swp", ".part") or path.name.endswith("~"):
            continue
        else:  # a bibliography file, a style, an image or the config: rebuild all, the cache skips the rest
            return [p.name for p in project.manuscripts()]
    return sorted(set(names))


def require_manuscripts_folder(project: Project) -> None:
    """Raise :class:`ProjectError` unless the project has a manuscripts/ folder: the sign of a make-book project."""
    if not project.manuscripts_dir.is_dir():
        raise ProjectError("no such folder: this is not a make-book project (it has no manuscripts/)",
                           path=project.manuscripts_dir,
                           hint='run make-book in your project folder or pass --root FOLDER; '
                                'to start a project here: make-book new "Title"')


def select_manuscripts(project: Project, names: list[str] | None) -> list[Path]:
    if not names:
        require_manuscripts_folder(project)
        found = project.manuscripts()
        if not found:
            raise ProjectError("there is no manuscript (*.md or *.markdown file) in this folder", path=project.manuscripts_dir,
                               hint='put your essays here as Markdown files, or start one: make-book new "Title"')
        return found
    paths: list[Path] = []
    for name in names:
        path = project.resolve_manuscript(name)
        if path in paths:
            raise ProjectError(f"the manuscript {name!r} is named twice", hint="name each manuscript once")
        paths.append(path)
    return paths


def bibliography_files(project: Project, settings: Settings, manuscript: Path) -> tuple[Path, ...]:
    """The .bib files a manuscript uses: those it names, else all of bibliography/."""
    if not settings.bibliography:
        return tuple(project.bibliography_files())
    files = []
    for name in settings.bibliography:
        candidates = [project.root / name, project.bibliography_dir / name]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise ConfigError(f"bibliography file {name!r} not found", path=manuscript,
                              hint="give a path relative to the project folder or to bibliography/")
        files.append(project.inside(found, what="bibliography file", source=manuscript))
    return tuple(files)


def citation_style(project: Project, document: Document, manuscript: Path) -> CitationStyle | None:
    """The manuscript's citation style (``csl:`` as a file or a name, else its language's default).

    Also settles ``citation_abbreviations`` to a file inside the project.
    """
    from .references.styles import choose_style

    settings = document.settings
    if settings.citation_abbreviations:
        found = project.inside(project.root / settings.citation_abbreviations, what="citation abbreviations file",
                               source=manuscript, line=document.manuscript.line_of(settings.citation_abbreviations))
        document.settings = merge(settings, {"citation_abbreviations": str(found)})

    def find_file(name: str) -> Path | None:
        found = project.style_file(name)
        if found is None and (project.root / name).is_file():
            found = project.root / name
        if found is None:
            return None
        if found.resolve().is_relative_to(house_styles().resolve()):
            return found.resolve()
        return project.inside(found, what="citation style", source=manuscript)

    return choose_style(settings.csl, document.lang, find_file=find_file, manuscript=manuscript,
                        line=_front_matter_line(manuscript, "csl"))


def _front_matter_line(manuscript: Path, key: str) -> int | None:
    """The line of ``key:`` in a manuscript's front matter, for messages."""
    try:
        lines = manuscript.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    return next((n for n, text in enumerate(lines[:200], start=1) if text.startswith(f"{key}:")), None)


COVER_FORMATS = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg")}
MAX_COVER_BYTES = 20 * 1024 * 1024
MAX_COVER_PIXELS = 40_000_000  # 5000 × 8000: beyond any e-book cover, far below a decompression bomb


def check_cover(cover: Path, *, source: Path, line: int | None) -> None:
    """Raise ManuscriptError unless ``cover`` is a PNG or JPEG of sane size whose content matches its name.

    The type is read from the content (Pillow), not the name; the pixel count
    is read from the header before anything is decoded, so a decompression
    bomb (a small file of billions of pixels) is refused without being unpacked.
    """
    from PIL import Image, UnidentifiedImageError

    where = {"path": source, "line": line}
    if not cover.is_file():
        raise ManuscriptError(f"cover {cover.name!r} is not a file", **where, hint="name an image file in 'cover:'")
    if cover.stat().st_size > MAX_COVER_BYTES:
        raise ManuscriptError(f"cover {cover.name!r} is larger than 20 MB", **where,
                              hint="save the cover at about 1600 × 2400 pixels")
    try:
        with Image.open(cover) as image:
            kind, width, height = image.format, image.width, image.height
            if width * height > MAX_COVER_PIXELS:
                raise ManuscriptError(f"cover {cover.name!r} has {width} × {height} pixels, more than an e-book "
                                      "cover can need", **where, hint="save the cover at about 1600 × 2400 pixels")
            image.verify()
    except ManuscriptError:
        raise
    except Image.DecompressionBombError:
        raise ManuscriptError(f"cover {cover.name!r} has far too many pixels to be decoded safely (a "
                              "decompression bomb)", **where, hint="save the cover at about 1600 × 2400 pixels") \
            from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ManuscriptError(f"cover {cover.name!r} is not a readable PNG or JPEG image ({type(exc).__name__})",
                              **where, hint="export the cover again as PNG or JPEG") from None
    if kind not in COVER_FORMATS:
        raise ManuscriptError(f"cover {cover.name!r} is a {kind} image; an EPUB cover here is PNG or JPEG", **where,
                              hint="convert the cover to PNG or JPEG")
    if cover.suffix.lower() not in COVER_FORMATS[kind]:
        raise ManuscriptError(f"cover {cover.name!r} holds a {kind} image but its name ends in {cover.suffix!r}",
                              **where, hint=f"rename it with {COVER_FORMATS[kind][0]}")


def style(project: Project, name: str) -> Path:
    found = project.style_file(name)
    if found is None:
        raise ProjectError(f"stylesheet {name!r} not found in {', '.join(map(str, project.style_dirs()))}",
                           hint="reinstall make-book, or add the file to styles/")
    return found


def fonts(project: Project) -> list[Path]:
    return [path for path in (project.style_file(f"fonts/{name}") for name in FONT_FILES) if path is not None]


@contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target``, renamed onto it only if the block succeeds."""
    import tempfile

    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb+") as stream:
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
