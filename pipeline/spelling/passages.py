"""The text a reader reads, cut into passages of one language, each character placed in the file.

Pandoc's Markdown reader keeps no source positions, but its CommonMark reader
does (the ``sourcepos`` extension wraps every inline in a span carrying
``data-pos="line:col-line:col"``). The manuscript body is read with
``commonmark_x+sourcepos``, which shares with pandoc Markdown what a spelling
check needs (emphasis, links, footnotes, fenced divs, bracketed spans with
``lang``, math, raw HTML), and walked to collect the words a reader sees:
code, math, raw HTML, URLs and citation keys are left out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..pandoc import Node, run

READER = "commonmark_x+sourcepos"

# A URL or an e-mail address written as text: its pieces are not words.
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A word: letters, with inner apostrophes or hyphens (l’homme, c’est-à-dire, peut-être).
_WORD = re.compile(r"[^\W\d_]+(?:[’'\-][^\W\d_]+)*")
# Inline nodes whose text is not prose, replaced by a neutral token so that
# the sentence around them still reads as a sentence to the grammar checker.
_OPAQUE = {"Code", "Math", "RawInline"}
PLACEHOLDER = "X"
SOURCE_DASHES = ("—", "―", "–", "-")


@dataclass
class Passage:
    """A run of text in one language: a paragraph, heading, list item or note, or a part of one.

    ``text`` is what a reader reads (one line, no markup); ``places[i]`` is the
    (line, column) in the manuscript file of ``text[i]``, both 1-based, or the
    place of the nearest character before it for characters markup added.
    """

    lang: str
    text: str = ""
    places: list[tuple[int, int]] = field(default_factory=list)
    skipped: list[tuple[int, int]] = field(default_factory=list)  # spans of text[] that are not words
    prose: bool = True  # False for a quotation's source line ("— Montaigne, Essais"): words, not sentences
    _addresses: tuple[int, list[tuple[int, int]]] | None = field(default=None, repr=False, compare=False)

    def add(self, text: str, place: tuple[int, int] | None, *, step: bool = True) -> None:
        if not text:
            return
        if place is None:
            place = self.places[-1] if self.places else (0, 0)
            step = False
        line, column = place
        for index, _ in enumerate(text):
            self.places.append((line, column + index) if step else (line, column))
        self.text += text

    def opaque(self, place: tuple[int, int] | None) -> None:
        """A code span, formula or tag: a neutral word, never checked itself."""
        if self.text and not self.text.endswith(" "):
            self.add(" ", None)
        start = len(self.text)
        self.add(PLACEHOLDER, place, step=False)
        self.skipped.append((start, len(self.text)))

    def words(self) -> list[tuple[int, int, str]]:
        """(start, end, word) for every word, addresses and placeholders left out."""
        return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(self.text)
                if not self.blocked(m.start(), m.end())]

    def blocked(self, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` touches something that is not prose (a placeholder, an address)."""
        if self._addresses is None or self._addresses[0] != len(self.text):
            self._addresses = (len(self.text), [m.span() for m in _ADDRESS.finditer(self.text)])
        spans = self.skipped + self._addresses[1]
        return any(start < b_end and b_start < end for b_start, b_end in spans)

    def place(self, index: int) -> tuple[int, int]:
        """(line, column) in the file of ``text[index]``."""
        if not self.places:
            return (0, 0)
        return self.places[min(max(index, 0), len(self.places) - 1)]


def read_passages(body: str, *, lang: str, first_line: int, path: Path | None = None) -> list[Passage]:
    """The passages of a manuscript body, in reading order (notes after the paragraph that calls them).

    ``first_line`` is the file line of the body's first line (after the front
    matter), so that places are file places. Raises :class:`RenderError` if
    pandoc cannot read the text.
    """
    out, _ = run(body, ["-f", READER, "-t", "json"], what=path)
    tree = json.loads(out)
    walker = _Walker(first_line - 1)
    walker.blocks(tree["blocks"], lang)
    return [p for p in walker.passages if p.text.strip()]


def _unwrapped(block: Node) -> Node:
    """The block inside the ``wrapper`` divs that ``sourcepos`` adds around each block."""
    while block["t"] == "Div" and ("wrapper", "1") in map(tuple, block["c"][0][2]) and len(block["c"][1]) == 1:
        block = block["c"][1][0]
    return block


