"""Settings: one schema, one validator, one loader.

Precedence, lowest first: the defaults below < ``make-book.toml`` at the project
root < a manuscript's front matter < the command line. Every key is checked by
the same validator, which reports every problem with its key and file at once.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from .errors import ConfigError, ManuscriptError

CONFIG_FILE = "make-book.toml"
LINK_MODES = ("cite", "footnote", "keep")
PAPER_SIZES = ("A5", "A4", "6x9in", "letter")
PRINT_URLS = ("note", "after", "none")


class Invalid(ValueError):
    """Raised by a checker: the value is not acceptable; the text says why."""


# -- checkers: each takes a raw value and returns the typed one or raises Invalid.


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise Invalid(f"expected text, got {_kind(value)}")
    if not isinstance(value, str):
        raise Invalid(f"expected text, got the number {value!r}; put it in quotes")
    value = value.strip()
    if not value:
        raise Invalid("expected text, got an empty value")
    bad = NOT_XML.search(value)
    if bad:
        raise Invalid(f"the text holds the control character U+{ord(bad.group()):04X}, which no edition can "
                      "contain; remove it")
    return value


#: Characters XML 1.0 (§2.2 Char) refuses: every edition is XML, so a text holding one cannot be published.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _texts(value: Any) -> tuple[str, ...]:
    """One string or a list of strings (authors, keywords, bibliography files)."""
    if isinstance(value, str):
        return (_text(value),)
    if isinstance(value, list):
        return tuple(_text(v) for v in value)
    raise Invalid(f"expected text or a list of texts, got {_kind(value)}")


# RFC 5646 (BCP 47) well-formed tag: language[-extlang][-script][-region](-variant)*(-extension)*[-privateuse].
# Only ASCII letters, digits and "-": a tag that passes can be written in any attribute or file name.
BCP47 = re.compile(
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?"
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?",
    re.ASCII,
)


def _lang(value: Any) -> str:
    """A BCP 47 language tag (RFC 5646 syntax) whose language Babel (CLDR) knows.

    The syntax is checked first and strictly, because the tag is written into
    ``lang`` attributes of the EPUB, the shelf page and the PDF: Babel alone
    accepts ``en."><script>…`` (it stops reading at the dot).
    """
    from babel import Locale, UnknownLocaleError  # imported here: keeps start-up fast

    tag = _text(value)
    if not BCP47.fullmatch(tag):
        raise Invalid(f"{tag[:60]!r} is not a BCP 47 language tag (letters and digits joined by '-'); "
                      "use e.g. 'fr', 'fr-FR' or 'en'")
    try:
        Locale.parse(tag.split("-")[0])
    except (UnknownLocaleError, ValueError):
        raise Invalid(f"{tag!r} is not a language tag make-book knows; use e.g. 'fr', 'fr-FR' or 'en'")
    return tag


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "false", "no", "off"):
        return value.strip().lower() in ("true", "yes", "on")
    raise Invalid(f"expected true or false, got {value!r}")


_CITE_KEY = re.compile(r"^[\w*][\w:.#$%&+?<>~/-]*$")


def _nocite(value: Any) -> tuple[str, ...]:
    """Citation keys to list without citing them: '@a, @b', ['@a', '@b'] or '@*' for every entry."""
    words = []
    for text in ([value] if isinstance(value, str) else value if isinstance(value, list) else None) or []:
        if not isinstance(text, str):
            raise Invalid(f"expected citation keys such as '@key' or '@*', got {_kind(text)}")
        words += [w for w in re.split(r"[\s,;\[\]]+", text) if w]
    if not words:
        raise Invalid(f"expected citation keys such as '@key, @other' or '@*', got {_kind(value) if not isinstance(value, str) else repr(value)}")
    keys = tuple(w.removeprefix("@") for w in words)
    bad = [k for k in keys if not _CITE_KEY.match(k) or ("*" in k and k != "*")]
    if bad:
        raise Invalid(f"{bad[0]!r} is not a citation key; write '@key' or '@*' for every entry")
    return keys


def _url(value: Any) -> str:
    url = _text(value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(f"{url!r} is not an absolute http(s) URL, e.g. 'https://example.org/'")
    return url


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            pass
        if re.fullmatch(r"\d{4}", text):
            return dt.date(int(text), 1, 1)
        written = re.match(r"(\d{4})-(\d{2})-(\d{2})(?![\d-])", text)
        if written:  # the right form, a day the calendar does not have (2024-02-30, 2023-13-01)
            try:
                dt.date(*map(int, written.groups()))
            except ValueError as exc:
                raise Invalid(f"the date {written.group()!r} does not exist ({exc})") from None
    raise Invalid(f"expected a date written YYYY-MM-DD, got {value!r}")


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = _text(value)
        if text not in options:
            raise Invalid(f"expected one of {', '.join(options)}; got {text!r}")
        return text

    return check


def _url_map(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise Invalid(f"expected a table of URL = citation key, got {_kind(value)}")
    return tuple((_text(k), _text(v).lstrip("@")) for k, v in value.items())


ENDPOINTS = {
    "doi": "https://doi.org",
    "crossref": "https://api.crossref.org",
    "arxiv": "https://export.arxiv.org/api/query",
    "openlibrary": "https://openlibrary.org",
    "bnf": "https://catalogue.bnf.fr/api/SRU",
    "hal": "https://api.archives-ouvertes.fr/search/",
    "huggingface": "https://huggingface.co",
    "wikipedia": "https://{lang}.wikipedia.org",
}


@dataclass(frozen=True)
class ResolveSettings:
    """The ``[resolve]`` table of make-book.toml: how ``make-book resolve`` looks links up."""

    mailto: str | None = None  # contact sent in the User-Agent (Crossref's polite pool, Wikimedia's policy)
    output: str = "bibliography/resolved.bib"  # the BibLaTeX file written; the record is the same name in .json
    prefer_published: bool = False  # cite a preprint's published version (its DOI) instead of the version linked
    blog_content: str | None = None  # the blog's content folder: its pages' front matter, read with no network
    timeout: float = 20.0  # seconds before a source counts as not answering
    endpoints: tuple[tuple[str, str], ...] = tuple(ENDPOINTS.items())  # base URLs, for mirrors and tests

    @property
    def endpoint_map(self) -> dict[str, str]:
        return dict(self.endpoints)


def _resolve(value: Any) -> ResolveSettings:
    if not isinstance(value, dict):
        raise Invalid(f"expected a table [resolve], got {_kind(value)}")
    known = {"mailto", "output", "prefer_published", "blog_content", "timeout", "endpoints"}
    unknown = sorted(set(value) - known)
    if unknown:
        raise Invalid(f"unknown key(s) {', '.join(unknown)} in [resolve] (known: {', '.join(sorted(known))})")
    values: dict[str, Any] = {}
    for key in ("mailto", "output", "blog_content"):
        if key in value:
            values[key] = _text(value[key])
    if "output" in values and not values["output"].endswith(".bib"):
        raise Invalid(f"[resolve] output must be a .bib file, got {values['output']!r}")
    if "prefer_published" in value:
        if not isinstance(value["prefer_published"], bool):
            raise Invalid("[resolve] prefer_published must be true or false")
        values["prefer_published"] = value["prefer_published"]
    if "timeout" in value:
        if isinstance(value["timeout"], bool) or not isinstance(value["timeout"], (int, float)) or value["timeout"] <= 0:
            raise Invalid("[resolve] timeout must be a number of seconds above 0")
        values["timeout"] = float(value["timeout"])
    if "endpoints" in value:
        table = value["endpoints"]
        if not isinstance(table, dict):
            raise Invalid("[resolve.endpoints] must be a table of name = URL")
        wrong = sorted(set(table) - set(ENDPOINTS))
        if wrong:
            raise Invalid(f"unknown endpoint(s) {', '.join(wrong)} in [resolve.endpoints] "
                          f"(known: {', '.join(ENDPOINTS)})")
        merged = dict(ENDPOINTS)
        for name, url in table.items():
            merged[name] = _url(url.replace("{lang}", "lang") if isinstance(url, str) else url) and url.strip()
        values["endpoints"] = tuple(merged.items())
    return ResolveSettings(**values)


@dataclass(frozen=True)
class BookPart:
    """A part of a book: its title (None for chapters outside any part) and its chapters' names."""

    title: str | None
    chapters: tuple[str, ...]


