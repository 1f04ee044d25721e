"""The ``make-book`` command: parse options, call the library, report.

Heavy imports (WeasyPrint, ebooklib) happen inside the commands that need
them, so ``make-book --help`` answers at once.
"""

from __future__ import annotations

import difflib
import functools
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Callable

import click

from . import __version__
from .errors import MakeBookError

log = logging.getLogger("pipeline")


class DefaultGroup(click.Group):
    """A group that runs ``build`` when no command is named: ``make-book`` = ``make-book build``.

    Options may come before or after the command (``make-book --root DIR refs`` =
    ``make-book refs --root DIR``): those before it are moved after it. A first
    word that is neither a command nor a manuscript but is close to a command
    name is a mistyped command: exit 2 with the command meant.
    """

    default_command = "build"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in ("--help", "-h", "--version"):
            args = self.route(list(args))
        return super().parse_args(ctx, args)

    def route(self, args: list[str]) -> list[str]:
        """``args`` with the command first: the one named (wherever the options before it), else build."""
        takes_value = {name for command in self.commands.values() for param in command.params
                       if isinstance(param, click.Option) and not param.is_flag and not param.count
                       for name in (*param.opts, *param.secondary_opts)}
        leading: list[str] = []
        index = 0
        while index < len(args) and args[index].startswith("-") and args[index] != "--":
            leading.append(args[index])
            index += 1
            if leading[-1] in takes_value and index < len(args):
                leading.append(args[index])
                index += 1
        rest = args[index:]
        if rest and rest[0] in self.commands:
            return [rest[0], *leading, *rest[1:]]
        if not rest and any(option in ("--help", "-h") for option in leading):
            return ["--help"]
        if rest and rest[0] != "--" and not names_a_manuscript(rest[0], args):
            close = difflib.get_close_matches(rest[0], list(self.commands), n=1, cutoff=0.6)
            if close:
                raise UnknownCommand(rest[0], close[0])
        return [self.default_command, *args]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """``make-book --help``: the build options (the default command's) and the commands."""
        default = self.commands[self.default_command]
        help_option = self.get_help_option(ctx)
        records = [record for command in (default, self) for param in command.get_params(ctx)
                   if isinstance(param, click.Option) and not param.opts[-1] == "--help"
                   and (record := param.get_help_record(ctx))]
        records += [help_option.get_help_record(ctx)] if help_option is not None else []
        with formatter.section("Options (of build, the default command; --root, --debug and -v work with every "
                               "command, before or after its name)"):
            formatter.write_dl(records)
        self.format_commands(ctx, formatter)


def names_a_manuscript(word: str, args: list[str]) -> bool:
    """Whether ``word`` names a manuscript of the project ``args`` point at (``--root``, else the current folder)."""
    root = "."
    for index, arg in enumerate(args):
        if arg == "--root" and index + 1 < len(args):
            root = args[index + 1]
        elif arg.startswith("--root="):
            root = arg.split("=", 1)[1]
    from .project import MARKDOWN_SUFFIXES

    folder = Path(root)
    candidates = [Path(word), folder / word, folder / "manuscripts" / word,
                  *(folder / "manuscripts" / f"{word}{suffix}" for suffix in MARKDOWN_SUFFIXES),
                  folder / "manuscripts" / word / "index.md"]  # a page bundle
    return any(candidate.is_file() for candidate in candidates)


class UnknownCommand(click.UsageError):
    """A mistyped command: exit 2, naming the closest command."""

    def __init__(self, word: str, meant: str) -> None:
        super().__init__(f"no command {word!r}: did you mean {meant!r}?")
        self.meant = meant

    def show(self, file=None) -> None:
        click.echo(f"error: {self.message}\n  How to fix: run 'make-book {self.meant}', or 'make-book --help' "
                   "for every command (a manuscript's name builds that manuscript)", err=True)


