"""The orchestrator: from manuscripts to editions, one step after another."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .bibliography import Bibliography, load_bibliography
from .config import Settings, merge
from .document import Document, parse_document
from .errors import ConfigError, MakeBookError, ManuscriptError, ProjectError
from .fetch import SafeFetcher
from .manuscript import read_manuscript
from .project import Project, house_styles
from .checks import Finding, check_bibliography
from .references import ReferenceReport, analyse, resolve_references
from .stubs import append_stubs, stubs_for
from .render import render_html
from .sanitize import sanitize
from .typography import apply_typography, typeset_text

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

    @property
    def ok(self) -> bool:
        return self.error is None


def build(project: Project, names: list[str] | None = None, *, formats: tuple[str, ...] = FORMATS,
          out: Path | None = None, draft: bool = False, pdf_variant: str | None = None) -> list[BuildResult]:
    """Build the named manuscripts (default: all) into ``out`` (default: the project's output folder).

    A manuscript that fails is reported in its result; the others still build.
    """
    paths = select_manuscripts(project, names)
    out_dir = out if out is not None else project.output_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    bibliographies: dict[tuple[Path, ...], Bibliography] = {}
    results = []
    with output_lock(out_dir):
        for path in paths:
            started = time.perf_counter()
            result = BuildResult(manuscript=path)
            try:
                build_manuscript(project, path, result, formats=formats, out_dir=out_dir, draft=draft,
                                 pdf_variant=pdf_variant, bibliographies=bibliographies)
            except MakeBookError as exc:
                result.error = exc
                log.debug("%s failed: %s", path.name, exc)
            except RecursionError:
                result.error = ManuscriptError("the text is nested too deeply (lists or quotations inside each "
                                               "other hundreds of times)", path=path,
                                               hint="flatten the nesting; books rarely need more than a few levels")
            result.seconds = time.perf_counter() - started
            results.append(result)
    return results


LOCK_FILE = ".make-book.lock"


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """One build at a time writes to ``out_dir``; a second one waits for the first.

    Under the lock, temporary files left by a killed build are removed.
    """
    import fcntl

    with open(out_dir / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            for stale in out_dir.glob(".*.part"):
                stale.unlink(missing_ok=True)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare(project: Project, path: Path, *, draft: bool = False, extra_bib: tuple[Path, ...] = (),
            bibliographies: dict[tuple[Path, ...], Bibliography] | None = None) -> Document:
    """Steps 1 to 3 of a build: what ``make-book refs`` analyses too."""
    # 1. Read the manuscript: UTF-8 text, front matter, body.
    manuscript = read_manuscript(path)
    settings = merge(project.config, manuscript.front_matter)

    # 2. Load the bibliography files it uses (once per set of files).
    files = bibliography_files(project, settings, path)
    files += tuple(f for f in extra_bib if f not in files and f.is_file())
    cache = bibliographies if bibliographies is not None else {}
    if files not in cache:
        cache[files] = load_bibliography(list(files))

    # 3. Parse the body into pandoc's tree; settle title, language, date, headings.
    return parse_document(manuscript, project.config, cache[files], draft=draft)


def build_manuscript(project: Project, path: Path, result: BuildResult, *, formats: tuple[str, ...],
                     out_dir: Path, draft: bool, pdf_variant: str | None,
                     bibliographies: dict[tuple[Path, ...], Bibliography]) -> None:
    log.info("building %s", path.name)
    document = prepare(project, path, draft=draft, bibliographies=bibliographies)
    manuscript = document.manuscript

    # 4. Check citations, turn links to known works into citations, settle links and images.
    resolve_references(document, project_root=project.root)

    # 5. Typography of the text's language: spaces, quotation marks, ordinals.
    apply_typography(document.ast, document.lang)
    document.settings = typeset_settings(document.settings, document.lang)

    # 6. Format citations and bibliography (citeproc) and render the HTML body.
    rendered = render_html(document, csl=csl_file(project, document.settings, path))
    sanitize(rendered.body, document, project.root)

    # 7. Write each edition next to the previous one, replacing it only when complete.
    slug = manuscript.slug
    if "pdf" in formats:
        from .pdf import write_pdf

        target = out_dir / f"{slug}.pdf"
        fetcher = SafeFetcher([project.root, *project.style_dirs()])
        with atomic_target(target) as temporary:
            pages = write_pdf(rendered, temporary, stylesheets=[style(project, PDF_STYLESHEET)], fetcher=fetcher,
                              variant=pdf_variant)
        result.editions.append(Edition("pdf", target, target.stat().st_size, pages))
        log.info("wrote %s (%d pages)", target, pages)
    if "epub" in formats:
        from .epub import write_epub

        target = out_dir / f"{slug}.epub"
        cover = None
        if document.settings.cover:
            cover = project.inside(project.root / document.settings.cover, what="cover image", source=path,
                                   line=manuscript.line_of(document.settings.cover))
        with atomic_target(target) as temporary:
            write_epub(rendered, temporary, stylesheet=style(project, EPUB_STYLESHEET), fonts=fonts(project),
                       cover=cover)
        result.editions.append(Edition("epub", target, target.stat().st_size))
        log.info("wrote %s", target)
    result.warnings.extend(document.warnings)


def report_references(project: Project, names: list[str] | None = None, *,
                      extra_bib: tuple[Path, ...] = ()) -> list[ReferenceReport]:
    """What ``make-book refs`` prints: every citation and link of each manuscript, with its status."""
    cache: dict[tuple[Path, ...], Bibliography] = {}
    return [analyse(prepare(project, path, extra_bib=extra_bib, bibliographies=cache))
            for path in select_manuscripts(project, names)]


def write_stubs(project: Project, target: Path, names: list[str] | None = None) -> list[str]:
    """Append to ``target`` a stub for each linked work no bibliography file has; return their keys."""
    target = project.inside(target if target.is_absolute() else project.root / target, what="stub file",
                            allow_missing=True)
    if target.suffix != ".bib":
        raise ConfigError(f"the stub file {target.name!r} must end in .bib", hint="e.g. bibliography/todo.bib")
    cache: dict[tuple[Path, ...], Bibliography] = {}
    documents = [prepare(project, path, extra_bib=(target,), bibliographies=cache)
                 for path in select_manuscripts(project, names)]
    known = {key for document in documents for key in document.bibliography.keys}
    reports = [analyse(document) for document in documents]
    return append_stubs(target, stubs_for(reports, known))


def check_project(project: Project) -> list[Finding]:
    """Bibliography lint over every .bib file of the project, with the keys the manuscripts cite."""
    cited: set[str] = set()
    for report in report_references(project) if project.manuscripts() else []:
        cited |= {r.key for r in report.references if r.key}
    return check_bibliography(project.bibliography_files(), cited)


def typeset_settings(settings: Settings, lang: str) -> Settings:
    """The front matter's texts (title, subtitle, abstract, epigraph) by the same typographic rules."""
    values = {name: typeset_text(getattr(settings, name), lang)
              for name in ("title", "subtitle", "abstract", "epigraph", "description") if getattr(settings, name)}
    return merge(settings, values)


def select_manuscripts(project: Project, names: list[str] | None) -> list[Path]:
    if not names:
        found = project.manuscripts()
        if not found:
            raise ProjectError("no manuscript to build", path=project.manuscripts_dir,
                               hint="put Markdown files (*.md) in the manuscripts/ folder")
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


def csl_file(project: Project, settings: Settings, manuscript: Path) -> Path | None:
    if not settings.csl:
        return None
    found = project.style_file(settings.csl) or (project.root / settings.csl)
    if not found.is_file():
        raise ConfigError(f"citation style {settings.csl!r} not found", path=manuscript,
                          hint="put the .csl file in styles/ and name it in 'csl:'")
    if found.resolve().is_relative_to(house_styles().resolve()):
        return found.resolve()
    return project.inside(found, what="citation style", source=manuscript)


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