@dataclass(frozen=True)
class BookSettings:
    """One ``[books.NAME]`` table of make-book.toml: a collection of essays laid out as one book."""

    name: str  # the table's name: the editions are dist/NAME.pdf and dist/NAME.epub
    title: str
    parts: tuple[BookPart, ...]  # chapters = [...] is one part without a title
    subtitle: str | None = None
    author: tuple[str, ...] = ()
    lang: str | None = None  # default: the project's, else the first chapter's
    date: dt.date | None = None  # default: the build date
    bibliography: str = "book"  # "book": one bibliography at the end; "chapter": one at the end of each chapter
    # Works listed without being cited, for the whole book (default: make-book.toml's nocite). With
    # bibliography = "chapter" they close the book under "Further reading"; a chapter's own front-matter
    # nocite goes to that chapter's bibliography.
    nocite: tuple[str, ...] | None = None
    # A table make-book cannot use: why ("date: …"), and the key at fault. Such a book is listed so that
    # its build fails alone, naming make-book.toml:LINE, while the essays and the other books still build.
    error: str | None = field(default=None, compare=False)
    error_key: str | None = field(default=None, compare=False, repr=False)
    # Lines in make-book.toml: the table's (``[books.NAME]``) and each of its keys', for messages.
    line: int | None = field(default=None, compare=False, repr=False)
    key_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)

    @property
    def chapters(self) -> tuple[str, ...]:
        return tuple(name for part in self.parts for name in part.chapters)

    def key_line(self, key: str | None = None) -> int | None:
        """The line of ``key`` in this book's table of make-book.toml, else the table's own line."""
        return dict(self.key_lines).get(key, self.line) if key else self.line

    def config_error(self, root: Path) -> ConfigError | None:
        """The error of a table make-book cannot use (:attr:`error`), naming make-book.toml:LINE."""
        if self.error is None:
            return None
        return ConfigError(f"books.{self.name}: {self.error}", path=root / CONFIG_FILE, line=self.key_line(self.error_key),
                           hint=f"correct the value in the table [books.{self.name}] of {CONFIG_FILE}; the essays "
                                "and the other books build without it")