class Failure(click.ClickException):
    """A user error, already formatted; exit code 1."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(f"error: {self.message}", err=True)


def common_options(command: Callable) -> Callable:
    """--root, --debug and --verbose, shared by every command."""
    @click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
                  show_default=True, help="The project folder (holds manuscripts/ and bibliography/).")
    @click.option("--debug", is_flag=True, help="Show debug messages and Python tracebacks.")
    @click.option("-v", "--verbose", is_flag=True, help="Say what is being done.")
    @functools.wraps(command)
    def wrapper(*args, root: Path, debug: bool, verbose: bool, **kwargs):
        configure_logging(debug=debug, verbose=verbose)
        show = path_shower(root, kwargs.get("out"))
        try:
            return command(*args, root=root, **kwargs)
        except MakeBookError as exc:
            if debug:
                traceback.print_exc()
            raise Failure(exc.format(show=show)) from None
        except KeyboardInterrupt:
            raise click.Abort() from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # a bug in make-book: say so plainly
            if debug:
                raise
            raise Failure(f"internal error ({type(exc).__name__}: {exc}); run again with --debug and report it")

    return wrapper


def path_shower(root: Path, out: Path | None = None) -> Callable[[Path], str]:
    """A function showing a path as the user would type it: under the ``--out`` or ``--root`` they typed.

    Paths on the command line are relative to the current folder, as in every
    Unix tool; ``--root ../essais`` shows ``../essais/manuscripts/essai.md``.
    """
    bases = [(folder.resolve(), folder) for folder in (out, root) if folder is not None]

    def show(path: Path) -> str:
        path = Path(path)
        absolute = path if path.is_absolute() else bases[-1][0] / path
        for candidate in (absolute, absolute.resolve()):
            for resolved, typed in bases:
                if candidate.is_relative_to(resolved):
                    return str(typed / candidate.relative_to(resolved))
        return str(path)

    return show


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="make-book")
def cli() -> None:
    """Turn Markdown essays and their BibTeX bibliography into a PDF and an EPUB 3.

    Run in a project folder holding manuscripts/ and bibliography/:

        make-book                 build every manuscript into dist/

        make-book build essai     build manuscripts/essai.md only
    """
    from .safe_output import guard_standard_streams

    guard_standard_streams()  # no manuscript can make a line of output a CI command or close a code block


@cli.command(short_help="Build the PDF and EPUB editions (the default command).")
@click.argument("manuscripts", nargs=-1)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: 'output' in make-book.toml, else dist/).")
@click.option("--format", "formats", type=click.Choice(["pdf", "epub"]), multiple=True,
              help="Edition to build; repeat for both (default: both).")
@click.option("--draft", is_flag=True, help="Draft edition: unresolved references marked in the text.")
@click.option("--pdf-variant", type=click.Choice(["pdf/ua-1", "pdf/a-3b"]), default=None,
              help="Ask WeasyPrint for a PDF/UA or PDF/A file.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Manuscripts built at once, in separate processes (default: the number of cores).")
@click.option("--force", is_flag=True, help="Rebuild even the editions whose inputs have not changed.")
@common_options
def build(manuscripts: tuple[str, ...], out: Path | None, formats: tuple[str, ...], draft: bool,
          pdf_variant: str | None, jobs: int | None, force: bool, root: Path) -> None:
    """Build PDF and EPUB editions of MANUSCRIPTS (default: every manuscript).

    A MANUSCRIPT is a file name in manuscripts/ (with or without .md) or a path.
    An edition whose inputs have not changed is kept as it is (--force rebuilds).

    Example: make-book build mon-essai --format pdf
    """
    import os

    from .builder import FORMATS, build as run_build
    from .project import open_project

    project = open_project(root)
    out_dir = out.resolve() if out else None
    show = path_shower(root, out)
    with Progress.for_terminal(show) as progress:
        results = run_build(project, list(manuscripts) or None, formats=formats or FORMATS, out=out_dir, draft=draft,
                            pdf_variant=pdf_variant, jobs=jobs or os.cpu_count() or 1, force=force,
                            on_result=progress.report)
    shelf_dir = out_dir or project.output_dir
    built = [r for r in results if r.ok and not r.up_to_date]
    kept = [r for r in results if r.up_to_date]
    failed = [r for r in results if not r.ok]
    from .editions.shelf import OUT_OPTION, OUTPUT_SETTING, SHELF, has_drafts, write_shelf

    # The shelf lists every edition in the output folder's cache, so a build of named manuscripts (or a
    # book) refreshes it as a full build does. It lists drafts only after a draft build: a final build
    # rewrites a shelf that shows any.
    if built or not (shelf_dir / SHELF).exists() or has_drafts(shelf_dir):
        write_shelf(shelf_dir, project.config.lang, drafts=draft, elsewhere=OUT_OPTION if out else OUTPUT_SETTING)
    kind = "built as drafts" if draft else "built"
    click.echo(f"{len(built)} {kind}, {len(kept)} up to date, {len(failed)} failed "
               f"({sum(r.seconds for r in results):.1f} s of work)"
               + (f"; shelf: {show(shelf_dir / SHELF)}" if (shelf_dir / SHELF).exists() else ""))
    if failed:
        raise click.exceptions.Exit(1)


class Progress:
    """A live bar on a terminal; one plain line per manuscript otherwise (CI logs)."""

    def __init__(self, show: Callable[[Path], str], bar=None) -> None:
        self.show = show
        self.bar = bar

    @classmethod
    def for_terminal(cls, show: Callable[[Path], str]) -> "Progress":
        if sys.stderr.isatty():
            from rich.progress import BarColumn, Progress as Bar, TextColumn, TimeElapsedColumn

            return cls(show, Bar(TextColumn("[bold]building"), BarColumn(), TextColumn("{task.completed} done"),
                                 TimeElapsedColumn(), transient=True))
        return cls(show)

    def __enter__(self) -> "Progress":
        if self.bar is not None:
            self.bar.__enter__()
            self.task = self.bar.add_task("build", total=None)
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def report(self, result) -> None:
        name = result.label
        editions = ", ".join(_describe(e, self.show) for e in result.editions)
        draft = "draft of " if result.meta.get("draft_edition") else ""
        if result.up_to_date:
            line = f"up to date {draft}{name}: {editions}"
        elif result.ok:
            line = f"built {draft}{name} in {result.seconds:.1f} s: {editions}"
        else:
            line = f"error: {result.error.format(show=self.show)}"
        if result.ok and result.meta.get("draft"):
            line += " (marked draft in its front matter)"
        if self.bar is not None:
            self.bar.console.print(line, markup=False, highlight=False)
            self.bar.advance(self.task)
        else:
            click.echo(line, err=not result.ok)


@cli.command(short_help="List citations and links, and what each resolves to.")
@click.argument("manuscripts", nargs=-1)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A table for people, or JSON for CI.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when anything is unresolved.")
@click.option("--stubs", "stubs_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Append a BibTeX stub for each linked work the bibliography lacks to this .bib file "
                   "(a path relative to the current folder, like every path on the command line).")
@common_options
def refs(manuscripts: tuple[str, ...], output_format: str, strict: bool, stubs_file: Path | None, root: Path) -> None:
    """List every citation and link of MANUSCRIPTS (default: all) and what it resolves to.

    Statuses: cited (a key of the bibliography), unknown key, matched (a link to a
    work of the bibliography, by DOI, arXiv id, ISBN, URL or url_map), no entry
    (a link to a work the bibliography lacks), not a work (a home page, repository,
    product or profile; mark links by hand with {.link} or {.cite}), resolved / unresolved (links
    relative to the blog), anchor, dead anchor, other.

    Example: make-book refs --stubs bibliography/todo.bib
    """
    import json

    from .builder import refused_books, report_references, write_stubs
    from .project import open_project

    from .books import find_book
    from .books.report import report_book

    project = open_project(root)
    books = [book for book in map(lambda name: find_book(project, name), manuscripts) if book is not None]
    essays = [name for name in manuscripts if find_book(project, name) is None]
    names = list(manuscripts) and essays + [chapter for book in books for chapter in book.chapters] or None
    extra: tuple[Path, ...] = ()
    if stubs_file is not None:
        stubs_path = Path.cwd() / stubs_file  # as typed: relative to the current folder
        added = write_stubs(project, stubs_path, names)
        extra = (stubs_path.resolve(),)
        if output_format == "text":
            shown = f": {', '.join(added)}" if added else " (nothing new)"
            click.echo(f"{len(added)} stub(s) added to {stubs_file}{shown}\n")
    failures: list[MakeBookError] = []
    reports = report_references(project, essays or None, extra_bib=extra, failures=failures) \
        if essays or not books else []
    book_reports = []
    refused = refused_books(project) if books else {}
    for book in books:  # a book make-book.toml describes wrongly is one failure; the others are reported
        if book.name in refused:
            failures.append(refused[book.name])
            continue
        try:
            book_reports.append(report_book(project, book, extra_bib=extra, failures=failures))
        except MakeBookError as exc:  # a chapter missing from manuscripts/
            failures.append(exc)
    for failure in failures:  # one manuscript that cannot be read does not hide the others' reports
        click.echo(f"error: {failure.format(project.root)}", err=True)
    if output_format == "json":
        click.echo(json.dumps([r.as_dict() for r in [*reports, *book_reports]], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            click.echo(format_report(report, path_shower(root)))
        for book_report in book_reports:
            click.echo(format_book_report(book_report, path_shower(root)))
    every = reports + [chapter for book_report in book_reports for chapter in book_report.chapters]
    if failures or (strict and any(r.unresolved for r in every)):
        raise click.exceptions.Exit(1)


def format_book_report(report, show: Callable[[Path], str]) -> str:
    """A book's report: a table per chapter (as for an essay), then what the book itself makes of them."""
    chapters = len(report.chapters)
    lines = [f"book {report.book.name} ({chapters} chapter{'s' if chapters != 1 else ''}, "
             f"bibliography = {report.book.bibliography!r})\n"]
    lines += [format_report(chapter, show, uncited=False) for chapter in report.chapters]
    lines += [line.strip() for line in uncited_lines(report.uncited, "never cited in the book")]
    for finding in report.findings:
        where = f"{show(finding.path)}:{finding.line}" if finding.line else show(finding.path)
        lines.append(f"{finding.level}: {where}: {finding.message}")
    works = len(report.cited)
    lines.append(f"book {report.book.name}: {works} work(s) cited, "
                 f"{sum(len(c.unresolved) for c in report.chapters)} reference(s) unresolved\n")
    return "\n".join(lines)


