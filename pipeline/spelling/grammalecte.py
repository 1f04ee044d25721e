"""French grammar with Grammalecte, run as its command-line program.

Debian packages Grammalecte for the system's Python (``grammalecte-cli``,
``python3-grammalecte``), which is not the interpreter make-book may run in,
so make-book runs the program with ``--json`` and reads its answer: one
paragraph a line in, each error as a span of its paragraph out.

Grammalecte's typographic rules (apostrophes, spaces, no-break spaces,
dashes, units, digit groups) are switched off: make-book sets those itself in
every edition, so they are not the author's mistakes.

Its rule groups that are off by default stay off; each was measured on the
two planted-error texts and the samples (benchmarks/spelling.py): ``mapos``
(missing apostrophe), ``neg`` (missing *ne*), ``mc`` (compound words) and
``poncfin`` (final punctuation) catch none of the planted errors; ``ocr``
adds four false alarms on the samples (isolated letters such as *p.*), and
``redon1``/``redon2`` (a word repeated in the paragraph or sentence) add 13
to 17 remarks of style, which are not errors. The faults Grammalecte has no
rule for are caught by our own rules (``rules_fr.py``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .engines import GRAMMAR, Flag
from .passages import Passage
from ..errors import MakeBookError

PROGRAM = "grammalecte-cli"
# Options of Grammalecte 2.x that concern typography make-book does itself.
TYPOGRAPHY_OPTIONS = ("apos", "esp", "nbsp", "typo", "unit", "num", "latex", "md", "html")
INSTALL = ("French grammar is not checked: Grammalecte is not installed (Debian/Ubuntu: apt-get install "
           "grammalecte-cli; elsewhere: the command-line version from grammalecte.net, with grammalecte-cli "
           "on the PATH)")


class Grammalecte:
    """The Grammalecte engine (French only)."""

    name = "grammalecte"

    def __init__(self, program: str | None = PROGRAM) -> None:
        """``program``: a command name looked up on the PATH, a path, or None for "not installed"."""
        self.program = shutil.which(program) if program else None

    def available(self, lang: str) -> bool:
        return self.program is not None and lang.lower().split("-")[0] == "fr"

    def missing(self, lang: str) -> str:
        return INSTALL

    def check(self, passages: list[Passage], lang: str, accept) -> list[Flag]:
        """Grammar errors of every passage, from one run of the program.

        Each sentence goes on a line of its own: Grammalecte reads a line as a
        paragraph, and one sentence it cannot parse (a typo in its verb) makes
        it miss what follows in the same paragraph.
        """
        if not passages:
            return []
        lines: list[str] = []
        origins: list[tuple[int, int]] = []  # (passage, offset of the line in its text)
        for index, passage in enumerate(passages):
            if not passage.prose:  # a source line ("— Montaigne, Essais") is words, not a sentence
                continue
            for start, end in sentences(passage.text):
                lines.append(passage.text[start:end].replace("\n", " "))
                origins.append((index, start))
        if not lines:
            return []
        with tempfile.TemporaryDirectory(prefix="make-book-grammalecte-") as folder:
            source = Path(folder) / "text.txt"
            source.write_text("\n".join(lines) + "\n", encoding="utf-8")
            command = [self.program, "-f", str(source), "-j", "-off", *TYPOGRAPHY_OPTIONS]
            proc = subprocess.run(command, capture_output=True, timeout=600)
        if proc.returncode != 0:
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            raise MakeBookError(f"Grammalecte failed: {detail[0]}", hint="run grammalecte-cli by hand to see why, "
                                "or uninstall it to check spelling with Hunspell alone")
        flags = []
        for line, start, end, suggestions, message in parse_answer(proc.stdout, len(lines)):
            index, offset = origins[line]
            if passages[index].blocked(offset + start, offset + end) or accept(lines[line][start:end]):
                continue
            flags.append(Flag(index, offset + start, offset + end, GRAMMAR, self.name, suggestions, message))
        return flags


_SENTENCE_END = re.compile(r"[.!?…]+(?:\s?[»”’)\]])*\s+(?=[«“(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``: cut after . ! ? … before a capital letter."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def parse_answer(answer: bytes, lines: int):
    """(line, start, end, suggestions, message) for each grammar error of Grammalecte's JSON answer.

    Lines are 0-based; Grammalecte numbers its paragraphs (our lines) from 1.
    Raises :class:`MakeBookError` when the answer is not Grammalecte's JSON.
    """
    try:
        data = json.loads(answer.decode("utf-8"))
        paragraphs = data["data"]
    except (ValueError, KeyError, TypeError):
        raise MakeBookError("Grammalecte answered something that is not its JSON report",
                            hint="check that grammalecte-cli is Grammalecte 2 (grammalecte-cli -h)") from None
    for paragraph in paragraphs:
        line = int(paragraph.get("iParagraph", 0)) - 1
        if not 0 <= line < lines:
            continue
        for error in paragraph.get("lGrammarErrors", []):
            yield (line, int(error["nStart"]), int(error["nEnd"]), tuple(error.get("aSuggestions", ()))[:3],
                   " ".join(str(error.get("sMessage", "")).split()))
    # Its spelling errors are left to Hunspell, which reads the project's word list.


def grammalecte_version(program: str | None = PROGRAM) -> str:
    """What identifies the installed Grammalecte for the cache: its program's path, size and date.

    (Asking the program itself costs a start of Grammalecte, a third of a second.)
    """
    found = shutil.which(program) if program else None
    if not found:
        return "none"
    path = Path(found).resolve()
    package = next(iter(Path("/usr/lib/python3/dist-packages").glob("Grammalecte*-info")), None)
    stamp = package.name if package is not None else f"{path.stat().st_size}:{int(path.stat().st_mtime)}"
    return f"grammalecte {path} {stamp}"
