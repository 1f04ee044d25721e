"""``make-book refs NAME`` and ``make-book check NAME`` for a book: its chapters' references and its own checks.

Each chapter is read and analysed as ``refs`` analyses an essay, so every
finding keeps its chapter's file and line. Then what only a book has:

- a link naming another chapter (by file name, blog address or alias) has the
  status ``chapter``: the book makes it internal, it is no problem;
- a link naming an essay of the project that is *not* in the book stays a link
  (to its address on the blog, or printed as text without ``base_url``): a
  warning says so, and how to make it a chapter;
- works cited in several chapters: one note (where, for a single work; else how
  many), and that the book lists them once (``bibliography = "book"``) or in
  each chapter's bibliography;
- an entry is "never cited" when no chapter of the book cites it: it is listed
  once, after the chapters, not under each chapter that does not cite it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import BookSettings
from ..errors import MakeBookError
from ..project import Project
from ..references.checks import ERROR, INFO, WARNING, Finding

CHAPTER = "chapter"  # a link to another chapter of the book, made internal
CONFIG_FILE = "make-book.toml"


@dataclass
class BookReport:
    """What ``refs NAME`` prints for a book: a report per chapter, then the book's own findings."""

    book: BookSettings
    chapters: list = field(default_factory=list)  # references.citations.ReferenceReport, in the book's order
    findings: list[Finding] = field(default_factory=list)
    # (file, line, address) of the links to essays outside the book: their finding says more than "unresolved"
    outside: set[tuple[Path, int | None, str]] = field(default_factory=set)

    @property
    def uncited(self) -> list[str]:
        """The entries no chapter of the book cites (each chapter's list is already reduced to these)."""
        return sorted({key for report in self.chapters for key in report.uncited})

    @property
    def cited(self) -> set[str]:
        """The keys of every work the book cites (by key, by a link matched to an entry, or in ``nocite``),
        and the keys it cites whose entry cannot be read (the lint's problem in it is an error)."""
        from ..references.citations import UNREADABLE

        return {key for report in self.chapters for key in report.cited} | {
            ref.target for report in self.chapters for ref in report.references if ref.status == UNREADABLE}

    def as_dict(self) -> dict:
        return {"book": self.book.name, "chapters": [report.as_dict() for report in self.chapters],
                "uncited": self.uncited,
                "findings": [{"level": f.level, "file": str(f.path), "line": f.line, "message": f.message}
                             for f in self.findings]}