def uncited_lines(keys: list[str], what: str) -> list[str]:
    """``never cited here: a, b`` under a report; a count when the list would fill the screen."""
    if keys and len(keys) <= 20:
        return [f"  {what}: {', '.join(keys)}"]
    if keys:  # a whole library
        return [f"  {what}: {len(keys)} entries (--format json lists them)"]
    return []


def format_report(report, show: Callable[[Path], str], *, uncited: bool = True) -> str:
    """A report as a table a person reads on a terminal; ``uncited``: with its "never cited here" line
    (a book's chapters have none: the book says once what no chapter cites)."""
    rows = [("line", "kind", "status", "target", "entry")]
    for ref in report.references:
        entry = f"@{ref.key}" + (f" ({ref.how})" if ref.how and ref.how != "key" else "") if ref.key else ref.how or ""
        if ref.stub:
            entry += " [stub]"
        target = ref.target if ref.kind == "link" else "@" + ref.target
        if len(target) > 60:
            target = target[:57] + "..."
        rows.append((str(ref.line or ""), ref.kind, ref.status, target, entry))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [show(report.manuscript) + (" (marked draft in its front matter)" if report.draft else "")]
    for row in rows:
        lines.append("  " + "  ".join([row[0].rjust(widths[0]), *(c.ljust(w) for c, w in zip(row[1:4], widths[1:4])),
                                        row[4]]).rstrip())
    if uncited:
        lines += uncited_lines(report.uncited, "never cited here")
    count = len(report.unresolved)
    links = sum(r.status == "not a work" for r in report.references)
    other = f", {links} link(s) to sites, code or profiles (not works)" if links else ""
    lines.append(f"  {len(report.references)} reference(s), {count} unresolved{other}\n")
    return "\n".join(lines)