BOOK_KEYS = {"title", "subtitle", "author", "lang", "date", "chapters", "parts", "bibliography", "nocite"}




def _books(value: Any) -> tuple[BookSettings, ...]:
    """The ``[books.NAME]`` tables: title, chapters (or parts = [{title, chapters}]), author, bibliography.

    A table with a bad value does not stop the others: it becomes a book holding its ``error``.
    """
    if not isinstance(value, dict):
        raise Invalid(f"expected tables [books.NAME], got {_kind(value)}")
    books = []
    for name, table in value.items():
        try:
            books.append(_book(name, table))
        except _BookInvalid as exc:
            books.append(BookSettings(name=str(name), title=str(name), parts=(), error=str(exc), error_key=exc.key))
        except Invalid as exc:
            books.append(BookSettings(name=str(name), title=str(name), parts=(), error=str(exc)))
    return tuple(books)


class _BookInvalid(Invalid):
    """A bad value of one key of a ``[books.NAME]`` table."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


def _book_value(table: dict, key: str, check: Callable[[Any], Any]) -> Any:
    try:
        return check(table[key])
    except _BookInvalid:
        raise
    except Invalid as exc:
        raise _BookInvalid(key, str(exc)) from None


def _book(name: str, table: Any) -> BookSettings:
    """One ``[books.NAME]`` table; :class:`Invalid` says what is wrong in it."""
    where = f"[books.{name}]"
    if not isinstance(table, dict):
        raise Invalid(f"{where} must be a table (title = ..., chapters = [...])")
    if not name or not all(ch.isalnum() or ch in "-_" for ch in name):
        raise Invalid(f"{where}: a book's name is its file name; use letters, digits, - and _")
    unknown = sorted(set(table) - BOOK_KEYS)
    if unknown:
        raise Invalid(f"unknown key {unknown[0]!r} in {where} (known keys: {', '.join(sorted(BOOK_KEYS))})")
    if "title" not in table:
        raise Invalid(f"{where} has no title")
    if ("chapters" in table) == ("parts" in table):
        raise Invalid(f"{where} needs chapters = [...] or parts = [{{ title = ..., chapters = [...] }}], "
                      "one of the two")
    if "chapters" in table:
        parts = (BookPart(None, _book_value(table, "chapters", lambda v: _chapter_names(v, where))),)
    else:
        if not isinstance(table["parts"], list) or not table["parts"]:
            raise _BookInvalid("parts", "expected a list of { title = ..., chapters = [...] }")
        parts = []
        for part in table["parts"]:
            if not isinstance(part, dict) or set(part) != {"title", "chapters"}:
                raise _BookInvalid("parts", "each part is { title = ..., chapters = [...] }, got "
                                   + (f"the keys {', '.join(map(repr, sorted(part)))}" if isinstance(part, dict)
                                      else _kind(part)))
            try:
                parts.append(BookPart(_text(part["title"]), _chapter_names(part["chapters"], where)))
            except Invalid as exc:
                raise _BookInvalid("parts", str(exc)) from None
        parts = tuple(parts)
    names = [chapter for part in parts for chapter in part.chapters]
    twice = sorted({chapter for chapter in names if names.count(chapter) > 1})
    if twice:
        raise _BookInvalid("parts" if "parts" in table else "chapters", f"the chapter {twice[0]!r} is listed twice")
    bibliography = _book_value({"bibliography": table.get("bibliography", "book")}, "bibliography",
                               _choice(("book", "chapter")))
    return BookSettings(
        name=name, title=_book_value(table, "title", _text), parts=parts,
        subtitle=_book_value(table, "subtitle", _text) if "subtitle" in table else None,
        author=_book_value(table, "author", _texts) if "author" in table else (),
        lang=_book_value(table, "lang", _lang) if "lang" in table else None,
        date=_book_value(table, "date", _date) if "date" in table else None,
        bibliography=bibliography, nocite=_book_value(table, "nocite", _nocite) if "nocite" in table else None)


def _chapter_names(value: Any, where: str) -> tuple[str, ...]:
    names = _texts(value)
    if not names:
        raise Invalid(f"{where}: a book needs at least one chapter")
    return tuple(_without_markdown_suffix(name) for name in names)


def _without_markdown_suffix(name: str) -> str:
    from .project import MARKDOWN_SUFFIXES  # project imports this module

    for suffix in MARKDOWN_SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def _spelling(value: Any) -> tuple[str, ...]:
    """The ``[spelling]`` table: ``words = ["ChatGPT", "j’ai fini par", …]``: words (and phrases) accepted."""
    if not isinstance(value, dict):
        raise Invalid(f"expected a table [spelling] with words = [...], got {_kind(value)}")
    unknown = sorted(set(value) - {"words"})
    if unknown:
        raise Invalid(f"unknown key {unknown[0]!r} in [spelling] (known keys: words)")
    return _texts(value.get("words", []))


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _setting(check: Callable[[Any], Any], doc: str, default: Any = None) -> Any:
    return field(default=default, metadata={"check": check, "doc": doc})


@dataclass(frozen=True)
class Settings:
    """Everything that shapes one edition. Each field documents its key."""

    title: str | None = _setting(_text, "Title; else the first heading, else the file name.")
    subtitle: str | None = _setting(_text, "Subtitle, printed on the title page.")
    author: tuple[str, ...] = _setting(_texts, "Author, or a list of authors.", ())
    date: dt.date | None = _setting(_date, "Date of the edition, YYYY-MM-DD.")
    lang: str | None = _setting(_lang, "Language tag (fr, fr-FR, en…); detected from the text when unset.")
    description: str | None = _setting(_text, "One-paragraph summary: PDF subject, EPUB description.")
    abstract: str | None = _setting(_text, "Abstract printed after the title page.")
    epigraph: str | None = _setting(_text, "Epigraph printed after the title page.")
    keywords: tuple[str, ...] = _setting(_texts, "Keywords: PDF keywords, EPUB subjects.", ())
    bibliography: tuple[str, ...] = _setting(
        _texts, ".bib files, relative to the project root or to bibliography/; default: all of bibliography/.", ()
    )
    csl: str | None = _setting(_text, "Citation style: a .csl file in styles/ (or a path in the project), or the name of "
                               "a CSL repository style ('make-book styles' lists them); default: iso690-author-date-fr "
                               "for French, Chicago author-date otherwise.")
    nocite: tuple[str, ...] = _setting(_nocite, "Entries listed in the bibliography without being cited: '@key, "
                                       "@other', or '@*' for every entry of the bibliography files.", ())
    link_citations: bool = _setting(_bool, "Each citation links to its bibliography entry (link-citations).", True)
    link_bibliography: bool = _setting(_bool, "DOIs and URLs of the bibliography are links (link-bibliography).",
                                       True)
    notes_after_punctuation: bool | None = _setting(
        _bool, "With a note style, move the note call after a following full stop or comma "
               "(notes-after-punctuation); default: false for French (the call precedes the point), true otherwise.")
    reference_section_title: str | None = _setting(
        _text, "Heading of the bibliography (reference-section-title); default: Bibliographie, References…")
    suppress_bibliography: bool = _setting(_bool, "Format the citations but print no bibliography "
                                           "(suppress-bibliography).", False)
    citation_abbreviations: str | None = _setting(_text, "A CSL abbreviations JSON file in the project, for "
                                                  "journal titles (citation-abbreviations).")
    base_url: str | None = _setting(_url, "The blog's address: root-relative links (/a/b/) are resolved against it.")
    links: str = _setting(_choice(LINK_MODES), "What a link matching a bibliography entry becomes: cite, footnote or keep.", "cite")
    url_map: tuple[tuple[str, str], ...] = _setting(_url_map, "Table of URL = citation key: these links cite that entry.", ())
    cover: str | None = _setting(_text, "Cover image for the EPUB (a path in the project); default: drawn from the title.")
    print_urls: str = _setting(_choice(PRINT_URLS), "How the PDF prints the address of a link that is not a citation: "
                               "note (a footnote), after (in brackets after the text) or none.", "note")
    remote_resources: str = _setting(_choice(("warn", "error")), "A network address the book would load (image, "
                                     "style sheet, font) is never fetched; warn (default) or stop the build.", "warn")
    paper: str = _setting(_choice(PAPER_SIZES), "Trim size of the PDF page: A5, A4, 6x9in or letter.", "A5")
    output: str = _setting(_text, "Folder the editions are written to (project config only).", "dist")
    resolve: ResolveSettings = _setting(_resolve, "Table [resolve] for make-book resolve: mailto, output, "
                                        "prefer_published, blog_content, timeout, [resolve.endpoints] "
                                        "(project config only).", ResolveSettings())
    books: tuple[BookSettings, ...] = _setting(_books, "Tables [books.NAME]: title, author, chapters = [essay "
                                               "names] or parts = [{title, chapters}]; each is built into "
                                               "dist/NAME.pdf and .epub (project config only).", ())
    spelling: tuple[str, ...] = _setting(_spelling, "Table [spelling] with words = [...]: words the spelling "
                                         "check accepts, beside styles/words.txt (project config only).", ())
    static_dirs: tuple[str, ...] = _setting(_texts, "The blog's static folders (project config only), where images "
                                            "such as /img/x.png are looked for.", ("static", "assets"))


SETTING_NAMES = tuple(f.name for f in fields(Settings))
PROJECT_ONLY = {"output", "url_map", "resolve", "spelling", "static_dirs", "books"}
FRONT_MATTER_ONLY = {"title", "subtitle", "date", "abstract", "epigraph", "description", "cover"}


def setting_docs() -> dict[str, str]:
    """Key → one-line documentation, for the README and ``--help``."""
    return {f.name: f.metadata["doc"] for f in fields(Settings)}


def validate(
    data: dict[str, Any],
    *,
    source: Path,
    allowed: set[str],
    lines: dict[str, int] | None = None,
    error: type[ConfigError] | type[ManuscriptError] = ConfigError,
    strict: bool = True,
) -> dict[str, Any]:
    """Check ``data`` against the schema; return typed values for known keys.

    Unknown keys are errors when ``strict`` (the project file) and ignored
    otherwise (blog front matter carries keys such as ``tags`` or ``layout``).
    All problems are collected, then raised once.
    """
    lines = lines or {}
    checks = {f.name: f.metadata["check"] for f in fields(Settings)}
    values: dict[str, Any] = {}
    problems: list[tuple[str, int | None]] = []
    for key, raw in data.items():
        if "-" in key and key.replace("-", "_") in allowed:  # pandoc's spelling: link-citations
            key = key.replace("-", "_")
        if key not in allowed:
            if strict:
                known = ", ".join(sorted(allowed))
                problems.append((f"unknown key {key!r} (known keys: {known})", lines.get(key)))
            continue
        if raw is None:
            continue
        try:
            values[key] = checks[key](raw)
        except Invalid as exc:
            problems.append((f"{key}: {exc}", lines.get(key, lines.get(key.replace("_", "-")))))
    if problems:
        first_line = problems[0][1]
        message = "; ".join(
            (f"line {line}: {text}" if line and len(problems) > 1 else text) for text, line in problems
        )
        raise error(message, path=source, line=first_line, hint="correct the value(s) named above and build again")
    return values


def build_time() -> dt.datetime:
    """Now, in UTC, or SOURCE_DATE_EPOCH when set, so that the same inputs give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)


