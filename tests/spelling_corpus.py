"""The planted-error corpus of the spelling tests and benchmark: where each error is, and which were found."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "data" / "spelling"
PLANTED_TEXT = CORPUS / "planted.md"
PLANTED_LIST = CORPUS / "planted.json"


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


def planted_errors() -> list[Planted]:
    """Every planted error of the corpus, placed by its unique context in the text."""
    text = PLANTED_TEXT.read_text(encoding="utf-8")
    found = []
    for item in json.loads(PLANTED_LIST.read_text(encoding="utf-8")):
        word = re.search(rf"(?<!\w){re.escape(item['text'])}(?!\w)", item["context"])
        at = text.index(item["context"]) + word.start()
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        found.append(Planted(item["kind"], item["text"], line, column))
    return found


def score(findings) -> tuple[list[Planted], list[Planted], list]:
    """(caught, missed, false alarms) for the findings of the planted text."""
    planted = planted_errors()
    caught = [p for p in planted if any(p.caught_by(f) for f in findings)]
    missed = [p for p in planted if p not in caught]
    false = [f for f in findings if not any(p.caught_by(f) for p in planted)]
    return caught, missed, false