@cli.command(short_help="Look up linked works online; write bibliography/resolved.bib.")
@click.argument("manuscripts", nargs=-1)
@click.option("--offline", is_flag=True, help="No network: rebuild resolved.bib from resolved.json alone.")
@click.option("--refresh", is_flag=True, help="Look up again what resolved.json already records.")
@click.option("--only", type=click.Choice(["arxiv", "doi", "isbn", "hal", "huggingface", "wikipedia", "blog", "url"]),
              default=None, help="Look up one kind of link only.")
@common_options
def resolve(manuscripts: tuple[str, ...], offline: bool, refresh: bool, only: str | None, root: Path) -> None:
    """Look up each linked work of MANUSCRIPTS (default: all) that has no entry, and write complete entries.

    The only command that goes online. It writes bibliography/resolved.bib
    (BibLaTeX, read by every build) and bibliography/resolved.json (what was
    fetched, from where and when: commit it). Sources: doi.org, arXiv, BnF and
    Open Library (ISBN), HAL, Hugging Face, Wikipedia, the page itself.
    Set [resolve] mailto in make-book.toml so sources know whom to contact.

    Example: make-book resolve && make-book
    """
    from .project import open_project
    from .references.resolve import resolve_project

    project = open_project(root)
    bar = None
    if sys.stderr.isatty() and not offline:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn

        bar = Bar(TextColumn("[bold]looking up"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), transient=True)
    if bar is not None:
        with bar:
            task = bar.add_task("", total=None)

            def progress(address: str, number: int, total: int) -> None:
                bar.update(task, total=total, completed=number - 1, description=address[:60])

            outcomes = resolve_project(project, list(manuscripts) or None, offline=offline, refresh=refresh,
                                       only=only, on_progress=progress)
    else:
        outcomes = resolve_project(project, list(manuscripts) or None, offline=offline, refresh=refresh, only=only)
    click.echo(format_resolve_summary(outcomes, project, offline=offline))
    if any(o.record.status == "failed" for o in outcomes if o.record.role == "work"):
        raise click.exceptions.Exit(1)