def report_book(project: Project, book: BookSettings, *, extra_bib: tuple[Path, ...] = (),
                failures: list[MakeBookError] | None = None) -> BookReport:
    """Analyse every chapter of ``book`` as ``refs`` does an essay, then check what joining them makes.

    A chapter that cannot be read goes to ``failures`` (raised without it); a
    chapter missing from manuscripts/ raises the ConfigError the build raises.
    """
    from ..builder import prepare
    from ..references.citations import UNRESOLVED, analyse
    from ..sources.manuscript import read_manuscript, slug_for
    from .assemble import Chapter, _address_key, chapter_paths, chapter_targets, essay_addresses, essay_named

    report = BookReport(book)
    table = book_table_line(project, book)
    cache: dict = {}
    chapters: list[Chapter] = []
    for path in chapter_paths(project, book):
        try:
            document = prepare(project, path, extra_bib=extra_bib, bibliographies=cache, lenient=True)
        except MakeBookError as exc:
            if failures is None:
                raise
            failures.append(exc)
            continue
        chapters.append(Chapter(document=document, slug=slug_for(path), part=None))
    targets = chapter_targets(chapters)
    titles = {chapter.anchor: chapter.document.title for chapter in chapters}
    in_book = {chapter.document.manuscript.path.resolve() for chapter in chapters}
    elsewhere: dict[str, Path] = {}  # address key → an essay of the project that is not in the book
    for path in project.manuscripts():
        if path.resolve() not in in_book:
            try:
                names = essay_addresses(read_manuscript(path, lenient=True))
            except MakeBookError:
                continue  # unreadable: its own build and refs say so
            elsewhere.update({_address_key(name): path for name in names})

    citing: dict[str, list[str]] = defaultdict(list)
    for chapter in chapters:
        document = chapter.document
        analysed = analyse(document)
        for index, ref in enumerate(analysed.references):
            if ref.key and chapter.document.manuscript.path.name not in citing[ref.key]:
                citing[ref.key].append(document.manuscript.path.name)
            if ref.kind != "link":
                continue
            anchor = essay_named(ref.target, targets, document.settings.base_url)
            if anchor is not None:
                analysed.references[index] = replace(ref, status=CHAPTER, how=f"→ {titles[anchor]}")
                continue
            other = essay_named(ref.target, elsewhere, document.settings.base_url)
            if other is not None:
                becomes = ("it is printed as text (set base_url to link to the blog)" if ref.status == UNRESOLVED
                           else "it stays a link to the blog")
                report.outside.add((document.manuscript.path, ref.line, ref.target))
                report.findings.append(Finding(
                    WARNING, document.manuscript.path, ref.line,
                    f"the link {ref.target!r} names the essay {other.name}, which is not in the book "
                    f"{book.name!r}: {becomes}; add {other.stem!r} to the book's chapters in {CONFIG_FILE} "
                    "to make it a chapter and the link internal"))
        report.chapters.append(analysed)
    listed = ("listed once, in the book's bibliography" if book.bibliography == "book"
              else "listed in the bibliography of each of these chapters")
    shared = {key: names for key, names in sorted(citing.items()) if len(names) > 1}
    if len(shared) == 1:  # one work: where it is cited
        (key, names), = shared.items()
        report.findings.append(Finding(INFO, project.root / CONFIG_FILE, table,
                                       f"@{key} is cited in {len(names)} chapters ({', '.join(names)}): {listed}"))
    elif shared:  # one summary line, not one a work: the chapter tables say where each is cited
        keys = ", ".join(f"@{key}" for key in list(shared)[:5]) + (", …" if len(shared) > 5 else "")
        report.findings.append(Finding(INFO, project.root / CONFIG_FILE, table,
                                       f"{len(shared)} works are cited in more than one chapter ({keys}): {listed}"))
    # In a book, "never cited" means cited by no chapter of the book, not "not in this chapter".
    cited = report.cited
    for analysed in report.chapters:
        analysed.uncited = [key for key in analysed.uncited if key not in cited]
    return report


def book_findings(report: BookReport) -> list[Finding]:
    """What ``check NAME`` reports for a book: its chapters' reference problems, then the book's own findings."""
    return reference_findings(report.chapters, skip=report.outside) + report.findings


def reference_findings(reports: list, *, skip: set[tuple[Path, int | None, str]] = frozenset()) -> list[Finding]:
    """Each reference problem of ``reports`` (``ReferenceReport``) as a finding with its file and line.

    A citation of a key no bibliography has is an error (the build stops on it);
    a linked work with no entry, a link that points nowhere, a dead anchor, a
    stub are warnings (the build prints them and goes on). A link to another
    chapter of a book is no problem.
    """
    from ..references.citations import BLOCKING, UNREADABLE

    findings = []
    for report in reports:
        for ref in report.references:
            if ref.status == CHAPTER or not ref.unresolved or (report.manuscript, ref.line, ref.target) in skip:
                continue
            what = f"@{ref.target}" if ref.kind == "citation" else ref.target
            if ref.status == UNREADABLE:  # as the build says it: the entry's file and line, and why
                findings.append(Finding(ERROR, report.manuscript, ref.line,
                                        f"citation {what}: the entry at {ref.how} cannot be read: {ref.problem}"))
                continue
            message = f"{ref.kind} {what}: {ref.status}" + (" (a stub still to complete)" if ref.stub else "")
            findings.append(Finding(ERROR if ref.status in BLOCKING else WARNING, report.manuscript, ref.line,
                                    message + "; make-book refs says what each reference resolves to"))
    return findings


def book_table_line(project: Project, book: BookSettings) -> int | None:
    """The line of ``[books.NAME]`` in make-book.toml, for messages about the book."""
    try:
        lines = (project.root / CONFIG_FILE).read_text(encoding="utf-8").split("\n")
    except OSError:
        return None
    wanted = {f"[books.{book.name}]", f'[books."{book.name}"]'}
    return next((number for number, line in enumerate(lines, start=1) if line.strip() in wanted), None)
