"""Every EPUB the test session built, checked the way readers meet it (issue #17).

A pytest plugin (its hooks are imported by ``tests/conftest.py``). At the end of
the session, in the process that runs it (the controller under pytest-xdist, which
sees every worker's folder under one base temporary folder), it finds every
``*.epub`` under pytest's base temporary folder, whoever wrote it (a build in the
test process or a ``make-book`` subprocess), keeps one of each distinct book, and

- runs DAISY Ace once over all of them (one Chromium, see ``tests/ace.py``), and
- lays out their pages in headless Chromium at 360x640 and 768x1024 (``tests/phone.py``),

then fails the run (exit status 1) if Ace reports any violation or the layout
any element wider than the screen or any other fault the measurement knows,
naming the test that made the book. Each test's folders are attributed to it
when it ends (a ``.made-by`` file naming the test).

An EPUB a test breaks on purpose is left out explicitly: ``not_for_readers(path,
reason)`` writes ``<name>.epub.not-for-readers`` beside it (or put a file
``not-for-readers`` in a folder to leave out every EPUB beneath); the report
lists what was left out and why. ``--no-reader-check`` skips the whole check for
a quick local run of a few files; CI runs the README's plain ``pytest``, which checks.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

OWNER_FILE = ".made-by"
SIDECAR = ".not-for-readers"
FOLDER_MARK = "not-for-readers"
LAYOUT_KEYS = ("overflow", "lineGaps", "notes", "tables", "captions", "headings", "quotes", "wordGaps")
PAGES_PER_BROWSER = 120  # pages laid out by one Chromium run (two iframes each)


def not_for_readers(epub: Path, reason: str) -> Path:
    """Leave ``epub`` (made broken on purpose) out of the session's reader check, saying why."""
    mark = epub.with_name(epub.name + SIDECAR)
    mark.write_text(reason, encoding="utf-8")
    return mark


@dataclass
class Book:
    """One distinct EPUB of the session, with every test that wrote that same book."""

    path: Path
    owners: list[str] = field(default_factory=list)

    def made_by(self) -> str:
        first = self.owners[0] if self.owners else "(no test recorded)"
        return first + (f" (and {len(self.owners) - 1} other tests)" if len(self.owners) > 1 else "")


@dataclass
class ReaderCheck:
    """What the session-end check found: the findings are lines of the report."""

    books: list[Book] = field(default_factory=list)
    files: int = 0
    left_out: list[tuple[Path, str, str]] = field(default_factory=list)  # (path, test, reason)
    findings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    pages: int = 0


# -- hooks -----------------------------------------------------------------------------


def pytest_addoption(parser):
    parser.addoption("--no-reader-check", action="store_true", default=False,
                     help="do not run DAISY Ace and the phone/tablet layout over every EPUB the tests built "
                          "(quick local runs; CI always checks)")


def _basetemp(config) -> Path:
    return config._tmp_path_factory.getbasetemp()  # the folder pytest (and xdist) give every tmp_path under


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Folders that appear under the base temporary folder during a test are the test's."""
    base = _basetemp(item.config)
    before = set(os.listdir(base))
    yield
    for name in set(os.listdir(base)) - before:
        folder = base / name
        if folder.is_dir() and not folder.is_symlink():
            (folder / OWNER_FILE).write_text(item.nodeid, encoding="utf-8")


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput") or config.getoption("--no-reader-check") or config.option.collectonly:
        return  # an xdist worker: the controller checks every worker's books at once
    if exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        return
    result = check_books(_basetemp(config))
    policy = config.getini("tmp_path_retention_policy")
    if policy != "all":  # pytest would delete the folders of passing tests, and their books with them
        result.findings.append(f"tmp_path_retention_policy is {policy!r}: the reader check needs 'all' "
                               "(the books of passing tests are deleted before it runs)")
    config.stash[RESULT] = result
    if result.findings and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    result = config.stash.get(RESULT, None)
    if result is None:
        return
    write = terminalreporter.write_line
    terminalreporter.section("EPUBs as readers meet them (DAISY Ace, phone and tablet layout)",
                             red=bool(result.findings), green=not result.findings)
    timing = ", ".join(f"{what} {seconds:.0f} s" for what, seconds in result.seconds.items())
    write(f"{len(result.books)} distinct EPUBs of {result.files} files checked, {result.pages} pages laid out "
          f"at 360x640 and 768x1024" + (f" ({timing})" if timing else ""))
    for path, test, reason in result.left_out:
        write(f"left out on purpose: {path.name} from {test}: {reason}")
    for line in result.findings:
        write(f"FAILED {line}", red=True)
    if not result.findings:
        write("0 Ace violations, 0 layout faults")


RESULT = pytest.StashKey[ReaderCheck]()


# -- the check -------------------------------------------------------------------------


def owner(path: Path, base: Path) -> str:
    """The test that made ``path``: the nearest ``.made-by`` above it, below ``base``."""
    for folder in path.parents:
        if folder == base or base not in folder.parents:
            break
        mark = folder / OWNER_FILE
        if mark.is_file():
            return mark.read_text(encoding="utf-8")
    return "(made outside any test: a session fixture's teardown?)"