def format_resolve_summary(outcomes, project, *, offline: bool) -> str:
    """A table: key, kind, status, source; what still needs the author; where the files are."""
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, show_edge=False, pad_edge=False)
    for name in ("key", "kind", "status", "from", "needs the author"):
        table.add_column(name, overflow="fold")
    for outcome in sorted(outcomes, key=lambda o: o.record.id):
        record = outcome.record
        status = record.status if record.role == "work" else "not a work"
        needs = record.reason if record.status == "failed" else ", ".join(record.todo)
        origin = ("" if outcome.fetched else "(recorded) ") + (urlsplit_host(record.source) or "")
        table.add_row(record.key or "-", record.kind, status, origin, needs)
    console = Console(width=120, record=True, file=open(os.devnull, "w"), color_system=None)
    console.print(table)
    works = [o for o in outcomes if o.record.role == "work"]
    counts = {s: sum(o.record.status == s for o in works) for s in ("ok", "partial", "failed")}
    settings = project.config.resolve
    tail = (f"{counts['ok']} complete, {counts['partial']} partial (a todo field names what is missing), "
            f"{counts['failed']} failed" + (f", {len(outcomes) - len(works)} not a work (a site, product or profile)"
                                           if len(works) < len(outcomes) else "") + f"; wrote {settings.output} and {settings.output.removesuffix('.bib')}.json")
    if offline:
        tail = f"offline: {settings.output} rebuilt from the record ({len(outcomes)} record(s))"
    elif not outcomes:
        tail = (f"nothing new to look up: every linked work has an entry ({settings.output.removesuffix('.bib')}"
                ".json records earlier lookups; --refresh looks them up again)")
    table_text = "\n".join(line.rstrip() for line in console.export_text().rstrip().splitlines())
    return (table_text + "\n" if outcomes else "") + tail


