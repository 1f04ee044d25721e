"""From a manuscript to a document: its settings resolved and its body as a pandoc tree."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import preload
from .references.bibliography import Bibliography
from .config import Settings, build_time, merge
from .sources import dialects
from .sources.manuscript import Manuscript
from .pandoc import Ast, iter_nodes, parse_markdown, stringify
from .typography import quote_problems

log = logging.getLogger(__name__)


@dataclass
class Document:
    """A manuscript being turned into editions: settings, tree, bibliography."""

    manuscript: Manuscript
    settings: Settings  # effective settings: title, lang and date are always set
    ast: Ast
    bibliography: Bibliography
    warnings: list[str] = field(default_factory=list)
    draft: bool = False
    book: bool = False  # a book of essays ([books.NAME]): always a title page and contents, chapters as sections
    # normalised link address → (role "work" or "link", key), as found by `make-book resolve` (resolved.json)
    resolved_links: dict[str, tuple[str, str]] = field(default_factory=dict)
    # The class of the spans wrapping pandoc's own MathML: unguessable, so raw <math> in the text
    # cannot pass for it (sanitize removes that). Never in the editions.
    missing_images: list = field(default_factory=list)  # sources.images.MissingImage, reported together
    math_class: str = field(default_factory=lambda: "math-" + secrets.token_hex(8))

    @property
    def title(self) -> str:
        return self.settings.title or ""

    @property
    def edition_title(self) -> str:
        """The title an edition's metadata carries (EPUB ``dc:title``, PDF Title): a draft's says so in
        the text's language, « Essai (brouillon) », “Essay (draft)”, so that a reader's library never
        shows a draft as the final edition."""
        from .terms import localised

        return localised("draft_title", self.lang).format(title=self.title) if self.draft else self.title

    @property
    def lang(self) -> str:
        return self.settings.lang or "en"

    @property
    def is_french(self) -> bool:
        return self.lang.lower().startswith("fr")

    def warn(self, message: str, line: int | None = None) -> None:
        text = f"{self.manuscript.where(line)}: {message}"
        self.warnings.append(text)
        log.warning(text)


def parse_document(manuscript: Manuscript, config: Settings, bibliography: Bibliography,
                   *, draft: bool = False, parsed: "ParsedStore | None" = None) -> Document:
    """Parse the body and settle title, language, date and heading levels.

    ``parsed``: a store of bodies parsed before (:class:`ParsedStore`, a book's chapters): an
    unchanged manuscript's tree, title, language and warnings are read back instead of being made
    again. Only what is a function of the manuscript's text, the settings, the bibliography's keys
    and make-book's code is kept; the date of an undated essay (the day of the build) is not.
    """
    settings = merge(config, manuscript.front_matter)
    # A key whose entry is faulty is still a key: a bare @key names it (and its fault is then an error).
    keys = frozenset(bibliography.keys) | {problem.key for problem in bibliography.problems if problem.key}
    key = parsed.key(manuscript, config, keys) if parsed is not None else None
    body = parsed.get(key) if parsed is not None else None
    if body is None:
        body = _parse_body(manuscript, settings, keys)
        if parsed is not None:
            parsed.put(key, body)
    manuscript = replace(manuscript, markdown=body["markdown"], markdown_lines=tuple(body["lines"]))
    ast, title, lang = body["ast"], body["title"], body["lang"]
    date = settings.date or build_time().date()
    settings = merge(settings, {"title": title, "lang": lang, "date": date})
    document = Document(manuscript=manuscript, settings=settings, ast=ast, bibliography=bibliography, draft=draft)
    for message, line in [*manuscript.warnings, *body["warnings"]]:
        document.warn(message, line)
    if not manuscript.front_matter.get("date"):
        document.warn(f"no date in the front matter: the edition is dated {date.isoformat()}, the day of the "
                      "build (add 'date: YYYY-MM-DD')", 1 if manuscript.front_matter_form else None)
    if not config.lang and "lang" not in manuscript.front_matter:
        # Said without -v: the language decides typography, hyphenation and the citation words.
        # Not one of the document's warnings: it is about the settings, not the text.
        log.warning("%s: lang not set: detected %s (write 'lang: %s' in the front matter or make-book.toml "
                    "to set it)", manuscript.where(), lang, lang)
    return document


def _parse_body(manuscript: Manuscript, settings: Settings, keys: frozenset[str]) -> dict:
    """The costly, pure part of :func:`parse_document`, as JSON values: ``markdown`` (the blog syntax
    converted), ``lines`` (the file line of each of its lines), ``ast`` (pandoc's tree, dialects applied,
    the title heading taken out), ``title``, ``lang``, ``warnings`` ([message, file line or None])."""
    # Blog syntax (shortcodes, Liquid, wikilinks, admonitions…) to pandoc Markdown, then pandoc's tree.
    context = dialects.Context(manuscript.path, front_matter=manuscript.metadata, lang=settings.lang or "en",
                               bibliography_keys=keys)
    markdown, lines = dialects.read_dialects(manuscript.body, manuscript.body_line, context)
    manuscript = replace(manuscript, markdown=markdown, markdown_lines=tuple(lines))
    ast = parse_markdown(markdown, what=manuscript.path)
    title = settings.title or _title_from_headings(ast) or _title_from_name(manuscript.path)
    lang = settings.lang or detect_language(ast, manuscript.path)
    context.lang, context.line_of = lang, manuscript.line_of
    dialects.transform_tree(ast, context)
    _normalise_heading_levels(ast)
    _heading_ids_without_notes(ast, manuscript.markdown or manuscript.body)
    warnings = [[message, line] for message, line in context.warnings]
    for message, needles in quote_problems(ast["blocks"], lang):  # « never closed, » never opened
        warnings.append([message, next((line for needle in needles if (line := manuscript.line_of(needle))), None)])
    return {"markdown": markdown, "lines": list(lines), "ast": ast, "title": title, "lang": lang,
            "warnings": warnings}


class ParsedStore:
    """Parsed bodies kept between builds in ``folder``, one JSON file per key (never pickle: an output
    folder may come from elsewhere, and a file read back is checked for its shape).

    The key (:meth:`key`) is a SHA-256 of make-book's own code and toolchain, the manuscript's path and
    whole text, the settings and the bibliography's keys: everything :func:`_parse_body` reads.
    :meth:`prune` removes the files this build did not use, so the folder holds one book's chapters.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.parsed = 0  # bodies parsed (not read back): what a test counts

    def key(self, manuscript: Manuscript, config: Settings, keys: frozenset[str]) -> str:
        import hashlib
        import json

        from .cache import code_digest, toolchain

        digest = hashlib.sha256()
        for part in (code_digest(), toolchain(), str(manuscript.path), manuscript.text, repr(config),
                     json.dumps(sorted(keys))):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    def get(self, key: str) -> dict | None:
        import json

        self.used.add(key)
        try:
            body = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        shape = {"markdown": str, "lines": list, "ast": dict, "title": str, "lang": str, "warnings": list}
        if not isinstance(body, dict) or any(not isinstance(body.get(k), t) for k, t in shape.items()) \
                or not isinstance(body["ast"].get("blocks"), list) \
                or any(not isinstance(line, int) for line in body["lines"]) \
                or any(not (isinstance(w, list) and len(w) == 2 and isinstance(w[0], str)
                            and (w[1] is None or isinstance(w[1], int))) for w in body["warnings"]):
            return None
        return body

    def put(self, key: str, body: dict) -> None:
        import json
        import os
        import tempfile

        self.parsed += 1
        self.used.add(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.folder, suffix=".tmp",
                                             delete=False) as handle:
                json.dump(body, handle, ensure_ascii=False)
            os.replace(handle.name, self.folder / f"{key}.json")
        except OSError as exc:  # a cache that cannot be written only costs time
            log.debug("parsed body not kept in %s: %s", self.folder, exc)

    def prune(self) -> None:
        """Remove what this build did not use (bodies of an older text of a chapter)."""
        try:
            for path in self.folder.iterdir():
                if path.suffix in (".json", ".tmp") and path.stem not in self.used:
                    path.unlink(missing_ok=True)
        except OSError:
            pass


def detect_language(ast: Ast, path: Path) -> str:
    """The language of the text (code left out), logged so the author can pin it."""
    text = " ".join(stringify(block) for block in ast["blocks"]
                    if block["t"] not in ("CodeBlock", "RawBlock"))
    lang = preload.result("language detector")(text[:20000])
    log.debug("%s: no 'lang' in front matter or make-book.toml; detected %r from the text", path.name, lang)
    return lang


def _title_from_headings(ast: Ast) -> str | None:
    """A leading level-1 heading is the title (and leaves the body); else the first heading."""
    blocks = ast["blocks"]
    headers = [b for b in blocks if b["t"] == "Header"]
    if not headers:
        return None
    first = headers[0]
    if first["c"][0] == 1 and sum(1 for h in headers if h["c"][0] == 1) == 1:
        blocks.remove(first)
        return stringify(first["c"][2])
    return stringify(first["c"][2])


def _title_from_name(path: Path) -> str:
    words = path.stem.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else path.stem


def pandoc_identifier(text: str) -> str:
    """The identifier pandoc's ``auto_identifiers`` gives a heading's text (pandoc manual, « Extension:
    auto_identifiers »): formatting removed, every character but letters, digits, ``_ - .`` dropped,
    spaces to hyphens, lower case, everything before the first letter dropped; ``section`` if empty.
    With ``ascii_identifiers`` (our Markdown reader's setting), accents are stripped and other
    non-ASCII letters dropped first."""
    import unicodedata

    text = "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii())
    kept = "".join("-" if c.isspace() else c.lower() for c in text if c.isalnum() or c in "_-." or c.isspace())
    start = next((i for i, c in enumerate(kept) if c.isalpha()), len(kept))
    return kept[start:] or "section"


_NOTE_MARK = "zqxnotezqx"  # where a note stands in a heading's text, as its identifier keeps it


def _heading_ids_without_notes(ast: Ast, source: str) -> None:
    """A heading's identifier from its label without its notes (``## Intro[^1]`` → ``intro``, not
    pandoc's ``intro1``, which keeps the note's label, as the contents and navigation must not).

    Only an identifier pandoc made is changed: one that starts with the identifier of the label
    without notes and differs from it; an identifier the author wrote (``{#x}`` in ``source``, the
    Markdown) stays. Links to the old identifier (implicit header references, ``[…](#intro1)``)
    follow it.
    """
    import re

    headers = [node["c"] for node in iter_nodes(ast["blocks"]) if node["t"] == "Header"]
    used = {header[1][0] for header in headers} | {
        node["c"][0][0] for node in iter_nodes(ast["blocks"])
        if isinstance(node, dict) and node.get("t") in ("Div", "Span", "CodeBlock", "Figure", "Table", "Image", "Link")
        and isinstance(node.get("c"), list) and node["c"] and isinstance(node["c"][0], list)
        and node["c"][0] and isinstance(node["c"][0][0], str)}
    renamed: dict[str, str] = {}
    for header in headers:
        identifier, inlines = header[1][0], header[2]
        if not identifier or not any(n.get("t") == "Note" for n in iter_nodes(inlines) if isinstance(n, dict)):
            continue
        without = [node for node in inlines if node.get("t") != "Note"]
        base = pandoc_identifier(stringify(without))
        # What pandoc made: the label's identifier with each note's label (letters, digits, - _ .) where
        # the note is, and maybe a -N that tells apart two equal headings.
        marked = [{"t": "Str", "c": _NOTE_MARK} if node.get("t") == "Note" else node for node in inlines]
        made = re.escape(pandoc_identifier(stringify(marked))).replace(_NOTE_MARK, "[a-z0-9_.-]*")
        if identifier == base or not re.fullmatch(f"(?:{made})(?:-[0-9]+)?", identifier):
            continue
        if re.search(r"\{[^}\n]*#" + re.escape(identifier) + r"[\s}]", source):
            continue  # the author's own identifier
        candidate, number = base, 0
        while candidate in used:
            number += 1
            candidate = f"{base}-{number}"
        used.add(candidate)
        renamed[identifier] = candidate
        header[1][0] = candidate
    if renamed:
        for node in iter_nodes(ast["blocks"]):
            if isinstance(node, dict) and node.get("t") == "Link":
                target = node["c"][2]
                if target[0].startswith("#") and target[0][1:] in renamed:
                    target[0] = "#" + renamed[target[0][1:]]


def _normalise_heading_levels(ast: Ast) -> None:
    """Make the highest heading level 2: the title is the only level 1."""
    headers = [node["c"] for node in iter_nodes(ast["blocks"]) if node["t"] == "Header"]
    if not headers:
        return
    shift = 2 - min(header[0] for header in headers)
    for header in headers:
        header[0] = min(6, header[0] + shift)
