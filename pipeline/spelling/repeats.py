"""Doubled words ("de de", "the the"): the slip of a writer who edits a sentence and keeps both halves.

Hunspell checks words one at a time and cannot see them; Grammalecte sees
some. This engine flags a word repeated with only a space between, except
the doublings a language allows ("nous nous", "vous vous" in French; "had
had", "that that" in English).
"""

from __future__ import annotations

from .engines import SPELLING, Flag
from .passages import Passage

ALLOWED = {
    "fr": {"nous", "vous", "si", "l’un", "tout", "très"},
    "en": {"had", "that", "is", "do", "very", "far", "so", "bye"},
}


class Repeats:
    """The doubled-word engine, for every language."""

    name = "repeats"

    def available(self, lang: str) -> bool:
        return True

    def missing(self, lang: str) -> str:
        return ""

    def check(self, passages: list[Passage], lang: str, accept) -> list[Flag]:
        allowed = ALLOWED.get(lang.split("-")[0].lower(), set())
        flags = []
        for index, passage in enumerate(passages):
            words = passage.words()
            for (start, end, word), (next_start, next_end, following) in zip(words, words[1:]):
                between = passage.text[end:next_start]
                if word.lower() == following.lower() and between.strip() == "" and word.lower() not in allowed:
                    flags.append(Flag(index, start, next_end, SPELLING, self.name, (word,),
                                      "the same word twice"))
        return flags
