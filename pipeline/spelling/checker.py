"""Check the spelling and grammar of manuscripts: passages in, findings placed in the file out.

Steps, for each manuscript:

1. read it and settle its language as a build does (front matter, config, detection);
2. collect the words the project accepts (word list, config, cited entries);
3. cut the body (and title, subtitle, abstract) into passages of one language;
4. run every engine that can read each language (Hunspell for spelling,
   Grammalecte for French grammar), merging what two engines say of one word;
5. place each flag at its file line and column.

Results of the slow parts (Grammalecte's answer for a passage, Hunspell's
suggestions for a word) are kept in ``.make-book-spelling.json`` in the output
folder, so that checking again after an edit only reads what changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .engines import GRAMMAR, SPELLING, Engine, Flag
from .grammalecte import Grammalecte, grammalecte_version
from .hunspell import Hunspell, enchant_version
from .passages import _WORD, Passage, read_passages
from .repeats import Repeats
from .rules_fr import FrenchRules, rules_version
from .words import ELISION, WORDS_FILE, AcceptedWords, bibliography_words, read_word_list
from ..pandoc import Node

log = logging.getLogger(__name__)

CACHE_FILE = ".make-book-spelling.json"
CACHE_VERSION = 2
FRONT_MATTER_TEXTS = ("title", "subtitle", "abstract")


@dataclass(frozen=True)
class Finding:
    """A word or phrase to look at, placed in its file (line and column 1-based)."""

    path: Path
    line: int
    column: int
    text: str
    kind: str  # "spelling" or "grammar"
    engine: str  # "hunspell", "repeats", "grammalecte" or "rules-fr"
    lang: str
    suggestions: tuple[str, ...] = ()
    message: str = ""
    # The words just before and after (lower case, ’ apostrophes; "" at the passage's edge):
    # a draft marks a grammar finding where its neighbours are the same, not every "a".
    context: tuple[str, str] = ("", "")

    def format(self, root: Path | None = None) -> str:
        """``file:line:col  word  → suggestion, suggestion  (message)``, the file relative to ``root``."""
        shown = self.path
        if root is not None:
            try:
                shown = self.path.resolve().relative_to(root.resolve())
            except ValueError:
                pass
        arrow = "  → " + ", ".join(self.suggestions) if self.suggestions else "  → ?"
        why = f"  ({self.message})" if self.message else ""
        return f"{shown}:{self.line}:{self.column}  {self.text}{arrow}{why}"

    def as_dict(self, root: Path | None = None) -> dict:
        shown = self.format(root).split(":", 1)[0]
        return {"file": shown, "line": self.line, "column": self.column, "text": self.text, "kind": self.kind,
                "engine": self.engine, "lang": self.lang, "suggestions": list(self.suggestions),
                "message": self.message}


@dataclass
class SpellingReport:
    """The findings of one manuscript, with the number of words read and the engines that could not run."""

    manuscript: Path
    lang: str
    words: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class ResultCache:
    """Slow answers kept between runs, in the output folder; a damaged file is ignored with a warning."""

    def __init__(self, folder: Path | None, engines: str) -> None:
        self.path = folder / CACHE_FILE if folder is not None else None
        self.engines = engines
        self.grammar: dict[str, list] = {}
        self.suggestions: dict[str, list[str]] = {}
        self.changed = False
        if self.path is not None and self.path.is_file() and not self.path.is_symlink():
            self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") != CACHE_VERSION or data.get("engines") != self.engines:
                return
            grammar, suggestions = data["grammar"], data["suggestions"]
            if not (isinstance(grammar, dict) and isinstance(suggestions, dict)):
                raise ValueError("not tables")
            for value in suggestions.values():
                if not (isinstance(value, list) and all(isinstance(s, str) for s in value)):
                    raise ValueError("a suggestion list is not a list of words")
            for flags in grammar.values():
                for flag in flags:
                    _flag_from_json(0, flag)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("%s: ignored (%s); the spelling check starts afresh", self.path, exc)
            return
        self.grammar, self.suggestions = grammar, suggestions

    def save(self) -> None:
        if self.path is None or not self.changed or not self.path.parent.is_dir():
            return
        data = {"version": CACHE_VERSION, "engines": self.engines, "grammar": self.grammar,
                "suggestions": self.suggestions}
        handle, name = tempfile.mkstemp(prefix=f".{CACHE_FILE}.", suffix=".part", dir=self.path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False, sort_keys=True)
        os.replace(name, self.path)


def _flag_from_json(index: int, item: list) -> Flag:
    start, end, kind, engine, suggestions, message = item
    if not (isinstance(start, int) and isinstance(end, int) and kind in (SPELLING, GRAMMAR)):
        raise ValueError("a cached flag is malformed")
    return Flag(index, start, end, kind, str(engine), tuple(str(s) for s in suggestions), str(message))


def passage_key(engine: str, lang: str, text: str) -> str:
    return hashlib.sha256(f"{engine}\n{lang}\n{text}".encode("utf-8")).hexdigest()


class SpellChecker:
    """Runs the engines over passages with one word list and one cache.

    ``engines`` defaults to Hunspell, doubled words, Grammalecte and our
    French rules (each used for the languages it can read here). ``notes`` collects, once each, what could not
    be checked and how to install it.
    """

    def __init__(self, accepted: AcceptedWords, *, cache_dir: Path | None = None,
                 engines: list[Engine] | None = None) -> None:
        self.accepted = accepted
        self.engines = engines if engines is not None else [Hunspell(accepted), Repeats(), Grammalecte(),
                                                           FrenchRules()]
        versions = (f"{enchant_version()}; {grammalecte_version()}; {rules_version()}; "
                    + ",".join(e.name for e in self.engines))
        self.cache = ResultCache(cache_dir, versions)
        for engine in self.engines:
            if isinstance(engine, Hunspell):
                engine.suggestion_cache = self.cache.suggestions
        self.notes: list[str] = []

    def close(self) -> None:
        self.cache.changed = self.cache.changed or bool(self.cache.suggestions)
        self.cache.save()

    def check(self, passages: list[Passage]) -> list[Flag]:
        """Flags over ``passages`` (indices into that list), one per span: grammar before spelling on a tie."""
        by_lang: dict[str, list[int]] = {}
        for index, passage in enumerate(passages):
            by_lang.setdefault(passage.lang, []).append(index)
        flags: list[Flag] = []
        for lang, indices in by_lang.items():
            group = [passages[i] for i in indices]
            usable = [engine for engine in self.engines if engine.available(lang)]
            for engine in self.engines:
                if engine not in usable:
                    note = engine.missing(lang)
                    if note and note not in self.notes and (isinstance(engine, Hunspell) or lang.startswith("fr")):
                        self.notes.append(note)
            for engine in usable:
                found = self._run(engine, group, lang)
                flags += [Flag(indices[f.passage], f.start, f.end, f.kind, f.engine, f.suggestions, f.message)
                          for f in found]
        return _merge(flags)

    def _run(self, engine: Engine, group: list[Passage], lang: str) -> list[Flag]:
        if not isinstance(engine, (Grammalecte, FrenchRules)):
            return engine.check(group, lang, self.accepted.accept)
        # Grammalecte (and the dictionary our rules read) is slow: only passages
        # the engine has not read before are sent to it.
        keys = [passage_key(engine.name, lang, p.text) for p in group]
        todo = [i for i, key in enumerate(keys) if key not in self.cache.grammar]
        fresh = engine.check([group[i] for i in todo], lang, lambda word: False) if todo else []
        for position, i in enumerate(todo):
            self.cache.grammar[keys[i]] = [[f.start, f.end, f.kind, f.engine, list(f.suggestions), f.message]
                                           for f in fresh if f.passage == position]
            self.cache.changed = True
        flags = []
        for i, key in enumerate(keys):
            for item in self.cache.grammar[key]:
                flag = _flag_from_json(i, item)
                text = group[i].text[flag.start:flag.end]
                # A grammar finding on a listed word (a name, a title word) or inside a listed phrase is dropped.
                if self.accepted.listed(text) or self.accepted.covers(group[i].text, flag.start, flag.end):
                    continue
                flags.append(flag)
        return flags


def _merge(flags: list[Flag]) -> list[Flag]:
    """One flag per place: where two engines flag overlapping text, grammar wins, then the one with suggestions."""
    flags.sort(key=lambda f: (f.passage, f.start, f.kind != GRAMMAR, not f.suggestions))
    kept: list[Flag] = []
    for flag in flags:
        if kept and kept[-1].passage == flag.passage and flag.start < kept[-1].end:
            continue
        kept.append(flag)
    return kept


# -- manuscripts ---------------------------------------------------------------------


def accepted_words(project, cited_fields: list[dict[str, str]]) -> AcceptedWords:
    """The project's word list, its ``[spelling] words`` and the words of the cited entries."""
    accepted = AcceptedWords(read_word_list(project.root / WORDS_FILE))
    accepted.update(project.config.spelling)
    for fields in cited_fields:
        accepted.update(bibliography_words(fields))
    return accepted