def left_out_reason(path: Path, base: Path) -> str | None:
    sidecar = path.with_name(path.name + SIDECAR)
    if sidecar.is_file():
        return sidecar.read_text(encoding="utf-8").strip() or "no reason given"
    for folder in path.parents:
        if (folder / FOLDER_MARK).is_file():
            return (folder / FOLDER_MARK).read_text(encoding="utf-8").strip() or "no reason given"
        if folder == base:
            break
    return None


def book_identity(path: Path) -> str:
    """A hash of what Ace and the layout see: the files of the book, less the modification date.

    ``dcterms:modified`` is the build time unless SOURCE_DATE_EPOCH is set, so the same
    sample built by twenty tests would otherwise count as twenty books. A file that is
    not a zip is hashed whole (Ace then reports it as an error).
    """
    from lxml import etree

    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                data = archive.read(info)
                if info.filename.endswith(".opf"):
                    try:
                        opf = etree.fromstring(data)
                        for meta in opf.iterfind(".//{http://www.idpf.org/2007/opf}meta[@property='dcterms:modified']"):
                            meta.getparent().remove(meta)
                        data = etree.tostring(opf, method="c14n")
                    except etree.XMLSyntaxError:
                        pass
                digest.update(info.filename.encode() + b"\0" + hashlib.sha256(data).digest())
    except (zipfile.BadZipFile, OSError):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def find_books(base: Path) -> tuple[list[Book], int, list[tuple[Path, str, str]]]:
    """Distinct EPUBs under ``base`` (symlinks not followed), the number of files, and those left out."""
    books: dict[str, Book] = {}
    files = 0
    left_out = []
    for folder, dirs, names in os.walk(base):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith(".epub"):
                continue
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            files += 1
            test = owner(path, base)
            reason = left_out_reason(path, base)
            if reason is not None:
                left_out.append((path, test, reason))
                continue
            book = books.setdefault(book_identity(path), Book(path))
            book.owners.append(test)
    return list(books.values()), files, left_out


def check_books(base: Path) -> ReaderCheck:
    """Ace and the phone/tablet layout over every EPUB under ``base``; findings name the test."""
    from .ace import CACHE, run_ace
    from .phone import measure_pages, unpack

    books, files, left_out = find_books(base)
    result = ReaderCheck(books=books, files=files, left_out=left_out)
    if not books:
        return result
    by_path = {book.path: book for book in books}
    work = base / "reader-check"
    work.mkdir(exist_ok=True)
    (work / FOLDER_MARK).write_text("the check's own copies", encoding="utf-8")

    started = time.monotonic()
    cache = base / CACHE  # reports of the books a test ran Ace on already (each xdist worker keeps its own)
    cache.mkdir(exist_ok=True)
    for known in base.glob(f"*/{CACHE}/*.json"):
        if not (cache / known.name).exists():
            (cache / known.name).write_bytes(known.read_bytes())
    try:
        reports = run_ace([book.path for book in books], cache=cache)
    except AssertionError as error:  # Ace missing or crashed: the run fails, saying why
        reports = {}
        result.findings.append(f"DAISY Ace could not run: {error}")
    result.seconds["Ace"] = time.monotonic() - started
    for path, report in reports.items():
        book = by_path[path]
        where = f"{book.made_by()} — {path.relative_to(base)}"
        if report["outcome"] == "error":
            result.findings.append(f"{where}: Ace could not read the book: {report.get('error')}")
        for v in report["violations"]:
            description = "; ".join(line.strip() for line in v["description"].splitlines() if line.strip())
            result.findings.append(f"{where}: Ace {v['rule']} ({v['impact']}) in {v['file']}: "
                                   f"{description} — {' '.join(v['html'].split())[:160]}")
        if report["outcome"] == "fail" and not report["violations"]:
            result.findings.append(f"{where}: Ace outcome 'fail' with no violation listed")

    started = time.monotonic()
    pages: list[tuple[Path, Book]] = []
    for index, book in enumerate(books):
        try:
            pages += [(page, book) for page in unpack(book.path, work / f"book{index}")]
        except (zipfile.BadZipFile, KeyError, OSError) as error:
            result.findings.append(f"{book.made_by()} — {book.path.relative_to(base)}: cannot be unpacked: {error}")
    result.pages = len(pages)
    owners = {str(page): book for page, book in pages}
    for start in range(0, len(pages), PAGES_PER_BROWSER):
        batch = [page for page, _ in pages[start:start + PAGES_PER_BROWSER]]
        folder = work / f"layout{start // PAGES_PER_BROWSER}"
        folder.mkdir(exist_ok=True)
        try:
            layouts = measure_pages(batch, folder)
        except (AssertionError, json.JSONDecodeError, OSError) as error:
            result.findings.append(f"the layout of pages {start + 1}..{start + len(batch)} could not be measured: "
                                   f"{str(error)[:300]}")
            continue
        for report in layouts:
            page, size = report["page"].rsplit(" ", 1)
            book = owners[page]
            where = f"{book.made_by()} — {book.path.relative_to(base)} {Path(page).name} at {size}"
            if "error" in report:
                result.findings.append(f"{where}: the measurement failed: {report['error']}")
            for key in LAYOUT_KEYS:
                for fault in report.get(key) or []:
                    result.findings.append(f"{where}: {key}: {fault}")
            if report.get("scrollWidth", 0) > report.get("width", 0):
                result.findings.append(f"{where}: the page scrolls sideways ({report['scrollWidth']} px)")
    result.seconds["layout"] = time.monotonic() - started
    return result
