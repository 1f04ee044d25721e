"""The planted-error corpora of the spelling tests and benchmark: where each error is, and which were found.

Two texts of ours, each with a JSON list of its planted errors:
- ``planted``: 2,047 words, 40 errors — the text the issue's 90 % goal is measured on;
- ``heldout``: 1,900 words on another subject, 30 errors of the same kinds in the same
  proportions, written before any rule of ours and never used to tune one: it tells
  whether what works on the first text works elsewhere.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "data" / "spelling"
CORPORA = ("planted", "heldout")
PLANTED_TEXT = CORPUS / "planted.md"


@dataclass(frozen=True)
class Planted:
    kind: str
    text: str
    line: int
    column: int  # 1-based, of the first character of ``text``

    def caught_by(self, finding) -> bool:
        """A finding on the same line whose span overlaps the planted error."""
        if finding.line != self.line:
            return False
        return finding.column < self.column + len(self.text) and self.column < finding.column + len(finding.text)


def corpus_text(name: str = "planted") -> Path:
    """The Markdown file of corpus ``name`` (one of ``CORPORA``)."""
    return CORPUS / f"{name}.md"


def planted_errors(name: str = "planted") -> list[Planted]:
    """Every planted error of corpus ``name``, placed by its unique context in the text."""
    text = corpus_text(name).read_text(encoding="utf-8")
    found = []
    for item in json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8")):
        word = re.search(rf"(?<!\w){re.escape(item['text'])}(?!\w)", item["context"])
        at = text.index(item["context"]) + word.start()
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        found.append(Planted(item["kind"], item["text"], line, column))
    return found


def score(findings, name: str = "planted") -> tuple[list[Planted], list[Planted], list]:
    """(caught, missed, false alarms) for the findings of corpus ``name``."""
    planted = planted_errors(name)
    caught = [p for p in planted if any(p.caught_by(f) for f in findings)]
    missed = [p for p in planted if p not in caught]
    false = [f for f in findings if not any(p.caught_by(f) for p in planted)]
    return caught, missed, false