def manuscript_passages(document) -> list[Passage]:
    """The passages of a prepared document: title, subtitle and abstract, then the body."""
    manuscript = document.manuscript
    passages: list[Passage] = []
    lines = manuscript.text.split("\n")
    for name in FRONT_MATTER_TEXTS:
        value = manuscript.front_matter.get(name)
        if not isinstance(value, str) or not value.strip():
            continue
        line, column = _front_matter_place(lines[:max(manuscript.body_line - 1, 0)], name, value)
        for passage in read_passages(value, lang=document.lang, first_line=line, path=manuscript.path):
            passage.places = [(ln, col + column - 1 if ln == line else col) for ln, col in passage.places]
            passages.append(passage)
    passages += read_passages(manuscript.body, lang=document.lang, first_line=manuscript.body_line,
                              path=manuscript.path)
    return passages


def _front_matter_place(lines: list[str], name: str, value: str) -> tuple[int, int]:
    """(line, column) where a front-matter value starts; the key's line when the value is folded."""
    start = value.strip().split("\n", 1)[0][:40]
    key_line = None
    for number, text in enumerate(lines, start=1):
        if start and start in text:
            return number, text.index(start) + 1
        if key_line is None and text.lstrip().lower().startswith(f"{name}:"):
            key_line = number
    return (key_line or 1), 1