def urlsplit_host(address: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    return parts.netloc or ("blog content" if parts.scheme == "file" else "")


@cli.command(short_help="Lint the bibliography files (and, with --spelling, the text).")
@click.argument("names", nargs=-1)
@click.option("--strict", is_flag=True, help="Exit with status 1 on warnings (and spelling findings) too.")
@click.option("--spelling", is_flag=True, help="Check the spelling and grammar of every manuscript too.")
@common_options
def check(names: tuple[str, ...], strict: bool, spelling: bool, root: Path) -> None:
    """Lint the bibliography: malformed entries, duplicate keys and works, missing fields, stubs, uncited entries.

    NAMES (default: the whole project): books of make-book.toml or essays. Their
    references are checked first, each problem with its file and line; for a
    book, also links to essays that are not in it and works cited in several
    chapters. With --spelling, also check the spelling and grammar of the
    manuscripts (as `make-book spell` does). Exits with status 1 on errors (and
    on warnings or spelling findings with --strict).

    Example: make-book check carnets
    """
    from .builder import check_project
    from .references.checks import ERROR, WARNING
    from .project import open_project

    project = open_project(root)
    tally = Tally()  # what reading the manuscripts warns about is printed as it comes: counted too
    log.addHandler(tally)
    try:
        findings = check_project(project, list(names) or None)
    finally:
        log.removeHandler(tally)
    show = path_shower(root)
    for finding in findings:
        click.echo(finding.format(project.root) if root == Path(".") else
                   f"{finding.level}: {show(finding.path)}{f':{finding.line}' if finding.line else ''}: "
                   f"{finding.message}")
    errors = sum(f.level == ERROR for f in findings)
    warnings = sum(f.level == WARNING for f in findings)
    notes = len(findings) - errors - warnings
    warnings += len(tally.messages)
    click.echo(f"{errors} error(s), {warnings} warning(s), {notes} note(s)")
    flagged = _spell(project, _essays_of(project, names), "text") if spelling else 0
    if errors or (strict and (warnings or flagged)):
        raise click.exceptions.Exit(1)


def _essays_of(project, names: tuple[str, ...]) -> list[str]:
    """The essays NAMES stand for: a book's chapters, an essay itself."""
    from .books import find_book

    books = {name: find_book(project, name) for name in names}
    return [chapter for name in names for chapter in (books[name].chapters if books[name] else [name])]


@cli.command(short_help="Check the spelling and grammar of the manuscripts.")
@click.argument("manuscripts", nargs=-1)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for CI.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when anything is flagged.")
@click.option("--add", "add", multiple=True, metavar="WORD",
              help="Accept WORD from now on: append it to styles/words.txt (repeat for several).")
@common_options
def spell(manuscripts: tuple[str, ...], output_format: str, strict: bool, add: tuple[str, ...], root: Path) -> None:
    """Check spelling (Hunspell) and French grammar (Grammalecte) in the text of the manuscripts.

    Code, URLs, citation keys, formulas and raw HTML are skipped; each passage
    is read in its own language. Words in styles/words.txt, in [spelling] words
    of make-book.toml and in the cited bibliography entries are accepted.

        make-book spell                      every manuscript

        make-book spell essai --add ChatGPT  accept a word, then check essai.md
    """
    from .project import open_project
    from .spelling.words import WORDS_FILE, add_words

    project = open_project(root)
    if add:
        added = add_words(project.root / WORDS_FILE, add)
        click.echo(f"added to {WORDS_FILE}: {', '.join(added)}" if added else f"already in {WORDS_FILE}")
    flagged = _spell(project, list(manuscripts), output_format)
    if strict and flagged:
        raise click.exceptions.Exit(1)


def _spell(project, names: list[str], output_format: str) -> int:
    """Run the spelling check, print its report; return the number of findings."""
    import json

    from .spelling import check_spelling

    reports = check_spelling(project, names or None, cache_dir=_existing(project.output_dir))
    total = sum(len(r.findings) for r in reports)
    if output_format == "json":
        click.echo(json.dumps([{"manuscript": _shown(r.manuscript, project.root), "lang": r.lang, "words": r.words,
                                "findings": [f.as_dict(project.root) for f in r.findings], "notes": r.notes}
                               for r in reports], ensure_ascii=False, indent=2))
        return total
    for report in reports:
        click.echo(f"{_shown(report.manuscript, project.root)} ({report.lang}, {report.words} words): "
                   f"{len(report.findings)} to look at")
        for finding in report.findings:
            click.echo("  " + finding.format(project.root))
    for note in dict.fromkeys(note for report in reports for note in report.notes):
        click.echo(f"note: {note}")
    click.echo(f"{total} spelling or grammar finding(s) in {len(reports)} manuscript(s)")
    return total


def _existing(folder: Path) -> Path | None:
    return folder if folder.is_dir() else None


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


@cli.command(short_help="List the citation styles 'csl:' can name.")
@click.argument("pattern", required=False, default="")
@click.option("--all", "dependent", is_flag=True, help="Include journal aliases (dependent styles).")
@common_options
def styles(pattern: str, dependent: bool, root: Path) -> None:
    """List the CSL styles a manuscript can name in 'csl:', with their titles and citation format.

    PATTERN keeps the styles whose name or title contains it. The project's own
    .csl files in styles/ come first.

    Examples: make-book styles iso690; make-book styles --all nature
    """
    from .references.styles import DEFAULT_STYLES, list_styles

    own = sorted((root / "styles").glob("*.csl")) if (root / "styles").is_dir() else []
    for path in own:
        if pattern.casefold() in path.name.casefold():
            click.echo(f"{path.name}  (styles/ of this project)")
    defaults = {name: lang for lang, name in DEFAULT_STYLES.items()}
    found = list_styles(pattern, dependent=dependent)
    width = max((len(info.name) for info in found), default=0)
    for info in found:
        notes = [n for n in (info.citation_format, "journal alias" if info.dependent else "",
                             f"default for lang {defaults[info.name]}" if info.name in defaults else "") if n]
        click.echo(f"{info.name:<{width}}  {info.title}" + (f"  [{', '.join(notes)}]" if notes else ""))
    if not found and not own:
        raise click.ClickException(f"no citation style matches {pattern!r}; try a shorter pattern, or --all")
    click.echo(f"{len(found)} style(s); without 'csl:', English and other languages use pandoc's Chicago "
               "author-date", err=True)


@cli.command(short_help="Start a new essay in manuscripts/.")
@click.argument("title")
@click.option("--lang", default=None, help="Language of the essay (default: 'lang' in make-book.toml, else fr).")
@common_options
def new(title: str, lang: str | None, root: Path) -> None:
    """Start a new essay: manuscripts/<slug>.md with its front matter, ready to write in.

    Example: make-book new "Lire avec les machines"
    """
    from .builder import new_manuscript
    from .project import open_project

    show = path_shower(root)
    root.mkdir(parents=True, exist_ok=True)  # new starts a project: its folder may not exist yet
    project = open_project(root)
    missing_bibliography = not project.bibliography_dir.is_dir()
    path = new_manuscript(project, title, lang=lang)
    click.echo(f"created {show(path)}" + (f" and {show(project.bibliography_dir)}/" if missing_bibliography else ""))
    click.echo(f"next: write in it, then run make-book{'' if root == Path('.') else f' --root {root}'}")


@cli.command(short_help="Write dist/index.html, the shelf of editions.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: 'output' in make-book.toml, else dist/).")
@common_options
@click.option("--drafts", is_flag=True, help="List the draft editions too, each marked as a draft.")
def shelf(out: Path | None, drafts: bool, root: Path) -> None:
    """Write dist/index.html: every edition with its cover, facts and download links.

    Before any build, the page is written empty (it says to run make-book).
    """
    from .project import open_project
    from .editions.shelf import OUT_OPTION, OUTPUT_SETTING, write_shelf

    project = open_project(root)
    target = write_shelf(project.check_output(out) if out else project.output_dir, project.config.lang, drafts=drafts,
                         elsewhere=OUT_OPTION if out else OUTPUT_SETTING)
    click.echo(f"wrote {path_shower(root, out)(target)}")


@cli.command(short_help="Rebuild on every change, until Ctrl-C.")
@click.option("--format", "formats", type=click.Choice(["pdf", "epub"]), multiple=True,
              help="Edition to build; repeat for both (default: both).")
@click.option("--draft", is_flag=True, help="Draft editions, with unresolved references marked.")
@common_options
def watch(formats: tuple[str, ...], draft: bool, root: Path) -> None:
    """Rebuild what a change to manuscripts, bibliography, styles or make-book.toml affects.

    One process stays warm between rebuilds. Stop with Ctrl-C.
    """
    from watchfiles import watch as watch_changes

    from .builder import FORMATS, affected_manuscripts, build as run_build
    from .project import open_project

    from . import preload

    from .editions.shelf import write_shelf

    import signal

    # A watcher started in the background by a non-interactive shell (a CI script, `cmd &`) inherits
    # SIGINT ignored, and Python then never turns Ctrl-C / kill -INT into KeyboardInterrupt: hear it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    project = open_project(root)
    formats = formats or FORMATS
    if "pdf" in formats:
        preload.start("weasyprint")  # warm for the first change even when nothing needs building now
    show = path_shower(root)

    def rebuild(names: list[str] | None) -> None:
        """Build, report each manuscript, and refresh the shelf so an open index.html shows the new editions."""
        try:
            results = run_build(project, names, formats=formats, draft=draft,
                                on_result=lambda r: _echo_result(r, show))
        except MakeBookError as exc:
            click.echo(f"error: {exc.format(show=show)}", err=True)
            return
        if any(r.ok and not r.up_to_date for r in results) or not (project.output_dir / "index.html").exists():
            write_shelf(project.output_dir, project.config.lang, drafts=draft)

    try:
        folders = [str(p) for p in (project.manuscripts_dir, project.bibliography_dir, project.root / "styles")
                   if p.is_dir()]
        config = project.root / "make-book.toml"
        watched = folders + ([str(config)] if config.is_file() else [])
        click.echo(f"watching {', '.join(show(Path(p)) for p in watched)} (Ctrl-C to stop)")
        started = False
        # The first (empty) yield comes once the watcher runs: the first build starts then, so an edit
        # made while it runs is seen as a change, never lost between the build and the watching.
        for changes in watch_changes(*watched, watch_filter=lambda _change, name: not Path(name).name.startswith("."),
                                     raise_interrupt=True, yield_on_timeout=True, rust_timeout=200):
            if not started:
                started = True
                rebuild(None)
            if not changes:
                continue
            project = open_project(root)
            names = affected_manuscripts(project, [Path(name) for _kind, name in changes])
            if names:
                rebuild(names)
    except KeyboardInterrupt:
        click.echo("\nstopped watching")


def _echo_result(result, show: Callable[[Path], str]) -> None:
    if result.ok:
        state = "up to date" if result.up_to_date else f"rebuilt in {result.seconds:.1f} s"
        where = f"book {result.book}" if result.book else show(result.manuscript)
        click.echo(f"{where}: {state}: {', '.join(show(e.path) for e in result.editions)}")
    else:
        click.echo(f"error: {result.error.format(show=show)}", err=True)


def _describe(edition, show: Callable[[Path], str]) -> str:
    pages = f", {edition.pages} pages" if edition.pages else ""
    return f"{show(edition.path)} ({edition.size // 1024} KiB{pages})"


class Tally(logging.Handler):
    """The distinct warnings logged while attached (``messages``), for a command's closing count."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING:
            self.messages.add(record.getMessage())


class Once(logging.Filter):
    """Let each message through once per run: a warning found by two steps (refs, then stubs) is printed once."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[int, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.levelno, record.getMessage())
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def configure_logging(*, debug: bool, verbose: bool) -> None:
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Lowercase("%(levelname)s: %(message)s"))
    handler.addFilter(Once())
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    # Other libraries speak only when debugging: their messages would repeat ours.
    for name in ("weasyprint", "fontTools", "bibtexparser", "pypandoc"):
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.CRITICAL)


class Lowercase(logging.Formatter):
    """``warning: …``, like ``error: …``: one voice for every message."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace(record.levelname, record.levelname.lower(), 1)


def main() -> None:
    try:
        cli(prog_name="make-book")
    except BrokenPipeError:  # output piped to `head`: stop quietly
        sys.stderr.close()
        sys.exit(0)
