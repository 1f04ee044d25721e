"""What the spelling engines share: the flags they raise, and the interface each one meets.

An engine reads passages (:class:`~pipeline.spelling.passages.Passage`) and
flags spans of their text. It knows nothing of files, word lists or output:
the checker (``pipeline.spelling.check``) places flags in the file, drops the
words the project accepts and merges what two engines say of one word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .passages import Passage

SPELLING, GRAMMAR = "spelling", "grammar"


@dataclass(frozen=True)
class Flag:
    """One problem in one passage: ``passage.text[start:end]``, with suggestions best first."""

    passage: int  # index in the list of passages checked
    start: int
    end: int
    kind: str  # SPELLING or GRAMMAR
    engine: str
    suggestions: tuple[str, ...] = ()
    message: str = ""


class Engine(Protocol):
    """A spelling or grammar checker.

    ``available(lang)`` says whether it can check text in the BCP 47 language
    ``lang`` here (a dictionary installed, a program found); ``missing(lang)``
    says in one sentence what to install when it cannot. ``check`` flags the
    passages given (all of one of its languages) and may skip words for which
    ``accept(word)`` is true.
    """

    name: str

    def available(self, lang: str) -> bool: ...

    def missing(self, lang: str) -> str: ...

    def check(self, passages: list[Passage], lang: str, accept) -> list[Flag]: ...