def check_document(document, checker: SpellChecker) -> SpellingReport:
    """Findings of one prepared document (see :func:`pipeline.builder.prepare`)."""
    passages = manuscript_passages(document)
    report = SpellingReport(manuscript=document.manuscript.path, lang=document.lang,
                            words=sum(len(p.words()) for p in passages))
    streams: dict[int, list[tuple[int, int, str]]] = {}  # the words of each passage with a finding
    for flag in checker.check(passages):
        passage = passages[flag.passage]
        line, column = passage.place(flag.start)
        if flag.passage not in streams:
            streams[flag.passage] = word_stream(passage.text)
        before = [w for start, end, w in streams[flag.passage] if end <= flag.start]
        after = [w for start, end, w in streams[flag.passage] if start >= flag.end]
        report.findings.append(Finding(path=document.manuscript.path, line=line, column=column,
                                       text=passage.text[flag.start:flag.end], kind=flag.kind, engine=flag.engine,
                                       lang=passage.lang, suggestions=flag.suggestions, message=flag.message,
                                       context=(before[-1] if before else "", after[0] if after else "")))
    report.findings.sort(key=lambda f: (f.line, f.column))
    report.notes = list(checker.notes)
    return report


def check_spelling(project, names: list[str] | None = None, *, cache_dir: Path | None = None,
                   engines: list[Engine] | None = None) -> list[SpellingReport]:
    """Check the named manuscripts (default: all) of ``project``; one report each, in order.

    Raises :class:`~pipeline.errors.MakeBookError` for a manuscript that cannot
    be read (front matter, bibliography), as a build would.
    """
    from ..builder import prepare, select_manuscripts
    from ..references.citations import analyse

    cache: dict = {}
    documents = [prepare(project, path, bibliographies=cache) for path in select_manuscripts(project, names)]
    cited = []
    for document in documents:
        keys = {ref.key for ref in analyse(document).references if ref.key}
        cited += [document.bibliography.entries[key].fields for key in keys if key in document.bibliography.entries]
    checker = SpellChecker(accepted_words(project, cited), cache_dir=cache_dir, engines=engines)
    try:
        return [check_document(document, checker) for document in documents]
    finally:
        checker.close()


# -- draft editions ------------------------------------------------------------------