class _Walker:
    """Collects passages from the tree; one open passage per language nesting level."""

    def __init__(self, line_offset: int) -> None:
        self.offset = line_offset
        self.passages: list[Passage] = []
        self.later: list[tuple[list[Node], str]] = []  # notes, read after their paragraph

    # -- blocks

    def blocks(self, blocks: list[Node], lang: str) -> None:
        previous = None
        for block in blocks:
            block = _unwrapped(block)
            passage = self.block(block, lang)
            if previous == "BlockQuote" and passage is not None and passage.text.lstrip().startswith(SOURCE_DASHES):
                passage.prose = False  # a quotation's source line, as make-book prints it: words, not a sentence
            previous = block["t"]

    def block(self, block: Node, lang: str) -> Passage | None:
        """Collect one block; return its passage when it is a paragraph."""
        kind, content = block["t"], block.get("c")
        if kind in ("Para", "Plain"):
            return self.paragraph(content, lang)
        if kind == "Header":
            self.paragraph(content[2], lang)
        elif kind == "BlockQuote":
            self.blocks(content, lang)
        elif kind == "Div":
            self.blocks(content[1], dict(content[0][2]).get("lang", lang))
        elif kind == "BulletList":
            for item in content:
                self.blocks(item, lang)
        elif kind == "OrderedList":
            for item in content[1]:
                self.blocks(item, lang)
        elif kind == "DefinitionList":
            for term, definitions in content:
                self.paragraph(term, lang)
                for definition in definitions:
                    self.blocks(definition, lang)
        elif kind == "LineBlock":
            for line in content:
                self.paragraph(line, lang)
        elif kind == "Figure":
            self.blocks(content[1][1], lang)  # the caption
            self.blocks(content[2], lang)
        elif kind == "Table":
            self.table(content, lang)
        # CodeBlock, RawBlock, HorizontalRule: not prose.
        return None

    def table(self, content: list, lang: str) -> None:
        _, caption, _, head, bodies, foot = content
        self.blocks(caption[1], lang)
        rows = list(head[1]) + [row for body in bodies for row in body[2] + body[3]] + list(foot[1])
        for row in rows:
            for cell in row[1]:
                self.blocks(cell[4], lang)

    def paragraph(self, inlines: list[Node], lang: str) -> Passage:
        passage = Passage(lang)
        self.passages.append(passage)
        self.inlines(inlines, passage, None)
        notes, self.later = self.later, []
        for blocks, note_lang in notes:
            self.blocks(blocks, note_lang)
        return passage

    # -- inlines

    def inlines(self, inlines: list[Node], passage: Passage, place: tuple[int, int] | None) -> None:
        skip_key = False
        for node in inlines:
            kind, content = node["t"], node.get("c")
            if kind == "Span":
                attributes = dict(content[0][2])
                here = self.position(attributes.get("data-pos")) or place
                span_lang = attributes.get("lang")
                if span_lang and span_lang != passage.lang:
                    inner = Passage(span_lang)
                    self.passages.append(inner)
                    self.inlines(content[1], inner, here)
                    passage.opaque(here)
                    continue
                if skip_key and content[1] and content[1][0]["t"] == "Str":
                    # the key of a citation (@key): not a word
                    skip_key = False
                    passage.opaque(here)
                    continue
                self.inlines(content[1], passage, here)
                skip_key = bool(content[1]) and content[1][-1] == {"t": "Str", "c": "@"}
                continue
            skip_key = False
            if kind == "Str":
                if content == "@":
                    skip_key = True
                    continue
                passage.add(content, place)
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                passage.add(" ", place, step=False)
            elif kind in ("Emph", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps", "Underline"):
                self.inlines(content, passage, place)
            elif kind == "Quoted":
                mark = "“" if content[0]["t"] == "DoubleQuote" else "‘"
                passage.add(mark, None)
                self.inlines(content[1], passage, place)
                passage.add("”" if mark == "“" else "’", None)
            elif kind == "Link":
                self.inlines(content[1], passage, place)
            elif kind == "Image":
                self.inlines(content[1], passage, place)
            elif kind == "Cite":
                self.inlines(content[1], passage, place)
            elif kind == "Note":
                self.later.append((content, passage.lang))
            elif kind in _OPAQUE:
                passage.opaque(place)

    def position(self, value: str | None) -> tuple[int, int] | None:
        if not value:
            return None
        match = re.match(r"(?:.*@)?(\d+):(\d+)", value)
        if not match:
            return None
        return (int(match.group(1)) + self.offset, int(match.group(2)))
