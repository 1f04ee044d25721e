"""Spelling with Hunspell dictionaries, through Enchant (pyenchant).

Debian ships the dictionaries as ``hunspell-fr``, ``hunspell-en-us``,
``hunspell-en-gb``…; Enchant finds them in /usr/share/hunspell. The project's
accepted words are checked before the dictionary, and the closest of them are
offered first among the suggestions ("ChagGPT" → "ChatGPT").
"""

from __future__ import annotations

import difflib
import logging
from functools import cache
from pathlib import Path
from typing import Iterable

from .engines import SPELLING, Flag
from .passages import Passage
from .words import ELISION

log = logging.getLogger(__name__)

# Dictionary tried for a language tag, in order: region first, then the bare language.
_DEFAULT_REGION = {"fr": "fr_FR", "en": "en_US", "de": "de_DE", "es": "es_ES", "it": "it_IT", "pt": "pt_PT"}
SUGGESTIONS = 3


def dictionary_tags(lang: str) -> list[str]:
    """Enchant tags for a BCP 47 tag: ``fr-CA`` → ``fr_CA``, ``fr_FR``, ``fr``; ``en`` → ``en_US``, ``en``."""
    parts = lang.replace("_", "-").split("-")
    primary = parts[0].lower()
    tags = []
    if len(parts) > 1 and len(parts[1]) == 2:
        tags.append(f"{primary}_{parts[1].upper()}")
    if primary in _DEFAULT_REGION:
        tags.append(_DEFAULT_REGION[primary])
    tags.append(primary)
    return list(dict.fromkeys(tags))


class Hunspell:
    """The Hunspell engine. ``words``: the project's accepted words, offered first as suggestions."""

    name = "hunspell"

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words = sorted(set(words))
        self._dicts: dict[str, object] = {}
        self.suggestion_cache: dict[str, list[str]] = {}

    def _tag(self, lang: str) -> str | None:
        try:
            import enchant
        except ImportError:
            return None
        return next((tag for tag in dictionary_tags(lang) if enchant.dict_exists(tag)), None)

    def available(self, lang: str) -> bool:
        return self._tag(lang) is not None

    def missing(self, lang: str) -> str:
        try:
            import enchant  # noqa: F401
        except ImportError:
            return "pyenchant is not installed: pip install pyenchant (and Debian's libenchant-2-2)"
        primary = lang.split("-")[0].lower()
        package = {"en": "hunspell-en-us", "fr": "hunspell-fr"}.get(primary, f"hunspell-{primary}")
        return (f"no Hunspell dictionary for {lang!r}: install one (Debian/Ubuntu: apt-get install {package}; "
                f"Fedora: dnf install hunspell-{primary}; macOS: brew install hunspell and a {primary} dictionary)")

    def dictionary(self, lang: str, tag: str | None = None):
        tag = tag or self._tag(lang)
        if tag not in self._dicts:
            import enchant

            self._dicts[tag] = enchant.Dict(tag)
        return self._dicts[tag]

    def variant_tags(self, lang: str) -> list[str]:
        """Other dictionaries a word may be found in: for a tag without region (``en``), every installed
        regional variant (en_GB, en_CA…), since the text chose none; none for a tag with a region."""
        import enchant

        if "-" in lang or "_" in lang:
            return []
        own = self._tag(lang)
        seen = {_dictionary_file(own)}
        tags = []
        for tag in sorted(enchant.list_languages()):
            if tag.split("_")[0] != lang.lower() or tag == own:
                continue
            file = _dictionary_file(tag)
            if file is None or file not in seen:  # Debian's fr_BE, fr_CA… are links to one fr.dic
                tags.append(tag)
                seen.add(file)
        return tags

    def check(self, passages: list[Passage], lang: str, accept) -> list[Flag]:
        """Flag every word no dictionary of ``lang`` knows; suggestions are looked up once per word.

        Regional variants are loaded only for the words the main dictionary does not know.
        """
        main = self.dictionary(lang)
        variants = self.variant_tags(lang)

        def known(word: str) -> bool:
            plain = word.replace("’", "'")
            if main.check(word) or main.check(plain):
                return True
            return any(self.dictionary(lang, tag).check(word) or self.dictionary(lang, tag).check(plain)
                       for tag in variants)

        flags = []
        for index, passage in enumerate(passages):
            for start, end, word in passage.words():
                if accept(word) or known(word):
                    continue
                elided = ELISION.match(word)
                if elided and elided.end() < len(word):  # d’accélarationnisme: the word is after the apostrophe
                    start, word = start + elided.end(), word[elided.end():]
                    if accept(word) or known(word):
                        continue
                flags.append(Flag(index, start, end, SPELLING, self.name, tuple(self.suggest(lang, word))))
        return flags

    def suggest(self, lang: str, word: str) -> list[str]:
        """The project's closest words, then Hunspell's (cached: Hunspell takes ~0.1 s a word)."""
        key = f"{lang}\t{word}"
        if key not in self.suggestion_cache:
            self.suggestion_cache[key] = self.dictionary(lang).suggest(word)[:SUGGESTIONS]
        own = difflib.get_close_matches(word, self.words, n=2, cutoff=0.75)
        return list(dict.fromkeys(own + self.suggestion_cache[key]))[:SUGGESTIONS]


# Where Hunspell dictionaries are installed (Debian, Fedora, Homebrew, the user's own).
DICTIONARY_FOLDERS = (Path("/usr/share/hunspell"), Path("/usr/share/myspell/dicts"), Path("/usr/share/myspell"),
                      Path("/usr/local/share/hunspell"), Path("/opt/homebrew/share/hunspell"),
                      Path.home() / ".local/share/hunspell")


def _dictionary_file(tag: str | None) -> Path | None:
    """The .dic file behind an Enchant tag, links resolved; None when it is not in a known folder."""
    for folder in DICTIONARY_FOLDERS:
        candidate = folder / f"{tag}.dic"
        if candidate.is_file():
            return candidate.resolve()
    return None


@cache
def enchant_version() -> str:
    """pyenchant's and Enchant's versions, for the cache key ("none" when either is missing)."""
    try:
        import enchant

        return f"pyenchant {enchant.__version__}, enchant {enchant.get_enchant_version()}"
    except Exception:  # not installed, or the C library missing
        return "none"