def word_stream(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of each word of ``text``, lower case with ’; an elision is a word (``j’`` ``aurais``)."""
    stream = []
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        elided = ELISION.match(word)
        if elided and elided.end() < len(word):
            stream.append((start, start + elided.end(), _key(word[:elided.end()])))
            start, word = start + elided.end(), word[elided.end():]
        stream.append((start, start + len(word), _key(word)))
    return stream


def _key(word: str) -> str:
    return word.lower().replace("'", "’")


# Marks closer than this many characters may share a printed line, where WeasyPrint sets the
# floats of one line at one height, on top of each other: their suggestions share one note.
MARGIN_NOTE_SPAN = 90


def _in_address(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is part of an address written in the text (a URL, a DOI…)."""
    from ..editions.lines import ADDRESS

    return any(m.start() < end and start < m.end() for m in ADDRESS.finditer(text))


def _note(classes: list[str], text: str) -> Node:
    return {"t": "Span", "c": [["", classes, []], [{"t": "Str", "c": text}]]}


def _offsets(items: list) -> list[int]:
    """Approximate character offset of each inline of a list (a space counts 1, another inline its text)."""
    offsets, at = [], 0
    for item in items:
        offsets.append(at)
        if type(item) is dict:
            kind = item.get("t")
            at += len(item["c"]) if kind == "Str" else 1 if kind in ("Space", "SoftBreak") else len(
                json.dumps(item.get("c", ""), ensure_ascii=False)) // 3
    return offsets


def mark_findings(document, findings: list[Finding]) -> int:
    """Mark flagged words in a draft's tree: underlined, with the suggestion as a margin note.

    A misspelt word (a spelling finding) is marked wherever it occurs; a word
    a grammar finding flags (« a », « ou », « elle ») only where the words
    around it are those around the finding, when the tree shows them. Each
    becomes ``Span .misspelt [word]`` followed by ``Span .draft-note [→
    suggestion]`` (code, math and raw HTML hold no Str, so they are left alone).
    Marks that may share a printed line also get one ``Span .draft-notes``
    after the first, listing their suggestions, which the PDF shows in the
    margin instead of their own notes (``.draft-note.grouped``); the EPUB
    shows each note after its word.
    Findings of several words (a doubled word) are not marked. Returns the
    number of words marked.
    """
    from ..typography import address_link

    spelling: dict[str, str] = {}
    grammar: dict[str, list[tuple[str, str, str]]] = {}
    for finding in findings:
        if " " in finding.text:
            continue
        suggestion = finding.suggestions[0] if finding.suggestions else "?"
        if finding.kind == GRAMMAR:
            grammar.setdefault(_key(finding.text), []).append((*finding.context, suggestion))
        else:
            spelling.setdefault(finding.text, suggestion)
    if not spelling and not grammar:
        return 0
    count = 0

    def wanted(stream: list[tuple[int, int, int, str, str]], index: int) -> str | None:
        """The suggestion if the word at ``index`` of an inline list's words is to be marked."""
        _, _, _, written, word = stream[index]
        if written in spelling:
            return spelling[written]
        before = stream[index - 1][4] if index > 0 else None
        after = stream[index + 1][4] if index + 1 < len(stream) else None
        for context_before, context_after, suggestion in grammar.get(word, ()):
            sides = [(seen, expected) for seen, expected in ((before, context_before), (after, context_after))
                     if seen is not None]
            if sides and all(seen == expected for seen, expected in sides):
                return suggestion
        return None

    def marked_list(items: list) -> list:
        nonlocal count
        # The words of the Str items of this inline list, in order: (item, start, end, as written, key).
        stream = [(k, start, end, item["c"][start:end], word)
                  for k, item in enumerate(items) if type(item) is dict and item.get("t") == "Str"
                  for start, end, word in word_stream(item["c"]) if not _in_address(item["c"], start, end)]
        offsets = _offsets(items)
        marks: dict[int, list[tuple[int, int, str]]] = {}
        groups: list[list[tuple[int, int, str]]] = []  # (item, start, suggestion) of marks near each other
        for index, (k, start, end, _, _) in enumerate(stream):
            suggestion = wanted(stream, index)
            if suggestion is None:
                continue
            marks.setdefault(k, []).append((start, end, suggestion))
            at = offsets[k] + start
            if groups and at - (offsets[groups[-1][0][0]] + groups[-1][0][1]) < MARGIN_NOTE_SPAN:
                groups[-1].append((k, start, suggestion))
            else:
                groups.append([(k, start, suggestion)])
        grouped = {(k, start): group for group in groups if len(group) > 1 for k, start, _ in group}
        out = []
        for k, item in enumerate(items):
            if k not in marks:
                out.append(visit(item) if type(item) is not dict or item.get("t") != "Str" else item)
                continue
            content, last = item["c"], 0
            for start, end, suggestion in marks[k]:
                if start > last:
                    out.append({"t": "Str", "c": content[last:start]})
                group = grouped.get((k, start))
                out.append({"t": "Span", "c": [["", ["misspelt"], []], [{"t": "Str", "c": content[start:end]}]]})
                out.append(_note(["draft-note", "grouped"] if group else ["draft-note"], "→ " + suggestion))
                if group and group[0][:2] == (k, start):
                    out.append(_note(["draft-notes"], "→ " + " · ".join(s for _, _, s in group)))
                last = end
                count += 1
            if last < len(content):
                out.append({"t": "Str", "c": content[last:]})
        return out

    def visit(value):
        # A walk of our own: the spans made here are never visited again. Headings are left
        # alone (their text also goes to the contents, running heads and bookmarks), and so
        # are citations, whose text citeproc replaces.
        if type(value) is list:
            return marked_list(value)
        if type(value) is dict and value.get("t") not in ("Header", "Cite") and "c" in value \
                and not address_link(value):  # a link whose text is its address: as written
            return {"t": value["t"], "c": visit(value["c"])}
        return value

    document.ast["blocks"] = visit(document.ast["blocks"])
    return count