def load_config(root: Path) -> Settings:
    """Read ``make-book.toml`` at ``root`` if there is one; defaults otherwise."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return Settings()
    if not path.resolve().is_relative_to(root.resolve()):
        raise ConfigError(f"{CONFIG_FILE} is a symbolic link to a file outside the project folder", path=path,
                          hint="replace the link by the file itself")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            "the file is not UTF-8 text", path=path, line=_byte_line(path.read_bytes(), exc.start),
            hint="save it as UTF-8",
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _toml_line(str(exc))
        raise ConfigError(f"invalid TOML: {exc.msg if hasattr(exc, 'msg') else exc}", path=path, line=line,
                          hint="check the TOML syntax: key = \"value\"") from None
    allowed = set(SETTING_NAMES) - FRONT_MATTER_ONLY
    lines = _toml_key_lines(text)
    values = validate(data, source=path, allowed=allowed, lines=lines)
    if "books" in values:  # where each book's table and keys are, for its messages
        values["books"] = tuple(
            replace(book, line=lines.get(f"books.{book.name}", lines.get("books")),
                    key_lines=tuple((key.removeprefix(f"books.{book.name}."), line) for key, line in lines.items()
                                    if key.startswith(f"books.{book.name}.")))
            for book in values["books"])
    return replace(Settings(), **values)


def merge(base: Settings, overrides: dict[str, Any]) -> Settings:
    """``base`` with the given typed values on top (front matter or CLI)."""
    return replace(base, **overrides)


def _toml_key_lines(text: str) -> dict[str, int]:
    """Where each top-level key is written, so an error can name its line."""
    found: dict[str, int] = {}
    table = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            table = ".".join(part.strip().strip("\"'") for part in stripped.strip("[] ").split("]")[0].split("."))
            found.setdefault(table, number)
            continue
        match = re.match(r"([A-Za-z0-9_-]+)\s*=", stripped)
        if match:  # a key of a table is found as "table.key" ("books.livre.date")
            found.setdefault(f"{table}.{match.group(1)}" if table else match.group(1), number)
    return found


def _toml_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _byte_line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
