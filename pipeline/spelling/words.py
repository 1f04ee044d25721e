"""The words a project accepts without asking: its word list, its bibliography, other scripts.

Sources, all merged into one :class:`AcceptedWords`:

- ``styles/words.txt`` in the project (one word a line; ``#`` starts a comment),
  which ``make-book spell --add WORD`` appends to. A line of several words is a
  phrase: a grammar finding inside that phrase is dropped ("j’ai fini par",
  where Grammalecte wants "finie");
- ``[spelling] words = [...]`` in ``make-book.toml``;
- the names (authors, editors, translators) and title words of the entries the
  manuscripts cite.

A word in the list written in lower case is accepted in any case ("chatbot"
accepts "Chatbot"); one with capitals only as written ("ChatGPT"). Words in
another script than the passage's (Greek, Cyrillic, CJK… in a French text),
acronyms in capitals, single letters and French elisions of an accepted word
(l’arXiv) are accepted too.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Iterable

from ..errors import ProjectError

WORDS_FILE = "styles/words.txt"
ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)[’']", re.IGNORECASE)
_NAME_FIELDS = ("author", "editor", "translator", "bookauthor", "editora", "editorb")
_TITLE_FIELDS = ("title", "subtitle", "shorttitle", "booktitle", "journal", "journaltitle", "publisher",
                 "institution", "organization", "school", "series", "location", "address", "eventtitle")
_LETTERS = re.compile(r"[^\W\d_]+(?:[’'\-][^\W\d_]+)*")


class AcceptedWords:
    """A set of words with the acceptance rules above; ``accept(word)`` is the test."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.exact: set[str] = set()
        self.folded: set[str] = set()
        self.phrases: set[str] = set()
        self.update(words)

    def update(self, words: Iterable[str]) -> None:
        for word in words:
            word = " ".join(word.replace("'", "’").split())
            if not word:
                continue
            if " " in word:
                self.phrases.add(word)
                continue
            self.exact.add(word)
            if word == word.lower():
                self.folded.add(word)

    def __len__(self) -> int:
        return len(self.exact)

    def __iter__(self):
        return iter(sorted(self.exact))

    def covers(self, text: str, start: int, end: int) -> bool:
        """Whether an accepted phrase covers ``text[start:end]`` (apostrophes and spaces normalised)."""
        folded = text.replace("'", "’")
        for phrase in self.phrases:
            at = folded.find(phrase)
            while at >= 0:
                if at <= start and end <= at + len(phrase):
                    return True
                at = folded.find(phrase, at + 1)
        return False

    def listed(self, word: str) -> bool:
        """Whether ``word`` is in the list itself (as written, or in any case for a lower-case entry)."""
        word = word.replace("'", "’")
        return word in self.exact or word.replace("’", "'") in self.exact or word.lower() in self.folded

    def accept(self, word: str) -> bool:
        """Whether the spelling of ``word`` is accepted: listed, or by the rules above."""
        word = word.replace("'", "’")
        if len(word) < 2 or _other_script(word) or (word.isupper() and len(word) <= 8):
            return True
        if self.listed(word):
            return True
        stripped = ELISION.sub("", word)
        if stripped != word:
            return self.accept(stripped)
        if "-" in word:
            parts = [part for part in word.split("-") if part]
            return bool(parts) and all(part in self.exact or part.lower() in self.folded for part in parts)
        return False


def _other_script(word: str) -> bool:
    """True when no letter of ``word`` is Latin (Greek, Cyrillic, CJK…): not for a Latin-script dictionary."""
    return not any("LATIN" in unicodedata.name(ch, "") for ch in word if ch.isalpha())


def read_word_list(path: Path) -> list[str]:
    """The words of a word-list file: one a line, blank lines and ``#`` comments ignored.

    Raises :class:`ProjectError` (with the line) if the file is not UTF-8.
    """
    if not path.is_file():
        return []
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProjectError("the word list is not UTF-8 text", path=path, line=data.count(b"\n", 0, exc.start) + 1,
                           hint="save it as UTF-8, one word a line") from None
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


def add_words(path: Path, words: Iterable[str]) -> list[str]:
    """Append to the word list the words (or phrases) it does not have yet; return those added, in order.

    Raises :class:`ProjectError` for an empty entry, one holding ``#`` (a comment) or a line break.
    """
    known = set(read_word_list(path))
    added = []
    for word in words:
        given, word = word, " ".join(word.split())
        if not word or "#" in word or "\n" in given or "\r" in given:
            raise ProjectError(f"{given!r} cannot go in the word list", path=path,
                               hint="add a word or a phrase on one line, without '#', e.g. --add ChatGPT")
        if word not in known and word not in added:
            added.append(word)
    if added:
        path.parent.mkdir(parents=True, exist_ok=True)
        existing = path.read_text(encoding="utf-8") if path.is_file() else ""
        prefix = "" if not existing or existing.endswith("\n") else "\n"
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(prefix + "".join(f"{word}\n" for word in added))
    return added


def bibliography_words(fields: dict[str, str]) -> set[str]:
    """Names and title words of one bibliography entry (its raw BibTeX fields), LaTeX markup removed."""
    from pylatexenc.latex2text import LatexNodes2Text

    decode = LatexNodes2Text().latex_to_text
    words: set[str] = set()
    for name in _NAME_FIELDS + _TITLE_FIELDS:
        value = fields.get(name)
        if not value:
            continue
        try:
            text = decode(value)
        except Exception:  # pylatexenc gives up on broken markup: the raw text is still worth reading
            text = value.replace("{", "").replace("}", "")
        words.update(match.group() for match in _LETTERS.finditer(text))
    return words
